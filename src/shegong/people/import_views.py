"""Roster import and export pages: upload → validation report (errors and the marked sheet)
→ preview counts → confirm; large files are written by a background job whose progress the
page polls. Every route acts on the caller's own upload or job, scoped by the services."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core import uploads
from shegong.core.access import Permission, has_permission
from shegong.core.errors import RowError, ServiceError
from shegong.core.sheets import SheetError, SheetTable
from shegong.core.types import AuthedRequest
from shegong.orgs.forms import SheetUploadForm
from shegong.people import exports, imports
from shegong.people.selectors import WorkerFilters
from shegong.tasks import runner
from shegong.tasks import selectors as task_selectors
from shegong.tasks import services as task_services
from shegong.tasks.models import Job

if TYPE_CHECKING:
    from shegong.core.models import User

SESSION_FILE = "worker_import_file"
SESSION_NAME = "worker_import_name"
SESSION_JOB = "worker_import_job"
JOB_KIND = "workers_import"
CHECK_KIND = "workers_check"
SHOWN_ERRORS = 500
# Uploads up to this size are read and checked within the request; larger ones by a job.
INLINE_CHECK_BYTES = 256 * 1024


def _require_import(request: AuthedRequest) -> None:
    if not has_permission(request.user, Permission.IMPORT):
        raise Http404


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class CheckSummary:
    """What the check of an upload found, kept beside it (`.check.json`) for the preview,
    the marked error sheet and the confirm."""

    filename: str
    rows: int
    creates: int
    updates: int
    unchanged: int
    errors: list[RowError]
    error_rows: int
    notes: list[str]
    sheet: str
    # What the check says once about the whole file (e.g. personal data not compared).
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:SHOWN_ERRORS]

    @classmethod
    def of(cls, plan: imports.WorkerImportPlan, table: SheetTable, filename: str) -> CheckSummary:
        return cls(
            filename=filename,
            rows=len(table.rows),
            creates=plan.creates,
            updates=plan.updates,
            unchanged=plan.unchanged,
            errors=plan.errors,
            error_rows=plan.error_rows,
            notes=table.notes,
            sheet=table.sheet_name,
            notices=[str(notice) for notice in plan.notices],
        )

    def save(self, name: str) -> None:
        data = asdict(self)
        data["errors"] = [[e.row, e.column, e.value, e.reason] for e in self.errors]
        uploads.side_save(name, ".check.json", data)

    @classmethod
    def load(cls, name: str) -> CheckSummary | None:
        data = uploads.side_load(name, ".check.json")
        if data is None:
            return None
        data["errors"] = [RowError(*e) for e in data["errors"]]
        return cls(**data)


def _check(name: str, user: User, filename: str, options: dict[str, Any], progress: Any) -> str:
    """Read the upload once, keep its rows, check every row, keep the summary."""
    if progress is not None:
        progress.phase(_("正在读取表格"), total=None)
    table = uploads.upload_read(name, imports.WORKER_SHEET_ALIASES, options)
    if progress is not None:
        progress.phase(_("正在校验"), total=len(table.rows))
    plan = imports.workers_import_plan(
        rows=table.rows, columns=table.columns, acting_user=user, progress=progress
    )
    CheckSummary.of(plan, table, filename).save(name)
    if plan.ok:
        return _("校验通过:共%(n)d行,请查看预览后确认导入") % {"n": len(table.rows)}
    return _("校验完成:发现%(n)d处错误,请查看校验结果") % {"n": len(plan.errors)}


def check_job(job: Job, progress: runner.Progress) -> str:
    """Background check of a large upload (job.result_file names it; the reading options and
    the original file name are kept beside it)."""
    options = uploads.side_load(job.result_file, ".options.json") or {}
    return _check(job.result_file, job.owner, str(options.get("filename") or ""), options, progress)


def _render(
    request: AuthedRequest, form: SheetUploadForm, summary: CheckSummary | None
) -> HttpResponse:
    context: dict[str, object] = {"form": form, "threshold": imports.BACKGROUND_THRESHOLD}
    if summary is not None:
        context.update(
            {
                "plan": summary,
                "filename": summary.filename,
                "shown_errors": summary.shown_errors,
                "notes": summary.notes,
                "background": summary.rows > imports.BACKGROUND_THRESHOLD,
            }
        )
    return render(request, "people/import.html", context)


@login_required
def upload(request: AuthedRequest) -> HttpResponse:
    """Upload a sheet; small files are checked at once, large ones by a background job whose
    progress the page shows. Either way the preview says what would change; nothing is written."""
    _require_import(request)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        # Back from a background check: its summary.
        name = request.session.get(SESSION_FILE)
        summary = CheckSummary.load(name) if request.GET.get("checked") and name else None
        return _render(request, form, summary)
    if not form.is_valid():
        return _render(request, form, None)
    file = form.cleaned_data["file"]
    uploads.upload_discard(request.session.pop(SESSION_FILE, None))
    try:
        name = uploads.upload_keep(file)
    except SheetError as exc:
        form.add_error("file", str(exc))
        return _render(request, form, None)
    request.session[SESSION_FILE] = name
    request.session[SESSION_NAME] = file.name
    options = form.read_options()
    if file.size > INLINE_CHECK_BYTES:
        uploads.side_save(name, ".options.json", {**options, "filename": file.name})
        job = task_services.job_start(
            kind=CHECK_KIND,
            unit_path="",
            total=0,
            message=_("排队中"),
            work=check_job,
            acting_user=request.user,
            input_file=name,
        )
        request.session[SESSION_JOB] = job.pk
        return redirect("people_import:progress")
    try:
        _check(name, request.user, file.name, options, None)
    except SheetError as exc:
        request.session.pop(SESSION_FILE, None)
        form.add_error("file", str(exc))
        return _render(request, form, None)
    return _render(request, form, CheckSummary.load(name))


@login_required
def template(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    content = imports.template_workbook(viewer=request.user)
    return _download(content, "社区工作者导入模板.xlsx", XLSX)


@login_required
def error_sheet(request: AuthedRequest) -> HttpResponse:
    """The caller's last upload with the bad cells highlighted and a 错误说明 column."""
    _require_import(request)
    name = request.session.get(SESSION_FILE)
    table = uploads.rows_load(name) if name else None
    summary = CheckSummary.load(name) if name else None
    if table is None or summary is None:
        raise Http404
    content = imports.errors_workbook(rows=table.rows, columns=table.columns, errors=summary.errors)
    stem = Path(request.session.get(SESSION_NAME) or "导入").stem
    return _download(content, f"{stem}_错误标注.xlsx", XLSX)


def import_job(job: Job, progress: runner.Progress) -> str:
    """Background write of a checked upload (job.result_file names it): the rows kept at the
    check are checked again against today's roster and written all or nothing."""
    name = job.result_file
    try:
        table = uploads.rows_load(name)
        if table is None:
            raise ServiceError(_("上传的文件已失效,请重新上传"))
        progress.phase(_("正在校验"), total=len(table.rows))
        plan = imports.workers_import_plan(
            rows=table.rows, columns=table.columns, acting_user=job.owner, progress=progress
        )
        if not plan.ok:
            raise ServiceError(
                _("文件有%(n)d处错误,未导入任何数据,请重新上传校验") % {"n": len(plan.errors)}
            )
        progress.phase(_("正在写入"), total=plan.creates + plan.updates)
        imports.workers_import_apply(plan=plan, acting_user=job.owner, progress=progress)
    finally:
        uploads.upload_discard(name)
    return _("导入完成:新增%(c)d人,更新%(u)d人,未变%(n)d人") % {
        "c": plan.creates,
        "u": plan.updates,
        "n": plan.unchanged,
    }


@login_required
@require_POST
def confirm(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    name = request.session.get(SESSION_FILE)
    table = uploads.rows_load(name) if name else None
    if name is None or table is None:
        messages.error(request, _("上传的文件已失效,请重新上传"))
        return redirect("people_import:upload")
    if len(table.rows) > imports.BACKGROUND_THRESHOLD:
        del request.session[SESSION_FILE]
        job = task_services.job_start(
            kind=JOB_KIND,
            unit_path="",
            total=len(table.rows),
            message=_("排队中"),
            work=import_job,
            acting_user=request.user,
            input_file=name,
        )
        request.session[SESSION_JOB] = job.pk
        return redirect("people_import:progress")
    # Checked again: the roster may have changed since the preview.
    plan = imports.workers_import_plan(
        rows=table.rows, columns=table.columns, acting_user=request.user
    )
    if plan.ok:
        try:
            imports.workers_import_apply(plan=plan, acting_user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("people_import:upload")
    if not plan.ok:
        summary = CheckSummary.of(plan, table, str(request.session.get(SESSION_NAME) or ""))
        summary.save(name)
        return _render(request, SheetUploadForm(), summary)
    uploads.upload_discard(name)
    del request.session[SESSION_FILE]
    messages.success(
        request,
        _("导入完成:新增%(c)d人,更新%(u)d人,未变%(n)d人")
        % {"c": plan.creates, "u": plan.updates, "n": plan.unchanged},
    )
    return redirect("people:list")


def _own_job(request: AuthedRequest) -> Job:
    job_id = request.session.get(SESSION_JOB)
    if not isinstance(job_id, int):
        raise Http404
    job = task_selectors.job_get(viewer=request.user, pk=job_id)
    if job.kind not in {JOB_KIND, CHECK_KIND}:
        raise Http404
    return job


@login_required
def progress(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    job = _own_job(request)
    context = {"state": runner.job_state(job), "check": job.kind == CHECK_KIND}
    return render(request, "people/import_progress.html", context)


@login_required
def progress_json(request: AuthedRequest) -> JsonResponse:
    _require_import(request)
    return JsonResponse(runner.job_state(_own_job(request)))


@login_required
def export(request: AuthedRequest) -> HttpResponse:
    """The worker list as filtered on the list page, as .xlsx or .csv."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in {"xlsx", "csv"}:
        raise Http404
    filters = WorkerFilters.from_mapping(request.GET)
    result = exports.workers_export(viewer=request.user, filters=filters, fmt=fmt)
    return _download(result.content, result.filename, result.content_type)
