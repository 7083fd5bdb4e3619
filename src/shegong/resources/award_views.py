"""以奖代补 pages: the district's schemes, a scheme's proposal with every input and the
formula per team or community (and as .xlsx), adjustments, approval; the street's rating of
a held activity. Thin views over award_selectors and services.awards."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.access import Permission, has_permission
from shegong.core.actors import is_system_actor
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.listing import Column, Sheet, xlsx_response
from shegong.core.params import year_or
from shegong.core.types import AuthedRequest
from shegong.orgs.selectors import unit_get, unit_roots
from shegong.resources import award_rules, award_selectors, selectors, services
from shegong.resources.award_forms import AdjustForm, RatingForm, SchemeForm
from shegong.resources.models import AwardScheme, SchemeStatus
from shegong.resources.services.awards import SCHEME_FIELDS


def _year(request: AuthedRequest) -> int:
    return year_or(request.GET.get("year"), timezone.localdate().year) or timezone.localdate().year


@login_required
def awards(request: AuthedRequest) -> HttpResponse:
    """The schemes of the viewer's districts for a year, newest version first."""
    code = request.GET.get("unit", "")
    unit = (
        unit_get(viewer=request.user, code=code)
        if code
        else unit_roots(viewer=request.user).order_by("path").first()
    )
    year = _year(request)
    schemes = award_selectors.scheme_list(viewer=request.user, unit=unit, year=year)
    return render(
        request,
        "resources/awards.html",
        {
            "unit": unit,
            "year": year,
            "schemes": schemes,
            "can_create": award_selectors.districts_for_awards(viewer=request.user).exists(),
            "summary": None
            if unit is None
            else award_selectors.awards_summary(viewer=request.user, unit=unit, year=year),
        },
    )


@login_required
def scheme_create(request: AuthedRequest) -> HttpResponse:
    units = award_selectors.districts_for_awards(viewer=request.user)
    if not units.exists():
        raise Http404
    initial = {"year": timezone.localdate().year, "district": units.first()}
    form = SchemeForm(request.POST or None, units=units, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            scheme = services.scheme_create(
                district=data.pop("district"),
                year=data.pop("year"),
                subject=data.pop("subject"),
                values=data,
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            return redirect("resources:award-scheme", pk=scheme.pk)
    return render(request, "resources/form.html", {"form": form, "title": _("设置以奖代补方案")})


def _initial(scheme: AwardScheme) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(scheme, name) for name in SCHEME_FIELDS}
    values["tiers"] = "\n".join(f"{t['points']}={t['amount']}" for t in scheme.tiers)
    return values


@login_required
def scheme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = award_selectors.scheme_get(viewer=request.user, pk=pk)
    form = SchemeForm(request.POST or None, initial=_initial(scheme))
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(
                scheme=scheme, values=form.cleaned_data, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            return redirect("resources:award-scheme", pk=scheme.pk)
    return render(request, "resources/form.html", {"form": form, "title": str(scheme)})


def _may_approve(request: AuthedRequest, scheme: AwardScheme) -> bool:
    if scheme.status != SchemeStatus.PROPOSED:
        return False
    if not has_permission(request.user, Permission.AWARD_APPROVE, scheme.district):
        return False
    one = settings.SHEGONG_AWARDS_ONE_PERSON or is_system_actor(request.user)
    return one or scheme.proposed_by_id != request.user.pk


@login_required
def scheme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = award_selectors.scheme_get(viewer=request.user, pk=pk)
    rows = award_selectors.award_rows(viewer=request.user, scheme=scheme)
    may_set = has_permission(request.user, Permission.EDIT, scheme.district)
    may_adjust = scheme.status == SchemeStatus.PROPOSED and has_permission(
        request.user, Permission.AWARD_APPROVE, scheme.district
    )
    return render(
        request,
        "resources/award_scheme.html",
        {
            "scheme": scheme,
            "rows": rows,
            "totals": award_selectors.scheme_totals(scheme, rows),
            "labels": award_rules.factor_labels(),
            "factors": [
                (label, getattr(scheme, f"{name}_weight"), getattr(scheme, f"{name}_cap"))
                for name, label in award_rules.factor_labels().items()
            ],
            "may_edit": may_set and scheme.status == SchemeStatus.DRAFT,
            "may_propose": may_set and scheme.status in (SchemeStatus.DRAFT, SchemeStatus.PROPOSED),
            "may_version": may_set and scheme.status != SchemeStatus.APPROVED,
            "may_adjust": may_adjust,
            "may_approve": _may_approve(request, scheme),
            "adjust_form": AdjustForm(),
        },
    )


def _act(request: AuthedRequest, pk: int, act: Any, done: str) -> HttpResponse:
    scheme = award_selectors.scheme_get(viewer=request.user, pk=pk)
    try:
        result = act(scheme=scheme, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("resources:award-scheme", pk=scheme.pk)
    messages.success(request, done)
    return redirect("resources:award-scheme", pk=result.pk)


@login_required
@require_POST
def scheme_propose(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.awards_propose, _("已按记录测算奖励"))


@login_required
@require_POST
def scheme_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.awards_approve, _("已审批,奖励已计入社区经费(以奖代补)"))


@login_required
@require_POST
def scheme_version(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.scheme_new_version, _("已另设新版本(草稿),原方案作废"))


@login_required
@require_POST
def award_adjust(request: AuthedRequest, pk: int) -> HttpResponse:
    award = award_selectors.award_get(viewer=request.user, pk=pk)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("resources:award-scheme", pk=award.scheme_id)
    try:
        services.award_adjust(
            award=award,
            amount=form.cleaned_data["amount"],
            reason=form.cleaned_data["reason"],
            acting_user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已调整"))
    return redirect("resources:award-scheme", pk=award.scheme_id)


EXPORT_COLUMNS = [
    Column(_("队伍/社区"), width=28),
    Column(_("社区"), width=16),
    Column(_("成员(人)"), "int", 9),
    Column(_("活动(场)"), "int", 9),
    Column(_("参与(人次)"), "int", 10),
    Column(_("评分次数"), "int", 9),
    Column(_("平均质量评分"), "factor", 10),
    Column(_("获奖(项)"), "int", 9),
    Column(_("计算过程"), width=70),
    Column(_("得分"), "factor", 9),
    Column(_("符合条件"), width=9),
    Column(_("未达条件"), width=30),
    Column(_("测算金额(元)"), "money", 14),
    Column(_("奖励金额(元)"), "money", 14),
    Column(_("调整理由"), width=30),
]


@login_required
def scheme_export(request: AuthedRequest, pk: int) -> HttpResponse:
    """The proposal as the page shows it: every input, the formula, points and amounts."""
    scheme = award_selectors.scheme_get(viewer=request.user, pk=pk)
    rows = award_selectors.award_rows(viewer=request.user, scheme=scheme)
    body = [
        [
            r.name,
            r.award.community.name,
            r.award.members,
            r.award.activities,
            r.award.participants,
            r.award.ratings,
            r.award.quality,
            r.award.awards_won,
            r.formula,
            r.award.points,
            _("是") if r.award.eligible else _("否"),
            r.award.shortfall,
            r.award.proposed_amount,
            r.award.amount,
            r.award.adjust_reason,
        ]
        for r in rows
    ]
    heading = _("%(district)s%(year)d年以奖代补(%(subject)s,第%(v)d版,%(status)s)") % {
        "district": scheme.district.name,
        "year": scheme.year,
        "subject": scheme.get_subject_display(),
        "v": scheme.version,
        "status": scheme.get_status_display(),
    }
    name = f"awards-{scheme.district.code}-{scheme.year}-{scheme.subject}-v{scheme.version}.xlsx"
    return xlsx_response(name, [Sheet(_("以奖代补"), heading, EXPORT_COLUMNS, body)])


@login_required
@require_POST
def activity_rate(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(viewer=request.user, pk=pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择1至5分"))
        return redirect("resources:activity", pk=activity.pk)
    try:
        services.activity_rate(
            activity=activity,
            score=form.cleaned_data["score"],
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已评分"))
    return redirect("resources:activity", pk=activity.pk)
