"""Community resources pages: thin views over the resources selectors and services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.access import Permission, has_permission
from shegong.core.charts import Bar, bars_svg
from shegong.core.disclosures import disclosure_record
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.params import year_or
from shegong.core.types import AuthedRequest
from shegong.orgs.models import Unit
from shegong.orgs.selectors import unit_get, unit_roots
from shegong.resources import documents, selectors, services
from shegong.resources.forms import (
    BookingForm,
    HeadcountForm,
    LeaveForm,
    MemberForm,
    ResidentForm,
    SeriesForm,
    TeamForm,
    TeamRecordForm,
    VenueForm,
)
from shegong.resources.models import Booking, BookingStatus, TeamRecordKind, Venue

PAGE_SIZE = 30
ONE_DAY = datetime.timedelta(days=1)


def _unit(request: AuthedRequest) -> Unit | None:
    """The unit asked for (404 when missing or out of scope), else the viewer's first root."""
    code = request.GET.get("unit", "")
    if code:
        return unit_get(viewer=request.user, code=code)
    return unit_roots(viewer=request.user).order_by("path").first()


def _date(raw: str | None, default: datetime.date) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw or "")
    except ValueError:
        return default


def _may_edit(request: AuthedRequest, venue: Venue) -> bool:
    return has_permission(request.user, Permission.EDIT, venue.community)


# ---------------------------------------------------------------- venues


@login_required
def venue_list(request: AuthedRequest) -> HttpResponse:
    shared = {"1": True, "0": False}.get(request.GET.get("shared", ""))
    q = request.GET.get("q", "").strip()
    venues = selectors.venue_list(viewer=request.user, shared=shared, q=q)
    page = Paginator(venues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "resources/venues.html",
        {
            "page": page,
            "shared": request.GET.get("shared", ""),
            "q": q,
            "pending": selectors.pending_list(viewer=request.user)[:50],
            "can_create": selectors.communities_for_edit(viewer=request.user).exists(),
        },
    )


@login_required
def venue_create(request: AuthedRequest) -> HttpResponse:
    communities = selectors.communities_for_edit(viewer=request.user)
    if not communities.exists():
        raise Http404
    form = VenueForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            venue = services.venue_create(
                community=form.cleaned_data["community"],
                values=form.values(),
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已登记场地%(name)s") % {"name": venue.name})
            return redirect("resources:venue", pk=venue.pk)
    return render(request, "resources/form.html", {"form": form, "title": _("登记场地")})


@login_required
def venue_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(viewer=request.user, pk=pk)
    if not _may_edit(request, venue):
        raise Http404
    initial = {name: getattr(venue, name) for name in services.VENUE_FIELDS}
    initial["weekdays"] = list(venue.weekdays)
    form = VenueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.venue_update(venue=venue, values=form.values(), acting_user=request.user)
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("resources:venue", pk=venue.pk)
    return render(
        request, "resources/form.html", {"form": form, "title": venue.name, "venue": venue}
    )


@login_required
def venue_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The venue with its week calendar (?week=YYYY-MM-DD, any day of the week)."""
    venue = selectors.venue_get(viewer=request.user, pk=pk)
    day = _date(request.GET.get("week"), timezone.localdate())
    monday = day - datetime.timedelta(days=day.isoweekday() - 1)
    return render(
        request,
        "resources/venue.html",
        {
            "venue": venue,
            "days": selectors.venue_week(viewer=request.user, venue=venue, monday=monday),
            "monday": monday,
            "previous": monday - 7 * ONE_DAY,
            "next": monday + 7 * ONE_DAY,
            "can_edit": _may_edit(request, venue),
            "series": venue.series.order_by("-first_day")[:20],
        },
    )


@login_required
def venue_ics(request: AuthedRequest, pk: int) -> HttpResponse:
    """The venue's confirmed bookings from a month ago to a year ahead, as .ics."""
    venue = selectors.venue_get(viewer=request.user, pk=pk)
    today = timezone.localdate()
    text = selectors.venue_ics(
        viewer=request.user, venue=venue, first=today - 31 * ONE_DAY, last=today + 366 * ONE_DAY
    )
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{venue.name}.ics") or "attachment"
    )
    return response


# ---------------------------------------------------------------- bookings


@login_required
def book(request: AuthedRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(viewer=request.user, pk=pk)
    if not _may_edit(request, venue):
        raise Http404
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            booking = services.booking_create(
                venue=venue,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                values=data,
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(
                request,
                _("已预约(%(status)s)") % {"status": booking.get_status_display()},
            )
            week = timezone.localtime(booking.starts_at).date().isoformat()
            return redirect(f"{venue_url(venue)}?week={week}")
    return render(
        request, "resources/form.html", {"form": form, "title": _("预约场地"), "venue": venue}
    )


def venue_url(venue: Venue) -> str:
    return reverse("resources:venue", kwargs={"pk": venue.pk})


@login_required
def series_create(request: AuthedRequest, pk: int) -> HttpResponse:
    venue = selectors.venue_get(viewer=request.user, pk=pk)
    if not _may_edit(request, venue):
        raise Http404
    form = SeriesForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.booking_series_create(
                venue=venue,
                weekday=data["weekday"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                values=data,
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            count = series.bookings.count()
            messages.success(request, _("已预约%(n)d次") % {"n": count})
            return redirect(f"{venue_url(venue)}?week={series.first_day.isoformat()}")
    return render(
        request, "resources/form.html", {"form": form, "title": _("周期预约"), "venue": venue}
    )


@login_required
def booking_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = selectors.booking_get(viewer=request.user, pk=pk)
    may_edit = _may_edit(request, booking.venue)
    return render(
        request,
        "resources/booking.html",
        {
            "booking": booking,
            "can_edit": may_edit,
            "can_decide": may_edit and booking.status == BookingStatus.PENDING,
            "can_cancel": may_edit
            and booking.status in {BookingStatus.PENDING, BookingStatus.CONFIRMED}
            and booking.present is None,
            "can_count": may_edit
            and booking.status == BookingStatus.CONFIRMED
            and booking.starts_at <= timezone.now(),
            "headcount": HeadcountForm(initial={"present": booking.present}),
        },
    )


def _act(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    booking: Booking = selectors.booking_get(viewer=request.user, pk=pk)
    try:
        if action == "approve":
            services.booking_approve(booking=booking, acting_user=request.user)
        elif action == "decline":
            services.booking_decline(booking=booking, acting_user=request.user)
        elif action == "cancel":
            services.booking_cancel(booking=booking, acting_user=request.user)
        else:
            form = HeadcountForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("实到人数应为不小于0的整数"))
            services.booking_record_headcount(
                booking=booking, present=form.cleaned_data["present"], acting_user=request.user
            )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存"))
    return redirect("resources:booking", pk=booking.pk)


@login_required
@require_POST
def booking_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "approve")


@login_required
@require_POST
def booking_decline(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "decline")


@login_required
@require_POST
def booking_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "cancel")


@login_required
@require_POST
def booking_headcount(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "headcount")


@login_required
@require_POST
def series_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    """Approve every pending booking of a series at once (all or none)."""
    series = selectors.series_get(viewer=request.user, pk=pk)
    pending = list(series.bookings.filter(status=BookingStatus.PENDING).select_related("venue"))
    try:
        count = services.bookings_approve(bookings=pending, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已批准%(n)d次预约") % {"n": count})
    return redirect("resources:venue", pk=series.venue_id)


@login_required
@require_POST
def series_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    """Cancel the series from now on; what already happened stays."""
    series = selectors.series_get(viewer=request.user, pk=pk)
    try:
        count = services.series_cancel(
            series=series, after=timezone.now(), acting_user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已取消%(n)d次预约") % {"n": count})
    return redirect("resources:venue", pk=series.venue_id)


@login_required
def venue_use(request: AuthedRequest) -> HttpResponse:
    """Hours booked against hours open, per venue of the unit, in a period."""
    unit = _unit(request)
    today = timezone.localdate()
    first = _date(request.GET.get("first"), today.replace(month=1, day=1))
    last = _date(request.GET.get("last"), today)
    if last < first or (last - first).days > 3660:
        first, last = today.replace(month=1, day=1), today
    rows = (
        []
        if unit is None
        else selectors.venue_use(viewer=request.user, unit=unit, first=first, last=last)
    )
    return render(
        request,
        "resources/use.html",
        {"unit": unit, "rows": rows, "first": first, "last": last},
    )


# ---------------------------------------------------------------- residents and teams


@login_required
def resident_list(request: AuthedRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    residents = selectors.resident_list(viewer=request.user, q=q)
    page = Paginator(residents, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.resident_rows(viewer=request.user, residents=list(page))
    if any(row.unmasked for row in rows):
        disclosure_record(
            acting_user=request.user,
            target=rows[0].resident,
            unit_path=rows[0].resident.community.path,
            note=_("居民名单第%(n)d页") % {"n": page.number},
            once_per_day=True,
        )
    return render(
        request,
        "resources/residents.html",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "can_create": selectors.communities_for_edit(viewer=request.user).exists(),
        },
    )


@login_required
def resident_create(request: AuthedRequest) -> HttpResponse:
    communities = selectors.communities_for_edit(viewer=request.user)
    if not communities.exists():
        raise Http404
    form = ResidentForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            resident = services.resident_register(
                community=data.pop("community"), values=data, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(
                request,
                _("已登记居民%(name)s(编号%(pk)d)") % {"name": resident.name, "pk": resident.pk},
            )
            return redirect("resources:residents")
    return render(request, "resources/form.html", {"form": form, "title": _("登记居民")})


@login_required
def team_list(request: AuthedRequest) -> HttpResponse:
    year = year_or(request.GET.get("year"), timezone.localdate().year) or timezone.localdate().year
    teams = selectors.team_list(viewer=request.user, year=year)
    page = Paginator(teams, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "resources/teams.html",
        {
            "page": page,
            "year": year,
            "can_create": selectors.units_for_teams(viewer=request.user).exists(),
        },
    )


def create_in_unit(
    request: AuthedRequest, form_class: Any, create: Any, detail: str, title: str
) -> HttpResponse:
    """A team's or an activity's form: the units the viewer registers them for (404 when
    none), then `create(unit=, values=, acting_user=)` and the new record's page."""
    units = selectors.units_for_teams(viewer=request.user)
    if not units.exists():
        raise Http404
    form = form_class(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            made = create(unit=data.pop("unit"), values=data, acting_user=request.user)
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            return redirect(detail, pk=made.pk)
    return render(request, "resources/form.html", {"form": form, "title": title})


@login_required
def team_create(request: AuthedRequest) -> HttpResponse:
    return create_in_unit(request, TeamForm, services.team_create, "resources:team", _("登记队伍"))


@login_required
def team_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(viewer=request.user, pk=pk)
    year = year_or(request.GET.get("year"), timezone.localdate().year) or timezone.localdate().year
    rows, unmasked = selectors.team_members(viewer=request.user, team=team)
    if unmasked:
        disclosure_record(
            acting_user=request.user,
            target=team,
            unit_path=team.unit.path,
            note=_("队员名单"),
            once_per_day=True,
        )
    may_edit = has_permission(request.user, Permission.EDIT, team.unit)
    return render(
        request,
        "resources/team.html",
        {
            "team": team,
            "rows": rows,
            "year": year,
            "records": selectors.team_records(viewer=request.user, team=team, year=year),
            "can_edit": may_edit,
            "member_form": MemberForm(initial={"joined_on": timezone.localdate()}),
            "record_form": TeamRecordForm(initial={"day": timezone.localdate()}),
            "leave_form": LeaveForm(initial={"left_on": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def team_member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(viewer=request.user, pk=pk)
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写居民编号和加入日期"))
        return redirect("resources:team", pk=team.pk)
    resident = (
        selectors.resident_list(viewer=request.user)
        .filter(pk=form.cleaned_data["resident"])
        .first()
    )
    try:
        if resident is None:
            raise ServiceError(_("没有这位居民,或其同意登记已到期"))
        services.team_member_add(
            team=team,
            resident=resident,
            joined_on=form.cleaned_data["joined_on"],
            leader=form.cleaned_data["leader"],
            acting_user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已加入%(name)s") % {"name": resident.name})
    return redirect("resources:team", pk=team.pk)


@login_required
@require_POST
def member_leave(request: AuthedRequest, pk: int) -> HttpResponse:
    member = selectors.member_get(viewer=request.user, pk=pk)
    form = LeaveForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("请填写退出日期"))
        services.team_member_leave(
            member=member, left_on=form.cleaned_data["left_on"], acting_user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("resources:team", pk=member.team_id)


@login_required
@require_POST
def team_record_add(request: AuthedRequest, pk: int) -> HttpResponse:
    team = selectors.team_get(viewer=request.user, pk=pk)
    form = TeamRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("resources:team", pk=team.pk)
    try:
        services.team_record_add(team=team, values=form.cleaned_data, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记"))
    return redirect("resources:team", pk=team.pk)


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    """The year's figures of the unit, with the use of each venue and the teams' records."""
    unit = _unit(request)
    year = year_or(request.GET.get("year"), timezone.localdate().year) or timezone.localdate().year
    if unit is None:
        raise Http404
    data = selectors.resources_summary(viewer=request.user, unit=unit, year=year)
    use_bars = [
        Bar(f"{row['venue']}({row['community']})", Decimal(row["share"] or 0), "%")
        for row in data["venue_use"]["by_venue"][:30]
    ]
    record_bars = [
        Bar(str(label), data["team_records"][kind]) for kind, label in TeamRecordKind.choices
    ]
    return render(
        request,
        "resources/dashboard.html",
        {
            "unit": unit,
            "year": year,
            "data": data,
            "figures": documents.figures_rows(data),
            "use_chart": bars_svg(_("场地使用率"), use_bars) if use_bars else "",
            "records_chart": bars_svg(_("队伍活动记录"), record_bars),
        },
    )
