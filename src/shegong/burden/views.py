"""Burden pages: thin views over the burden selectors and services."""

from __future__ import annotations

from collections.abc import Callable
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

from shegong.burden import charts, exports, selectors, services
from shegong.burden.forms import (
    AnswerUploadForm,
    ApplicationForm,
    CalendarDayForm,
    DecideForm,
    DepartmentForm,
    DepartmentMemberForm,
    FieldForm,
    ItemForm,
    PolicyForm,
    QuestionForm,
    RecordForm,
    ReportFormUpload,
    RetireForm,
    StampForm,
)
from shegong.burden.models import AdmissionItem, Department, ItemKind, RecordKind, Status
from shegong.burden.sources import source_choices
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.models import User
from shegong.core.net import client_address
from shegong.core.params import year_or
from shegong.core.sheets import SheetError
from shegong.core.types import AuthedRequest
from shegong.core.uploads import upload_discard, upload_keep, upload_path
from shegong.orgs.models import Unit, UnitKind
from shegong.orgs.selectors import unit_get, unit_list, unit_roots

PAGE_SIZE = 50


def _year(request: AuthedRequest) -> int:
    today = timezone.localdate()
    year = year_or(request.GET.get("year"), today.year)
    return year if year is not None and year <= today.year + 1 else today.year


def _unit(request: AuthedRequest) -> Unit | None:
    code = request.GET.get("unit", "")
    if code:
        return unit_get(viewer=request.user, code=code)
    return unit_roots(viewer=request.user).order_by("path").first()


def _district(request: AuthedRequest, *, edit: bool = False) -> Unit | None:
    """The district asked for among those the viewer may see (or keep), else the first."""
    found = (
        selectors.districts_for_edit(viewer=request.user)
        if edit
        else selectors.districts_visible(viewer=request.user)
    )
    code = request.GET.get("district", "")
    if code:
        district = found.filter(code=code).first()
        if district is None:
            raise Http404
        return district
    return found.order_by("path").first()


# ---------------------------------------------------------------- dashboard


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    unit, year = _unit(request), _year(request)
    summary = selectors.burden_summary(viewer=request.user, unit=unit, year=year) if unit else None
    return render(
        request,
        "burden/index.html",
        {
            "unit": unit,
            "year": year,
            "s": summary,
            "charts": charts.summary_charts(summary) if summary else [],
            "units": _choosable_units(request.user, unit),
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
            "is_department": selectors.departments_of(viewer=request.user).exists(),
        },
    )


def _choosable_units(viewer: User, unit: Unit | None) -> list[Unit]:
    """The units the dashboard may be drawn for: the viewer's streets and above (a district's
    communities would make a list of hundreds), and the unit shown, which for a community's
    clerk is their community (the list was empty for them)."""
    units = list(unit_list(viewer=viewer).exclude(kind=UnitKind.COMMUNITY).order_by("path"))
    if unit is not None and unit not in units:
        units.insert(0, unit)
    return units


@login_required
def download(request: AuthedRequest) -> HttpResponse:
    unit, year = _unit(request), _year(request)
    fmt = request.GET.get("format", "xlsx")
    if unit is None or fmt not in exports.CONTENT_TYPES:
        raise Http404
    summary = selectors.burden_summary(viewer=request.user, unit=unit, year=year)
    response = HttpResponse(exports.render(summary, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = str(
        content_disposition_header(True, f"{unit.name}{year}年社区负担.{fmt}")
    )
    return response


# ---------------------------------------------------------------- the list


@login_required
def items(request: AuthedRequest) -> HttpResponse:
    district = _district(request)
    kind = request.GET.get("kind", "")
    retired = request.GET.get("retired") == "1"
    found = selectors.item_list(viewer=request.user, district=district, kind=kind, retired=retired)
    found = found if district is not None else found.none()
    editable = selectors.districts_for_edit(viewer=request.user)
    return render(
        request,
        "burden/items.html",
        {
            "district": district,
            "districts": selectors.districts_visible(viewer=request.user),
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "kind": kind,
            "kinds": ItemKind.choices,
            "retired": retired,
            "may_edit": district is not None and editable.filter(pk=district.pk).exists(),
        },
    )


def _item_saved(
    request: AuthedRequest,
    form: ItemForm,
    *,
    district: Unit,
    save: Callable[[Department, dict[str, Any]], AdmissionItem],
    done: Callable[[AdmissionItem], str],
) -> HttpResponse | None:
    """Saves a posted, valid item form through `save` (the department apart from the other
    values): the redirect to the district's list with the message `done` gives, or None
    (nothing posted, or the form now holds the errors) so the caller shows its page again."""
    if request.method != "POST" or not form.is_valid():
        return None
    values = dict(form.cleaned_data)
    try:
        saved = save(values.pop("department"), values)
    except ServiceError as exc:
        service_error_on(form, exc)
        return None
    messages.success(request, done(saved))
    return redirect(f"{_url('burden:items')}?district={district.code}")


@login_required
def item_create(request: AuthedRequest) -> HttpResponse:
    district = _district(request, edit=True)
    if district is None:
        raise Http404
    departments = selectors.department_list(viewer=request.user).filter(district=district)
    form = ItemForm(request.POST or None, departments=departments)
    saved = _item_saved(
        request,
        form,
        district=district,
        save=lambda department, values: services.item_create(
            district=district, department=department, values=values, acting_user=request.user
        ),
        done=lambda item: _("已登记准入事项%(title)s") % {"title": item.title},
    )
    if saved is not None:
        return saved
    return render(
        request,
        "burden/form.html",
        {"form": form, "title": _("登记准入事项"), "back": "burden:items"},
    )


def _url(name: str) -> str:
    return reverse(name)


def _item_initial(item: Any) -> dict[str, Any]:
    names = ["category", "kind", "title", "legal_basis", "funded", "funding"]
    return {"department": item.department_id, **{n: getattr(item, n) for n in names}}


@login_required
def item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The district corrects an item of its list, or takes it off the list (kept, audited)."""
    item = selectors.item_get(viewer=request.user, pk=pk)
    if not selectors.districts_for_edit(viewer=request.user).filter(pk=item.district_id).exists():
        raise Http404
    departments = selectors.department_list(viewer=request.user).filter(district=item.district)
    form = ItemForm(request.POST or None, departments=departments, initial=_item_initial(item))
    saved = _item_saved(
        request,
        form,
        district=item.district,
        save=lambda department, values: services.item_update(
            item=item, department=department, values=values, acting_user=request.user
        ),
        done=lambda saved: _("已修改准入事项%(title)s") % {"title": saved.title},
    )
    if saved is not None:
        return saved
    return render(
        request,
        "burden/item.html",
        {"item": item, "form": form, "retire_form": RetireForm()},
    )


@login_required
@require_POST
def item_retire(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(viewer=request.user, pk=pk)
    if not selectors.districts_for_edit(viewer=request.user).filter(pk=item.district_id).exists():
        raise Http404
    form = RetireForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("请填写停止理由(不含特殊字符)"))
        services.item_retire(
            item=item, reason=form.cleaned_data["reason"], acting_user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("burden:item-edit", pk=item.pk)
    messages.success(request, _("已停止准入事项%(title)s,记录保留") % {"title": item.title})
    return redirect(f"{_url('burden:items')}?district={item.district.code}")


@login_required
def stamps(request: AuthedRequest) -> HttpResponse:
    district = _district(request)
    may_edit = (
        district is not None
        and selectors.districts_for_edit(viewer=request.user).filter(pk=district.pk).exists()
    )
    form = StampForm(request.POST or None)
    if request.method == "POST":
        if not may_edit or district is None:
            raise Http404
        if form.is_valid():
            try:
                services.stamp_entry_create(
                    district=district, values=form.cleaned_data, acting_user=request.user
                )
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, _("已加入证明事项清单"))
                return redirect(f"{_url('burden:stamps')}?district={district.code}")
    entries = selectors.stamp_list(viewer=request.user, district=district) if district else None
    return render(
        request,
        "burden/stamps.html",
        {
            "district": district,
            "districts": selectors.districts_visible(viewer=request.user),
            "entries": entries,
            "form": form if may_edit else None,
        },
    )


# ---------------------------------------------------------------- applications


@login_required
def applications(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    found = selectors.application_list(viewer=request.user, status=status)
    return render(
        request,
        "burden/applications.html",
        {
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
            "status": status,
            "statuses": Status.choices,
            "may_file": selectors.departments_of(viewer=request.user).exists(),
        },
    )


@login_required
def application_create(request: AuthedRequest) -> HttpResponse:
    departments = selectors.departments_of(viewer=request.user)
    if not departments.exists():
        raise Http404
    form = ApplicationForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            application = services.application_file(
                department=values.pop("department"), values=values, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(
                request, _("准入申请已提交,批复期限%(due)s") % {"due": application.due_on}
            )
            return redirect("burden:application", pk=application.pk)
    return render(
        request,
        "burden/form.html",
        {"form": form, "title": _("提交准入申请"), "back": "burden:applications"},
    )


@login_required
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(viewer=request.user, pk=pk)
    district = application.department.district
    may_decide = selectors.districts_for_edit(viewer=request.user).filter(pk=district.pk).exists()
    own = selectors.departments_of(viewer=request.user).filter(pk=application.department_id)
    return render(
        request,
        "burden/application.html",
        {
            "a": application,
            "may_decide": may_decide,
            "may_change": own.exists() and getattr(application, "current", "") == Status.FILED,
            "form": DecideForm(),
        },
    )


def _own_application(request: AuthedRequest, pk: int) -> Any:
    """An application of the viewer's own department (a district's account gets 404)."""
    application = selectors.application_get(viewer=request.user, pk=pk)
    own = selectors.departments_of(viewer=request.user).filter(pk=application.department_id)
    if not own.exists():
        raise Http404
    return application


def _application_initial(application: Any) -> dict[str, Any]:
    names = ["category", "kind", "title", "legal_basis", "funded", "funding", "purpose"]
    initial = {n: getattr(application, n) for n in names}
    return {**initial, "department": application.department_id, "starts_on": application.starts_on}


@login_required
def application_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """The department corrects its own application while it waits for the decision."""
    application = _own_application(request, pk)
    departments = selectors.departments_of(viewer=request.user).filter(pk=application.department_id)
    form = ApplicationForm(
        request.POST or None, departments=departments, initial=_application_initial(application)
    )
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        values.pop("department")
        try:
            services.application_update(
                application=application, values=values, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("准入申请已修改"))
            return redirect("burden:application", pk=application.pk)
    return render(
        request,
        "burden/form.html",
        {"form": form, "title": _("修改准入申请"), "back": "burden:applications"},
    )


@login_required
@require_POST
def application_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    application = _own_application(request, pk)
    try:
        services.application_withdraw(application=application, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("准入申请已撤回"))
    return redirect("burden:application", pk=application.pk)


@login_required
@require_POST
def application_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(viewer=request.user, pk=pk)
    form = DecideForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(_("不予准入理由含有不能接受的字符"))
        services.application_decide(
            application=application,
            approve=request.POST.get("decision") == "approve",
            reason=form.cleaned_data.get("reason", ""),
            acting_user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已批复"))
    return redirect("burden:application", pk=application.pk)


@login_required
@require_POST
def application_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(viewer=request.user, pk=pk)
    try:
        services.application_publish(application=application, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已公布为准入事项"))
    return redirect("burden:application", pk=application.pk)


# ---------------------------------------------------------------- records


@login_required
def records(request: AuthedRequest) -> HttpResponse:
    unit, year = _unit(request), _year(request)
    kind = request.GET.get("kind", "")
    refusable = request.GET.get("refusable") == "1"
    found = (
        selectors.record_list(
            viewer=request.user, unit=unit, year=year, kind=kind, refusable=refusable
        )
        if unit
        else None
    )
    return render(
        request,
        "burden/records.html",
        {
            "unit": unit,
            "year": year,
            "kind": kind,
            "refusable": refusable,
            "kinds": RecordKind.choices,
            "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
            if found
            else None,
            "units": unit_list(viewer=request.user).order_by("path"),
            "years": range(timezone.localdate().year + 1, timezone.localdate().year - 6, -1),
            "may_record": selectors.communities_for_edit(viewer=request.user).exists(),
        },
    )


def _record_form(request: AuthedRequest) -> RecordForm:
    viewer = request.user
    return RecordForm(
        request.POST or None,
        initial={"year": timezone.localdate().year},
        communities=selectors.communities_for_edit(viewer=viewer),
        departments=selectors.department_list(viewer=viewer),
        items=selectors.item_list(viewer=viewer, kind="").exclude(kind=ItemKind.REFUSED),
        stamps=selectors.stamp_list(viewer=viewer),
    )


@login_required
def record_create(request: AuthedRequest) -> HttpResponse:
    if not selectors.communities_for_edit(viewer=request.user).exists():
        raise Http404
    form = _record_form(request)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            record = services.record_create(
                community=values.pop("community"), values=values, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已登记%(title)s") % {"title": record.title})
            return redirect(
                f"{_url('burden:records')}?unit={record.community.code}&year={record.year}"
            )
    return render(
        request,
        "burden/form.html",
        {"form": form, "title": _("登记社区负担"), "back": "burden:records"},
    )


@login_required
@require_POST
def record_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    record = selectors.record_get(viewer=request.user, pk=pk)
    try:
        services.record_delete(record=record, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已删除"))
    return redirect(f"{_url('burden:records')}?unit={record.community.code}&year={record.year}")


# ---------------------------------------------------------------- settings


def _settings_forms(request: AuthedRequest, district: Unit) -> dict[str, Any]:
    policy = selectors.policy_get(district=district)
    initial = {
        "lead_days": policy.lead_days,
        "review_days": policy.review_days,
        "lapse_overdue": policy.lapse_overdue,
        "hours_per_field": policy.hours_per_field,
    }
    which = request.POST.get("form", "") if request.method == "POST" else ""
    return {
        "policy_form": PolicyForm(request.POST if which == "policy" else None, initial=initial),
        "day_form": CalendarDayForm(request.POST if which == "day" else None),
        "department_form": DepartmentForm(request.POST if which == "department" else None),
        "member_form": DepartmentMemberForm(
            request.POST if which == "member" else None,
            departments=selectors.department_list(viewer=request.user).filter(district=district),
        ),
        "which": which,
    }


def _settings_save(request: AuthedRequest, district: Unit, forms: dict[str, Any]) -> bool:
    which = forms["which"]
    form = forms.get(f"{which}_form")
    if form is None or not form.is_valid():
        return False
    data, user = form.cleaned_data, request.user
    try:
        if which == "policy":
            services.policy_set(district=district, values=data, acting_user=user)
        elif which == "member":
            account = selectors.account_for_department(viewer=user, username=data["username"])
            if account is None:
                raise ServiceError(_("没有这个账号"), field="username")
            services.department_member_add(
                department=data["department"], user=account, acting_user=user
            )
        elif which == "day":
            services.calendar_day_set(
                day=data["day"], workday=data["workday"], name=data["name"], acting_user=user
            )
        else:
            services.department_create(district=district, name=data["name"], acting_user=user)
    except ServiceError as exc:
        service_error_on(form, exc)
        return False
    return True


@login_required
def config(request: AuthedRequest) -> HttpResponse:
    district = _district(request, edit=True)
    if district is None:
        raise Http404
    forms = _settings_forms(request, district)
    if request.method == "POST" and _settings_save(request, district, forms):
        messages.success(request, _("已保存"))
        return redirect(f"{_url('burden:config')}?district={district.code}")
    year = _year(request)
    return render(
        request,
        "burden/config.html",
        {
            "district": district,
            "districts": selectors.districts_for_edit(viewer=request.user),
            "year": year,
            "days": selectors.calendar_list(year=year),
            "departments": selectors.department_list(viewer=request.user).filter(district=district),
            **forms,
        },
    )


# ---------------------------------------------------------------- 一表通


def _keepable_departments(request: AuthedRequest) -> Any:
    """Departments whose forms the viewer may define: their own, or their district's."""
    own = selectors.departments_of(viewer=request.user)
    districts = selectors.districts_for_edit(viewer=request.user)
    kept = selectors.department_list(viewer=request.user).filter(district__in=districts)
    return (own | kept).distinct().order_by("name")


@login_required
def report_forms(request: AuthedRequest) -> HttpResponse:
    departments = _keepable_departments(request)
    upload = ReportFormUpload(request.POST or None, request.FILES or None, departments=departments)
    if request.method == "POST":
        if not departments.exists():
            raise Http404
        if upload.is_valid():
            try:
                form = _form_from_upload(request, upload)
            except ServiceError as exc:
                service_error_on(upload, exc)
            else:
                messages.success(request, _("已登记报表,请标记需填写的单元格"))
                return redirect("burden:form", pk=form.pk)
    return render(
        request,
        "burden/forms.html",
        {
            "forms": selectors.form_list(viewer=request.user),
            "upload": upload if departments.exists() else None,
        },
    )


def _form_from_upload(request: AuthedRequest, upload: ReportFormUpload) -> Any:
    kept = _keep(upload.cleaned_data["layout"], upload)
    try:
        return services.form_create(
            department=upload.cleaned_data["department"],
            title=upload.cleaned_data["title"],
            path=kept[0],
            filename=kept[1],
            acting_user=request.user,
        )
    finally:
        upload_discard(kept[0].name)


def _keep(file: Any, form: Any) -> tuple[Any, str]:
    """The uploaded file kept within the upload limits: (path, its original name)."""
    try:
        name = upload_keep(file)
    except SheetError as exc:
        raise ServiceError(str(exc), field="layout") from None
    path = upload_path(name)
    assert path is not None
    return path, str(file.name)


def _fill_params(request: AuthedRequest) -> tuple[Unit | None, Any]:
    import datetime

    code = request.GET.get("unit", "")
    unit = unit_get(viewer=request.user, code=code) if code else None
    try:
        period = datetime.date.fromisoformat(request.GET.get("period", ""))
    except ValueError:
        period = timezone.localdate()
    return unit, period


@login_required
def report_form(request: AuthedRequest, pk: int) -> HttpResponse:
    form = selectors.form_get(viewer=request.user, pk=pk)
    may_keep = _keepable_departments(request).filter(pk=form.department_id).exists()
    sheets = selectors.form_sheets(form=form)
    field_form = FieldForm(request.POST or None, sources=source_choices(), sheets=sheets)
    if request.method == "POST":
        if not may_keep:
            raise Http404
        if field_form.is_valid():
            try:
                services.form_field_add(
                    form=form, values=field_form.cleaned_data, acting_user=request.user
                )
            except ServiceError as exc:
                service_error_on(field_form, exc)
            else:
                messages.success(request, _("已标记单元格"))
                return redirect("burden:form", pk=form.pk)
    unit, period = _fill_params(request)
    filled = (
        selectors.form_fill(viewer=request.user, form=form, unit=unit, period=period)
        if unit
        else None
    )
    return render(
        request,
        "burden/report_form.html",
        {
            "form_": form,
            "fields": selectors.form_fields(form=form),
            "sheets": sheets,
            "field_form": field_form if may_keep else None,
            "unit": unit,
            "period": period,
            "filled": filled,
            "units": unit_list(viewer=request.user).order_by("path"),
            "may_answer": unit is not None
            and selectors.communities_for_edit(viewer=request.user).filter(pk=unit.pk).exists(),
            "answer_upload": AnswerUploadForm(),
        },
    )


@login_required
def report_form_export(request: AuthedRequest, pk: int) -> HttpResponse:
    form = selectors.form_get(viewer=request.user, pk=pk)
    unit, period = _fill_params(request)
    if unit is None:
        raise Http404
    filled = selectors.form_fill(viewer=request.user, form=form, unit=unit, period=period)
    content = selectors.form_workbook(form=form, filled=filled)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = str(
        content_disposition_header(True, f"{form.title}-{unit.name}-{period:%Y%m%d}.xlsx")
    )
    return response


@login_required
@require_POST
def report_form_answers(request: AuthedRequest, pk: int) -> HttpResponse:
    """A community's answers to the asked fields: typed, or from the form filled by hand."""
    form = selectors.form_get(viewer=request.user, pk=pk)
    unit, period = _fill_params(request)
    if unit is None:
        raise Http404
    back = reverse("burden:form", kwargs={"pk": form.pk})
    try:
        count = _save_answers(request, form, unit, period)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存%(n)d项填报值") % {"n": count})
    return redirect(f"{back}?unit={unit.code}&period={period:%Y-%m-%d}")


def _save_answers(request: AuthedRequest, form: Any, unit: Unit, period: Any) -> int:
    upload = request.FILES.get("sheet")
    if upload is not None:
        path, name = _keep(upload, None)
        try:
            return services.answers_from_sheet(
                form=form,
                community=unit,
                period=period,
                path=path,
                filename=name,
                acting_user=request.user,
            )
        finally:
            upload_discard(path.name)
    count = 0
    for key in form.fields.filter(source="asked").values_list("key", flat=True).distinct():
        value = request.POST.get(f"answer-{key}", "").strip()
        if value:
            services.answer_set(
                community=unit, period=period, key=key, value=value, acting_user=request.user
            )
            count += 1
    return count


# ---------------------------------------------------------------- the workers' questionnaire


@login_required
def surveys(request: AuthedRequest) -> HttpResponse:
    units = selectors.districts_for_edit(viewer=request.user)
    editable = unit_list(viewer=request.user).filter(kind__lt=4)
    editable = editable.filter(pk__in=[u.pk for u in editable if _may_edit(request, u)])
    if request.method == "POST":
        unit = editable.filter(code=request.POST.get("unit", "")).first()
        if unit is None:
            raise Http404
        year = request.POST.get("year", "").strip()
        try:
            if year and not year.isdigit():
                raise ServiceError(_("问卷年度应为四位数字年份"), field="year")
            survey = services.worker_survey_create(
                unit=unit,
                title=request.POST.get("title", ""),
                year=int(year) if year else None,
                acting_user=request.user,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            return redirect("burden:survey", pk=survey.pk)
    return render(
        request,
        "burden/surveys.html",
        {
            "surveys": selectors.worker_survey_list(viewer=request.user),
            "units": editable,
            "districts": units,
            "this_year": timezone.localdate().year,
        },
    )


def _may_edit(request: AuthedRequest, unit: Unit) -> bool:
    from shegong.core.access import Permission, has_permission

    return has_permission(request.user, Permission.EDIT, unit)


@login_required
def survey(request: AuthedRequest, pk: int) -> HttpResponse:
    found = selectors.worker_survey_get(viewer=request.user, pk=pk)
    return render(
        request,
        "burden/survey.html",
        {
            "survey": found,
            "may_edit": _may_edit(request, found.unit),
            "frozen": selectors.questions_frozen(survey=found),
            "results": selectors.worker_survey_results(viewer=request.user, survey=found),
            "codes_issued": found.codes.count(),
        },
    )


@login_required
@require_POST
def survey_codes(request: AuthedRequest, pk: int) -> HttpResponse:
    """Issue the codes and hand them over once, as a sheet to print (never stored)."""
    found = selectors.worker_survey_get(viewer=request.user, pk=pk)
    try:
        issued = services.worker_codes_issue(survey=found, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("burden:survey", pk=found.pk)
    content = exports.codes_xlsx(found.title, [(w.community.name, w.name, c) for w, c in issued])
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = str(
        content_disposition_header(True, f"{found.title}答卷码.xlsx")
    )
    return response


@login_required
@require_POST
def survey_status(request: AuthedRequest, pk: int) -> HttpResponse:
    found = selectors.worker_survey_get(viewer=request.user, pk=pk)
    try:
        services.worker_survey_set_status(
            survey=found, status=request.POST.get("status", ""), acting_user=request.user
        )
    except (ServiceError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("问卷当前状态不能这样变更")))
    return redirect("burden:survey", pk=found.pk)


def answer(request: Any) -> HttpResponse:
    """The workers' answer page: a code and the questions; no login, nothing about who. Wrong
    codes are throttled per client address (services.answer_code_check)."""
    code = request.POST.get("code", "") if request.method == "POST" else ""
    questions: Any = None
    done = False
    if request.method == "POST" and code:
        try:
            survey_id: int | None = services.answer_code_check(
                code=code, address=client_address(request)
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            survey_id = None
        if survey_id is not None and "submit" in request.POST:
            answers = {k[2:]: request.POST.getlist(k) for k in request.POST if k.startswith("q-")}
            try:
                services.answer_submit(code=code, answers=answers)
                done = True
            except ServiceError as exc:
                messages.error(request, exc.message)
        if survey_id is not None and not done:
            questions = selectors.survey_questions(survey_id=survey_id)
    return render(
        request, "burden/answer.html", {"code": code, "questions": questions, "done": done}
    )


# ---------------------------------------------------------------- the questionnaire's questions


def _question_initial(question: Any) -> dict[str, Any]:
    initial = {"kind": question.kind, "text": question.text, "required": question.required}
    if question.kind == "scale":
        points = question.choices

        def label(point: str) -> str:
            return point.partition("(")[2].rstrip(")")

        return {**initial, "points": len(points), "low_label": label(points[0]),
                "high_label": label(points[-1])}  # fmt: skip
    return {**initial, "options": "\n".join(question.choices)}


def _editable_survey(request: AuthedRequest, survey: Any) -> None:
    if not _may_edit(request, survey.unit):
        raise Http404


@login_required
def survey_questions(request: AuthedRequest, pk: int) -> HttpResponse:
    """The questions of a questionnaire; while it is a draft with no codes, its keeper adds,
    edits, removes and reorders them."""
    found = selectors.worker_survey_get(viewer=request.user, pk=pk)
    may_edit = _may_edit(request, found.unit)
    frozen = selectors.questions_frozen(survey=found)
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        _editable_survey(request, found)
        if form.is_valid():
            try:
                services.survey_question_add(
                    survey=found, values=form.cleaned_data, acting_user=request.user
                )
            except ServiceError as exc:
                service_error_on(form, exc)
            else:
                messages.success(request, _("已添加题目"))
                return redirect("burden:survey-questions", pk=found.pk)
    return render(
        request,
        "burden/questions.html",
        {
            "survey": found,
            "questions": found.questions.order_by("position"),
            "form": form if may_edit and not frozen else None,
            "may_edit": may_edit and not frozen,
            "frozen": frozen,
        },
    )


@login_required
def survey_question_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    question = selectors.question_get(viewer=request.user, pk=pk)
    survey = question.survey
    _editable_survey(request, survey)
    form = QuestionForm(request.POST or None, initial=_question_initial(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_question_update(
                question=question, values=form.cleaned_data, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已修改题目"))
            return redirect("burden:survey-questions", pk=survey.pk)
    return render(
        request,
        "burden/question.html",
        {"survey": survey, "question": question, "form": form},
    )


@login_required
@require_POST
def survey_question_change(request: AuthedRequest, pk: int) -> HttpResponse:
    """Move a question up or down, or remove it (the button pressed says which)."""
    question = selectors.question_get(viewer=request.user, pk=pk)
    survey = question.survey
    _editable_survey(request, survey)
    action = request.POST.get("action", "")
    try:
        if action == "delete":
            services.survey_question_delete(question=question, acting_user=request.user)
        elif action in {"up", "down"}:
            services.survey_question_move(
                question=question, offset=-1 if action == "up" else 1, acting_user=request.user
            )
        else:
            raise ServiceError(_("不明白要做什么"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("burden:survey-questions", pk=survey.pk)
