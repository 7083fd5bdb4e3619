from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.imports import flow
from shegong.core.sheets import SheetTable
from shegong.core.types import AuthedRequest
from shegong.orgs import imports, panels, selectors, services
from shegong.orgs.forms import CommunityProfileForm, FundingForm
from shegong.orgs.models import UnitKind

if TYPE_CHECKING:
    from shegong.core.models import User


@login_required
def tree(request: AuthedRequest) -> HttpResponse:
    roots = list(selectors.unit_roots(viewer=request.user))
    search = request.GET.get("q", "").strip()
    if len(roots) == 1 and not search:
        return redirect("orgs:unit", code=roots[0].code)
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
        "panels": panels.panels_for(viewer=request.user, unit=unit),
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
            service_error_on(form, exc)
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
            service_error_on(form, exc)
        else:
            messages.success(request, _("经费已登记"))
            return redirect("orgs:unit", code=unit.code)
    return render(request, "orgs/funding_form.html", {"unit": unit, "form": form})


# ---------------------------------------------------------------- the units import (core's flow)

# A file larger than this is checked by a job; a sheet of more rows is written by one.
INLINE_CHECK_BYTES = 256 * 1024
BACKGROUND_ROWS = 2000


def _import_plan(
    table: SheetTable, user: User, _context: dict[str, Any], _progress: Any
) -> imports.UnitImportPlan:
    return imports.units_import_plan(rows=table.rows, columns=table.columns, acting_user=user)


def _import_apply(plan: imports.UnitImportPlan, user: User, _progress: Any) -> str:
    imports.units_import_apply(plan=plan, acting_user=user)
    return _("导入完成:新增%(c)d个,更新%(u)d个,未变%(n)d个") % {
        "c": plan.creates,
        "u": plan.updates,
        "n": plan.unchanged,
    }


UNITS = flow.ImportKind(
    name="units",
    aliases=imports.UNIT_SHEET_ALIASES,
    plan=_import_plan,
    apply=_import_apply,
    labels=imports.UNIT_COLUMN_LABELS,
    template="orgs/import.html",
    page_url=lambda _c: reverse("orgs:import"),
    done_url=lambda _c: reverse("orgs:tree"),
    urls="orgs:import-",
    inline_check_bytes=lambda: INLINE_CHECK_BYTES,
    background_rows=lambda: BACKGROUND_ROWS,
    done_label=gettext_lazy("返回组织架构"),
)


@login_required
def unit_import(request: AuthedRequest) -> HttpResponse:
    """Upload, read once and validate the whole sheet, preview; nothing is written until
    confirmed."""
    return flow.page(request, UNITS)
