"""Pay pages: thin views over the pay selectors and services."""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.access import Permission, has_permission, root_paths
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.listing import Column, Sheet, page_of, xlsx_response
from shegong.core.outcomes import report_outcome
from shegong.core.types import AuthedRequest
from shegong.orgs.models import Unit, UnitKind
from shegong.pay import citywide, config, exports, selectors, services
from shegong.pay.forms import (
    AdjustmentForm,
    FindingsForm,
    GradeAssignForm,
    PerformanceGradeForm,
    PlaceForm,
    RunForm,
    SchemePresetForm,
)
from shegong.pay.models import RunKind
from shegong.people import selectors as people_selectors
from shegong.people.models import YearGrade
from shegong.tasks import runner
from shegong.tasks.models import Job
from shegong.tasks.services import job_start

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
GRADES = dict(YearGrade.choices)
COMPONENTS = [
    "post_pay",
    "grade_pay",
    "seniority_pay",
    "certificate_allowance",
    "dual_role_allowance",
    "performance_pay",
    "other_allowance",
    "award",
]


def _threshold() -> int:
    return int(getattr(settings, "PAY_RUN_BACKGROUND_THRESHOLD", 3000))


# ---------------------------------------------------------------- runs


def payrun_job(job: Job, progress: runner.Progress) -> str:
    """A pay run of a large unit, computed by a worker as the job's owner (scope re-checked)."""
    from shegong.orgs import selectors as org_selectors

    params = job.params
    unit = org_selectors.unit_get(viewer=job.owner, code=params["unit"])
    progress.phase(_("计算工资"), job.total)
    run = services.payrun_create(
        unit=unit,
        period=datetime.date.fromisoformat(params["period"]),
        acting_user=job.owner,
        note=params["note"],
        progress=progress,
    )
    return _("已生成工资批次 #%(pk)s:%(run)s,%(n)s人") % {
        "pk": run.pk,
        "run": run,
        "n": run.headcount,
    }


def _runs_page(
    request: AuthedRequest,
    form: RunForm,
    faults: list[str] | None = None,
    place: dict[str, Any] | None = None,
) -> HttpResponse:
    """The runs and the form; after a refused run, its faults and (`place`) the workers that
    initial placement would fix, with a link to it filled in for the unit and month."""
    runs = Paginator(selectors.run_list(viewer=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # A run covering more than the viewer's units shows the totals of their part only.
    totals = selectors.runs_totals(viewer=request.user, runs=list(runs))
    return render(
        request,
        "pay/runs.html",
        {
            "page": runs,
            "rows": [(run, totals[run.pk]) for run in runs],
            "form": form,
            "faults": faults or [],
            "place": place,
            "can_run": selectors.units_for_runs(viewer=request.user).exists(),
        },
    )


@login_required
def run_list(request: AuthedRequest) -> HttpResponse:
    form = RunForm(units=selectors.units_for_runs(viewer=request.user))
    return _runs_page(request, form)


@login_required
def runs_export(request: AuthedRequest) -> HttpResponse:
    """Every run the viewer sees, with the totals of their part, as the list shows them."""
    runs = list(selectors.run_list(viewer=request.user))
    totals = selectors.runs_totals(viewer=request.user, runs=runs)
    money = [("total_cost", _("总成本")), ("gross", _("应发")), ("net", _("实发"))]
    columns = [
        Column(_("月份"), width=9),
        Column(_("单位"), width=16),
        Column(_("状态"), width=8),
        Column(_("人数"), "int", 7),
        *(Column(label, "money", 15) for _f, label in money),
        Column(_("说明"), width=24),
        Column(_("批次类别"), width=10),
    ]
    rows = [
        [
            f"{run.period:%Y-%m}",
            run.unit.name,
            run.get_status_display(),
            totals[run.pk]["headcount"],
            *(totals[run.pk].get(f, "") for f, _label in money),
            run.note,
            run.get_kind_display(),
        ]
        for run in runs
    ]
    title = _("工资批次")
    return xlsx_response(
        "pay-runs.xlsx", [Sheet(title=title, heading=title, columns=columns, rows=rows)]
    )


@login_required
@require_POST
def run_create(request: AuthedRequest) -> HttpResponse:
    form = RunForm(request.POST, units=selectors.units_for_runs(viewer=request.user))
    if not form.is_valid():
        return _runs_page(request, form)
    unit: Unit = form.cleaned_data["unit"]
    period: datetime.date = form.cleaned_data["period"]
    note = form.cleaned_data["note"]
    if form.cleaned_data.get("kind") == RunKind.AWARDS:
        return _award_run_create(request, form, unit, period, note)
    headcount = selectors.active_headcount(viewer=request.user, unit=unit)
    if headcount > _threshold():
        job = job_start(
            kind="pay_run",
            unit_path=unit.path,
            total=headcount,
            message=_("计算%(unit)s%(month)s的工资")
            % {"unit": unit.name, "month": f"{period:%Y-%m}"},
            work=payrun_job,
            acting_user=request.user,
            params={
                "unit": unit.code,
                "period": period.isoformat(),
                "note": note,
                "title": _("%(unit)s%(month)s的工资批次")
                % {"unit": unit.name, "month": f"{period:%Y-%m}"},
            },
        )
        return redirect("tasks:job", pk=job.pk)
    try:
        run = services.payrun_create(unit=unit, period=period, acting_user=request.user, note=note)
    except services.PayRunExists as exc:  # a double submit: show the run already made
        messages.info(request, exc.message)
        return redirect("pay:run", pk=exc.run.pk)
    except services.PayRunRefused as exc:
        place = (
            {"workers": exc.ungraded, "query": urlencode({"unit": unit.code, "day": period})}
            if exc.ungraded
            else None
        )
        return _runs_page(request, form, faults=exc.faults, place=place)
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return _runs_page(request, form)
    messages.success(request, _("已计算%(run)s的工资,共%(n)s人") % {"run": run, "n": run.headcount})
    return redirect("pay:run", pk=run.pk)


def _award_run_create(
    request: AuthedRequest, form: RunForm, unit: Unit, period: datetime.date, note: str
) -> HttpResponse:
    """A run of awards only (奖励发放): few lines, computed in the request."""
    try:
        run = services.awardrun_create(
            unit=unit, period=period, acting_user=request.user, note=note
        )
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return _runs_page(request, form)
    messages.success(request, _("已生成%(run)s,共%(n)s人") % {"run": run, "n": run.headcount})
    return redirect("pay:run", pk=run.pk)


@login_required
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(viewer=request.user, pk=pk)
    shown = selectors.may_see_run_pay(viewer=request.user, run=run)
    page = Paginator(selectors.run_lines(viewer=request.user, run=run), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if shown and page.object_list:
        services.payslips_disclose(run=run, acting_user=request.user)
    communities = selectors.community_names({line.unit_path for line in page})
    replaced_by = run.corrections.first()
    return render(
        request,
        "pay/run.html",
        {
            "run": run,
            "totals": selectors.run_totals(viewer=request.user, run=run),
            "page": page,
            "shown": shown,
            "rows": [
                (line, communities.get(line.unit_path, ""), GRADES.get(line.performance_grade, "—"))
                for line in page
            ],
            "can_edit": has_permission(request.user, Permission.PAY_COMPUTE, run.unit),
            "can_review": has_permission(request.user, Permission.PAY_REVIEW, run.unit),
            "can_approve": has_permission(request.user, Permission.PAY_APPROVE, run.unit),
            "four_eyes": not settings.SHEGONG_PAY_ONE_PERSON,
            "own_steps": selectors.own_steps(viewer=request.user, run=run),
            "replaced_by": replaced_by,
            "difference": (
                {
                    "gross": run.gross - run.corrects.gross,
                    "net": run.net - run.corrects.net,
                    "total_cost": run.total_cost - run.corrects.total_cost,
                }
                if run.corrects
                else None
            ),
        },
    )


def _act(request: AuthedRequest, pk: int, action: Any, done: str) -> HttpResponse:
    run = selectors.run_get(viewer=request.user, pk=pk)
    report_outcome(request, lambda: action(run=run, acting_user=request.user), done)
    return redirect("pay:run", pk=run.pk)


@login_required
@require_POST
def run_check(request: AuthedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.payrun_check, _("已复核"))


@login_required
def run_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    """审批 asks first: the page shows what the run changes against the month before, and
    only its own form (carrying `confirmed`) approves."""
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        return _act(request, pk, services.payrun_approve, _("已审批,该批次已锁定"))
    run = selectors.run_get(viewer=request.user, pk=pk)
    if request.method == "POST":
        return redirect("pay:run-approve", pk=run.pk)
    amounts = selectors.may_see_run_pay(viewer=request.user, run=run)
    return render(
        request,
        "pay/approve.html",
        {
            "run": run,
            "totals": selectors.run_totals(viewer=request.user, run=run),
            "changes": selectors.run_changes(viewer=request.user, run=run, amounts=amounts)
            if run.kind == RunKind.REGULAR
            else None,
            "amounts": amounts,
            "can_approve": has_permission(request.user, Permission.PAY_APPROVE, run.unit),
        },
    )


@login_required
@require_POST
def run_discard(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(viewer=request.user, pk=pk)
    try:
        services.payrun_discard(run=run, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("pay:run", pk=run.pk)
    messages.success(request, _("已作废该批次"))
    return redirect("pay:runs")


@login_required
@require_POST
def run_correct(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(viewer=request.user, pk=pk)
    try:
        correction = services.payrun_create(
            unit=run.unit,
            period=run.period,
            acting_user=request.user,
            corrects=run,
            note=str(request.POST.get("note", ""))[:200],
        )
    except services.PayRunExists as exc:
        messages.info(request, exc.message)
        return redirect("pay:run", pk=exc.run.pk)
    except services.PayRunRefused as exc:
        for fault in exc.faults[:50]:
            messages.error(request, fault)
        return redirect("pay:run", pk=run.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("pay:run", pk=run.pk)
    messages.success(request, _("已建立更正批次,请复核后审批"))
    return redirect("pay:run", pk=correction.pk)


@login_required
def run_register(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(viewer=request.user, pk=pk)
    content = exports.register_xlsx(viewer=request.user, run=run)
    response = HttpResponse(content, content_type=XLSX)
    name = f"payroll-{run.unit.code}-{run.period:%Y%m}-{run.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def payslip(request: AuthedRequest, pk: int) -> HttpResponse:
    line = selectors.line_get(viewer=request.user, pk=pk)
    shown = selectors.may_see_pay(viewer=request.user, unit_path=line.unit_path)
    if shown:
        services.payslips_disclose(run=line.run, acting_user=request.user, worker=line.worker)
    community = selectors.community_names({line.unit_path}).get(line.unit_path, "")
    return render(
        request,
        "pay/payslip.html",
        {
            "line": line,
            "run": line.run,
            "shown": shown,
            "community": community,
            "grade_label": GRADES.get(line.performance_grade, "—"),
            "contributions": selectors.payslip_contributions(line),
            "components": [
                (selectors.field_label(name), getattr(line, name)) for name in COMPONENTS
            ],
        },
    )


@login_required
def worker_pay(request: AuthedRequest, pk: int) -> HttpResponse:
    """A worker's grades (with who placed them and why) and payslips."""
    worker = people_selectors.worker_get(viewer=request.user, pk=pk)
    shown = selectors.may_see_pay(viewer=request.user, unit_path=worker.unit_path)
    can_edit = has_permission(request.user, Permission.EDIT, worker.community)
    forms_shown: dict[str, Any] = {}
    if can_edit:
        posted = request.POST.get("form") if request.method == "POST" else None
        data = request.POST if request.method == "POST" else None
        forms_shown = {
            "grade": GradeAssignForm(
                data if posted == "grade" else None, tracks=selectors.tracks_for(worker=worker)
            ),
            "adjustment": AdjustmentForm(data if posted == "adjustment" else None),
            "performance": PerformanceGradeForm(data if posted == "performance" else None),
        }
        form = forms_shown.get(posted or "")
        if form is not None and form.is_valid():
            actions: dict[str, Callable[..., Any]] = {
                "grade": services.grade_assign,
                "adjustment": services.adjustment_add,
                "performance": services.performance_grade_set,
            }
            action = actions[posted or ""]
            try:
                action(worker=worker, acting_user=request.user, **form.cleaned_data)
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, _("已保存"))
                return redirect("pay:worker", pk=worker.pk)
    elif request.method == "POST":
        raise Http404
    lines = list(selectors.worker_lines(viewer=request.user, worker=worker)[:36])
    if shown and lines:
        services.payslips_disclose(run=lines[0].run, acting_user=request.user, worker=worker)
    return render(
        request,
        "pay/worker.html",
        {
            "worker": worker,
            "grades": selectors.worker_grades(worker=worker),
            "lines": lines,
            "shown": shown,
            "forms": forms_shown,
            "adjustments": selectors.worker_adjustments(worker=worker),
            "performance": selectors.worker_performance(worker=worker),
        },
    )


# ---------------------------------------------------------------- schemes and settings


def _place_initial(request: AuthedRequest) -> dict[str, Any]:
    """The placement form as a refused run's link fills it (unit, the run's month), else today."""
    initial: dict[str, Any] = {"day": timezone.localdate(), "action": "place"}
    if request.GET.get("unit"):
        initial["unit"] = str(request.GET["unit"])[:12]
    with contextlib.suppress(ValueError):
        initial["day"] = datetime.date.fromisoformat(str(request.GET.get("day", "")))
    return initial


@login_required
def scheme_list(request: AuthedRequest) -> HttpResponse:
    units = selectors.units_for_pay(viewer=request.user)
    return render(
        request,
        "pay/schemes.html",
        {
            "page": page_of(request, selectors.scheme_list(viewer=request.user)),
            "place_form": PlaceForm(units=units, initial=_place_initial(request)),
            "can_edit": units.exists(),
            "can_set": selectors.may_set_pay(viewer=request.user),
        },
    )


@login_required
def scheme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_get(viewer=request.user, pk=pk)
    return render(
        request,
        "pay/scheme.html",
        {
            "scheme": scheme,
            "tracks": selectors.scheme_grid(scheme=scheme),
            "can_set": selectors.units_for_settings(viewer=request.user)
            .filter(pk=scheme.unit_id)
            .exists(),
        },
    )


@login_required
def scheme_create(request: AuthedRequest) -> HttpResponse:
    units = selectors.units_for_settings(viewer=request.user)
    if not units.exists():
        raise Http404
    form = SchemePresetForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            scheme = services.scheme_from_preset(
                preset=form.cleaned_data["preset"],
                unit=form.cleaned_data["unit"],
                effective_from=form.cleaned_data["effective_from"],
                name=form.cleaned_data["name"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(
                request, _("已建立方案%(name)s,可在方案页调整金额") % {"name": scheme.name}
            )
            return redirect("pay:scheme", pk=scheme.pk)
    return render(request, "pay/form.html", {"form": form, "title": _("由模板建立等级方案")})


@login_required
@require_POST
def grades_apply(request: AuthedRequest) -> HttpResponse:
    form = PlaceForm(request.POST, units=selectors.units_for_pay(viewer=request.user))
    if not form.is_valid():
        messages.error(request, _("请选择单位、日期和操作"))
        return redirect("pay:schemes")
    unit, day = form.cleaned_data["unit"], form.cleaned_data["day"]
    try:
        if form.cleaned_data["action"] == "place":
            n = services.grade_place(unit=unit, day=day, acting_user=request.user)
            messages.success(request, _("已为%(n)s人初次定级") % {"n": n})
        else:
            n = services.grade_steps_apply(unit=unit, day=day, acting_user=request.user)
            messages.success(request, _("已为%(n)s人晋档") % {"n": n})
    except services.PayRunRefused as exc:
        for fault in exc.faults[:50]:
            messages.error(request, fault)
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("pay:schemes")


@login_required
def config_export(request: AuthedRequest) -> HttpResponse:
    text = config.export_yaml(viewer=request.user)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="pay-config.yaml"'
    return response


# ---------------------------------------------------------------- findings


def _findings_form(request: AuthedRequest) -> tuple[FindingsForm, Unit | None, int]:
    units = selectors.units_in_scope(viewer=request.user)
    form = FindingsForm(
        request.GET or None, units=units, schemes=selectors.scheme_list(viewer=request.user)
    )
    unit: Unit | None = None
    year = timezone.localdate().year - 1
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        year = form.cleaned_data["year"] or year
    if unit is None:
        roots = root_paths(request.user)
        unit = units.filter(path__in=roots).first() if roots else units.order_by("path").first()
    return form, unit, year


def _benchmark(request: AuthedRequest) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The benchmark page's context and the caliber it lists (`?caliber=`)."""
    form, unit, year = _findings_form(request)
    found = selectors.benchmark(viewer=request.user, unit=unit, year=year) if unit else None
    chosen = None
    if found:
        keys = {c["key"]: c for c in found["calibers"]}
        chosen = keys.get(request.GET.get("caliber", ""), found["calibers"][0])
    query = request.GET.copy()
    for key in ("caliber", "page"):
        query.pop(key, None)
    return {
        "form": form,
        "found": found,
        "unit": unit,
        "year": year,
        "query": query.urlencode(),
        "shown": unit is not None
        and selectors.may_see_pay(viewer=request.user, unit_path=unit.path),
    }, chosen


@login_required
def benchmark(request: AuthedRequest) -> HttpResponse:
    context, chosen = _benchmark(request)
    if chosen is not None:
        context["caliber"] = chosen
        context["page"] = page_of(request, chosen["below"])
    return render(request, "pay/benchmark.html", context)


@login_required
def benchmark_export(request: AuthedRequest) -> HttpResponse:
    """The whole benchmark as .xlsx: per caliber everyone below it and the communities below
    it, masked exactly as the page masks them."""
    context, _chosen = _benchmark(request)
    found, unit = context["found"], context["unit"]
    if not found or unit is None:
        raise Http404
    return xlsx_response(
        f"benchmark-{unit.code}-{context['year']}.xlsx",
        exports.benchmark_sheets(found, shown=context["shown"]),
    )


@login_required
def equal_pay(request: AuthedRequest) -> HttpResponse:
    form, unit, year = _findings_form(request)
    findings = selectors.equal_pay(viewer=request.user, unit=unit, year=year) if unit else []
    return render(
        request,
        "pay/equal.html",
        {"form": form, "findings": findings, "unit": unit, "year": year},
    )


@login_required
def equal_pay_export(request: AuthedRequest) -> HttpResponse:
    """Every group of the equal-pay page with all its people, as the page shows them."""
    _form, unit, year = _findings_form(request)
    if unit is None:
        raise Http404
    findings = selectors.equal_pay(viewer=request.user, unit=unit, year=year)
    columns = [
        Column(_("岗位序列"), width=12),
        Column(_("等级"), "int", 6),
        Column(_("差距(元/年)"), "money", 14),
        Column(_("来源方式"), width=10),
        Column(_("人均应发(元/年)"), "money", 16),
        Column(_("人数"), "int", 6),
        Column(_("人员"), width=60),
    ]
    rows = [
        [
            f["track"],
            f["level"],
            f["gap"],
            str(s["label"]),
            s["mean"],
            s["size"],
            "、".join(w.name for w in s["workers"]),
        ]
        for f in findings
        for s in f["sources"]
    ]
    title = _("%(unit)s %(year)s年 同岗同酬") % {"unit": unit.name, "year": year}
    return xlsx_response(
        f"equal-pay-{unit.code}-{year}.xlsx",
        [Sheet(title=_("同岗同酬"), heading=title, columns=columns, rows=rows)],
    )


@login_required
def budget(request: AuthedRequest) -> HttpResponse:
    form, unit, year = _findings_form(request)
    data = None
    if unit is not None:
        cleaned = form.cleaned_data if form.is_bound and form.is_valid() else {}
        data = selectors.budget(
            viewer=request.user,
            unit=unit,
            year=year,
            raise_to_share=cleaned.get("raise_to"),
            growth=cleaned.get("growth"),
        )
        if cleaned.get("scheme"):
            data["what_if"]["scheme"] = selectors.scheme_change(
                viewer=request.user, unit=unit, scheme=cleaned["scheme"], day=timezone.localdate()
            )
    return render(
        request, "pay/budget.html", {"form": form, "data": data, "unit": unit, "year": year}
    )


# ---------------------------------------------------------------- city-wide runs by street


def _citywide_units(request: AuthedRequest) -> Any:
    """Districts and cities the viewer may run pay for (a city-wide run is queued by street)."""
    return selectors.units_for_runs(viewer=request.user).filter(kind__lte=UnitKind.DISTRICT)


def _citywide_page(request: AuthedRequest, form: RunForm) -> HttpResponse:
    return render(
        request,
        "pay/citywide.html",
        {"form": form, "batches": citywide.citywide_list(viewer=request.user)},
    )


@login_required
def citywide_list(request: AuthedRequest) -> HttpResponse:
    return _citywide_page(request, RunForm(units=_citywide_units(request)))


@login_required
@require_POST
def citywide_start(request: AuthedRequest) -> HttpResponse:
    form = RunForm(request.POST, units=_citywide_units(request))
    if not form.is_valid():
        return _citywide_page(request, form)
    try:
        started = citywide.payrun_citywide_start(
            unit=form.cleaned_data["unit"],
            period=form.cleaned_data["period"],
            acting_user=request.user,
            note=form.cleaned_data["note"],
        )
    except ServiceError as exc:
        form.add_error(None, exc.message)
        return _citywide_page(request, form)
    messages.success(request, _("已按街道排队%(n)s个工资计算任务") % {"n": len(started.jobs)})
    return redirect("pay:citywide", batch=started.batch)


@login_required
def citywide_detail(request: AuthedRequest, batch: uuid.UUID) -> HttpResponse:
    summary = citywide.citywide_get(viewer=request.user, batch=str(batch))
    return render(request, "pay/citywide_run.html", {"summary": summary})


@login_required
def citywide_state(request: AuthedRequest, batch: uuid.UUID) -> JsonResponse:
    summary = citywide.citywide_get(viewer=request.user, batch=str(batch), rows=False)
    return JsonResponse(summary.state())
