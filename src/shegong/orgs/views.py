from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core import uploads
from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.sheets import SheetError
from shegong.core.types import AuthedRequest
from shegong.orgs import imports, selectors, services
from shegong.orgs.forms import CommunityProfileForm, FundingForm, SheetUploadForm
from shegong.orgs.models import UnitKind


@login_required
def tree(request: AuthedRequest) -> HttpResponse:
    roots = list(selectors.unit_roots(viewer=request.user))
    if len(roots) == 1:
        return redirect("orgs:unit", code=roots[0].code)
    search = request.GET.get("q", "").strip()
    found = selectors.unit_list(viewer=request.user, search=search)[:100] if search else []
    return render(request, "orgs/tree.html", {"roots": roots, "found": found, "q": search})


@login_required
def unit_detail(request: AuthedRequest, code: str) -> HttpResponse:
    unit = selectors.unit_get(viewer=request.user, code=code)
    context = {
        "unit": unit,
        "breadcrumbs": selectors.unit_breadcrumbs(viewer=request.user, unit=unit),
        "children": selectors.child_summaries(viewer=request.user, unit=unit),
        "summary": selectors.subtree_summary(viewer=request.user, unit=unit),
        "can_edit": has_permission(request.user, Permission.EDIT, unit),
        "can_import": has_permission(request.user, Permission.IMPORT, unit),
        "q": request.GET.get("q", ""),
    }
    if unit.kind == UnitKind.COMMUNITY:
        context["profile"] = selectors.community_profile_get(viewer=request.user, unit=unit)
        context["fundings"] = selectors.community_funding_list(viewer=request.user, unit=unit)
    return render(request, "orgs/unit.html", context)


@login_required
def profile_edit(request: AuthedRequest, code: str) -> HttpResponse:
    unit = selectors.unit_get(viewer=request.user, code=code)
    if unit.kind != UnitKind.COMMUNITY or not has_permission(request.user, Permission.EDIT, unit):
        raise Http404
    profile = selectors.community_profile_get(viewer=request.user, unit=unit)
    initial = {f: getattr(profile, f) for f in services.PROFILE_FIELDS} if profile else {}
    form = CommunityProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.community_profile_update(
                unit=unit, values=form.cleaned_data, acting_user=request.user
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("社区概况已保存"))
            return redirect("orgs:unit", code=unit.code)
    return render(request, "orgs/profile_edit.html", {"unit": unit, "form": form})


@login_required
def funding_add(request: AuthedRequest, code: str) -> HttpResponse:
    unit = selectors.unit_get(viewer=request.user, code=code)
    if unit.kind != UnitKind.COMMUNITY or not has_permission(request.user, Permission.EDIT, unit):
        raise Http404
    form = FundingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.community_funding_set(unit=unit, acting_user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("经费已登记"))
            return redirect("orgs:unit", code=unit.code)
    return render(request, "orgs/funding_form.html", {"unit": unit, "form": form})


UNIT_FILE = "unit_import_file"


@login_required
def unit_import(request: AuthedRequest) -> HttpResponse:
    """Upload, read once and validate the whole sheet, preview; nothing is written until
    confirmed. The rows read are kept beside the upload for the confirm."""
    if not has_permission(request.user, Permission.IMPORT):
        raise Http404
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        uploads.upload_discard(request.session.pop(UNIT_FILE, None))
        try:
            name = uploads.upload_keep(upload)
            table = uploads.upload_read(name, imports.UNIT_SHEET_ALIASES, form.read_options())
        except SheetError as exc:
            form.add_error("file", str(exc))
        else:
            request.session[UNIT_FILE] = name
            request.session["unit_import_name"] = upload.name
            plan = imports.units_import_plan(
                rows=table.rows, columns=table.columns, acting_user=request.user
            )
            context.update({"plan": plan, "filename": upload.name, "notes": table.notes})
    return render(request, "orgs/import.html", context)


@login_required
@require_POST
def unit_import_confirm(request: AuthedRequest) -> HttpResponse:
    if not has_permission(request.user, Permission.IMPORT):
        raise Http404
    name = request.session.get(UNIT_FILE)
    table = uploads.rows_load(name) if name else None
    if name is None or table is None:
        messages.error(request, _("上传的文件已失效,请重新上传"))
        return redirect("orgs:import")
    # Validate again: the tree may have changed since the preview.
    plan = imports.units_import_plan(
        rows=table.rows, columns=table.columns, acting_user=request.user
    )
    if not plan.ok:
        return render(request, "orgs/import.html", {"form": SheetUploadForm(), "plan": plan})
    try:
        imports.units_import_apply(plan=plan, acting_user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("orgs:import")
    uploads.upload_discard(name)
    del request.session[UNIT_FILE]
    messages.success(
        request,
        _("导入完成:新增%(c)d个,更新%(u)d个,未变%(n)d个")
        % {"c": plan.creates, "u": plan.updates, "n": plan.unchanged},
    )
    return redirect("orgs:tree")
