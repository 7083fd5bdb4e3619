"""Every write to community resources: atomic, permission checked here, audited in the same
transaction.

Bookings: a venue that needs its owner's approval takes a booking as pending, any other as
confirmed. Only confirmed bookings hold the venue, and the database refuses two confirmed
bookings of one venue that overlap (migration 0001), also when two clerks book the same hour at
the same moment: the look at the calendar here is only for a helpful message, the constraint
has the last word and its refusal becomes the same message.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import AuditAction, AuditRow, audit_record, audit_record_many, snapshot
from shegong.core.db import exclusive_lock
from shegong.core.errors import ServiceError
from shegong.core.sheets import fold
from shegong.core.text import control_character_error
from shegong.orgs.models import Unit, UnitKind
from shegong.people.models import Gender
from shegong.people.rules import id_number_error
from shegong.resources import rules
from shegong.resources.models import (
    Activity,
    ActivityKind,
    AwardLevel,
    Booking,
    BookingSeries,
    BookingStatus,
    OwnerKind,
    Participation,
    RecordSource,
    RecordStatus,
    Resident,
    ResourceEvent,
    ServiceRecord,
    Talent,
    TalentCategory,
    TalentLevel,
    Team,
    TeamKind,
    TeamMember,
    TeamRecord,
    TeamRecordKind,
    Venue,
    Volunteer,
    VolunteerCertificate,
)

if TYPE_CHECKING:
    from shegong.core.models import User

EDIT_REFUSED = gettext_lazy("您没有权限管理%(unit)s的社区资源")
VENUE_FIELDS = [
    "name",
    "owner_kind",
    "owner_name",
    "address",
    "area",
    "capacity",
    "price_per_hour",
    "opens",
    "closes",
    "weekdays",
    "requires_approval",
    "active",
]
BOOKING_FIELDS = ["title", "booker", "starts_at", "ends_at", "expected", "present", "status"]
# A series longer than this is refused: a season, not a standing reservation for ever.
SERIES_MAX_DAYS = 366
OVERLAP = "booking_no_overlap"


def _snapshot(instance: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """core.audit.snapshot, with times of day as text (opening hours, a series' hours)."""
    data = snapshot(instance, fields)
    return {k: v.isoformat() if isinstance(v, datetime.time) else v for k, v in data.items()}


def _text(values: Mapping[str, Any], name: str, label: str, limit: int, *, required: bool) -> str:
    text = fold(values.get(name))
    if required and not text:
        raise ServiceError(_("请填写%(label)s") % {"label": label}, field=name)
    if len(text) > limit:
        raise ServiceError(_("%(label)s最多%(n)d个字") % {"label": label, "n": limit}, field=name)
    if refused := control_character_error(text, label=label):
        raise ServiceError(refused, field=name)
    return text


def _decimal(values: Mapping[str, Any], name: str, label: str) -> Decimal:
    raw = values.get(name)
    try:
        number = Decimal(str(raw if raw not in (None, "") else 0))
    except InvalidOperation:
        raise ServiceError(_("%(label)s应为数字") % {"label": label}, field=name) from None
    if number < 0 or not number.is_finite() or number >= Decimal("1e8"):
        raise ServiceError(_("%(label)s应为不小于0的数字") % {"label": label}, field=name)
    return number.quantize(Decimal("0.01"))


def clean_venue_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A venue's own fields, checked; the first problem refused with its field."""
    clean: dict[str, Any] = {
        "name": _text(values, "name", _("场地名称"), 100, required=True),
        "owner_name": _text(values, "owner_name", _("产权单位"), 100, required=False),
        "address": _text(values, "address", _("地址"), 200, required=False),
        "area": _decimal(values, "area", _("面积")).quantize(Decimal("0.1")),
        "price_per_hour": _decimal(values, "price_per_hour", _("每小时收费")),
        "requires_approval": bool(values.get("requires_approval")),
        "active": bool(values.get("active", True)),
    }
    kind = values.get("owner_kind") or ""
    if kind not in OwnerKind.values:
        raise ServiceError(_("请选择产权方"), field="owner_kind")
    clean["owner_kind"] = kind
    if kind != OwnerKind.COMMUNITY and not clean["owner_name"]:
        raise ServiceError(_("共享场地请填写产权单位"), field="owner_name")
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or capacity < 1 or capacity > 100000:
        raise ServiceError(_("容纳人数应为1至100000之间的整数"), field="capacity")
    clean["capacity"] = capacity
    opens, closes = values.get("opens"), values.get("closes")
    if not isinstance(opens, datetime.time) or not isinstance(closes, datetime.time):
        raise ServiceError(_("请填写开放和关闭时间"), field="opens")
    if closes <= opens:
        raise ServiceError(_("关闭时间应晚于开放时间"), field="closes")
    clean["opens"], clean["closes"] = opens, closes
    days = "".join(sorted({d for d in str(values.get("weekdays") or "") if d in "1234567"}))
    if not days:
        raise ServiceError(_("请至少选择一个开放日"), field="weekdays")
    clean["weekdays"] = days
    return clean


def _require_community(unit: Unit | None, acting_user: User) -> Unit:
    if unit is None or unit.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("请选择服务社区"), field="community")
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED, field="community")
    return unit


def _venue_integrity(exc: IntegrityError) -> ServiceError:
    if "venue_name_per_community" in str(exc) or "UNIQUE" in str(exc):
        return ServiceError(_("本社区已有同名场地"), field="name")
    raise exc


@transaction.atomic
def venue_create(*, community: Unit | None, values: Mapping[str, Any], acting_user: User) -> Venue:
    unit = _require_community(community, acting_user)
    clean = clean_venue_values(values)
    try:
        with transaction.atomic():
            venue = Venue.objects.create(community=unit, **clean)
    except IntegrityError as exc:
        raise _venue_integrity(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=venue,
        after=_snapshot(venue, [*VENUE_FIELDS, "community_id"]),
    )
    return venue


@transaction.atomic
def venue_update(*, venue: Venue, values: Mapping[str, Any], acting_user: User) -> Venue:
    access.require(acting_user, Permission.EDIT, venue.community, message=EDIT_REFUSED)
    locked = Venue.objects.select_for_update().get(pk=venue.pk)
    before = _snapshot(locked, VENUE_FIELDS)
    for name, value in clean_venue_values(values).items():
        setattr(locked, name, value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise _venue_integrity(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=locked,
        before=before,
        after=_snapshot(locked, VENUE_FIELDS),
    )
    return locked


# ---------------------------------------------------------------- bookings


def _local(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).replace(second=0, microsecond=0)


def _check_slot(venue: Venue, start: datetime.datetime, end: datetime.datetime) -> None:
    if end <= start:
        raise ServiceError(_("结束时间应晚于开始时间"), field="ends_at")
    if not rules.within_opening(
        opens=venue.opens, closes=venue.closes, weekdays=venue.weekdays, start=start, end=end
    ):
        raise ServiceError(
            _("%(day)s %(start)s至%(end)s不在场地开放时间内(%(opens)s至%(closes)s)")
            % {
                "day": start.date(),
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "opens": f"{venue.opens:%H:%M}",
                "closes": f"{venue.closes:%H:%M}",
            },
            field="starts_at",
        )


def _clashes(venue: Venue, slots: list[tuple[datetime.datetime, datetime.datetime]]) -> list[str]:
    """The confirmed bookings of the venue that meet any of the slots, as people read them."""
    if not slots:
        return []
    held = Booking.objects.filter(
        venue=venue,
        status=BookingStatus.CONFIRMED,
        starts_at__lt=max(end for _s, end in slots),
        ends_at__gt=min(start for start, _e in slots),
    ).only("title", "starts_at", "ends_at")
    found = []
    for booking in held:
        if rules.overlaps(booking.starts_at, booking.ends_at, slots):
            start = timezone.localtime(booking.starts_at)
            end = timezone.localtime(booking.ends_at)
            found.append(f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} {booking.title}")
    return found


def _clash_error(clashes: list[str]) -> ServiceError:
    shown = "、".join(clashes[:5])
    more = _("等%(n)d项") % {"n": len(clashes)} if len(clashes) > 5 else ""
    return ServiceError(
        _("与已确认的预约冲突:%(clashes)s%(more)s") % {"clashes": shown, "more": more},
        field="starts_at",
    )


def _overlap_refused(exc: IntegrityError) -> ServiceError:
    """The database's own refusal (another clerk confirmed the same hours a moment ago)."""
    if OVERLAP not in str(exc) and getattr(exc.__cause__, "sqlstate", None) != "23P01":
        raise exc
    return ServiceError(
        _("与已确认的预约冲突:该时段刚被其他预约占用,请刷新后重选"), field="starts_at"
    )


def _booking_values(venue: Venue, values: Mapping[str, Any]) -> dict[str, Any]:
    expected = values.get("expected") or 0
    if not isinstance(expected, int) or expected < 0:
        raise ServiceError(_("预计人数应为不小于0的整数"), field="expected")
    if expected > venue.capacity:
        raise ServiceError(
            _("预计%(n)d人,超过场地容纳人数%(cap)d人") % {"n": expected, "cap": venue.capacity},
            field="expected",
        )
    return {
        "title": _text(values, "title", _("用途"), 100, required=True),
        "booker": _text(values, "booker", _("预约方"), 100, required=True),
        "expected": expected,
    }


def _hold_venue(venue: Venue) -> None:
    """Writers booking one venue go one at a time (a row lock until the transaction ends), so
    the second sees the first's booking and gets the conflict in words, and two waiting on
    the exclusion constraint cannot deadlock. The constraint still has the last word."""
    Venue.objects.select_for_update().filter(pk=venue.pk).exists()


def _require_bookable(venue: Venue, acting_user: User) -> None:
    access.require(acting_user, Permission.EDIT, venue.community, message=EDIT_REFUSED)
    _hold_venue(venue)
    if not venue.active:
        raise ServiceError(_("场地%(name)s已停用,不能预约") % {"name": venue.name})


def _first_status(venue: Venue) -> str:
    return BookingStatus.PENDING if venue.requires_approval else BookingStatus.CONFIRMED


@transaction.atomic
def booking_create(
    *,
    venue: Venue,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    values: Mapping[str, Any],
    acting_user: User,
) -> Booking:
    """One booking: confirmed at once, or pending where the venue's owner must approve."""
    _require_bookable(venue, acting_user)
    clean = _booking_values(venue, values)
    start, end = _local(starts_at), _local(ends_at)
    _check_slot(venue, start, end)
    if clashes := _clashes(venue, [(start, end)]):
        raise _clash_error(clashes)
    booking = Booking(
        venue=venue,
        starts_at=start,
        ends_at=end,
        status=_first_status(venue),
        created_by=acting_user,
        **clean,
    )
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError as exc:
        raise _overlap_refused(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.BOOKED,
        target=booking,
        unit_path=venue.community.path,
        after=_snapshot(booking, BOOKING_FIELDS),
    )
    return booking


@transaction.atomic
def booking_series_create(
    *,
    venue: Venue,
    weekday: int,
    start_time: datetime.time,
    end_time: datetime.time,
    first_day: datetime.date,
    last_day: datetime.date,
    values: Mapping[str, Any],
    acting_user: User,
) -> BookingSeries:
    """A team every Thursday for a season: one booking per date, all or none. A date that
    meets a confirmed booking refuses the whole series, naming the dates."""
    _require_bookable(venue, acting_user)
    clean = _booking_values(venue, values)
    if not 1 <= weekday <= 7:
        raise ServiceError(_("请选择每周几"), field="weekday")
    if last_day < first_day or (last_day - first_day).days > SERIES_MAX_DAYS:
        raise ServiceError(_("周期应在一年之内,末日不早于首日"), field="last_day")
    days = rules.series_days(first_day, last_day, weekday)
    if not days:
        raise ServiceError(_("这段日期内没有所选的星期几"), field="weekday")
    slots = [
        (
            _local(datetime.datetime.combine(day, start_time)),
            _local(datetime.datetime.combine(day, end_time)),
        )
        for day in days
    ]
    for start, end in slots:
        _check_slot(venue, start, end)
    if clashes := _clashes(venue, slots):
        raise _clash_error(clashes)
    series = BookingSeries.objects.create(
        venue=venue,
        title=clean["title"],
        booker=clean["booker"],
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        first_day=first_day,
        last_day=last_day,
        created_by=acting_user,
    )
    bookings = [
        Booking(
            venue=venue,
            series=series,
            starts_at=start,
            ends_at=end,
            status=_first_status(venue),
            created_by=acting_user,
            **clean,
        )
        for start, end in slots
    ]
    try:
        with transaction.atomic():
            Booking.objects.bulk_create(bookings)
    except IntegrityError as exc:
        raise _overlap_refused(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.SERIES_BOOKED,
        target=series,
        unit_path=venue.community.path,
        after={**_snapshot(series), "bookings": len(bookings)},
    )
    return series


def _locked_booking(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("venue__community").get(pk=booking.pk)


def _decide(booking: Booking, status: str, event: str, acting_user: User) -> Booking:
    access.require(acting_user, Permission.EDIT, booking.venue.community, message=EDIT_REFUSED)
    locked = _locked_booking(booking)
    if locked.status != BookingStatus.PENDING:
        raise ServiceError(
            _("该预约已是%(status)s,不能再审批") % {"status": locked.get_status_display()}
        )
    before = _snapshot(locked, ["status"])
    if status == BookingStatus.CONFIRMED:
        _hold_venue(locked.venue)
    if status == BookingStatus.CONFIRMED and (
        clashes := _clashes(locked.venue, [(locked.starts_at, locked.ends_at)])
    ):
        raise _clash_error(clashes)
    locked.status = status
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "decided_by", "decided_at"])
    except IntegrityError as exc:
        raise _overlap_refused(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=event,
        target=locked,
        unit_path=locked.venue.community.path,
        before=before,
        after=_snapshot(locked, ["status"]),
    )
    return locked


@transaction.atomic
def booking_approve(*, booking: Booking, acting_user: User) -> Booking:
    """The owner's approval, recorded by a clerk of the venue's community."""
    return _decide(booking, BookingStatus.CONFIRMED, ResourceEvent.BOOKING_APPROVED, acting_user)


@transaction.atomic
def booking_decline(*, booking: Booking, acting_user: User) -> Booking:
    return _decide(booking, BookingStatus.DECLINED, ResourceEvent.BOOKING_DECLINED, acting_user)


@transaction.atomic
def bookings_approve(*, bookings: list[Booking], acting_user: User) -> int:
    """Approve many pending bookings (a series) at once; all or none."""
    for booking in bookings:
        _decide(booking, BookingStatus.CONFIRMED, ResourceEvent.BOOKING_APPROVED, acting_user)
    return len(bookings)


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user: User) -> Booking:
    access.require(acting_user, Permission.EDIT, booking.venue.community, message=EDIT_REFUSED)
    locked = _locked_booking(booking)
    if locked.status not in {BookingStatus.PENDING, BookingStatus.CONFIRMED}:
        raise ServiceError(_("该预约已是%(status)s") % {"status": locked.get_status_display()})
    if locked.present is not None:
        raise ServiceError(_("已登记实到人数的预约不能取消"))
    before = _snapshot(locked, ["status"])
    locked.status = BookingStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.BOOKING_CANCELLED,
        target=locked,
        unit_path=locked.venue.community.path,
        before=before,
        after=_snapshot(locked, ["status"]),
    )
    return locked


@transaction.atomic
def series_cancel(*, series: BookingSeries, after: datetime.datetime, acting_user: User) -> int:
    """Cancel the series' bookings that start after `after` (the past stays as it was)."""
    venue = series.venue
    access.require(acting_user, Permission.EDIT, venue.community, message=EDIT_REFUSED)
    bookings = list(
        Booking.objects.select_for_update().filter(
            series=series,
            starts_at__gt=after,
            status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED],
        )
    )
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(status=BookingStatus.CANCELLED)
    audit_record_many(
        acting_user=acting_user,
        action=ResourceEvent.BOOKING_CANCELLED,
        rows=[
            AuditRow(
                target=b,
                unit_path=venue.community.path,
                before={"status": b.status},
                after={"status": BookingStatus.CANCELLED.value},
            )
            for b in bookings
        ],
    )
    return len(bookings)


@transaction.atomic
def booking_record_headcount(*, booking: Booking, present: int, acting_user: User) -> Booking:
    """How many actually came, once the booking has begun."""
    access.require(acting_user, Permission.EDIT, booking.venue.community, message=EDIT_REFUSED)
    locked = _locked_booking(booking)
    if locked.status != BookingStatus.CONFIRMED:
        raise ServiceError(_("只有已确认的预约可以登记实到人数"))
    if locked.starts_at > timezone.now():
        raise ServiceError(_("预约尚未开始,不能登记实到人数"))
    if present < 0 or present > 100000:
        raise ServiceError(_("实到人数应为不小于0的整数"), field="present")
    before = _snapshot(locked, ["present"])
    locked.present = present
    locked.save(update_fields=["present"])
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.HEADCOUNT_RECORDED,
        target=locked,
        unit_path=locked.venue.community.path,
        before=before,
        after=_snapshot(locked, ["present"]),
    )
    return locked


# ---------------------------------------------------------------- residents and teams

RESIDENT_FIELDS = ["name", "gender", "birth_date", "phone", "consent_on", "consent_until"]
TEAM_FIELDS = ["name", "kind", "practice_place", "practice_time", "founded_on", "active"]


def _require_unit(unit: Unit | None, acting_user: User, field: str = "unit") -> Unit:
    if unit is None or unit.kind < UnitKind.STREET:
        raise ServiceError(_("请选择街道或社区"), field=field)
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED, field=field)
    return unit


def _clean_resident(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "name": _text(values, "name", _("姓名"), 50, required=True),
        "phone": _text(values, "phone", _("联系电话"), 20, required=False),
    }
    gender = values.get("gender") or ""
    if gender not in Gender.values:
        raise ServiceError(_("请选择性别"), field="gender")
    clean["gender"] = gender
    born = values.get("birth_date")
    today = timezone.localdate()
    if not isinstance(born, datetime.date) or not datetime.date(1900, 1, 1) <= born <= today:
        raise ServiceError(_("请填写出生日期"), field="birth_date")
    clean["birth_date"] = born
    consent_on = values.get("consent_on")
    if not isinstance(consent_on, datetime.date):
        raise ServiceError(_("登记居民须经本人同意,请填写同意登记日期"), field="consent_on")
    until = values.get("consent_until")
    if until is not None and until < consent_on:
        raise ServiceError(_("同意有效期不能早于同意日期"), field="consent_until")
    clean["consent_on"], clean["consent_until"] = consent_on, until
    return clean


@transaction.atomic
def resident_register(
    *, community: Unit | None, values: Mapping[str, Any], acting_user: User
) -> Resident:
    """A resident recorded with their consent (a team member, talent or volunteer)."""
    unit = _require_community(community, acting_user)
    resident = Resident.objects.create(community=unit, **_clean_resident(values))
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=resident,
        after=_snapshot(resident, ["name", "gender", "consent_on", "consent_until"]),
    )
    return resident


@transaction.atomic
def resident_consent_end(*, resident: Resident, day: datetime.date, acting_user: User) -> Resident:
    """The resident withdrew their consent: from `day` on they are no longer named."""
    access.require(acting_user, Permission.EDIT, resident.community, message=EDIT_REFUSED)
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    if day < locked.consent_on:
        raise ServiceError(_("同意有效期不能早于同意日期"), field="consent_until")
    before = _snapshot(locked, ["consent_until"])
    locked.consent_until = day
    locked.save(update_fields=["consent_until"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=locked,
        before=before,
        after=_snapshot(locked, ["consent_until"]),
    )
    return locked


def _clean_team(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = values.get("kind") or ""
    if kind not in TeamKind.values:
        raise ServiceError(_("请选择队伍类别"), field="kind")
    founded = values.get("founded_on")
    if founded is not None and founded > timezone.localdate():
        raise ServiceError(_("成立日期不能晚于今天"), field="founded_on")
    return {
        "name": _text(values, "name", _("队伍名称"), 100, required=True),
        "kind": kind,
        "practice_place": _text(values, "practice_place", _("活动地点"), 100, required=False),
        "practice_time": _text(values, "practice_time", _("活动时间"), 100, required=False),
        "founded_on": founded,
        "active": bool(values.get("active", True)),
    }


@transaction.atomic
def team_create(*, unit: Unit | None, values: Mapping[str, Any], acting_user: User) -> Team:
    owner = _require_unit(unit, acting_user)
    clean = _clean_team(values)
    try:
        with transaction.atomic():
            team = Team.objects.create(unit=owner, **clean)
    except IntegrityError as exc:
        raise ServiceError(_("已有同名队伍"), field="name") from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=team,
        after=_snapshot(team, [*TEAM_FIELDS, "unit_id"]),
    )
    return team


def _consents_on(resident: Resident, day: datetime.date) -> bool:
    return resident.consent_on <= day and (
        resident.consent_until is None or day <= resident.consent_until
    )


@transaction.atomic
def team_member_add(
    *,
    team: Team,
    resident: Resident,
    joined_on: datetime.date,
    acting_user: User,
    leader: bool = False,
) -> TeamMember:
    access.require(acting_user, Permission.EDIT, team.unit, message=EDIT_REFUSED)
    if not resident.community.path.startswith(team.unit.path) and not access.has_permission(
        acting_user, Permission.EDIT, resident.community
    ):
        raise ServiceError(_("该居民不在您的管辖范围内"), field="resident")
    if not _consents_on(resident, joined_on):
        raise ServiceError(
            _("%(name)s在该日未同意登记") % {"name": resident.name}, field="resident"
        )
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(team=team, resident=resident, joined_on=joined_on)
    except IntegrityError as exc:
        raise ServiceError(_("%(name)s已是队员") % {"name": resident.name}) from exc
    if leader:
        Team.objects.filter(pk=team.pk).update(leader=resident)
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.MEMBER_JOINED,
        target=member,
        unit_path=team.unit.path,
        after={"resident_id": resident.pk, "joined_on": joined_on.isoformat(), "leader": leader},
    )
    return member


@transaction.atomic
def team_member_leave(
    *, member: TeamMember, left_on: datetime.date, acting_user: User
) -> TeamMember:
    team = member.team
    access.require(acting_user, Permission.EDIT, team.unit, message=EDIT_REFUSED)
    locked = TeamMember.objects.select_for_update().get(pk=member.pk)
    if locked.left_on is not None:
        raise ServiceError(_("该队员已退出"))
    if left_on < locked.joined_on:
        raise ServiceError(_("退出日期不能早于加入日期"), field="left_on")
    locked.left_on = left_on
    locked.save(update_fields=["left_on"])
    if team.leader_id == locked.resident_id:
        Team.objects.filter(pk=team.pk).update(leader=None)
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.MEMBER_LEFT,
        target=locked,
        unit_path=team.unit.path,
        after={"left_on": left_on.isoformat()},
    )
    return locked


@transaction.atomic
def team_record_add(*, team: Team, values: Mapping[str, Any], acting_user: User) -> TeamRecord:
    """A practice, performance or award of the team on a day."""
    access.require(acting_user, Permission.EDIT, team.unit, message=EDIT_REFUSED)
    kind = values.get("kind") or ""
    if kind not in TeamRecordKind.values:
        raise ServiceError(_("请选择记录类别"), field="kind")
    level = values.get("level") or ""
    if kind == TeamRecordKind.AWARD and level not in AwardLevel.values:
        raise ServiceError(_("获奖记录请选择级别"), field="level")
    day = values.get("day")
    if not isinstance(day, datetime.date) or day > timezone.localdate():
        raise ServiceError(_("请填写不晚于今天的日期"), field="day")
    participants = values.get("participants") or 0
    if not isinstance(participants, int) or not 0 <= participants <= 100000:
        raise ServiceError(_("参与人数应为不小于0的整数"), field="participants")
    record = TeamRecord.objects.create(
        team=team,
        kind=kind,
        day=day,
        title=_text(values, "title", _("内容"), 100, required=True),
        level=level if kind == TeamRecordKind.AWARD else "",
        participants=participants,
    )
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.TEAM_RECORDED,
        target=record,
        unit_path=team.unit.path,
        after=_snapshot(record, ["kind", "day", "title", "level", "participants"]),
    )
    return record


# ---------------------------------------------------------------- activities and volunteers


def _clean_activity(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = values.get("kind") or ""
    if kind not in ActivityKind.values:
        raise ServiceError(_("请选择活动类别"), field="kind")
    day = values.get("day")
    if not isinstance(day, datetime.date):
        raise ServiceError(_("请填写活动日期"), field="day")
    return {
        "title": _text(values, "title", _("活动名称"), 100, required=True),
        "organiser": _text(values, "organiser", _("组织者"), 100, required=False),
        "kind": kind,
        "day": day,
    }


@transaction.atomic
def activity_create(
    *,
    unit: Unit | None,
    values: Mapping[str, Any],
    venue: Venue | None = None,
    team: Team | None = None,
    acting_user: User,
) -> Activity:
    owner = _require_unit(unit, acting_user)
    for linked in (venue, team):
        if linked is not None:
            home = linked.community if isinstance(linked, Venue) else linked.unit
            if not home.path.startswith(owner.path) and not owner.path.startswith(home.path):
                raise ServiceError(_("场地或队伍不属于该单位"), field="venue")
    activity = Activity.objects.create(
        unit=owner, venue=venue, team=team, **_clean_activity(values)
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=activity,
        after=_snapshot(activity, ["title", "kind", "day", "organiser", "unit_id"]),
    )
    return activity


@transaction.atomic
def activity_mark_held(*, activity: Activity, acting_user: User) -> Activity:
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    if activity.day > timezone.localdate():
        raise ServiceError(_("活动日期未到,不能标记为已举办"))
    Activity.objects.filter(pk=activity.pk).update(held=True)
    activity.held = True
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=activity,
        before={"held": False},
        after={"held": True},
    )
    return activity


@transaction.atomic
def volunteer_register(
    *,
    resident: Resident,
    values: Mapping[str, Any],
    acting_user: User,
) -> Volunteer:
    access.require(acting_user, Permission.EDIT, resident.community, message=EDIT_REFUSED)
    today = timezone.localdate()
    if not _consents_on(resident, today):
        raise ServiceError(_("%(name)s的同意登记已到期") % {"name": resident.name})
    number = fold(values.get("id_number")).upper()
    if number and (refused := id_number_error(number)):
        raise ServiceError(refused, field="id_number")
    registered = values.get("registered_on") or today
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                resident=resident,
                id_number=number,
                skills=_text(values, "skills", _("技能特长"), 200, required=False),
                registered_on=registered,
            )
    except IntegrityError as exc:
        raise ServiceError(_("%(name)s已注册为志愿者") % {"name": resident.name}) from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=volunteer,
        unit_path=resident.community.path,
        after={"resident_id": resident.pk, "registered_on": registered.isoformat()},
    )
    return volunteer


@transaction.atomic
def volunteer_link_issue(*, volunteer: Volunteer, acting_user: User) -> str:
    """A new personal link key for self-reported hours (shown once; the old one stops)."""
    access.require(acting_user, Permission.EDIT, volunteer.resident.community, message=EDIT_REFUSED)
    key = secrets.token_urlsafe(24)
    Volunteer.objects.filter(pk=volunteer.pk).update(link_hash=rules.link_hash(key))
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.LINK_ISSUED,
        target=volunteer,
        unit_path=volunteer.resident.community.path,
    )
    return key


def _clean_hours(hours: Any, content: Any) -> tuple[Decimal, str]:
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ServiceError(_("服务时长应为数字"), field="hours") from None
    if not Decimal(0) < value <= Decimal(24):
        raise ServiceError(_("服务时长应大于0且不超过24小时"), field="hours")
    return value, _text({"content": content}, "content", _("服务内容"), 200, required=False)


def _hours_snapshot(record: ServiceRecord) -> dict[str, Any]:
    return _snapshot(record, ["hours", "status", "source", "content"])


@transaction.atomic
def hours_enter(
    *,
    volunteer: Volunteer,
    activity: Activity,
    hours: Any,
    content: str = "",
    acting_user: User,
) -> ServiceRecord:
    """The clerk's entry of a volunteer's hours at an activity, confirmed at once. If the
    volunteer already reported hours for it, the clerk's entry is that same record (hours as
    the clerk entered them, confirmed): an hour is never counted twice."""
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    value, text = _clean_hours(hours, content)
    now = timezone.now()
    record = (
        ServiceRecord.objects.select_for_update()
        .filter(volunteer=volunteer, activity=activity)
        .first()
    )
    before = _hours_snapshot(record) if record else None
    if record is None:
        try:
            with transaction.atomic():
                record = ServiceRecord.objects.create(
                    volunteer=volunteer,
                    activity=activity,
                    hours=value,
                    content=text,
                    source=RecordSource.CLERK,
                    status=RecordStatus.CONFIRMED,
                    entered_by=acting_user,
                    decided_by=acting_user,
                    decided_at=now,
                )
        except IntegrityError:
            # The volunteer's own report landed a moment ago: it is the same record.
            record = ServiceRecord.objects.select_for_update().get(
                volunteer=volunteer, activity=activity
            )
            before = _hours_snapshot(record)
    if before is not None:
        record.hours, record.status = value, RecordStatus.CONFIRMED
        record.content = text or record.content
        record.entered_by, record.decided_by, record.decided_at = acting_user, acting_user, now
        record.save()
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.HOURS_ENTERED,
        target=record,
        unit_path=activity.unit.path,
        before=before,
        after=_hours_snapshot(record),
    )
    return record


@transaction.atomic
def hours_self_report(
    *, key: str, activity: Activity, hours: Any, content: str = ""
) -> ServiceRecord:
    """A volunteer's own report through their personal link: pending until a clerk confirms.
    A second report, or one for an activity the clerk already entered, is refused."""
    volunteer = (
        Volunteer.objects.select_related("resident__community")
        .filter(link_hash=rules.link_hash(key))
        .exclude(link_hash="")
        .first()
    )
    if volunteer is None:
        raise ServiceError(_("链接无效或已失效,请向社区索取新的链接"))
    community = volunteer.resident.community
    if not community.path.startswith(activity.unit.path) or activity.day > timezone.localdate():
        raise ServiceError(_("不能申报这项活动"), field="activity")
    value, text = _clean_hours(hours, content)
    try:
        with transaction.atomic():
            record = ServiceRecord.objects.create(
                volunteer=volunteer,
                activity=activity,
                hours=value,
                content=text,
                source=RecordSource.SELF,
                status=RecordStatus.PENDING,
            )
    except IntegrityError as exc:
        raise ServiceError(_("这项活动的服务时长已有记录,无需重复申报"), field="activity") from exc
    audit_record(
        acting_user=None,
        action=ResourceEvent.HOURS_REPORTED,
        target=record,
        unit_path=community.path,
        after=_hours_snapshot(record),
    )
    return record


def _decide_hours(records: list[ServiceRecord], status: str, event: str, acting_user: User) -> int:
    ids = [r.pk for r in records]
    locked = list(
        ServiceRecord.objects.select_for_update()
        .select_related("activity__unit")
        .filter(pk__in=ids, status=RecordStatus.PENDING)
    )
    if len(locked) != len(set(ids)):
        raise ServiceError(_("所选记录中有已处理的,请刷新后重试"))
    for record in locked:
        access.require(acting_user, Permission.EDIT, record.activity.unit, message=EDIT_REFUSED)
    now = timezone.now()
    ServiceRecord.objects.filter(pk__in=ids).update(
        status=status, decided_by=acting_user, decided_at=now
    )
    audit_record_many(
        acting_user=acting_user,
        action=event,
        rows=[
            AuditRow(
                target=r,
                unit_path=r.activity.unit.path,
                before={"status": r.status},
                after={"status": status},
            )
            for r in locked
        ],
    )
    return len(locked)


@transaction.atomic
def hours_confirm(*, records: list[ServiceRecord], acting_user: User) -> int:
    """Confirm reported hours, one or many at once (all or none)."""
    return _decide_hours(
        records, RecordStatus.CONFIRMED, ResourceEvent.HOURS_CONFIRMED, acting_user
    )


@transaction.atomic
def hours_decline(*, records: list[ServiceRecord], acting_user: User) -> int:
    """Decline reported hours: the rows stay, marked 未确认, and never count."""
    return _decide_hours(records, RecordStatus.DECLINED, ResourceEvent.HOURS_DECLINED, acting_user)


# ---------------------------------------------------------------- participation


@transaction.atomic
def participant_sign_up(
    *, activity: Activity, resident: Resident, acting_user: User
) -> Participation:
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    if not resident.community.path.startswith(activity.unit.path):
        raise ServiceError(_("该居民不在主办单位范围内"), field="resident")
    if not _consents_on(resident, activity.day):
        raise ServiceError(_("%(name)s在活动日未同意登记") % {"name": resident.name})
    try:
        with transaction.atomic():
            signed = Participation.objects.create(activity=activity, resident=resident)
    except IntegrityError as exc:
        raise ServiceError(_("%(name)s已报名") % {"name": resident.name}) from exc
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.SIGNED_UP,
        target=signed,
        unit_path=activity.unit.path,
        after={"resident_id": resident.pk},
    )
    return signed


@transaction.atomic
def attendance_mark(*, activity: Activity, present: set[int], acting_user: User) -> int:
    """Who came (participation ids); everyone else signed up is marked absent."""
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    if activity.day > timezone.localdate():
        raise ServiceError(_("活动日期未到,不能签到"))
    rows = list(Participation.objects.select_for_update().filter(activity=activity))
    changed = [r for r in rows if r.attended != (r.pk in present)]
    for r in changed:
        r.attended = r.pk in present
    Participation.objects.bulk_update(changed, ["attended"])
    Activity.objects.filter(pk=activity.pk).update(held=True)
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.ATTENDANCE_MARKED,
        target=activity,
        after={"attended": sum(r.pk in present for r in rows), "signed_up": len(rows)},
    )
    return len(changed)


# ---------------------------------------------------------------- certificates


@transaction.atomic
def certificate_issue(
    *, volunteer: Volunteer, first: datetime.date, last: datetime.date, acting_user: User
) -> VolunteerCertificate:
    """A numbered certificate of the volunteer's confirmed hours from `first` to `last`,
    issued by their community: number = community code, year, a serial of that year."""
    community = volunteer.resident.community
    access.require(acting_user, Permission.EDIT, community, message=EDIT_REFUSED)
    if last < first:
        raise ServiceError(_("截止日期不能早于起始日期"), field="last")
    hours = ServiceRecord.objects.filter(
        volunteer=volunteer,
        status=RecordStatus.CONFIRMED,
        activity__day__gte=first,
        activity__day__lte=last,
    ).aggregate(total=Sum("hours"))["total"]
    if not hours:
        raise ServiceError(_("这段时间没有已确认的服务时长"))
    today = timezone.localdate()
    exclusive_lock(f"resources.certificate.{community.code}.{today.year}")
    prefix = f"{community.code}{today.year}"
    serial = VolunteerCertificate.objects.filter(number__startswith=prefix).count() + 1
    certificate = VolunteerCertificate.objects.create(
        volunteer=volunteer,
        number=f"{prefix}{serial:05d}",
        issuer=community,
        first=first,
        last=last,
        hours=Decimal(hours).quantize(Decimal("0.1")),
        issued_on=today,
        issued_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.CERTIFICATE_ISSUED,
        target=certificate,
        unit_path=community.path,
        after=_snapshot(certificate, ["number", "first", "last", "hours", "volunteer_id"]),
    )
    return certificate


# ---------------------------------------------------------------- talent bank


@transaction.atomic
def talent_register(*, resident: Resident, values: Mapping[str, Any], acting_user: User) -> Talent:
    """A resident's skill in the talent bank, with their consent to be contacted (until when)."""
    access.require(acting_user, Permission.EDIT, resident.community, message=EDIT_REFUSED)
    today = timezone.localdate()
    if not _consents_on(resident, today):
        raise ServiceError(_("%(name)s的同意登记已到期") % {"name": resident.name})
    category, level = values.get("category") or "", values.get("level") or ""
    if category not in TalentCategory.values:
        raise ServiceError(_("请选择人才类别"), field="category")
    if level not in TalentLevel.values:
        raise ServiceError(_("请选择水平"), field="level")
    until = values.get("contact_until")
    if until is not None and until < today:
        raise ServiceError(_("同意联系的期限已过"), field="contact_until")
    try:
        with transaction.atomic():
            talent = Talent.objects.create(
                resident=resident,
                category=category,
                level=level,
                skill=_text(values, "skill", _("特长"), 100, required=True),
                availability=_text(values, "availability", _("可服务时间"), 100, required=False),
                contact_until=until,
            )
    except IntegrityError as exc:
        raise ServiceError(_("已登记过这项特长"), field="skill") from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=talent,
        unit_path=resident.community.path,
        after=_snapshot(talent, ["resident_id", "category", "skill", "level", "contact_until"]),
    )
    return talent


@transaction.atomic
def activity_advisor_name(*, activity: Activity, talent: Talent, acting_user: User) -> Activity:
    """Name a talent the activity's advisor (辅导员); only while they may be contacted."""
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    today = timezone.localdate()
    if talent.contact_until is not None and talent.contact_until < today:
        raise ServiceError(_("%(name)s同意联系的期限已过") % {"name": talent.resident.name})
    before = {"advisor_id": activity.advisor_id}
    Activity.objects.filter(pk=activity.pk).update(advisor=talent)
    activity.advisor = talent
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.ADVISOR_NAMED,
        target=activity,
        before=before,
        after={"advisor_id": talent.pk},
    )
    return activity
