"""Roster import and export pages: upload → validation report (errors and the marked sheet)
→ preview counts → confirm; large files are written by a background job whose progress the
page polls. Every route acts on the caller's own upload or job, scoped by the services."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.sheets import SheetError, SheetRow, read_sheet
from shegong.core.types import AuthedRequest
from shegong.orgs.forms import SheetUploadForm
from shegong.people import exports, imports
from shegong.people.selectors import WorkerFilters
from shegong.tasks import runner
from shegong.tasks import selectors as task_selectors
from shegong.tasks import services as task_services
from shegong.tasks.models import Job

SESSION_FILE = "worker_import_file"
SESSION_NAME = "worker_import_name"
SESSION_JOB = "worker_import_job"
JOB_KIND = "workers_import"
SHOWN_ERRORS = 500


def _require_import(request: AuthedRequest) -> None:
    if not has_permission(request.user, Permission.IMPORT):
        raise Http404


def _upload_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored(request: AuthedRequest) -> Path | None:
    name = request.session.get(SESSION_FILE)
    if not name:
        return None
    path = _upload_dir() / name
    return path if path.exists() else None


def _read(path: Path) -> tuple[list[str], list[SheetRow]]:
    return read_sheet(path, path.name, imports.WORKER_SHEET_ALIASES)


def _download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def upload(request: AuthedRequest) -> HttpResponse:
    """Upload and validate the whole sheet; preview what would change. Nothing is written."""
    _require_import(request)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form, "threshold": imports.BACKGROUND_THRESHOLD}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        stored = _upload_dir() / f"{uuid.uuid4().hex}{suffix}"
        stored.write_bytes(upload.read())
        previous = _stored(request)
        if previous is not None:
            previous.unlink(missing_ok=True)
        request.session[SESSION_FILE] = stored.name
        request.session[SESSION_NAME] = upload.name
        try:
            columns, rows = _read(stored)
        except SheetError as exc:
            form.add_error("file", str(exc))
        else:
            plan = imports.workers_import_plan(rows=rows, columns=columns, acting_user=request.user)
            context.update(
                {
                    "plan": plan,
                    "filename": upload.name,
                    "shown_errors": plan.errors[:SHOWN_ERRORS],
                    "background": plan.rows > imports.BACKGROUND_THRESHOLD,
                }
            )
    return render(request, "people/import.html", context)


@login_required
def template(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    content = imports.template_workbook(viewer=request.user)
    return _download(content, "社区工作者导入模板.xlsx", XLSX)


@login_required
def error_sheet(request: AuthedRequest) -> HttpResponse:
    """The caller's last upload with the bad cells highlighted and a 错误说明 column."""
    _require_import(request)
    stored = _stored(request)
    if stored is None:
        raise Http404
    try:
        columns, rows = _read(stored)
    except SheetError as exc:
        raise Http404 from exc
    plan = imports.workers_import_plan(rows=rows, columns=columns, acting_user=request.user)
    content = imports.errors_workbook(rows=rows, columns=columns, errors=plan.errors)
    name = Path(request.session.get(SESSION_NAME) or "导入").stem
    return _download(content, f"{name}_错误标注.xlsx", XLSX)


def _import_job(job: Job, progress: runner.Progress) -> str:
    path = _upload_dir() / job.result_file
    columns, rows = _read(path)
    progress.phase(_("正在校验"), total=len(rows))
    plan = imports.workers_import_plan(
        rows=rows, columns=columns, acting_user=job.owner, progress=progress
    )
    if not plan.ok:
        raise ServiceError(
            _("文件有%(n)d处错误,未导入任何数据,请重新上传校验") % {"n": len(plan.errors)}
        )
    progress.phase(_("正在写入"), total=plan.creates + plan.updates)
    imports.workers_import_apply(plan=plan, acting_user=job.owner, progress=progress)
    path.unlink(missing_ok=True)
    return _("导入完成:新增%(c)d人,更新%(u)d人,未变%(n)d人") % {
        "c": plan.creates,
        "u": plan.updates,
        "n": plan.unchanged,
    }


@login_required
@require_POST
def confirm(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    stored = _stored(request)
    if stored is None:
        messages.error(request, _("上传的文件已失效,请重新上传"))
        return redirect("people_import:upload")
    # Validate again: the roster may have changed since the preview.
    columns, rows = _read(stored)
    if len(rows) > imports.BACKGROUND_THRESHOLD:
        del request.session[SESSION_FILE]
        job = task_services.job_start(
            kind=JOB_KIND,
            unit_path="",
            total=len(rows),
            message=_("排队中"),
            work=_import_job,
            acting_user=request.user,
            input_file=stored.name,
        )
        request.session[SESSION_JOB] = job.pk
        return redirect("people_import:progress")
    plan = imports.workers_import_plan(rows=rows, columns=columns, acting_user=request.user)
    if plan.ok:
        try:
            imports.workers_import_apply(plan=plan, acting_user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("people_import:upload")
    if not plan.ok:
        context = {
            "form": SheetUploadForm(),
            "plan": plan,
            "shown_errors": plan.errors[:SHOWN_ERRORS],
        }
        return render(request, "people/import.html", context)
    stored.unlink(missing_ok=True)
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
    if job.kind != JOB_KIND:
        raise Http404
    return job


@login_required
def progress(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    job = _own_job(request)
    return render(request, "people/import_progress.html", {"state": runner.job_state(job)})


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
