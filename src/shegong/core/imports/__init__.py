"""One import kit for every area: a plan's shape, the marked error sheet, the kept upload and
the page flow (upload → check inline or as a job by size → preview → confirm → apply).

An area gives its aliases, plan function, apply function and labels (`flow.ImportKind`)."""

from shegong.core.imports.plan import PREVIEW_ROWS, ImportPlan, PreviewRow, change_text, chunked
from shegong.core.imports.workbook import XLSX, errors_workbook

__all__ = [
    "PREVIEW_ROWS",
    "XLSX",
    "ImportPlan",
    "PreviewRow",
    "change_text",
    "chunked",
    "errors_workbook",
]
