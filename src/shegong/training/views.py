"""Training pages: thin views over the training selectors and services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core import lists
from shegong.core.access import Permission, has_permission
from shegong.core.charts import Bar, bars_svg
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.params import year_or
from shegong.core.types import AuthedRequest
from shegong.orgs.models import Unit
from shegong.orgs.selectors import unit_get, unit_list, unit_roots
from shegong.people import selectors as people_selectors
from shegong.training import exports, rules, selectors, services
from shegong.training.forms import (
    AttendanceDayForm,
    AwardRuleForm,
    CourseForm,
    ExamRegisterForm,
    ExamResultForm,
    PaidForm,
    RequirementForm,
    ReturnForm,
    SecondmentForm,
    period_from,
)
from shegong.training.models import EXAM_LEVELS, Course, CourseKind

PAGE_SIZE = 30
CANDIDATE_LIMIT = 200


def _year(request: AuthedRequest) -> int:
    today = timezone.localdate()
    year = year_or(request.GET.get("year"), today.year)
    return year if year is not None and year <= today.year + 1 else today.year


def _unit(request: AuthedRequest) -> Unit | None:
    """The unit asked for (404 when missing or out of scope), else the viewer's first root."""
    code = request.GET.get("unit", "")
    if code:
        return unit_get(viewer=request.user, code=code)
    return unit_roots(viewer=request.user).order_by("path").first()


def _may_organise(request: AuthedRequest, course: Course) -> bool:
    return has_permission(request.user, Permission.EDIT, course.organiser)


# ---------------------------------------------------------------- courses


@login_required
def course_list(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    kind = request.GET.get("kind", "")
    sort = lists.chosen_sort(
        request.GET, lists.sort_keys(selectors.COURSE_SORTS), selectors.COURSE_DEFAULT_SORT
    )
    courses = selectors.course_list(
        viewer=request.user, year=year, kind=kind, q=request.GET.get("q", "").strip(), sort=sort
    )
    page = lists.page_of(request.GET, courses, default_size=PAGE_SIZE)
    return render(
        request,
        "training/list.html",
        {
            "page": page,
            "year": year,
            "kind": kind,
            "q": request.GET.get("q", ""),
            "kinds": CourseKind.choices,
            "headers": lists.headers(
                request.GET,
                [
                    lists.Column(_("名称"), "title"),
                    lists.Column(_("类别"), "kind"),
                    lists.Column(_("主办单位"), "organiser"),
                    lists.Column(_("日期"), "start", descending_first=True),
                    lists.Column(_("天数"), numeric=True),
                    lists.Column(_("报名/名额"), "enrolled", numeric=True, descending_first=True),
                    lists.Column(""),
                ],
                sort,
            ),
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
            "can_create": selectors.organisers_for_edit(viewer=request.user).exists(),
        },
    )


def _course_form_values(form: CourseForm) -> tuple[Unit, dict[str, Any], Any]:
    data = dict(form.cleaned_data)
    return data.pop("organiser"), data, data.pop("target_posts")


@login_required
def course_create(request: AuthedRequest) -> HttpResponse:
    organisers = selectors.organisers_for_edit(viewer=request.user)
    if not organisers.exists():
        raise Http404
    form = CourseForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        organiser, values, posts = _course_form_values(form)
        try:
            course = services.course_create(
                organiser=organiser, values=values, target_posts=posts, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已登记培训班%(title)s") % {"title": course.title})
            return redirect("training:detail", pk=course.pk)
    return render(request, "training/form.html", {"form": form, "title": _("登记培训班")})


@login_required
def course_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(viewer=request.user, pk=pk)
    if not _may_organise(request, course):
        raise Http404
    initial = {name: getattr(course, name) for name in services.COURSE_FIELDS}
    initial["organiser"] = course.organiser
    initial["target_posts"] = list(course.target_posts.all())
    organisers = unit_list(viewer=request.user).filter(pk=course.organiser_id)
    form = CourseForm(request.POST or None, initial=initial, organisers=organisers)
    form.fields["organiser"].disabled = True
    if request.method == "POST" and form.is_valid():
        _organiser, values, posts = _course_form_values(form)
        try:
            services.course_update(
                course=course, values=values, target_posts=posts, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("training:detail", pk=course.pk)
    return render(
        request,
        "training/form.html",
        {"form": form, "course": course, "title": _("修改%(title)s") % {"title": course.title}},
    )


def _candidates(request: AuthedRequest, course: Course, data: Any) -> Any:
    """Workers matching the enrol filter (unit, post, name) that the viewer may enrol."""
    filters = people_selectors.WorkerFilters.from_mapping(
        {"unit": data.get("unit", ""), "post": data.get("post", ""), "q": data.get("q", "")}
    )
    workers = people_selectors.worker_list(viewer=request.user, filters=filters)
    return selectors.enrollable_workers(viewer=request.user, course=course, workers=workers)


@login_required
def course_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(viewer=request.user, pk=pk)
    enrolments = selectors.enrolment_list(viewer=request.user, course=course)
    searching = any(request.GET.get(k) for k in ("unit", "post", "q"))
    candidates = _candidates(request, course, request.GET) if searching else None
    may_enrol = has_permission(request.user, Permission.EDIT) and (
        _may_organise(request, course)
        or selectors.enrollable_workers(viewer=request.user, course=course).exists()
    )
    today = timezone.localdate()
    return render(
        request,
        "training/detail.html",
        {
            "course": course,
            "enrolments": enrolments,
            "may_organise": _may_organise(request, course),
            "may_enrol": may_enrol,
            "candidates": candidates[:CANDIDATE_LIMIT] if candidates is not None else None,
            "candidate_count": candidates.count() if candidates is not None else 0,
            "candidate_limit": CANDIDATE_LIMIT,
            "query": {k: request.GET.get(k, "") for k in ("unit", "post", "q")},
            "units": people_selectors.units_for_filter(viewer=request.user).filter(
                path__startswith=course.organiser.path
            ),
            "posts": people_selectors.post_types(),
            "sign_in_day": min(max(today, course.start), course.end),
            "awarded": selectors.course_awarded(viewer=request.user, course=course),
            "can_sign_in": course.start <= today,
        },
    )


@login_required
@require_POST
def enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    """Enrol the ticked workers, or everyone matching the filter (by unit, post, name)."""
    course = selectors.course_get(viewer=request.user, pk=pk)
    if not has_permission(request.user, Permission.EDIT):
        raise Http404
    candidates = _candidates(request, course, request.POST)
    ticked = [v for v in request.POST.getlist("worker") if v.isdigit()]
    if request.POST.get("mode") != "all":
        candidates = candidates.filter(pk__in=ticked)
    # Workers already enrolled are not candidates; those out of reach are refused by name.
    chosen = list(candidates)
    if request.POST.get("mode") != "all" and len(chosen) < len(set(ticked)):
        others = people_selectors.worker_list(viewer=request.user).filter(pk__in=ticked)
        chosen += [w for w in others if w.pk not in {c.pk for c in chosen}]
    try:
        created = services.enrolments_add(course=course, workers=chosen, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已报名%(n)s人") % {"n": len(created)})
    return redirect("training:detail", pk=course.pk)


@login_required
@require_POST
def withdraw(request: AuthedRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    course = selectors.course_get(viewer=request.user, pk=pk)
    enrolment = selectors.enrolment_get(viewer=request.user, course=course, pk=enrolment_pk)
    try:
        services.enrolment_withdraw(enrolment=enrolment, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已退报%(name)s") % {"name": enrolment.worker.name})
    return redirect("training:detail", pk=course.pk)


@login_required
def sign_in(request: AuthedRequest, pk: int) -> HttpResponse:
    """The clerk's phone page: pick a day, tick who is here, save."""
    course = selectors.course_get(viewer=request.user, pk=pk)
    form = AttendanceDayForm(request.POST or request.GET or None)
    day = form.cleaned_data["day"] if form.is_valid() else None
    today = timezone.localdate()
    # No day, or one outside the course: the course day nearest to it (today by default).
    day = min(max(day or today, course.start), course.end)
    rows = selectors.sign_in_rows(viewer=request.user, course=course, day=day)
    if request.method == "POST":
        try:
            added, removed = services.attendance_mark(
                course=course,
                day=form.cleaned_data.get("day") if form.is_valid() else None,
                present=[int(v) for v in request.POST.getlist("present") if v.isdigit()],
                scope=[int(v) for v in request.POST.getlist("shown") if v.isdigit()],
                acting_user=request.user,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(day)s签到已保存:新增%(added)s人,取消%(removed)s人")
                % {"day": day, "added": added, "removed": removed},
            )
            return redirect(f"{request.path}?day={day.isoformat()}")
    return render(
        request,
        "training/sign_in.html",
        {
            "course": course,
            "day": day,
            "days": rules.course_days(course.start, course.end),
            "rows": rows,
            "present_count": sum(1 for r in rows if getattr(r, "present", False)),
            "is_future": day > today,
        },
    )


@login_required
def sign_in_sheet(request: AuthedRequest, pk: int) -> HttpResponse:
    """The printable sign-in sheet: one line per enrolled worker, one column per day."""
    course = selectors.course_get(viewer=request.user, pk=pk)
    days, grid = selectors.attendance_grid(viewer=request.user, course=course)
    return render(
        request,
        "training/sheet.html",
        {"course": course, "days": days, "grid": grid, "blank": request.GET.get("blank") == "1"},
    )


# ---------------------------------------------------------------- compliance and figures


@login_required
def compliance(request: AuthedRequest) -> HttpResponse:
    unit = _unit(request)
    year = _year(request)
    short = selectors.compliance_list(viewer=request.user, unit=unit, year=year) if unit else []
    return render(
        request,
        "training/compliance.html",
        {
            "unit": unit,
            "year": year,
            "short": short,
            "total_missing": sum(s.missing for s in short),
            "requirements": selectors.requirement_list(),
            "units": people_selectors.units_for_filter(viewer=request.user),
            "years": range(timezone.localdate().year, timezone.localdate().year - 6, -1),
        },
    )


def _figures(request: AuthedRequest) -> tuple[Any, Any]:
    unit = _unit(request)
    if unit is None:
        return None, []
    start, end = period_from(request.GET, timezone.localdate())
    figures = selectors.training_figures(viewer=request.user, unit=unit, start=start, end=end)
    short = selectors.compliance_list(viewer=request.user, unit=unit, year=end.year)
    return figures, short


@login_required
def figures(request: AuthedRequest) -> HttpResponse:
    found, short = _figures(request)
    charts: list[tuple[str, Any]] = []
    if found is not None:
        coverage = [
            Bar(r["unit"].name, r["coverage"], f"({r['trained_on_roster']}/{r['roster']})")
            for r in found.by_child
        ]
        per_post = [
            Bar(r["post"].name, r["per_person"] or 0, _("天(%(n)s人)") % {"n": r["people"]})
            for r in found.by_post
        ]
        kinds = [b for b in found.by_kind if b.value]
        for title, bars, suffix in [
            (_("各下级单位受训面"), coverage, "%"),
            (_("按岗位的人均培训天数"), per_post, ""),
            (_("按培训类别的人次"), kinds, ""),
            (_("按月份的人次"), found.by_month, ""),
        ]:
            if bars:
                charts.append((title, bars_svg(title, bars, suffix=suffix)))
    return render(
        request,
        "training/figures.html",
        {
            "f": found,
            "short_count": len(short),
            "charts": charts,
            "units": people_selectors.units_for_filter(viewer=request.user),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def figures_export(request: AuthedRequest) -> HttpResponse:
    found, short = _figures(request)
    if found is None:
        raise Http404
    response = HttpResponse(exports.figures_xlsx(found, short), content_type=exports.XLSX)
    response["Content-Disposition"] = (
        content_disposition_header(True, exports.filename(found, "xlsx")) or "attachment"
    )
    return response


# ---------------------------------------------------------------- exams and awards


@login_required
def exam_list(request: AuthedRequest) -> HttpResponse:
    year = _year(request)
    registrations = selectors.exam_registration_list(viewer=request.user, year=year)
    query = request.GET.get("q", "").strip()
    found = None
    if query:
        found = people_selectors.worker_list(
            viewer=request.user,
            filters=people_selectors.WorkerFilters(q=query, status="active"),
        )[:20]
    form = ExamRegisterForm(request.POST or None, initial={"year": year})
    if request.method == "POST":
        if form.is_valid():
            worker = people_selectors.worker_get(
                viewer=request.user, pk=form.cleaned_data["worker"]
            )
            try:
                services.exam_register(
                    worker=worker,
                    level=form.cleaned_data["level"],
                    year=form.cleaned_data["year"],
                    acting_user=request.user,
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已为%(name)s报考") % {"name": worker.name})
                return redirect(f"{request.path}?year={form.cleaned_data['year']}")
        else:
            messages.error(request, _("请选择人员、级别和年度"))
    page = lists.page_of(request.GET, registrations, default_size=PAGE_SIZE)
    return render(
        request,
        "training/exams.html",
        {
            "page": page,
            "year": year,
            "q": query,
            "found": found,
            "levels": EXAM_LEVELS,
            "form": form,
            "can_edit": has_permission(request.user, Permission.EDIT),
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
        },
    )


@login_required
def exam_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    registration = selectors.exam_registration_get(viewer=request.user, pk=pk)
    can_edit = has_permission(request.user, Permission.EDIT, registration.worker.community)
    subjects = rules.EXAM_SUBJECTS[registration.level]
    initial = {r.subject: r.score for r in registration.results.all()}
    form = ExamResultForm(request.POST or None, initial=initial, subjects=subjects)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.exam_results_record(
                    registration=registration,
                    scores={s: data.get(s) for s in subjects},
                    passed_on=data.get("passed_on"),
                    certificate_number=data.get("certificate_number") or "",
                    acting_user=request.user,
                )
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, _("已登记成绩"))
                return redirect("training:exam", pk=registration.pk)
    return render(
        request,
        "training/exam.html",
        {
            "registration": registration,
            "form": form if can_edit and registration.passed_on is None else None,
            "results": registration.results.all(),
            "pass_mark": rules.PASS_MARK,
            "award": getattr(registration, "award", None),
        },
    )


@login_required
def award_list(request: AuthedRequest) -> HttpResponse:
    year = request.GET.get("year", "")
    unpaid = request.GET.get("unpaid") == "1"
    awards = selectors.award_list(viewer=request.user, year=year_or(year, None), unpaid_only=unpaid)
    total = sum((a.amount for a in awards), start=Decimal(0))
    return render(
        request,
        "training/awards.html",
        {
            "awards": awards,
            "total": total,
            "year": year,
            "unpaid": unpaid,
            "form": PaidForm(),
            "can_edit": has_permission(request.user, Permission.EDIT),
        },
    )


@login_required
@require_POST
def award_paid(request: AuthedRequest, pk: int) -> HttpResponse:
    award = selectors.award_get(viewer=request.user, pk=pk)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写发放日期"))
    else:
        try:
            services.award_mark_paid(
                award=award, paid_on=form.cleaned_data["paid_on"], acting_user=request.user
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记发放"))
    return redirect("training:awards")


# ---------------------------------------------------------------- secondments


@login_required
def secondment_list(request: AuthedRequest) -> HttpResponse:
    current = request.GET.get("current") == "1"
    query = request.GET.get("q", "").strip()
    found = None
    if query:
        found = people_selectors.worker_list(
            viewer=request.user, filters=people_selectors.WorkerFilters(q=query, status="active")
        )[:20]
    form = SecondmentForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            worker = people_selectors.worker_get(viewer=request.user, pk=data.pop("worker"))
            try:
                services.secondment_start(worker=worker, acting_user=request.user, **data)
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已登记%(name)s的挂职交流") % {"name": worker.name})
                return redirect("training:secondments")
        else:
            messages.error(request, _("请填写类别、去向单位和起始日期"))
    return render(
        request,
        "training/secondments.html",
        {
            "secondments": selectors.secondment_list(viewer=request.user, current_only=current),
            "current": current,
            "q": query,
            "found": found,
            "form": form,
            "return_form": ReturnForm(),
            "can_edit": has_permission(request.user, Permission.EDIT),
        },
    )


@login_required
@require_POST
def secondment_return(request: AuthedRequest, pk: int) -> HttpResponse:
    secondment = selectors.secondment_get(viewer=request.user, pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写返回日期"))
    else:
        try:
            services.secondment_return(
                secondment=secondment,
                returned_on=form.cleaned_data["returned_on"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记返回"))
    return redirect("training:secondments")


# ---------------------------------------------------------------- configuration


@login_required
def config(request: AuthedRequest) -> HttpResponse:
    """The yearly minimums per post and the one-time award per level; district editors change
    them, everyone else reads them."""
    requirement_form = RequirementForm(request.POST if "min_days" in request.POST else None)
    award_form = AwardRuleForm(request.POST if "amount" in request.POST else None)
    if request.method == "POST":
        try:
            if "remove" in request.POST:
                found = selectors.requirement_list().filter(pk=request.POST["remove"]).first()
                if found is None:
                    raise Http404
                services.requirement_remove(requirement=found, acting_user=request.user)
            elif requirement_form.is_bound and requirement_form.is_valid():
                services.requirement_set(acting_user=request.user, **requirement_form.cleaned_data)
            elif award_form.is_bound and award_form.is_valid():
                services.award_rule_set(acting_user=request.user, **award_form.cleaned_data)
            else:
                raise ServiceError(_("请检查填写的内容"))
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存"))
            return redirect("training:config")
    return render(
        request,
        "training/config.html",
        {
            "requirements": selectors.requirement_list(),
            "award_rules": selectors.award_rule_list(),
            "requirement_form": requirement_form,
            "award_form": award_form,
            "can_edit": selectors.may_configure(viewer=request.user),
        },
    )


@login_required
def worker_record(request: AuthedRequest, pk: int) -> HttpResponse:
    worker = people_selectors.worker_get(viewer=request.user, pk=pk)
    return render(
        request,
        "training/worker.html",
        {"worker": worker, **selectors.worker_record(viewer=request.user, worker=worker)},
    )


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


@login_required
def attendance_export(request: AuthedRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(viewer=request.user, pk=pk)
    days, grid = selectors.attendance_grid(viewer=request.user, course=course)
    return _xlsx(exports.attendance_xlsx(course, days, grid), f"签到记录-{course.title}.xlsx")


@login_required
def awards_export(request: AuthedRequest) -> HttpResponse:
    awards = list(
        selectors.award_list(
            viewer=request.user,
            year=year_or(request.GET.get("year"), None),
            unpaid_only=request.GET.get("unpaid") == "1",
        )
    )
    return _xlsx(exports.awards_xlsx(awards), "职业资格一次性奖励.xlsx")
