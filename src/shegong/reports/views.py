from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shegong.core.types import AuthedRequest
from shegong.orgs.models import Unit
from shegong.orgs.selectors import unit_breadcrumbs, unit_get
from shegong.reports import documents, selectors, services
from shegong.reports.exports import report_json
from shegong.reports.forms import StructureForm, shown_form


def _unit(request: AuthedRequest, code: str) -> Unit | None:
    """The unit asked for (404 when missing or out of scope), else the viewer's first root."""
    if code:
        return unit_get(viewer=request.user, code=code)
    return selectors.report_units(viewer=request.user).first()


def _report(
    request: AuthedRequest, *, with_training: bool = False
) -> tuple[StructureForm, dict[str, Any], Any]:
    form = StructureForm(request.GET or None)
    values = form.values(timezone.localdate())
    unit = _unit(request, values["unit"])
    if unit is None:
        return form, values, None
    report = selectors.structure_report(
        viewer=request.user,
        unit=unit,
        as_of=values["as_of"],
        compare=values["compare"],
        age_bands=values["age_bands"],
        tenure_bands=values["tenure_bands"],
        standard=values["standard"],
        with_training=with_training,
    )
    return form, values, report


def _query(values: dict[str, Any], unit: str, **extra: str) -> str:
    query = {
        "unit": unit,
        "as_of": values["as_of"].isoformat(),
        "compare": values["compare"].isoformat() if values["compare"] else "",
        "age_bands": ",".join(map(str, values["age_bands"])),
        "tenure_bands": ",".join(map(str, values["tenure_bands"])),
        "standard": str(values["standard"]),
        **extra,
    }
    return urlencode({k: v for k, v in query.items() if v})


@login_required
def structure(request: AuthedRequest) -> HttpResponse:
    form, values, report = _report(request, with_training=True)
    context: dict[str, Any] = {"form": shown_form(form, values), "report": report}
    if report is not None:
        unit = unit_get(viewer=request.user, code=report.figures.unit_code)
        before = report.comparison.before.breakdowns if report.comparison else {}
        context.update(
            {
                "unit": unit,
                "breadcrumbs": unit_breadcrumbs(viewer=request.user, unit=unit),
                "children": selectors.report_units(viewer=request.user, unit=unit),
                "sections": [
                    {
                        "breakdown": b,
                        "before": before.get(key),
                        "deltas": report.comparison.deltas.get(key) if report.comparison else None,
                    }
                    for key, b in report.figures.breakdowns.items()
                ],
                "downloads": [("JSON", _query(values, unit.code, format="json"))],
                "generate_formats": [("docx", "Word"), ("xlsx", "Excel"), ("pdf", "PDF")],
                "generate_fields": [
                    ("unit", unit.code),
                    ("as_of", values["as_of"].isoformat()),
                    ("compare", values["compare"].isoformat() if values["compare"] else ""),
                    ("age_bands", ",".join(map(str, values["age_bands"]))),
                    ("tenure_bands", ",".join(map(str, values["tenure_bands"]))),
                    ("standard", str(values["standard"])),
                ],
                "drill_query": _query(values, ""),
                # The chapters the files carry, in their words (documents.py).
                "standards_header": documents.standards_header(),
                "standards_note": documents.standards_note(report),
                "training_heading": (documents.training_heading(report) if report.training else ""),
                "training_rows": documents.training_table(report)[1] if report.training else [],
            }
        )
    return render(request, "reports/structure.html", context)


CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@login_required
def structure_download(request: AuthedRequest) -> HttpResponse:
    fmt = request.GET.get("format", "json")
    if fmt not in CONTENT_TYPES:
        raise Http404
    _form, _values, report = _report(request, with_training=fmt != "json")
    if report is None:
        raise Http404
    if fmt == "json":
        content = json.dumps(report_json(report), ensure_ascii=False, indent=2).encode()
    else:
        content = documents.render(report, fmt)
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    if fmt != "json":
        name = documents.filename(report, fmt)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_POST
def structure_generate(request: AuthedRequest) -> HttpResponse:
    """Word, Excel and PDF are generated in the background; the job page shows progress."""
    fmt = request.POST.get("format", "")
    if fmt not in services.STRUCTURE_FORMATS:
        raise Http404
    form = StructureForm(request.POST)
    values = form.values(timezone.localdate())
    unit = _unit(request, values["unit"])
    if unit is None:
        raise Http404
    job = services.structure_report_generate(
        unit=unit,
        fmt=fmt,
        options={
            "as_of": values["as_of"],
            "compare": values["compare"],
            "age_bands": values["age_bands"],
            "tenure_bands": values["tenure_bands"],
            "standard": values["standard"],
        },
        acting_user=request.user,
    )
    # The job page downloads the file by itself once it is ready.
    return redirect(f"{reverse('tasks:job', kwargs={'pk': job.pk})}?download=1")
