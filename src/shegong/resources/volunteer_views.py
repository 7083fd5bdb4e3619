"""Pages of activities, volunteers and their hours, and the volunteer's own report page."""

from __future__ import annotations

import datetime
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from shegong.core.access import Permission, has_permission, may_see_personal_data
from shegong.core.codes import CodeRefused, CodeThrottled
from shegong.core.disclosures import disclosure_record
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.net import client_address
from shegong.core.params import year_or
from shegong.core.text import xlsx_row
from shegong.core.types import AuthedRequest
from shegong.people.rules import mask_id_number
from shegong.resources import award_selectors, selectors, services
from shegong.resources.award_forms import RatingForm
from shegong.resources.forms import (
    ActivityForm,
    HoursForm,
    SelfReportForm,
    TalentForm,
    VolunteerForm,
)
from shegong.resources.models import Activity, RecordStatus, TalentCategory, Volunteer
from shegong.resources.views import PAGE_SIZE, _date, _unit, create_in_unit

SELF_REPORT_DAYS = 90


def _year(request: AuthedRequest) -> int:
    today = timezone.localdate()
    return year_or(request.GET.get("year"), today.year) or today.year


@login_required
def activity_list(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    page = Paginator(selectors.activity_list(viewer=request.user, year=year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "resources/activities.html",
        {
            "page": page,
            "year": year,
            "pending": selectors.pending_hours(viewer=request.user)[:100],
            "can_create": selectors.units_for_teams(viewer=request.user).exists(),
        },
    )


@login_required
def activity_create(request: AuthedRequest) -> HttpResponse:
    return create_in_unit(
        request, ActivityForm, services.activity_create, "resources:activity", _("登记活动")
    )


@login_required
def activity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    return render(
        request,
        "resources/activity.html",
        {
            "activity": activity,
            "records": selectors.service_records(viewer=request.user, activity=activity),
            "participants": selectors.participation_rows(viewer=request.user, activity=activity),
            "can_edit": has_permission(request.user, Permission.EDIT, activity.unit),
            "hours_form": HoursForm(),
            "ratings": award_selectors.ratings_of(viewer=request.user, activity=activity),
            "may_rate": award_selectors.may_rate(request.user, activity),
            "rating_form": RatingForm(),
        },
    )


@login_required
@require_POST
def activity_held(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    try:
        services.activity_mark_held(activity=activity, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("resources:activity", pk=activity.pk)


@login_required
@require_POST
def activity_hours(request: AuthedRequest, pk: int) -> HttpResponse:
    activity: Activity = selectors.activity_get(viewer=request.user, pk=pk)
    form = HoursForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("请填写志愿者编号和服务时长"))
        volunteer = (
            selectors.volunteer_list(viewer=request.user)
            .filter(pk=form.cleaned_data["volunteer"])
            .first()
        )
        if volunteer is None:
            raise ServiceError(_("没有这位志愿者,或其同意登记已到期"))
        services.hours_enter(
            volunteer=volunteer,
            activity=activity,
            hours=form.cleaned_data["hours"],
            content=form.cleaned_data["content"],
            acting_user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已录入"))
    return redirect("resources:activity", pk=activity.pk)


@login_required
@require_POST
def hours_decide(request: AuthedRequest) -> HttpResponse:
    """Confirm or decline the ticked self-reported hours, all at once."""
    ids = [int(i) for i in request.POST.getlist("record") if i.isdigit() and len(i) < 19]
    records = list(selectors.pending_hours(viewer=request.user).filter(pk__in=ids))
    decline = request.POST.get("action") == "decline"
    try:
        if not records:
            raise ServiceError(_("请勾选要处理的记录"))
        if decline:
            count = services.hours_decline(records=records, acting_user=request.user)
        else:
            count = services.hours_confirm(records=records, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已处理%(n)d条") % {"n": count})
    return redirect("resources:activities")


def _period(request: AuthedRequest) -> tuple[datetime.date, datetime.date]:
    today = timezone.localdate()
    first = _date(request.GET.get("first"), today.replace(month=1, day=1))
    last = _date(request.GET.get("last"), today)
    if last < first or (last - first).days > 3660:
        return today.replace(month=1, day=1), today
    return first, last


@login_required
def volunteer_list(request: AuthedRequest) -> HttpResponse:
    """Volunteers ranked by confirmed hours in the period, with their star levels."""
    unit = _unit(request)
    first, last = _period(request)
    totals = (
        []
        if unit is None
        else selectors.volunteer_totals(viewer=request.user, unit=unit, first=first, last=last)
    )
    return render(
        request,
        "resources/volunteers.html",
        {
            "unit": unit,
            "first": first,
            "last": last,
            "page": Paginator(totals, PAGE_SIZE).get_page(request.GET.get("page")),
            "levels": selectors.star_levels(),
            "can_create": selectors.communities_for_edit(viewer=request.user).exists(),
            "can_export": unit is not None and may_see_personal_data(request.user, unit),
        },
    )


@login_required
def volunteer_create(request: AuthedRequest) -> HttpResponse:
    if not selectors.communities_for_edit(viewer=request.user).exists():
        raise Http404
    form = VolunteerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident = (
            selectors.resident_list(viewer=request.user)
            .filter(pk=form.cleaned_data["resident"])
            .first()
        )
        try:
            if resident is None:
                raise ServiceError(_("没有这位居民,或其同意登记已到期"), field="resident")
            volunteer = services.volunteer_register(
                resident=resident, values=form.cleaned_data, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            return redirect("resources:volunteer", pk=volunteer.pk)
    return render(request, "resources/form.html", {"form": form, "title": _("注册志愿者")})


@login_required
def volunteer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    volunteer: Volunteer = selectors.volunteer_get(viewer=request.user, pk=pk)
    full = may_see_personal_data(request.user, volunteer.resident.community)
    if full and volunteer.id_number:
        disclosure_record(
            acting_user=request.user,
            target=volunteer,
            unit_path=volunteer.resident.community.path,
            note=_("志愿者证件号码"),
            once_per_day=True,
        )
    return render(
        request,
        "resources/volunteer.html",
        {
            "volunteer": volunteer,
            "id_number": volunteer.id_number if full else mask_id_number(volunteer.id_number),
            "records": volunteer.records.select_related("activity").order_by("-activity__day"),
            "certificates": volunteer.certificates.order_by("-issued_on", "-id"),
            "year_start": timezone.localdate().replace(month=1, day=1),
            "today": timezone.localdate(),
            "can_edit": has_permission(request.user, Permission.EDIT, volunteer.resident.community),
        },
    )


@login_required
@require_POST
def volunteer_link(request: AuthedRequest, pk: int) -> HttpResponse:
    volunteer = selectors.volunteer_get(viewer=request.user, pk=pk)
    try:
        key = services.volunteer_link_issue(volunteer=volunteer, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        url = request.build_absolute_uri(f"/resources/v/{key}/")
        messages.success(
            request, _("新的申报链接(只显示这一次,旧链接已失效):%(url)s") % {"url": url}
        )
    return redirect("resources:volunteer", pk=volunteer.pk)


@login_required
def volunteers_export(request: AuthedRequest) -> HttpResponse:
    """Confirmed hours of the period in the national volunteer system's columns (.xlsx).
    Its import needs full ID numbers: only for the personal-data right, and audited."""
    unit = _unit(request)
    if unit is None:
        raise Http404
    if not may_see_personal_data(request.user, unit):
        messages.error(request, _("导出需要查看个人信息的权限(含完整证件号码)"))
        return redirect("resources:volunteers")
    first, last = _period(request)
    rows = selectors.national_rows(viewer=request.user, unit=unit, first=first, last=last)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "志愿服务记录"
    sheet.append(selectors.NATIONAL_COLUMNS)
    for row in rows:
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    disclosure_record(
        acting_user=request.user,
        target=unit,
        unit_path=unit.path,
        note=_("导出志愿服务记录%(n)d条(%(first)s至%(last)s)")
        % {"n": len(rows), "first": first, "last": last},
    )
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"志愿服务记录-{unit.name}-{first}-{last}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


@csrf_protect
def self_report(request: AuthedRequest, key: str) -> HttpResponse:
    """The volunteer's own page (no login): report hours at a recent activity of their
    community. An unknown key answers 404, like any missing page, and counts against the
    client's address: one that tried too many keys is refused for a while (429), as the
    residents' vote is."""
    try:
        volunteer = services.volunteer_for_link(key=key, address=client_address(request))
    except CodeThrottled as exc:
        return render(request, "resources/self_report.html", {"throttled": exc.message}, status=429)
    except CodeRefused:
        raise Http404 from None
    since = timezone.localdate() - datetime.timedelta(days=SELF_REPORT_DAYS)
    activities = selectors.activities_for_volunteer(volunteer=volunteer, since=since)
    form = SelfReportForm(
        request.POST or None, activities=[(a.pk, f"{a.day} {a.title}") for a in activities]
    )
    if request.method == "POST" and form.is_valid():
        chosen = next(a for a in activities if a.pk == form.cleaned_data["activity"])
        try:
            services.hours_self_report(
                key=key,
                activity=chosen,
                hours=form.cleaned_data["hours"],
                content=form.cleaned_data["content"],
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已提交,待社区确认"))
            return redirect("resources:self-report", key=key)
    records = volunteer.records.select_related("activity").order_by("-activity__day")[:50]
    return render(
        request,
        "resources/self_report.html",
        {"volunteer": volunteer, "form": form, "records": records, "pending": RecordStatus.PENDING},
    )


@login_required
@require_POST
def activity_sign_up(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    raw = request.POST.get("resident", "")
    resident = (
        selectors.resident_list(viewer=request.user).filter(pk=int(raw)).first()
        if raw.isdigit() and len(raw) < 19
        else None
    )
    try:
        if resident is None:
            raise ServiceError(_("没有这位居民,或其同意登记已到期"))
        services.participant_sign_up(activity=activity, resident=resident, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("resources:activity", pk=activity.pk)


@login_required
@require_POST
def activity_attendance(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    present = {int(i) for i in request.POST.getlist("present") if i.isdigit() and len(i) < 19}
    try:
        services.attendance_mark(activity=activity, present=present, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已签到"))
    return redirect("resources:activity", pk=activity.pk)


@login_required
@require_POST
def certificate_issue(request: AuthedRequest, pk: int) -> HttpResponse:
    """Issue a numbered certificate of the period's confirmed hours, then download it."""
    volunteer = selectors.volunteer_get(viewer=request.user, pk=pk)
    first = _date(request.POST.get("first"), timezone.localdate().replace(month=1, day=1))
    last = _date(request.POST.get("last"), timezone.localdate())
    try:
        certificate = services.certificate_issue(
            volunteer=volunteer, first=first, last=last, acting_user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("resources:volunteer", pk=volunteer.pk)
    return redirect("reports:volunteer-certificate", pk=certificate.pk)


@login_required
def talent_list(request: AuthedRequest) -> HttpResponse:
    """The talent bank across the viewer's scope, searchable by skill; phones masked for
    roles without the personal-data right, a page shown in full audited once a day."""
    q = request.GET.get("q", "").strip()[:50]
    category = request.GET.get("category", "")
    talents = selectors.talent_list(viewer=request.user, q=q, category=category)
    page = Paginator(talents, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page)
    rows = selectors.resident_rows(viewer=request.user, residents=[t.resident for t in shown])
    if any(r.unmasked and r.phone for r in rows):
        disclosure_record(
            acting_user=request.user,
            target=shown[0],
            unit_path=shown[0].resident.community.path,
            note=_("人才库第%(n)d页") % {"n": page.number},
            once_per_day=True,
        )
    return render(
        request,
        "resources/talents.html",
        {
            "page": page,
            "rows": list(zip(shown, rows, strict=True)),
            "q": q,
            "category": category,
            "categories": TalentCategory.choices,
            "can_create": selectors.communities_for_edit(viewer=request.user).exists(),
        },
    )


@login_required
def talent_create(request: AuthedRequest) -> HttpResponse:
    if not selectors.communities_for_edit(viewer=request.user).exists():
        raise Http404
    form = TalentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        resident = (
            selectors.resident_list(viewer=request.user)
            .filter(pk=form.cleaned_data["resident"])
            .first()
        )
        try:
            if resident is None:
                raise ServiceError(_("没有这位居民,或其同意登记已到期"), field="resident")
            services.talent_register(
                resident=resident, values=form.cleaned_data, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已登记"))
            return redirect("resources:talents")
    return render(request, "resources/form.html", {"form": form, "title": _("登记人才")})


@login_required
@require_POST
def activity_advisor(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    raw = request.POST.get("talent", "")
    talent = (
        selectors.talent_list(viewer=request.user).filter(pk=int(raw)).first()
        if raw.isdigit() and len(raw) < 19
        else None
    )
    try:
        if talent is None:
            raise ServiceError(_("人才库中没有这一编号,或其同意联系已到期"))
        services.activity_advisor_name(activity=activity, talent=talent, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("resources:activity", pk=activity.pk)
