"""The annual report's pages: pick a unit and year, read the report with its written parts,
edit those parts (each save a new version), start the document as a background job."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.annual import selectors, services
from shegong.annual.forms import PartForm, YearForm
from shegong.annual.models import PartKey
from shegong.core.errors import ServiceError
from shegong.core.types import AuthedRequest
from shegong.orgs.selectors import unit_breadcrumbs, unit_get
from shegong.reports.selectors import report_units

GENERATE_FORMATS = (("docx", "Word"), ("pdf", "PDF"), ("xlsx", "Excel"), ("json", "JSON"))


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """The viewer's own units, each with this year's and last year's report."""
    year = timezone.localdate().year
    units = list(report_units(viewer=request.user))
    return render(
        request, "annual/index.html", {"units": units, "years": [year, year - 1, year - 2]}
    )


def _year(year: int) -> int:
    form = YearForm({"year": year})
    if not form.is_valid():
        raise Http404
    return int(form.cleaned_data["year"])


@login_required
def report(request: AuthedRequest, code: str, year: int) -> HttpResponse:
    unit = unit_get(viewer=request.user, code=code)
    on_page = selectors.computed_on_page(viewer=request.user, unit=unit)
    kept = None
    if on_page:
        annual = selectors.annual_report(viewer=request.user, unit=unit, year=_year(year))
    else:  # too large to compute now: the chapters the viewer's last job kept, if any
        kept = selectors.kept_report(viewer=request.user, unit=unit, year=_year(year))
        annual = (
            kept.report
            if kept is not None
            else selectors.empty_report(viewer=request.user, unit=unit, year=_year(year))
        )
    versions = selectors.part_versions(viewer=request.user, unit=unit, year=year)
    history: dict[str, list[Any]] = {}
    for part in versions:
        history.setdefault(part.key, []).append(part)
    parts = [
        {
            "key": key,
            "label": label,
            "form": PartForm(initial={"key": key, "text": annual.part_text(key)}, prefix=key),
            "versions": history.get(key, []),
        }
        for key, label in PartKey.choices
    ]
    return render(
        request,
        "annual/report.html",
        {
            "unit": unit,
            "year": year,
            "report": annual,
            "breadcrumbs": unit_breadcrumbs(viewer=request.user, unit=unit),
            "children": report_units(viewer=request.user, unit=unit),
            "parts": parts,
            "formats": GENERATE_FORMATS,
            "on_page": on_page,
            "kept": kept,
        },
    )


@login_required
@require_POST
def part_save(request: AuthedRequest, code: str, year: int, key: str) -> HttpResponse:
    unit = unit_get(viewer=request.user, code=code)
    if key not in PartKey.values:
        raise Http404
    form = PartForm(request.POST, prefix=key)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("annual:report", code=unit.code, year=_year(year))
    try:
        services.written_part_save(
            unit=unit,
            year=_year(year),
            key=key,
            text=form.cleaned_data["text"],
            acting_user=request.user,
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存"))
    return redirect("annual:report", code=unit.code, year=year)


@login_required
@require_POST
def generate(request: AuthedRequest, code: str, year: int) -> HttpResponse:
    unit = unit_get(viewer=request.user, code=code)
    fmt = request.POST.get("format", "")
    if fmt not in services.FORMATS:
        raise Http404
    job = services.annual_report_generate(
        unit=unit, year=_year(year), fmt=fmt, as_of=None, acting_user=request.user
    )
    return redirect("tasks:job", pk=job.pk)
