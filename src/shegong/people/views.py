"""Roster pages: thin views over the people selectors and services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core import lists
from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.types import AuthedRequest
from shegong.people import record, selectors, services
from shegong.people.forms import (
    CertificateForm,
    ExitForm,
    MoveForm,
    PostAssignForm,
    ReenterForm,
    StandingDecisionForm,
    WorkerCreateForm,
    WorkerForm,
)
from shegong.people.models import (
    CertificateKind,
    Education,
    Gender,
    Political,
    Source,
    StandingKind,
    WorkerStatus,
)

PAGE_SIZE = 30


def _worker_columns() -> list[lists.Column]:
    return [
        lists.Column(_("姓名"), "name"),
        lists.Column(_("性别")),
        lists.Column(_("年龄"), "age", numeric=True),
        lists.Column(_("社区"), "community"),
        lists.Column(_("学历")),
        lists.Column(_("来源方式")),
        lists.Column(_("公民身份号码")),
        lists.Column(_("联系电话")),
        lists.Column(_("状态")),
    ]


@login_required
def worker_list(request: AuthedRequest) -> HttpResponse:
    params = request.GET.copy()
    if "status" not in params and "as_of" not in params:
        params["status"] = WorkerStatus.ACTIVE  # the current roster unless asked otherwise
    filters = selectors.WorkerFilters.from_mapping(params)
    workers = selectors.worker_list(viewer=request.user, filters=filters)
    page = lists.page_of(request.GET, workers, default_size=PAGE_SIZE)
    # Lists always show personal data masked; only the detail page discloses it.
    day = filters.as_of or timezone.localdate()
    rows = [
        (
            worker,
            selectors.personal_data_for(viewer=request.user, worker=worker, unmask=False),
            selectors.age_for(viewer=request.user, worker=worker, day=day),
        )
        for worker in page
    ]
    hits = selectors.id_search_hits(viewer=request.user, query=filters.q, workers=page)
    if hits:
        services.personal_data_search_disclose(workers=hits, acting_user=request.user)
    return render(
        request,
        "people/list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "params": params,
            "units": selectors.units_for_filter(viewer=request.user),
            "posts": selectors.post_types(),
            "choices": {
                "education": Education.choices,
                "source": Source.choices,
                "political": Political.choices,
                "gender": Gender.choices,
                "status": WorkerStatus.choices,
                "certificate": [
                    ("any", _("有任一证书")),
                    ("none", _("无证书")),
                    *CertificateKind.choices,
                ],
            },
            "sorts": [
                ("community", _("按社区")),
                ("name", _("按姓名")),
                ("age", _("年龄由小到大")),
                ("-age", _("年龄由大到小")),
                ("work_start", _("社区工龄由长到短")),
                ("updated", _("最近更新")),
            ],
            "headers": lists.headers(request.GET, _worker_columns(), filters.sort),
            "can_create": has_permission(request.user, Permission.EDIT),
            "active_label": WorkerStatus.ACTIVE.label,  # as of a date: placed on that day
        },
    )


@login_required
def worker_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    worker = selectors.worker_get(viewer=request.user, pk=pk)
    shown = selectors.personal_data_for(viewer=request.user, worker=worker)
    if shown.unmasked:
        services.personal_data_disclose(worker=worker, acting_user=request.user)
    can_edit = has_permission(request.user, Permission.EDIT, worker.community)
    context: dict[str, Any] = {
        "worker": worker,
        "shown": shown,
        "can_edit": can_edit,
        "current_posts": selectors.current_posts(worker=worker),
        **selectors.worker_history(viewer=request.user, worker=worker),
        "record": record.worker_record(viewer=request.user, worker=worker),
    }
    if can_edit and worker.status == WorkerStatus.ACTIVE:
        context["post_form"] = PostAssignForm()
        context["certificate_form"] = CertificateForm()
    return render(request, "people/detail.html", context)


@login_required
def worker_create(request: AuthedRequest) -> HttpResponse:
    communities = selectors.communities_for_edit(viewer=request.user)
    if not communities.exists():
        raise Http404
    form = WorkerCreateForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            worker = services.worker_create(
                community=data.pop("community"),
                entry_date=data.pop("entry_date"),
                values=data,
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已登记%(name)s") % {"name": worker.name})
            return redirect("people:detail", pk=worker.pk)
    return render(request, "people/form.html", {"form": form, "title": _("登记社区工作者")})


def _editable(request: AuthedRequest, pk: int) -> Any:
    worker = selectors.worker_get(viewer=request.user, pk=pk)
    if not has_permission(request.user, Permission.EDIT, worker.community):
        raise Http404
    return worker


@login_required
def worker_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    worker = _editable(request, pk)
    shown = selectors.personal_data_for(viewer=request.user, worker=worker)
    initial = {name: getattr(worker, name) for name in services.WORKER_FIELDS}
    if not shown.unmasked:
        # Without the personal-data permission the ID, phone and birth date are kept as they
        # are (worker_update sees to it); the form shows them masked and read-only.
        initial.update(id_number=shown.id_number, phone=shown.phone, birth_date=None)
    form = WorkerForm(request.POST or None, initial=initial)
    if not shown.unmasked:
        for name in services.PERSONAL_FIELDS:
            form.fields[name].disabled = True
        form.fields["birth_date"].help_text = shown.birth_date
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            services.worker_update(worker=worker, values=values, acting_user=request.user)
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("people:detail", pk=worker.pk)
    elif request.method == "GET" and shown.unmasked:
        services.personal_data_disclose(worker=worker, acting_user=request.user)
    return render(
        request,
        "people/form.html",
        {"form": form, "worker": worker, "title": _("修改%(name)s的信息") % {"name": worker.name}},
    )


@login_required
def worker_move(request: AuthedRequest, pk: int) -> HttpResponse:
    worker = _editable(request, pk)
    if worker.status != WorkerStatus.ACTIVE:
        return redirect("people:reenter", pk=worker.pk)
    communities = selectors.communities_for_edit(viewer=request.user).exclude(
        pk=worker.community_id
    )
    form = MoveForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_move(worker=worker, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已办理调动"))
            return redirect("people:detail", pk=worker.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "worker": worker, "title": _("调动%(name)s") % {"name": worker.name}},
    )


@login_required
def worker_reenter(request: AuthedRequest, pk: int) -> HttpResponse:
    worker = _editable(request, pk)
    if worker.status != WorkerStatus.LEFT:
        raise Http404
    form = ReenterForm(
        request.POST or None, communities=selectors.communities_for_edit(viewer=request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_reenter(worker=worker, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已办理重新入职"))
            return redirect("people:detail", pk=worker.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "worker": worker, "title": _("%(name)s重新入职") % {"name": worker.name}},
    )


@login_required
def worker_exit(request: AuthedRequest, pk: int) -> HttpResponse:
    worker = _editable(request, pk)
    if worker.status != WorkerStatus.ACTIVE:
        raise Http404
    form = ExitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_exit(worker=worker, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已办理离岗"))
            return redirect("people:detail", pk=worker.pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "worker": worker, "title": _("%(name)s离岗") % {"name": worker.name}},
    )


@login_required
@require_POST
def post_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    worker = _editable(request, pk)
    form = PostAssignForm(request.POST)
    if form.is_valid():
        try:
            services.post_assign(worker=worker, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已任职"))
    else:
        messages.error(request, _("请选择岗位并填写任职日期"))
    return redirect("people:detail", pk=worker.pk)


@login_required
@require_POST
def post_end(request: AuthedRequest, pk: int, holding_pk: int) -> HttpResponse:
    worker = _editable(request, pk)
    holding = worker.posts.filter(pk=holding_pk).first()
    if holding is None:
        raise Http404
    try:
        end = forms.DateField().clean(request.POST.get("end"))
    except ValidationError:
        messages.error(request, _("请填写卸任日期"))
        return redirect("people:detail", pk=worker.pk)
    try:
        services.post_end(holding=holding, end=end, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已卸任"))
    return redirect("people:detail", pk=worker.pk)


@login_required
@require_POST
def certificate_add(request: AuthedRequest, pk: int) -> HttpResponse:
    worker = _editable(request, pk)
    form = CertificateForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_add(worker=worker, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记证书"))
    else:
        messages.error(request, _("请选择证书类别并填写取得日期"))
    return redirect("people:detail", pk=worker.pk)


# ---------------------------------------------------------------- standing proposals


@login_required
def standing(request: AuthedRequest) -> HttpResponse:
    """The appraisals' proposals (续聘, 诫勉, 解聘) for the viewer's workers, decided one by
    one or together; accepting 解聘 records the exit."""
    kind = request.GET.get("kind", "")
    if kind not in StandingKind.values:
        kind = ""
    form = StandingDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pks = [int(v) for v in request.POST.getlist("proposal") if v.isdigit()]
        chosen = selectors.proposals_for_decision(viewer=request.user, pks=pks)
        try:
            if len(chosen) != len(set(pks)):
                raise ServiceError(_("所选建议已决定或不在您的范围内,请刷新后重试"))
            n = services.standing_decide(
                proposals=chosen,
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
                exit_date=form.cleaned_data["exit_date"],
                acting_user=request.user,
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已决定%(n)d条建议") % {"n": n})
            return redirect(f"{request.path}?kind={kind}")
    pending = selectors.proposal_list(viewer=request.user, kind=kind)
    page = lists.page_of(request.GET, pending, default_size=100)
    return render(
        request,
        "people/standing.html",
        {
            "page": page,
            "form": form,
            "kind": kind,
            "kinds": StandingKind.choices,
            "decided": selectors.proposal_list(viewer=request.user, kind=kind, status="").exclude(
                status="pending"
            )[:50],
        },
    )
