"""Appraisal pages: thin views over the appraisal selectors and services.

The staff pages need a login and are scoped; the residents' pages (vote, vote-results) need
no login and show nothing without a valid household code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.appraisal import charts, documents, rules, selectors, services
from shegong.appraisal.forms import (
    RATING_CHOICES,
    WEIGHT_FIELDS,
    CodeForm,
    DecisionForm,
    HouseholdsForm,
    ObjectionForm,
    SchemeEditForm,
    SchemeForm,
    SelfReportForm,
    TenBestForm,
)
from shegong.appraisal.models import (
    GRADE_LABELS,
    Cycle,
    CycleStatus,
    GradeSet,
    IndicatorKind,
    PartKind,
    SurveyStatus,
)
from shegong.core import lists
from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.net import client_address
from shegong.core.outcomes import report_outcome
from shegong.core.params import parse_id
from shegong.core.sheets import SheetError, fold, read_sheet
from shegong.core.types import AuthedRequest
from shegong.people import selectors as people_selectors
from shegong.people.models import YearGrade

HOUSEHOLD_ALIASES = {
    "住户": "household",
    "户": "household",
    "户号": "household",
    "门牌": "household",
    "门牌号": "household",
    "地址": "household",
    "住址": "household",
    "类别": "category",
    "评议人类别": "category",
}


def _grade_labels(cycle: Cycle) -> dict[str, str]:
    return {k: str(v) for k, v in GRADE_LABELS[GradeSet(cycle.scheme.grade_set)].items()}


def _can_manage(user: Any, cycle: Cycle) -> bool:
    return has_permission(user, Permission.EDIT, cycle.scheme.unit)


# ---------------------------------------------------------------- cycles


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "appraisal/index.html",
        {
            "cycles": selectors.cycle_list(viewer=request.user),
            "can_create": selectors.scheme_units(viewer=request.user).exists(),
        },
    )


@login_required
def scheme_create(request: AuthedRequest) -> HttpResponse:
    units = selectors.scheme_units(viewer=request.user)
    form = SchemeForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme = services.scheme_create(
                unit=data["unit"],
                year=data["year"],
                name=data["name"],
                weights=form.weights(),
                values={k: data[k] for k in services.SCHEME_SETTINGS},
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已设立%(name)s") % {"name": scheme.name})
            return redirect("appraisal:cycle", pk=scheme.cycle.pk)
    return render(
        request, "appraisal/scheme_form.html", {"form": form, "has_units": units.exists()}
    )


def _indicator_lines(indicators: Any) -> str:
    lines = []
    for i in indicators:
        line = f"{i.name},{rules.plain_number(i.max_points)}"
        if i.figure_full is not None:
            line += f",{rules.plain_number(i.figure_full)}"
        lines.append(line)
    return "\n".join(lines)


@login_required
def scheme_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    if not _can_manage(request.user, cycle):
        raise Http404
    scheme = cycle.scheme
    parts = {kind: (weight, items) for kind, _label, weight, items in selectors.parts_of(scheme)}
    locked = selectors.scored_parts(cycle=cycle)
    initial: dict[str, Any] = {k: getattr(scheme, k) for k in services.SCHEME_SETTINGS}
    for kind, (weight, items) in parts.items():
        initial[WEIGHT_FIELDS[kind]] = weight
        initial[f"indicators_{kind}"] = _indicator_lines(items)
    form = SchemeEditForm(request.POST or None, initial=initial, parts=parts, locked=locked)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                services.scheme_update(
                    scheme=scheme,
                    weights=form.weights(),
                    values={k: data[k] for k in services.SCHEME_SETTINGS},
                    acting_user=request.user,
                )
                for kind in ("leaders", "peers"):
                    field = f"indicators_{kind}"
                    if field in form.fields and not form.fields[field].disabled:
                        rows = services.parse_indicators(data[field])
                        if data[field].strip() != initial[field]:
                            services.indicators_replace(
                                scheme=scheme, part=kind, items=rows, acting_user=request.user
                            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("考核方案已保存"))
            return redirect("appraisal:cycle", pk=cycle.pk)
    return render(request, "appraisal/scheme_edit.html", {"cycle": cycle, "form": form})


@login_required
def cycle_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    workers = list(selectors.workers_in_cycle(viewer=request.user, cycle=cycle))
    counts = selectors.sheet_counts(viewer=request.user, cycle=cycle)
    reported = selectors.self_reported_ids(cycle=cycle)
    parts = selectors.parts_of(cycle.scheme)
    rows = [
        (
            w,
            counts.get((w.pk, PartKind.LEADERS), 0),
            counts.get((w.pk, PartKind.PEERS), 0),
            w.pk in reported,
        )
        for w in workers
    ]
    return render(
        request,
        "appraisal/cycle.html",
        {
            "cycle": cycle,
            "scheme": cycle.scheme,
            "parts": parts,
            "has_peers": any(kind == PartKind.PEERS for kind, *_rest in parts),
            "turnout": selectors.survey_turnout(viewer=request.user, cycle=cycle),
            "rows": rows,
            "can_manage": _can_manage(request.user, cycle),
            "can_edit": has_permission(request.user, Permission.EDIT),
            "objections": selectors.objection_list(viewer=request.user, cycle=cycle),
            "labels": _grade_labels(cycle),
        },
    )


def _cycle_action(request: AuthedRequest, pk: int, action: Any, done: str) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    report_outcome(request, lambda: action(cycle=cycle, acting_user=request.user), done)
    return redirect("appraisal:cycle", pk=cycle.pk)


@login_required
@require_POST
def cycle_compute(request: AuthedRequest, pk: int) -> HttpResponse:
    return _cycle_action(request, pk, services.results_compute, _("考核结果已计算"))


@login_required
@require_POST
def cycle_reopen(request: AuthedRequest, pk: int) -> HttpResponse:
    return _cycle_action(request, pk, services.results_reopen, _("已重新开放评分"))


@login_required
@require_POST
def cycle_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    return _cycle_action(request, pk, services.results_publish, _("考核结果已公示"))


@login_required
@require_POST
def cycle_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    try:
        scheme = services.scheme_copy_forward(
            scheme=cycle.scheme, year=cycle.scheme.year + 1, acting_user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("appraisal:cycle", pk=cycle.pk)
    messages.success(request, _("已沿用方案设立%(name)s") % {"name": scheme.name})
    return redirect("appraisal:cycle", pk=scheme.cycle.pk)


# ---------------------------------------------------------------- scoring


def _points_from_post(
    request: HttpRequest, worker_id: int, indicator_ids: list[int]
) -> dict[int, str]:
    return {i: fold(request.POST.get(f"p_{worker_id}_{i}")) for i in indicator_ids}


def _score_page(
    request: AuthedRequest, cycle: Cycle, part: str, workers: list[Any], scorer_worker: Any
) -> HttpResponse | None:
    """Save the filled rows of a scoring table, all or none; None when nothing was posted."""
    if request.method != "POST":
        return None
    items = selectors.indicators(cycle=cycle, part=part)
    ids = [i.pk for i in items]
    saved = 0
    try:
        with transaction.atomic():
            for worker in workers:
                points = _points_from_post(request, worker.pk, ids)
                if not any(points.values()):
                    continue
                try:
                    services.score_record(
                        cycle=cycle,
                        worker=worker,
                        part=part,
                        points=points,
                        scorer_worker=scorer_worker,
                        acting_user=request.user,
                    )
                except ServiceError as exc:
                    raise ServiceError(f"{worker.name}:{exc.message}") from None
                saved += 1
    except ServiceError as exc:
        messages.error(request, exc.message)
        return None
    messages.success(request, _("已保存%(n)d人的评分") % {"n": saved})
    return redirect(request.get_full_path())


def _score_table(
    cycle: Cycle,
    part: str,
    workers: list[Any],
    sheets: dict[int, dict[int, Decimal]],
    request: HttpRequest,
) -> list[tuple[Any, list[tuple[Any, str | Decimal]]]]:
    items = selectors.indicators(cycle=cycle, part=part)
    table = []
    for w in workers:
        cells = []
        for i in items:
            posted = request.POST.get(f"p_{w.pk}_{i.pk}") if request.method == "POST" else None
            saved = sheets.get(w.pk, {}).get(i.pk)
            cells.append((i, posted if posted is not None else ("" if saved is None else saved)))
        table.append((w, cells))
    return table


@login_required
def score_leaders(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    if not _can_manage(request.user, cycle):
        raise Http404  # only the scheme unit's leaders score here
    workers = list(selectors.workers_in_cycle(viewer=request.user, cycle=cycle))
    done = _score_page(request, cycle, PartKind.LEADERS, workers, None)
    if done is not None:
        return done
    sheets = selectors.own_sheets(cycle=cycle, part=PartKind.LEADERS, scorer_user=request.user)
    return render(
        request,
        "appraisal/score.html",
        {
            "cycle": cycle,
            "part_label": PartKind.LEADERS.label,
            "indicators": selectors.indicators(cycle=cycle, part=PartKind.LEADERS),
            "table": _score_table(cycle, PartKind.LEADERS, workers, sheets, request),
            "figure": IndicatorKind.FIGURE,
            "locked": cycle.status != CycleStatus.OPEN,
        },
    )


@login_required
def score_peers(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    everyone = list(selectors.workers_in_cycle(viewer=request.user, cycle=cycle))
    scorer = None
    raw = request.GET.get("scorer", "")
    if raw:
        wanted = parse_id(raw)
        scorer = next((w for w in everyone if w.pk == wanted), None)
        if scorer is None:
            raise Http404
    workers = [
        w for w in everyone if scorer and w.community_id == scorer.community_id and w != scorer
    ]
    if scorer is not None:
        done = _score_page(request, cycle, PartKind.PEERS, workers, scorer)
        if done is not None:
            return done
    sheets = (
        selectors.own_sheets(cycle=cycle, part=PartKind.PEERS, scorer_worker=scorer)
        if scorer
        else {}
    )
    return render(
        request,
        "appraisal/score.html",
        {
            "cycle": cycle,
            "part_label": PartKind.PEERS.label,
            "indicators": selectors.indicators(cycle=cycle, part=PartKind.PEERS),
            "table": _score_table(cycle, PartKind.PEERS, workers, sheets, request),
            "figure": IndicatorKind.FIGURE,
            "scorers": everyone,
            "scorer": scorer,
            "locked": cycle.status != CycleStatus.OPEN,
        },
    )


@login_required
def self_report(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    raw = request.GET.get("worker", "")
    if not raw:
        workers = selectors.workers_in_cycle(viewer=request.user, cycle=cycle)
        reported = selectors.self_reported_ids(cycle=cycle)
        return render(
            request,
            "appraisal/self_report.html",
            {"cycle": cycle, "choices": [(w, w.pk in reported) for w in workers]},
        )
    worker_pk = parse_id(raw)
    if worker_pk is None:
        raise Http404
    worker = selectors.worker_in_cycle_get(viewer=request.user, cycle=cycle, pk=worker_pk)
    existing = selectors.self_report_get(cycle=cycle, worker=worker)
    form = SelfReportForm(request.POST or None, initial={"text": existing.text if existing else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.self_report_save(
                cycle=cycle, worker=worker, text=form.cleaned_data["text"], acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已保存%(name)s的述职报告") % {"name": worker.name})
            return redirect("appraisal:cycle", pk=cycle.pk)
    return render(
        request,
        "appraisal/self_report.html",
        {"cycle": cycle, "worker": worker, "form": form, "existing": existing},
    )


# ---------------------------------------------------------------- surveys


@login_required
def survey_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(viewer=request.user, pk=pk)
    turnout = selectors.survey_turnout_of(survey)
    context: dict[str, Any] = {
        "survey": survey,
        "cycle": survey.cycle,
        "turnout": turnout,
        "ballot": selectors.ballot(survey=survey),
        "can_edit": has_permission(request.user, Permission.EDIT, survey.community),
        "vote_url": request.build_absolute_uri(reverse("appraisal:vote")),
    }
    if survey.status == SurveyStatus.CLOSED:
        ratings = selectors.survey_ratings(survey=survey)
        context["ratings"] = ratings
        context["chart"] = charts.satisfaction_svg(ratings)
    return render(request, "appraisal/survey.html", context)


def _survey_action(request: AuthedRequest, pk: int, action: Any, done: str) -> HttpResponse:
    survey = selectors.survey_get(viewer=request.user, pk=pk)
    report_outcome(request, lambda: action(survey=survey, acting_user=request.user), done)
    return redirect("appraisal:survey", pk=survey.pk)


@login_required
@require_POST
def survey_open(request: AuthedRequest, pk: int) -> HttpResponse:
    return _survey_action(request, pk, services.survey_open, _("居民评议已开启"))


@login_required
@require_POST
def survey_close(request: AuthedRequest, pk: int) -> HttpResponse:
    return _survey_action(request, pk, services.survey_close, _("居民评议已结束"))


def _households_from_sheet(upload: Any) -> list[tuple[str, str]]:
    try:
        columns, rows = read_sheet(upload, upload.name, HOUSEHOLD_ALIASES)
    except SheetError as exc:
        raise ServiceError(str(exc), field="sheet") from None
    if "household" not in columns:
        raise ServiceError(_("住户表须有“住户”(或门牌、户号)一列"), field="sheet")
    lines = []
    for row in rows:
        label = fold(row.values.get("household"))
        category = fold(row.values.get("category"))
        lines.append(f"{label},{category}" if category else label)
    return services.parse_households("\n".join(lines))


def _households_posted(form: HouseholdsForm) -> list[tuple[str, str]]:
    upload = form.cleaned_data.get("sheet")
    if upload:
        return _households_from_sheet(upload)
    return services.parse_households(form.cleaned_data["households"])


@login_required
def households(request: AuthedRequest, pk: int) -> HttpResponse:
    """The community's household record (door labels only), bounded by its registered 户数."""
    community = selectors.community_get(viewer=request.user, pk=pk)
    can_edit = has_permission(request.user, Permission.EDIT, community)
    form = HouseholdsForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            try:
                added = services.households_import(
                    community=community, rows=_households_posted(form), acting_user=request.user
                )
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, _("已登记%(n)d户") % {"n": added})
                return redirect("appraisal:households", pk=community.pk)
    rows = selectors.household_list(community=community)
    return render(
        request,
        "appraisal/households.html",
        {
            "community": community,
            "households": rows,
            "count": rows.count(),
            "registered": selectors.registered_households(community=community),
            "form": form,
            "can_edit": can_edit,
            "back": back if (back := request.GET.get("survey", "")).isdigit() else "",
        },
    )


def _notices(
    request: AuthedRequest, survey: Any, issued: list[services.IssuedCode], note: str = ""
) -> HttpResponse:
    base = request.build_absolute_uri(reverse("appraisal:vote"))
    notices = [
        (item, f"{base}?c={item.code}", charts.qr_svg(f"{base}?c={item.code}")) for item in issued
    ]
    response = render(
        request,
        "appraisal/notices.html",
        {"survey": survey, "notices": notices, "vote_url": base, "note": note},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def survey_codes(request: AuthedRequest, pk: int) -> HttpResponse:
    """Issue first codes to households on record before the survey opens (the notices are
    shown once), or ask for codes that another person must approve."""
    survey = selectors.survey_get(viewer=request.user, pk=pk)
    if not has_permission(request.user, Permission.EDIT, survey.community):
        raise Http404
    form = HouseholdsForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            names = [label for label, _category in _households_posted(form)]
            if request.POST.get("action") == "request":
                code_request = services.code_request_create(
                    survey=survey, households=names, acting_user=request.user
                )
            else:
                issued = services.codes_issue(
                    survey=survey, households=names or None, acting_user=request.user
                )
                return _notices(request, survey, issued)
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(
                request,
                _("已提交%(n)d户的补发申请,须由另一位有权限的人员审批后生成评议码")
                % {"n": code_request.count},
            )
            return redirect("appraisal:survey-codes", pk=survey.pk)
    return render(
        request,
        "appraisal/codes_form.html",
        {
            "survey": survey,
            "form": form,
            "pending": selectors.code_requests_pending(survey=survey),
            "on_record": selectors.household_list(community=survey.community).count(),
        },
    )


@login_required
@require_POST
def code_request_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    """The second person approves: old unspent codes of those households are voided, new
    ones are shown once on the notices."""
    code_request = selectors.code_request_get(viewer=request.user, pk=pk)
    survey = code_request.survey
    try:
        done = services.code_request_approve(code_request=code_request, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("appraisal:survey-codes", pk=survey.pk)
    note = _("已审批:为%(n)d户生成新评议码,作废未使用的旧评议码%(voided)d个") % {
        "n": len(done.issued),
        "voided": done.voided,
    }
    return _notices(request, survey, done.issued, note)


# ---------------------------------------------------------------- results and objections


def _result_columns() -> list[lists.Column]:
    return [
        lists.Column(_("排名"), "rank", numeric=True),
        lists.Column(_("姓名"), "name"),
        lists.Column(_("社区"), "community"),
        lists.Column(_("居民评议"), "resident", numeric=True, descending_first=True),
        lists.Column(_("街道考核"), "leader", numeric=True, descending_first=True),
        lists.Column(_("同事互评"), "peer", numeric=True, descending_first=True),
        lists.Column(_("综合得分"), "score", numeric=True, descending_first=True),
        lists.Column(_("等次")),
        lists.Column(_("绩效系数"), numeric=True),
        lists.Column(_("计入晋档")),
        lists.Column(_("聘用建议")),
        lists.Column(_("说明")),
    ]


@login_required
def results(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    sort = lists.chosen_sort(
        request.GET, lists.sort_keys(selectors.RESULT_SORTS), selectors.RESULT_DEFAULT_SORT
    )
    rows = selectors.result_list(viewer=request.user, cycle=cycle, sort=sort)
    labels = _grade_labels(cycle)
    counts = selectors.grade_counts(rows)
    computed = cycle.status != CycleStatus.OPEN and rows.exists()
    return render(
        request,
        "appraisal/results.html",
        {
            "cycle": cycle,
            "rows": lists.page_of(request.GET, rows, default_size=50) if computed else [],
            "headers": lists.headers(request.GET, _result_columns(), sort),
            "labels": labels,
            "counts": [(labels[g], n) for g, n in counts.items()],
            "chart": charts.grade_svg(counts, labels) if any(counts.values()) else "",
            "can_object": cycle.status == CycleStatus.PUBLISHED,
        },
    )


@login_required
def results_xlsx(request: AuthedRequest, pk: int) -> HttpResponse:
    cycle = selectors.cycle_get(viewer=request.user, pk=pk)
    if cycle.status == CycleStatus.OPEN:
        raise Http404
    report = documents.build(viewer=request.user, cycle=cycle)
    response = HttpResponse(
        documents.render(report, "xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(report, "xlsx")}"'
    return response


@login_required
def objection_file(request: AuthedRequest, pk: int) -> HttpResponse:
    result = selectors.result_get(viewer=request.user, pk=pk)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_file(
                result=result, text=form.cleaned_data["text"], acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("异议已提交"))
            return redirect("appraisal:cycle", pk=result.cycle_id)
    return render(
        request,
        "appraisal/objection_form.html",
        {
            "result": result,
            "cycle": result.cycle,
            "form": form,
            "labels": _grade_labels(result.cycle),
        },
    )


@login_required
def objection_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    objection = selectors.objection_get(viewer=request.user, pk=pk)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.objection_decide(
                objection=objection,
                upheld=form.cleaned_data["upheld"],
                decision=form.cleaned_data["decision"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("异议已处理"))
            return redirect("appraisal:cycle", pk=objection.result.cycle_id)
    return render(
        request,
        "appraisal/objection_decide.html",
        {"objection": objection, "cycle": objection.result.cycle, "form": form},
    )


# ---------------------------------------------------------------- residents (no login)


def _ballot_context(survey: Any, code: str, chosen: dict[str, str]) -> dict[str, Any]:
    return {
        "survey": survey,
        "code": code,
        "workers": [(w, chosen.get(str(w.pk), "")) for w in selectors.ballot(survey=survey)],
        "choices": RATING_CHOICES,
    }


def vote(request: HttpRequest) -> HttpResponse:
    """Code → ballot → thanks. The code travels in the link of the QR code (?c=) or is typed."""
    address = client_address(request)
    code = fold(request.POST.get("code") if request.method == "POST" else request.GET.get("c"))
    form = CodeForm({"code": code} if code else None)
    if not code:
        return render(request, "appraisal/public/code.html", {"form": CodeForm()})
    try:
        if request.method == "POST" and "cast" in request.POST:
            chosen = {key[2:]: request.POST[key] for key in request.POST if key.startswith("r_")}
            ratings = {int(k): v for k, v in chosen.items() if k.isdigit()}
            try:
                survey_id = services.vote_cast(code=code, ratings=ratings, address=address)
            except services.VoteRefused as exc:
                if exc.counts:
                    raise
                survey = services.vote_check(code=code, address=address)
                context = _ballot_context(survey, code, chosen)
                context["error"] = exc.message
                return render(request, "appraisal/public/ballot.html", context, status=400)
            return render(
                request,
                "appraisal/public/thanks.html",
                {"survey": selectors.survey_of_vote(pk=survey_id)},
            )
        survey = services.vote_check(code=code, address=address)
    except services.VoteThrottled as exc:
        return render(
            request, "appraisal/public/code.html", {"form": form, "error": exc.message}, status=429
        )
    except services.VoteRefused as exc:
        return render(
            request, "appraisal/public/code.html", {"form": form, "error": exc.message}, status=400
        )
    return render(request, "appraisal/public/ballot.html", _ballot_context(survey, code, {}))


def vote_results(request: HttpRequest) -> HttpResponse:
    """The survey's results for a household holding one of its codes, once it has closed."""
    code = fold(request.GET.get("c"))
    form = CodeForm({"code": code} if code else None)
    if not code:
        return render(request, "appraisal/public/code.html", {"form": CodeForm(), "results": True})
    try:
        survey = services.survey_for_code(code=code, address=client_address(request))
    except (services.VoteThrottled, services.VoteRefused) as exc:
        status = 429 if isinstance(exc, services.VoteThrottled) else 400
        return render(
            request,
            "appraisal/public/code.html",
            {"form": form, "error": exc.message, "results": True},
            status=status,
        )
    context: dict[str, Any] = {"survey": survey, "closed": survey.status == SurveyStatus.CLOSED}
    if context["closed"]:
        ratings = selectors.survey_ratings(survey=survey)
        context["ratings"] = ratings
        context["chart"] = charts.satisfaction_svg(ratings, width=360)
        context["turnout"] = selectors.survey_turnout_of(survey)
    return render(request, "appraisal/public/results.html", context)


@login_required
def worker_results(request: AuthedRequest, pk: int) -> HttpResponse:
    """A worker's appraisal results by year (the worker page links here)."""
    worker = people_selectors.worker_get(viewer=request.user, pk=pk)
    rows = [
        {
            "result": r,
            "grade": _grade_labels(r.cycle).get(r.grade, r.grade),
            "objections": list(r.objections.all()),
        }
        for r in selectors.worker_results(viewer=request.user, worker=worker)
    ]
    return render(request, "appraisal/worker.html", {"worker": worker, "rows": rows})


# ---------------------------------------------------------------- a district's appraisals together


@login_required
def district(request: AuthedRequest) -> HttpResponse:
    """Every street's appraisal of a year side by side, for the district (or city) chosen."""
    unit = selectors.overview_unit(viewer=request.user, code=request.GET.get("unit") or None)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year - 1)
    except ValueError:
        raise Http404 from None
    overview = selectors.district_overview(viewer=request.user, unit=unit, year=year)
    labels = dict(YearGrade.choices)
    total = overview.total
    return render(
        request,
        "appraisal/district.html",
        {
            "overview": overview,
            "units": selectors.overview_units(viewer=request.user),
            "grades": [(g, labels[g]) for g in total.grades],
            "columns": [*overview.columns, total] if overview.columns else [],
            "chart": charts.grade_svg(total.grades, {g: str(label) for g, label in labels.items()})
            if total.workers
            else "",
        },
    )


# ---------------------------------------------------------------- 十佳 on its own cycle


@login_required
def ten_best(request: AuthedRequest) -> HttpResponse:
    """The 十佳 elections in scope, and a new one (a street's or district's, every two years
    by default)."""
    units = selectors.scheme_units(viewer=request.user)
    form = TenBestForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.ten_best_create(acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已设立%(name)s") % {"name": election.name})
            return redirect("appraisal:ten-best-detail", pk=election.pk)
    return render(
        request,
        "appraisal/ten_best.html",
        {
            "elections": selectors.ten_best_list(viewer=request.user),
            "form": form if units.exists() else None,
        },
    )


@login_required
def ten_best_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """An election's list; its organiser draws it from the period's results and publishes it."""
    election = selectors.ten_best_get(viewer=request.user, pk=pk)
    can_edit = has_permission(request.user, Permission.EDIT, election.unit)
    if request.method == "POST":
        step = {"draw": services.ten_best_draw, "publish": services.ten_best_publish}.get(
            request.POST.get("step", "")
        )
        if step is None or not can_edit:
            raise Http404
        try:
            step(election=election, acting_user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存"))
        return redirect("appraisal:ten-best-detail", pk=election.pk)
    return render(
        request,
        "appraisal/ten_best_detail.html",
        {
            "election": election,
            "members": selectors.ten_best_members(election=election),
            "can_edit": can_edit,
        },
    )
