"""Pay settings on the web (the pay office's pages): the lists of versions, a new version of
the rates, the average wage, the pay policy or a grade scheme's amounts from a month, and the
lists as .xlsx. Thin: the services validate, check the permission and audit."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shegong.core.errors import ServiceError
from shegong.core.listing import Column, Sheet, page_of, shown, xlsx_response
from shegong.core.types import AuthedRequest
from shegong.orgs.models import Unit
from shegong.pay import selectors, services
from shegong.pay.errors import SettingsInvalid
from shegong.pay.forms_settings import (
    PolicyForm,
    RatesForm,
    SchemeReviseForm,
    SettingForm,
    WageForm,
)
from shegong.pay.rules import first_of_month
from shegong.pay.selectors.in_force import settings_in_force


def _next_month() -> datetime.date:
    today = timezone.localdate()
    return (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _show_faults(form: Any, exc: ServiceError) -> None:
    faults = exc.faults if isinstance(exc, SettingsInvalid) else [(exc.field or "", exc.message)]
    for name, reason in faults:
        name = "month" if name == "effective_from" else name
        form.add_error(name if name in form.fields else None, reason)


# ---------------------------------------------------------------- lists


KINDS: dict[str, Any] = {
    "wages": _lazy("职工平均工资与待遇标准"),
    "rates": _lazy("社保公积金费率"),
    "policies": _lazy("薪酬构成"),
}
RATE_COLUMNS = [
    ("pension_employer", _lazy("养老 单位")),
    ("pension_personal", _lazy("养老 个人")),
    ("medical_employer", _lazy("医疗 单位")),
    ("medical_personal", _lazy("医疗 个人")),
    ("unemployment_employer", _lazy("失业 单位")),
    ("unemployment_personal", _lazy("失业 个人")),
    ("injury_employer", _lazy("工伤 单位")),
    ("maternity_employer", _lazy("生育 单位")),
    ("housing_fund_employer", _lazy("公积金 单位")),
    ("housing_fund_personal", _lazy("公积金 个人")),
    ("base_floor_share", _lazy("基数下限")),
    ("base_ceiling_share", _lazy("基数上限")),
]
POLICY_COLUMNS = [
    ("performance_share", _lazy("绩效占比"), "rate"),
    ("factor_excellent", _lazy("优秀系数"), "factor"),
    ("factor_good", _lazy("良好系数"), "factor"),
    ("factor_pass", _lazy("合格系数"), "factor"),
    ("factor_fail", _lazy("不合格系数"), "factor"),
    ("seniority_per_year", _lazy("工龄工资/年"), "money"),
    ("seniority_cap_years", _lazy("封顶年限"), "int"),
    ("certificate_assistant", _lazy("助理社工师津贴"), "money"),
    ("certificate_social_worker", _lazy("社工师津贴"), "money"),
    ("certificate_senior", _lazy("高级社工师津贴"), "money"),
    ("dual_role_allowance", _lazy("一肩挑津贴"), "money"),
    ("other_allowance", _lazy("其他津贴"), "money"),
    ("certificate_start_months", _lazy("津贴起发(取得后第几月)"), "int"),
    ("get_awards_paid_display", _lazy("奖励发放方式"), "text"),
]


def _policy_value(policy: Any, name: str) -> Any:
    value = getattr(policy, name)
    return str(value()) if callable(value) else value


def _kind(request: AuthedRequest) -> str:
    show = request.GET.get("show", "wages")
    return show if show in KINDS else "wages"


def _table(kind: str, rows: Any) -> tuple[list[Column], list[list[Any]]]:
    """The columns and rows of one list, as the page and the export show them."""
    head = [Column(_("单位"), width=16), Column(_("生效日期"), "date")]
    if kind == "wages":
        columns = [
            *head,
            Column(_("平均工资(元/年)"), "money", 16),
            Column(_("待遇标准(占平均工资)"), "rate"),
        ]
        body = [[w.unit.name, w.effective_from, w.amount, w.benchmark_share] for w in rows]
    elif kind == "rates":
        columns = [*head, *(Column(str(label), "rate") for _n, label in RATE_COLUMNS)]
        body = [
            [r.unit.name, r.effective_from, *(getattr(r, n) for n, _l in RATE_COLUMNS)]
            for r in rows
        ]
    else:
        columns = [*head, *(Column(str(label), k) for _n, label, k in POLICY_COLUMNS)]
        body = [
            [p.unit.name, p.effective_from, *(_policy_value(p, n) for n, _l, _k in POLICY_COLUMNS)]
            for p in rows
        ]
    return columns, body


@login_required
def settings_view(request: AuthedRequest) -> HttpResponse:
    kind = _kind(request)
    page = page_of(request, selectors.settings_list(viewer=request.user)[kind])
    columns, body = _table(kind, page.object_list)
    base = {"wages": "pay:wage-new", "rates": "pay:rates-new", "policies": "pay:policy-new"}[kind]
    links = [
        f"{reverse(base)}?unit={row.unit.code}&month={row.effective_from:%Y-%m}"
        for row in page.object_list
    ]
    return render(
        request,
        "pay/settings.html",
        {
            "kinds": KINDS.items(),
            "kind": kind,
            "title": KINDS[kind],
            "page": page,
            "columns": columns,
            "rows": [
                ([shown(v, c.kind) for v, c in zip(row, columns, strict=True)], link)
                for row, link in zip(body, links, strict=True)
            ],
            "can_set": selectors.may_set_pay(viewer=request.user),
        },
    )


@login_required
def settings_export(request: AuthedRequest) -> HttpResponse:
    kind = _kind(request)
    columns, body = _table(kind, selectors.settings_list(viewer=request.user)[kind])
    title = str(KINDS[kind])
    return xlsx_response(
        f"pay-{kind}.xlsx", [Sheet(title=title, heading=title, columns=columns, rows=body)]
    )


# ---------------------------------------------------------------- a new version


def _prefill(
    kind: str, unit: Unit, day: datetime.date, form_class: type[SettingForm]
) -> dict[str, Any]:
    """The values in force for `unit` on `day`, to start the new version from (rates and
    the average wage of a year not set yet: those of the year before)."""
    row: Any = None
    for when in (day, datetime.date(day.year - 1, 12, 1)):
        found = settings_in_force([unit.path], when)[unit.path]
        row = {"rates": found.rates, "wage": found.wage, "policy": found.policy}[kind]
        if row is not None:
            break
    initial: dict[str, Any] = {"unit": unit.code, "month": f"{day:%Y-%m}"}
    if row is not None:
        for name in form_class.base_fields:
            if name not in initial and hasattr(row, name):
                initial[name] = getattr(row, name)
    return initial


SETTING_FORMS: dict[str, tuple[type[SettingForm], Callable[..., Any], Any]] = {
    "rates": (RatesForm, services.rates_set, _lazy("新的社保公积金费率")),
    "wage": (WageForm, services.average_wage_set, _lazy("新的职工平均工资")),
    "policy": (PolicyForm, services.policy_set, _lazy("新的薪酬构成")),
}
SHOW = {"rates": "rates", "wage": "wages", "policy": "policies"}


def _save(kind: str, form: SettingForm, acting_user: Any) -> None:
    service = SETTING_FORMS[kind][1]
    unit, day = form.cleaned_data["unit"], form.cleaned_data["month"]
    values = form.values()
    if kind == "wage":
        service(unit=unit, effective_from=day, acting_user=acting_user, **values)
    else:
        service(unit=unit, effective_from=day, values=values, acting_user=acting_user)


def _setting_new(request: AuthedRequest, kind: str) -> HttpResponse:
    units = selectors.units_for_settings(viewer=request.user)
    if not units.exists():
        raise Http404
    form_class, _service, title = SETTING_FORMS[kind]
    if request.method == "POST":
        form = form_class(request.POST, units=units)
        if form.is_valid():
            try:
                _save(kind, form, request.user)
            except ServiceError as exc:
                _show_faults(form, exc)
            else:
                messages.success(
                    request,
                    _("已保存,自 %(month)s 起生效;之前的月份仍按原设置")
                    % {"month": f"{form.cleaned_data['month']:%Y-%m}"},
                )
                return redirect(f"{_settings_url()}?show={SHOW[kind]}")
    else:
        unit = units.filter(code=request.GET.get("unit", "")).first() or units.first()
        assert unit is not None
        day = _month(request.GET.get("month")) or _next_month()
        form = form_class(initial=_prefill(kind, unit, day, form_class), units=units)
    return render(
        request,
        "pay/setting_form.html",
        {"form": form, "title": title, "kind": kind, "back": SHOW[kind]},
    )


def _settings_url() -> str:
    return reverse("pay:settings")


def _month(text: str | None) -> datetime.date | None:
    try:
        return first_of_month(datetime.date.fromisoformat(f"{text}-01")) if text else None
    except ValueError:
        return None


@login_required
def rates_new(request: AuthedRequest) -> HttpResponse:
    return _setting_new(request, "rates")


@login_required
def wage_new(request: AuthedRequest) -> HttpResponse:
    return _setting_new(request, "wage")


@login_required
def policy_new(request: AuthedRequest) -> HttpResponse:
    return _setting_new(request, "policy")


@login_required
def scheme_revise(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_get(viewer=request.user, pk=pk)
    if not selectors.units_for_settings(viewer=request.user).filter(pk=scheme.unit_id).exists():
        # Seen but not theirs to change: say who can, rather than a form they cannot send.
        return render(request, "pay/scheme_revise.html", {"scheme": scheme, "refused": True})
    data = request.POST if request.method == "POST" else None
    form = SchemeReviseForm(data, scheme=scheme, initial={"month": f"{_next_month():%Y-%m}"})
    if data is not None and form.is_valid():
        try:
            new = services.scheme_revise(
                scheme=scheme,
                effective_from=form.cleaned_data["month"],
                base_amount=form.cleaned_data["base_amount"],
                name=form.cleaned_data["name"],
                step_years=form.cleaned_data["step_years"],
                post_pays=form.post_pays(),
                cells=form.cells(),
                acting_user=request.user,
            )
        except ServiceError as exc:
            _show_faults(form, exc)
        else:
            messages.success(
                request,
                _("已建立%(scheme)s,原定级人员的等级档次延续到新版本") % {"scheme": new},
            )
            return redirect("pay:scheme", pk=new.pk)
    grid = [
        (track, form[post], [(form.fields[name].label, form[name]) for name, _p in cells])
        for track, post, cells in form.grid
    ]
    return render(
        request,
        "pay/scheme_revise.html",
        {
            "form": form,
            "scheme": scheme,
            "grid": grid,
            "head_fields": [form["name"], form["step_years"]],
        },
    )
