"""Every read of community resources, taking the viewer and scoped to their units.

A venue belongs to the community it serves; a viewer sees the venues of the communities in
their subtree (a venue out of scope answers 404 like a missing one), and its bookings with it.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, DurationField, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.access import (
    Permission,
    get_in_scope_or_404,
    path_q,
    personal_data_checker,
    scoped,
)
from shegong.core.shares import largest_remainder_shares
from shegong.orgs.models import CommunityFunding, Premises, Unit, UnitKind
from shegong.people.models import WorkerStatus
from shegong.people.rules import (
    age_in_year,
    age_on,
    mask_birth_date,
    mask_id_number,
    mask_phone,
)
from shegong.resources import award_selectors, rules
from shegong.resources.models import (
    Activity,
    Booking,
    BookingSeries,
    BookingStatus,
    ItemKind,
    OwnerKind,
    Participation,
    RecordStatus,
    Resident,
    ServiceRecord,
    Standard,
    StandardCheck,
    StandardItem,
    StarLevel,
    Talent,
    Team,
    TeamMember,
    TeamRecord,
    TeamRecordKind,
    Venue,
    Volunteer,
    VolunteerCertificate,
)

if TYPE_CHECKING:
    from shegong.core.models import User

ONE_DAY = datetime.timedelta(days=1)
TENTH = Decimal("0.1")


def communities_for_edit(*, viewer: User) -> QuerySet[Unit]:
    """The communities whose resources the viewer may register and book."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.EDIT), kind=UnitKind.COMMUNITY
    ).order_by("path")


def venue_list(
    *, viewer: User, unit: Unit | None = None, shared: bool | None = None, q: str = ""
) -> QuerySet[Venue]:
    venues = scoped(Venue.objects.select_related("community"), viewer, "community")
    if unit is not None:
        venues = venues.filter(community__path__startswith=unit.path)
    if shared is True:
        venues = venues.exclude(owner_kind=OwnerKind.COMMUNITY)
    elif shared is False:
        venues = venues.filter(owner_kind=OwnerKind.COMMUNITY)
    if q:
        venues = venues.filter(Q(name__icontains=q) | Q(owner_name__icontains=q))
    return venues


def venue_get(*, viewer: User, pk: int | str) -> Venue:
    return get_in_scope_or_404(
        Venue.objects.select_related("community"), viewer, "community", pk=pk
    )


def booking_get(*, viewer: User, pk: int | str) -> Booking:
    return get_in_scope_or_404(
        Booking.objects.select_related("venue__community", "series"),
        viewer,
        "venue__community",
        pk=pk,
    )


def series_get(*, viewer: User, pk: int | str) -> BookingSeries:
    return get_in_scope_or_404(
        BookingSeries.objects.select_related("venue__community"),
        viewer,
        "venue__community",
        pk=pk,
    )


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))


def booking_list(
    *,
    viewer: User,
    venue: Venue | None = None,
    unit: Unit | None = None,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
    status: str = "",
) -> QuerySet[Booking]:
    """Bookings of venues in scope, from `first` to `last` (local dates, both included)."""
    bookings = scoped(
        Booking.objects.select_related("venue__community"), viewer, "venue__community"
    )
    if venue is not None:
        bookings = bookings.filter(venue=venue)
    if unit is not None:
        bookings = bookings.filter(venue__community__path__startswith=unit.path)
    if first is not None:
        bookings = bookings.filter(ends_at__gt=_local_midnight(first))
    if last is not None:
        bookings = bookings.filter(starts_at__lt=_local_midnight(last + ONE_DAY))
    if status:
        bookings = bookings.filter(status=status)
    return bookings.order_by("starts_at", "id")


@dataclass
class CalendarDay:
    day: datetime.date
    open: bool
    bookings: list[Booking] = field(default_factory=list)


def venue_week(*, viewer: User, venue: Venue, monday: datetime.date) -> list[CalendarDay]:
    """The seven days from `monday`, each with the venue's pending and confirmed bookings."""
    days = [
        CalendarDay(
            day=monday + n * ONE_DAY, open=rules.opens_on(venue.weekdays, monday + n * ONE_DAY)
        )
        for n in range(7)
    ]
    for booking in booking_list(
        viewer=viewer, venue=venue, first=monday, last=monday + 6 * ONE_DAY
    ).filter(status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED]):
        index = (timezone.localtime(booking.starts_at).date() - monday).days
        if 0 <= index < 7:
            days[index].bookings.append(booking)
    return days


def venue_ics(*, viewer: User, venue: Venue, first: datetime.date, last: datetime.date) -> str:
    """The venue's confirmed bookings as an iCalendar file."""
    bookings = booking_list(
        viewer=viewer, venue=venue, first=first, last=last, status=BookingStatus.CONFIRMED
    )
    return rules.ics_calendar(
        name=venue.name,
        stamp=timezone.now(),
        events=(
            (
                f"booking-{b.pk}@shegong",
                b.starts_at,
                b.ends_at,
                f"{b.title}({b.booker})",
                f"{venue.name} {venue.address}".strip(),
            )
            for b in bookings
        ),
    )


@dataclass(frozen=True)
class VenueUse:
    venue: Venue
    open_hours: Decimal
    booked_hours: Decimal
    share: Decimal | None  # percent, one decimal
    bookings: int
    present: int


def venue_use(
    *, viewer: User, unit: Unit, first: datetime.date, last: datetime.date
) -> list[VenueUse]:
    """Per venue of the unit: hours booked (confirmed) against hours open in the period. The
    bookings are summed per venue by the database (a city's year is hundreds of thousands of
    them); venues open the same hours on the same weekdays share one count of open hours."""
    venues = list(venue_list(viewer=viewer, unit=unit).filter(active=True))
    booked = {
        row["venue_id"]: row
        for row in booking_list(
            viewer=viewer, unit=unit, first=first, last=last, status=BookingStatus.CONFIRMED
        )
        .order_by()
        .values("venue_id")
        .annotate(
            n=Count("id"),
            length=Sum(F("ends_at") - F("starts_at"), output_field=DurationField()),
            came=Sum("present"),
        )
    }
    opened: dict[tuple[datetime.time, datetime.time, str], Decimal] = {}
    rows = []
    for venue in venues:
        key = (venue.opens, venue.closes, venue.weekdays)
        if key not in opened:
            opened[key] = rules.open_hours(
                opens=venue.opens,
                closes=venue.closes,
                weekdays=venue.weekdays,
                first=first,
                last=last,
            )
        use = booked.get(venue.pk, {})
        length = use.get("length") or datetime.timedelta(0)
        hours = Decimal(int(length.total_seconds()) // 60) / 60
        rows.append(
            VenueUse(
                venue=venue,
                open_hours=opened[key],
                booked_hours=hours.quantize(Decimal("0.1")),
                share=rules.use_share(hours, opened[key]),
                bookings=use.get("n", 0),
                present=use.get("came") or 0,
            )
        )
    return rows


def pending_list(*, viewer: User) -> QuerySet[Booking]:
    """Bookings waiting for approval that the viewer may decide."""
    return (
        Booking.objects.filter(
            path_q(viewer, "venue__community__path", Permission.EDIT),
            status=BookingStatus.PENDING,
        )
        .select_related("venue__community")
        .order_by("starts_at", "id")
    )


def _confirmed_hours(*, viewer: User, unit: Unit, year: int) -> Decimal:
    total = ServiceRecord.objects.filter(
        path_q(viewer, "activity__unit__path"),
        status=RecordStatus.CONFIRMED,
        volunteer__resident__community__path__startswith=unit.path,
        activity__day__year=year,
    ).aggregate(total=Sum("hours"))["total"]
    return Decimal(total or 0).quantize(Decimal("0.1"))


def resources_year_figures(*, viewer: User, unit: Unit, year: int) -> dict[str, Any]:
    """The figures of the year itself under `unit` (not the standing counts of teams, venues
    and volunteers): team members in the year, confirmed bookings, activities, participants by
    age, confirmed volunteer hours. Part of resources_summary; the annual report compares
    with last year's through this alone, without last year's venue use and standards."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    teams = scoped(Team.objects.all(), viewer, "unit").filter(unit__path__startswith=unit.path)
    by_age = participation_by_age(viewer=viewer, unit=unit, year=year)
    confirmed = booking_list(
        viewer=viewer, unit=unit, first=first, last=last, status=BookingStatus.CONFIRMED
    )
    return {
        "team_members": TeamMember.objects.filter(team__in=teams, joined_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .values("resident")
        .distinct()
        .count(),
        "volunteer_hours": str(_confirmed_hours(viewer=viewer, unit=unit, year=year)),
        "bookings": confirmed.count(),
        "activities": activity_list(viewer=viewer, unit=unit, year=year).count(),
        "participants": by_age["total"] if by_age else None,
        "participants_by_age": by_age,
    }


def resources_summary(*, viewer: User, unit: Unit, year: int) -> dict[str, Any]:
    """The year's figures of community resources under `unit`, for the report command, the
    API and the annual report's 社区资源 chapter. Keys are those of issue 18 item 8; an area
    not recorded yet answers None, never a made-up zero (`awards` is None until a district
    proposed the year's 以奖代补: award_selectors.awards_summary)."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    venues = venue_list(viewer=viewer, unit=unit)
    teams = scoped(Team.objects.all(), viewer, "unit").filter(unit__path__startswith=unit.path)
    use = venue_use(viewer=viewer, unit=unit, first=first, last=last)
    opened = sum((u.open_hours for u in use), Decimal(0))
    booked = sum((u.booked_hours for u in use), Decimal(0))
    of_year = resources_year_figures(viewer=viewer, unit=unit, year=year)
    return {
        "unit": unit.code,
        "unit_name": unit.name,
        "year": year,
        "teams": teams.count(),
        "team_members": of_year["team_members"],
        "team_records": {
            kind: TeamRecord.objects.filter(team__in=teams, day__year=year, kind=kind).count()
            for kind in TeamRecordKind.values
        },
        "talents": talent_list(viewer=viewer, unit=unit).values("resident").distinct().count(),
        "volunteers": volunteer_list(viewer=viewer, unit=unit).count(),
        "volunteer_hours": of_year["volunteer_hours"],
        "venues": venues.count(),
        "shared_venues": venues.exclude(owner_kind=OwnerKind.COMMUNITY).count(),
        "bookings": of_year["bookings"],
        "venue_use": {
            "open_hours": str(opened.quantize(Decimal("0.1"))),
            "booked_hours": str(booked.quantize(Decimal("0.1"))),
            "share": str(rules.use_share(booked, opened) or "") or None,
            "present": sum(u.present for u in use),
            "by_venue": [
                {
                    "venue": u.venue.name,
                    "community": u.venue.community.name,
                    "owner_kind": u.venue.owner_kind,
                    "open_hours": str(u.open_hours.quantize(Decimal("0.1"))),
                    "booked_hours": str(u.booked_hours),
                    "share": None if u.share is None else str(u.share),
                    "bookings": u.bookings,
                    "present": u.present,
                }
                for u in use
            ],
        },
        "activities": of_year["activities"],
        "participants": of_year["participants"],
        "participants_by_age": of_year["participants_by_age"],
        "awards": award_selectors.awards_summary(viewer=viewer, unit=unit, year=year),
        "standards": standards_summary(viewer=viewer, unit=unit, year=year),
    }


def units_for_standards(*, viewer: User) -> QuerySet[Unit]:
    """The bureaus and streets where the viewer may set a standard for the communities below."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.EDIT), kind__lte=UnitKind.STREET
    ).order_by("path")


# ---------------------------------------------------------------- residents and teams


def units_for_teams(*, viewer: User) -> QuerySet[Unit]:
    """The streets and communities where the viewer may register a team."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.EDIT), kind__gte=UnitKind.STREET
    ).order_by("path")


def consenting_q(day: datetime.date, prefix: str = "") -> Q:
    """Residents whose consent covers `day` (given by then, not ended before)."""
    return Q(**{f"{prefix}consent_on__lte": day}) & (
        Q(**{f"{prefix}consent_until__isnull": True}) | Q(**{f"{prefix}consent_until__gte": day})
    )


def resident_list(*, viewer: User, unit: Unit | None = None, q: str = "") -> QuerySet[Resident]:
    """Residents in scope whose consent holds today: a lapsed consent is never listed."""
    residents = scoped(Resident.objects.select_related("community"), viewer, "community").filter(
        consenting_q(timezone.localdate())
    )
    if unit is not None:
        residents = residents.filter(community__path__startswith=unit.path)
    if q:
        residents = residents.filter(name__icontains=q)
    return residents


def resident_get(*, viewer: User, pk: int | str) -> Resident:
    return get_in_scope_or_404(
        Resident.objects.select_related("community"), viewer, "community", pk=pk
    )


def team_list(*, viewer: User, unit: Unit | None = None, year: int | None = None) -> QuerySet[Team]:
    """Teams in scope, each with its current members and the year's records counted."""
    year = year or timezone.localdate().year
    in_year = Q(records__day__year=year)
    teams = scoped(Team.objects.select_related("unit", "leader"), viewer, "unit")
    if unit is not None:
        teams = teams.filter(unit__path__startswith=unit.path)
    return teams.order_by("unit__path", "name", "id").annotate(
        member_count=Count("members", filter=Q(members__left_on__isnull=True), distinct=True),
        practices=Count(
            "records", filter=in_year & Q(records__kind=TeamRecordKind.PRACTICE), distinct=True
        ),
        performances=Count(
            "records", filter=in_year & Q(records__kind=TeamRecordKind.PERFORMANCE), distinct=True
        ),
        awards=Count(
            "records", filter=in_year & Q(records__kind=TeamRecordKind.AWARD), distinct=True
        ),
    )


def team_get(*, viewer: User, pk: int | str) -> Team:
    return get_in_scope_or_404(
        Team.objects.select_related("unit", "leader", "venue"), viewer, "unit", pk=pk
    )


def member_get(*, viewer: User, pk: int | str) -> TeamMember:
    return get_in_scope_or_404(
        TeamMember.objects.select_related("team__unit", "resident__community"),
        viewer,
        "team__unit",
        pk=pk,
    )


@dataclass(frozen=True)
class MemberRow:
    """A team member as this viewer may see them. A member whose consent has lapsed is
    counted but not named."""

    member: TeamMember
    name: str
    gender: str
    age: int | None
    birth: str
    phone: str
    named: bool


def team_members(*, viewer: User, team: Team) -> tuple[list[MemberRow], bool]:
    """The current members, masked for roles without the personal-data right; and whether
    anything unmasked is shown (the caller records the disclosure)."""
    today = timezone.localdate()
    sees = personal_data_checker(viewer)
    rows: list[MemberRow] = []
    unmasked = False
    members = team.members.filter(left_on__isnull=True).select_related("resident__community")
    for member in members.order_by("joined_on", "id"):
        r = member.resident
        if not (r.consent_on <= today and (r.consent_until is None or today <= r.consent_until)):
            rows.append(MemberRow(member, _("(同意已到期,不予显示)"), "", None, "", "", False))
            continue
        full = sees(r.community.path)
        unmasked = unmasked or (full and bool(r.phone))
        rows.append(
            MemberRow(
                member=member,
                name=r.name,
                gender=r.get_gender_display(),
                age=age_in_year(r.birth_date, today),
                birth=r.birth_date.isoformat() if full else mask_birth_date(r.birth_date),
                phone=r.phone if full else mask_phone(r.phone),
                named=True,
            )
        )
    return rows, unmasked


def team_records(*, viewer: User, team: Team, year: int) -> QuerySet[TeamRecord]:
    return team.records.filter(day__year=year).order_by("-day", "-id")


@dataclass(frozen=True)
class ResidentRow:
    resident: Resident
    age: int
    birth: str
    phone: str
    unmasked: bool


def resident_rows(*, viewer: User, residents: list[Resident]) -> list[ResidentRow]:
    """Residents as this viewer may see them (phone and birth date masked without the right)."""
    today = timezone.localdate()
    sees = personal_data_checker(viewer)
    rows = []
    for r in residents:
        full = sees(r.community.path)
        rows.append(
            ResidentRow(
                resident=r,
                age=age_in_year(r.birth_date, today),
                birth=r.birth_date.isoformat() if full else mask_birth_date(r.birth_date),
                phone=r.phone if full else mask_phone(r.phone),
                unmasked=full,
            )
        )
    return rows


# ---------------------------------------------------------------- activities and volunteers


def activity_list(
    *, viewer: User, unit: Unit | None = None, year: int | None = None
) -> QuerySet[Activity]:
    activities = scoped(Activity.objects.select_related("unit", "venue", "team"), viewer, "unit")
    if unit is not None:
        activities = activities.filter(unit__path__startswith=unit.path)
    if year is not None:
        activities = activities.filter(day__year=year)
    return activities.order_by("-day", "-id")


def activity_get(*, viewer: User, pk: int | str) -> Activity:
    return get_in_scope_or_404(
        Activity.objects.select_related("unit", "venue", "team"), viewer, "unit", pk=pk
    )


def volunteer_list(*, viewer: User, unit: Unit | None = None) -> QuerySet[Volunteer]:
    """Volunteers in scope whose consent holds today."""
    volunteers = scoped(
        Volunteer.objects.select_related("resident__community"), viewer, "resident__community"
    ).filter(consenting_q(timezone.localdate(), "resident__"))
    if unit is not None:
        volunteers = volunteers.filter(resident__community__path__startswith=unit.path)
    return volunteers


def volunteer_get(*, viewer: User, pk: int | str) -> Volunteer:
    return get_in_scope_or_404(
        Volunteer.objects.select_related("resident__community"),
        viewer,
        "resident__community",
        pk=pk,
    )


def service_records(*, viewer: User, activity: Activity) -> QuerySet[ServiceRecord]:
    return activity.service.select_related("volunteer__resident__community").order_by(
        "status", "volunteer__resident__name", "id"
    )


def pending_hours(*, viewer: User) -> QuerySet[ServiceRecord]:
    """Self-reported hours waiting for the viewer's confirmation."""
    return (
        ServiceRecord.objects.filter(
            path_q(viewer, "activity__unit__path", Permission.EDIT), status=RecordStatus.PENDING
        )
        .select_related("volunteer__resident", "activity")
        .order_by("activity__day", "id")
    )


def star_levels() -> list[tuple[int, str, Decimal]]:
    return [(s.stars, s.name, s.min_hours) for s in StarLevel.objects.order_by("stars")]


@dataclass(frozen=True)
class VolunteerTotal:
    volunteer: Volunteer
    hours: Decimal  # confirmed hours in the period
    lifetime: Decimal  # confirmed hours ever, for the star level
    star: str


def volunteer_totals(
    *, viewer: User, unit: Unit, first: datetime.date, last: datetime.date
) -> list[VolunteerTotal]:
    """Confirmed hours per volunteer in the period, most first, with the star level their
    confirmed hours to date reach. Declined and pending hours never count."""
    volunteers = volunteer_list(viewer=viewer, unit=unit)
    confirmed = Q(records__status=RecordStatus.CONFIRMED)
    in_period = confirmed & Q(records__activity__day__gte=first, records__activity__day__lte=last)
    rows = volunteers.annotate(
        period_hours=Sum("records__hours", filter=in_period),
        lifetime_hours=Sum("records__hours", filter=confirmed),
    )
    levels = star_levels()
    totals = []
    for v in rows:
        lifetime = Decimal(getattr(v, "lifetime_hours", None) or 0).quantize(TENTH)
        star = rules.star_level(lifetime, levels)
        totals.append(
            VolunteerTotal(
                volunteer=v,
                hours=Decimal(getattr(v, "period_hours", None) or 0).quantize(TENTH),
                lifetime=lifetime,
                star=star[1] if star else "",
            )
        )
    totals.sort(key=lambda t: (-t.hours, t.volunteer.resident.name, t.volunteer.pk))
    return totals


# The columns of the national volunteer system's import of service hours (志愿服务时长补录).
NATIONAL_COLUMNS = [
    "姓名",
    "证件类型",
    "证件号码",
    "联系电话",
    "服务项目名称",
    "服务日期",
    "服务时长(小时)",
    "服务内容",
    "记录单位",
]


def national_rows(
    *, viewer: User, unit: Unit, first: datetime.date, last: datetime.date
) -> list[list[str]]:
    """Confirmed records of the period in the national system's columns. Its import needs
    the full ID number, so the caller must hold the personal-data right on `unit`."""
    records = (
        ServiceRecord.objects.filter(
            path_q(viewer, "activity__unit__path"),
            status=RecordStatus.CONFIRMED,
            volunteer__resident__community__path__startswith=unit.path,
            activity__day__gte=first,
            activity__day__lte=last,
        )
        .select_related("volunteer__resident", "activity__unit")
        .order_by("activity__day", "volunteer__resident__name", "id")
    )
    return [
        [
            r.volunteer.resident.name,
            "居民身份证",
            r.volunteer.id_number,
            r.volunteer.resident.phone,
            r.activity.title,
            r.activity.day.isoformat(),
            str(r.hours),
            r.content or r.activity.title,
            r.activity.unit.name,
        ]
        for r in records
    ]


def activities_for_volunteer(*, volunteer: Volunteer, since: datetime.date) -> list[Activity]:
    """Activities of the volunteer's community and the units above it, from `since` to today."""
    path = volunteer.resident.community.path
    ancestors = [path[: i + 1] for i, ch in enumerate(path) if ch == "/"]
    return list(
        Activity.objects.filter(
            unit__path__in=ancestors, day__gte=since, day__lte=timezone.localdate()
        ).order_by("-day", "-id")[:100]
    )


def participation_rows(*, viewer: User, activity: Activity) -> list[tuple[Participation, int]]:
    """Who signed up, with their age on the activity's day (a whole-year age by birth year
    for roles without the personal-data right, so no day gives away a birthday)."""
    full = personal_data_checker(viewer)(activity.unit.path)
    rows = activity.participants.select_related("resident").order_by("resident__name", "id")
    return [
        (
            p,
            age_on(p.resident.birth_date, activity.day)
            if full
            else age_in_year(p.resident.birth_date, activity.day),
        )
        for p in rows
    ]


def participation_by_age(*, viewer: User, unit: Unit, year: int) -> dict[str, Any] | None:
    """Person-times of residents who came to the year's activities under `unit`, by the age
    they reach in the activity's year (by birth year, so an aggregate gives away no
    birthday), with the share of 中青年 (18-59, rules.YOUNG_MIDDLE). None when nobody came,
    or, for roles without the personal-data right, when fewer than MIN_GROUP_SIZE came."""
    # Counted per birth year by the database (every activity is of `year`, so the birth year
    # is the age): a city's year is hundreds of thousands of person-times.
    by_birth_year = (
        Participation.objects.filter(
            path_q(viewer, "activity__unit__path"),
            activity__unit__path__startswith=unit.path,
            activity__day__year=year,
            attended=True,
        )
        .order_by()
        .values(born=ExtractYear("resident__birth_date"))
        .annotate(n=Count("id"))
        .values_list("born", "n")
    )
    counts = dict.fromkeys((label for label, _lo, _hi in rules.AGE_BANDS), 0)
    young_middle = 0
    for born, n in by_birth_year:
        age = age_in_year(datetime.date(born, 1, 1), datetime.date(year, 1, 1))
        counts[rules.age_band(age)] += n
        young_middle += n if rules.YOUNG_MIDDLE[0] <= age <= rules.YOUNG_MIDDLE[1] else 0
    total = sum(counts.values())
    if total == 0 or (
        total < settings.SHEGONG_MIN_GROUP_SIZE and not personal_data_checker(viewer)(unit.path)
    ):
        return None
    shares = largest_remainder_shares(list(counts.values()))
    return {
        "total": total,
        "bands": [
            {"band": label, "count": n, "share": str(share)}
            for (label, n), share in zip(counts.items(), shares, strict=True)
        ],
        "young_middle": young_middle,
        "young_middle_share": str(
            (Decimal(young_middle) * 100 / total).quantize(TENTH, rounding=ROUND_HALF_UP)
        ),
    }


def certificate_get(*, viewer: User, pk: int | str) -> VolunteerCertificate:
    return get_in_scope_or_404(
        VolunteerCertificate.objects.select_related("volunteer__resident", "issuer"),
        viewer,
        "issuer",
        pk=pk,
    )


def certificate_text(*, viewer: User, certificate: VolunteerCertificate) -> dict[str, str]:
    """What the certificate prints; the ID number masked for roles without the right."""
    resident = certificate.volunteer.resident
    number = certificate.volunteer.id_number
    full = personal_data_checker(viewer)(certificate.issuer.path)
    titles = (
        ServiceRecord.objects.filter(
            volunteer=certificate.volunteer,
            status=RecordStatus.CONFIRMED,
            activity__day__gte=certificate.first,
            activity__day__lte=certificate.last,
        )
        .order_by("activity__day")
        .values_list("activity__title", flat=True)
    )
    content = "、".join(dict.fromkeys(titles))
    return {
        "content": content if len(content) <= 300 else content[:300] + "……",
        "number": certificate.number,
        "name": resident.name,
        "id_number": number if full else mask_id_number(number),
        "unmasked": "1" if full and number else "",
        "first": certificate.first.isoformat(),
        "last": certificate.last.isoformat(),
        "hours": str(certificate.hours),
        "issuer": certificate.issuer.name,
        "issued_on": certificate.issued_on.isoformat(),
    }


def talent_list(
    *, viewer: User, q: str = "", category: str = "", unit: Unit | None = None
) -> QuerySet[Talent]:
    """Talents in the viewer's scope who may be contacted today (consent to be recorded and
    to be contacted both holding), searchable by skill: a lapsed talent is never listed."""
    today = timezone.localdate()
    talents = scoped(
        Talent.objects.select_related("resident__community"), viewer, "resident__community"
    ).filter(
        consenting_q(today, "resident__"),
        Q(contact_until__isnull=True) | Q(contact_until__gte=today),
    )
    if unit is not None:
        talents = talents.filter(resident__community__path__startswith=unit.path)
    if q:
        talents = talents.filter(Q(skill__icontains=q) | Q(resident__name__icontains=q))
    if category:
        talents = talents.filter(category=category)
    return talents.order_by("category", "skill", "id")


# ---------------------------------------------------------------- standards


@dataclass(frozen=True)
class StandardRow:
    community: Unit
    items: list[rules.ItemResult]

    @property
    def met(self) -> bool:
        return all(item.met for item in self.items)


def _prefixes(path: str) -> list[str]:
    """The paths of a unit and every unit above it ("a/b/" gives "a/", "a/b/")."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def standards_for(*, viewer: User, unit: Unit) -> list[Standard]:
    """The active standards that apply to communities under `unit`: those of no unit (every
    community), those set at or above `unit`, and those the viewer's scope holds below it."""
    return list(
        Standard.objects.filter(active=True)
        .filter(
            Q(unit__isnull=True)
            | Q(unit__path__in=_prefixes(unit.path))
            | (Q(unit__path__startswith=unit.path) & path_q(viewer, "unit__path"))
        )
        .select_related("unit")
        .prefetch_related("items")
    )


def standard_get(*, viewer: User, unit: Unit, key: str) -> Standard:
    """One standard that applies under `unit`; 404 like a missing one otherwise."""
    for standard in standards_for(viewer=viewer, unit=unit):
        if standard.key == key:
            return standard
    raise Http404


def _community_facts(
    communities: Sequence[Unit], as_of: datetime.date
) -> dict[int, dict[str, Decimal]]:
    """Every measure of rules.MEASURES for each community, as of `as_of` (its year so far
    for the yearly figures; the roster and the venues as they stand)."""
    first = datetime.date(as_of.year, 1, 1)
    ids = [c.pk for c in communities]

    def counted(rows: Any) -> dict[int, Decimal]:
        return {pk: Decimal(n or 0) for pk, n in rows}

    venues = Venue.objects.filter(community__in=ids, active=True).values("community")
    own = counted(
        venues.filter(owner_kind=OwnerKind.COMMUNITY)
        .annotate(n=Count("id"))
        .values_list("community", "n")
    )
    shared = counted(
        venues.exclude(owner_kind=OwnerKind.COMMUNITY)
        .annotate(n=Count("id"))
        .values_list("community", "n")
    )
    teams = counted(
        Team.objects.filter(unit__in=ids, active=True)
        .values("unit")
        .annotate(n=Count("id"))
        .values_list("unit", "n")
    )
    volunteers = counted(
        Volunteer.objects.filter(resident__community__in=ids, registered_on__lte=as_of)
        .values("resident__community")
        .annotate(n=Count("id"))
        .values_list("resident__community", "n")
    )
    # Summed on its own: beside the roster's join it would count once per worker.
    funding = counted(
        CommunityFunding.objects.filter(unit__in=ids, year=as_of.year)
        .values("unit").annotate(n=Sum("amount")).values_list("unit", "n")
    )  # fmt: skip
    held = Activity.objects.filter(unit__in=ids, held=True, day__gte=first, day__lte=as_of)
    activities = counted(held.values("unit").annotate(n=Count("id")).values_list("unit", "n"))
    hours = counted(
        ServiceRecord.objects.filter(activity__in=held, status=RecordStatus.CONFIRMED)
        .values("activity__unit").annotate(n=Sum("hours")).values_list("activity__unit", "n")
    )  # fmt: skip
    facts: dict[int, dict[str, Decimal]] = {}
    for c in communities:
        profile = getattr(c, "profile", None)
        office = profile.office_area if profile else Decimal(0)
        activity = profile.activity_area if profile else Decimal(0)
        workers = int(getattr(c, "active_workers", 0) or 0)
        facts[c.pk] = {
            "owned_office": Decimal(bool(profile and profile.premises == Premises.OWNED)),
            "space_area": office + activity,
            "office_area": office,
            "activity_area": activity,
            "active_workers": Decimal(workers),
            "workers_per_10k": rules.workers_per_10k(workers, profile.residents if profile else 0),
            "year_funding": funding.get(c.pk, Decimal(0)),
            "own_venues": own.get(c.pk, Decimal(0)),
            "shared_venues": shared.get(c.pk, Decimal(0)),
            "teams": teams.get(c.pk, Decimal(0)),
            "volunteers": volunteers.get(c.pk, Decimal(0)),
            "volunteer_hours": hours.get(c.pk, Decimal(0)),
            "activities_held": activities.get(c.pk, Decimal(0)),
        }
    return facts


def _latest_checks(
    communities: Sequence[Unit], items: list[StandardItem], as_of: datetime.date
) -> dict[tuple[int, int], StandardCheck]:
    """The latest check of each (community, item) made in the year of `as_of`, up to it: an
    inspection counts for the year it was made in."""
    checks = (
        StandardCheck.objects.filter(
            community__in=communities,
            item__in=items,
            checked_on__gte=datetime.date(as_of.year, 1, 1),
            checked_on__lte=as_of,
        )
        .select_related("inspector")
        .order_by("checked_on", "id")
    )
    return {(c.community_id, c.item_id): c for c in checks}


def _item_result(
    item: StandardItem, facts: dict[str, Decimal], check: StandardCheck | None
) -> rules.ItemResult:
    if item.kind == ItemKind.MEASURED:
        if item.measure not in rules.MEASURES or item.threshold is None:
            return rules.ItemResult(item.key, item.label, False, _("指标已停用"))
        return rules.measured_item(
            key=item.key,
            label=item.label,
            measure=item.measure,
            threshold=item.threshold,
            value=facts[item.measure],
        )
    if check is None:
        return rules.checked_item(key=item.key, label=item.label, met=None)
    return rules.checked_item(
        key=item.key,
        label=item.label,
        met=check.met,
        by=check.inspector.get_full_name() or check.inspector.get_username(),
        on=check.checked_on.isoformat(),
        note=check.note,
    )


def standard_score(
    *, viewer: User, unit: Unit, standard: Standard, as_of: datetime.date
) -> list[StandardRow]:
    """Each community under `unit` (and under the standard's own unit) in the viewer's scope
    scored against `standard` as of `as_of`: measured items from profile, roster, funding
    and resource data, checked items by the latest inspector's check; short ones first."""
    communities_q = scoped(Unit.objects.filter(kind=UnitKind.COMMUNITY), viewer).filter(
        path__startswith=unit.path
    )
    if standard.unit is not None:
        communities_q = communities_q.filter(path__startswith=standard.unit.path)
    communities = list(
        communities_q.select_related("profile")
        .annotate(
            active_workers=Count(
                "workers", filter=Q(workers__status=WorkerStatus.ACTIVE), distinct=True
            ),
        )
        .order_by("path")
    )
    items = list(standard.items.all())
    facts = _community_facts(communities, as_of)
    checks = _latest_checks(communities, [i for i in items if i.kind == ItemKind.CHECKED], as_of)
    rows = [
        StandardRow(
            community=c,
            items=[_item_result(i, facts[c.pk], checks.get((c.pk, i.pk))) for i in items],
        )
        for c in communities
    ]
    rows.sort(key=lambda r: (r.met, r.community.path))
    return rows


def standard_summary(standard: Standard, rows: list[StandardRow]) -> dict[str, Any]:
    items = list(standard.items.all())
    return {
        "key": standard.key,
        "name": standard.name,
        "items": {item.key: item.label for item in items},
        "communities": len(rows),
        "meeting_all": sum(r.met for r in rows),
        "by_item": {item.key: sum(r.items[i].met for r in rows) for i, item in enumerate(items)},
        "short": [
            {
                "community": r.community.name,
                "code": r.community.code,
                "items": [
                    {"item": i.label, "shortfall": i.shortfall} for i in r.items if not i.met
                ],
            }
            for r in rows
            if not r.met
        ],
    }


def standards_as_of(year: int) -> datetime.date:
    """The date a year is scored at: its last day, or today while it runs."""
    return min(datetime.date(year, 12, 31), timezone.localdate())


def standards_summary(*, viewer: User, unit: Unit, year: int) -> list[dict[str, Any]]:
    """Every standard that applies under `unit`, scored as of the year's end (or today)."""
    as_of = standards_as_of(year)
    return [
        standard_summary(s, standard_score(viewer=viewer, unit=unit, standard=s, as_of=as_of))
        | {"as_of": as_of.isoformat()}
        for s in standards_for(viewer=viewer, unit=unit)
    ]


def standard_checks(
    *, viewer: User, unit: Unit, standard: Standard, year: int
) -> QuerySet[StandardCheck]:
    """The inspectors' checks of a standard's items under `unit` in `year`, latest first."""
    return (
        scoped(StandardCheck.objects.all(), viewer, "community")
        .filter(community__path__startswith=unit.path, item__standard=standard)
        .filter(checked_on__year=year)
        .select_related("item", "community", "inspector")
    )
