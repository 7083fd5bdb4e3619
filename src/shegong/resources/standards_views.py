"""Pages of the standards communities are held to, and of the inspectors' checks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.access import Permission, has_permission, sees_everything
from shegong.core.errors import ServiceError
from shegong.core.forms import service_error_on
from shegong.core.types import AuthedRequest
from shegong.orgs.models import Unit
from shegong.resources import selectors, services
from shegong.resources.forms import StandardCheckForm, StandardForm, StandardItemForm
from shegong.resources.models import ItemKind, Standard
from shegong.resources.views import _date, _unit


def _may_configure(request: AuthedRequest, standard: Standard) -> bool:
    if standard.unit is None:
        return sees_everything(request.user)
    return has_permission(request.user, Permission.EDIT, standard.unit)


def _check_form(
    request: AuthedRequest, unit: Unit, standard: Standard, data: QueryDict | None = None
) -> StandardCheckForm | None:
    """The inspector's form, when the standard has items to check and the viewer may edit a
    community it applies to."""
    items = [(i.pk, i.label) for i in standard.items.all() if i.kind == ItemKind.CHECKED]
    communities = selectors.communities_for_edit(viewer=request.user).filter(
        path__startswith=(standard.unit or unit).path
    )
    if not items or not communities.exists():
        return None
    return StandardCheckForm(
        data,
        communities=communities.filter(path__startswith=unit.path),
        items=items,
        initial={"checked_on": timezone.localdate()},
    )


def _posted_to(request: AuthedRequest, key: str) -> tuple[Unit, Standard]:
    """The unit of the page a form was posted from and its standard (404 when either is
    missing or out of scope)."""
    unit = _unit(request)
    if unit is None:
        raise Http404
    return unit, selectors.standard_get(viewer=request.user, unit=unit, key=key)


def _form_errors(form: StandardCheckForm | StandardItemForm) -> str:
    return "; ".join(str(e) for errs in form.errors.values() for e in errs)


def _back(unit: Unit, standard: Standard) -> str:
    query = urlencode({"unit": unit.code, "standard": standard.key})
    return f"{reverse('resources:standards')}?{query}"


@login_required
def standards(request: AuthedRequest) -> HttpResponse:
    """Each community against one standard as of a date: who falls short, by how much (a
    measured item) or which checks failed or are missing; the year's checks below."""
    unit = _unit(request)
    if unit is None:
        raise Http404
    offered = selectors.standards_for(viewer=request.user, unit=unit)
    key = request.GET.get("standard") or (offered[0].key if offered else "")
    standard = selectors.standard_get(viewer=request.user, unit=unit, key=key) if key else None
    as_of = _date(request.GET.get("date"), timezone.localdate())
    rows = (
        selectors.standard_score(viewer=request.user, unit=unit, standard=standard, as_of=as_of)
        if standard
        else []
    )
    context = {
        "unit": unit,
        "as_of": as_of,
        "offered": offered,
        "standard": standard,
        "rows": rows,
        "short": sum(not r.met for r in rows),
        "can_create": selectors.units_for_standards(viewer=request.user).exists(),
    }
    if standard is not None:
        context["checks"] = selectors.standard_checks(
            viewer=request.user, unit=unit, standard=standard, year=as_of.year
        )[:100]
        context["check_form"] = _check_form(request, unit, standard)
        if _may_configure(request, standard):
            context["item_form"] = StandardItemForm()
    return render(request, "resources/standards.html", context)


@login_required
@require_POST
def standard_check(request: AuthedRequest, key: str) -> HttpResponse:
    unit, standard = _posted_to(request, key)
    form = _check_form(request, unit, standard, request.POST)
    if form is None:
        raise Http404
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_back(unit, standard))
    item = next(i for i in standard.items.all() if i.pk == form.cleaned_data["item"])
    try:
        services.standard_check_record(
            item=item,
            community=form.cleaned_data["community"],
            values=form.cleaned_data,
            acting_user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已登记检查结果"))
    return redirect(_back(unit, standard))


@login_required
@require_POST
def standard_item_add(request: AuthedRequest, key: str) -> HttpResponse:
    unit, standard = _posted_to(request, key)
    if not _may_configure(request, standard):
        raise Http404
    form = StandardItemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return redirect(_back(unit, standard))
    try:
        item = services.standard_item_add(
            standard=standard, values=form.cleaned_data, acting_user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已增加项目%(label)s") % {"label": item.label})
    return redirect(_back(unit, standard))


@login_required
def standard_create(request: AuthedRequest) -> HttpResponse:
    units = selectors.units_for_standards(viewer=request.user)
    if not units.exists():
        raise Http404
    form = StandardForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        try:
            standard = services.standard_create(
                unit=form.cleaned_data["unit"], values=form.cleaned_data, acting_user=request.user
            )
        except ServiceError as exc:
            service_error_on(form, exc)
        else:
            messages.success(request, _("已制定标准%(name)s,请增加项目") % {"name": standard.name})
            assert standard.unit is not None
            return redirect(_back(standard.unit, standard))
    return render(request, "resources/form.html", {"form": form, "title": _("制定达标标准")})
