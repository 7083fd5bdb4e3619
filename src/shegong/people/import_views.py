"""Roster import and export pages. The import is core's flow (upload → check → preview →
confirm, large files by background jobs whose progress the page polls) with the roster's
plan and apply; every route acts on the caller's own upload or job."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.imports import XLSX, flow
from shegong.core.sheets import SheetTable
from shegong.core.types import AuthedRequest
from shegong.people import exports, imports
from shegong.people.selectors import WorkerFilters

if TYPE_CHECKING:
    from shegong.core.models import User

# Uploads up to this size are read and checked within the request; larger ones by a job.
INLINE_CHECK_BYTES = 256 * 1024


def _plan(
    table: SheetTable, user: User, _context: dict[str, Any], progress: Any
) -> imports.WorkerImportPlan:
    return imports.workers_import_plan(
        rows=table.rows, columns=table.columns, acting_user=user, progress=progress
    )


def _apply(plan: imports.WorkerImportPlan, user: User, progress: Any) -> str:
    imports.workers_import_apply(plan=plan, acting_user=user, progress=progress)
    return _("导入完成:新增%(c)d人,更新%(u)d人,未变%(n)d人") % {
        "c": plan.creates,
        "u": plan.updates,
        "n": plan.unchanged,
    }


WORKERS = flow.ImportKind(
    name="workers",
    aliases=imports.WORKER_SHEET_ALIASES,
    plan=_plan,
    apply=_apply,
    labels=imports.LABELS,
    template="people/import.html",
    page_url=lambda _c: reverse("people_import:upload"),
    done_url=lambda _c: reverse("people:list"),
    urls="people_import:",
    done_label=gettext_lazy("返回社区工作者列表"),
    # Read when used, so settings and tests may change them.
    inline_check_bytes=lambda: INLINE_CHECK_BYTES,
    background_rows=lambda: imports.BACKGROUND_THRESHOLD,
)
SESSION_FILE = WORKERS.session_file
CHECK_KIND = WORKERS.check_kind
JOB_KIND = WORKERS.job_kind


@login_required
def upload(request: AuthedRequest) -> HttpResponse:
    return flow.page(request, WORKERS)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def template(request: AuthedRequest) -> HttpResponse:
    flow.require_import(request)
    content = imports.template_workbook(viewer=request.user)
    return _download(content, "社区工作者导入模板.xlsx", XLSX)


@login_required
def export(request: AuthedRequest) -> HttpResponse:
    """The worker list as filtered on the list page, as .xlsx or .csv."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in {"xlsx", "csv"}:
        raise Http404
    filters = WorkerFilters.from_mapping(request.GET)
    result = exports.workers_export(viewer=request.user, filters=filters, fmt=fmt)
    return _download(result.content, result.filename, result.content_type)
