"""Report files (.docx, .xlsx, .pdf) from a structure report."""

from __future__ import annotations

from shegong.reports.selectors import StructureReport


def filename(report: StructureReport, fmt: str) -> str:
    f = report.figures
    return f"structure-{f.unit_code}-{f.as_of.isoformat()}.{fmt}"


def render(report: StructureReport, fmt: str) -> bytes:
    raise NotImplementedError(fmt)
