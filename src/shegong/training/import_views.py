"""Import pages for sign-in sheets (per course) and exam results: upload → every error listed
with a marked sheet to download → preview → confirm, all or nothing. Each route acts on the
caller's own upload (kept in their session) and re-checks scope on confirm."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shegong.core import uploads
from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.sheets import SheetError, SheetRow, SheetTable
from shegong.core.types import AuthedRequest
from shegong.orgs.forms import SheetUploadForm
from shegong.people.imports import errors_workbook
from shegong.training import imports, selectors
from shegong.training.exports import XLSX

SHOWN_ERRORS = 300
ATTENDANCE = "training_attendance_import"
EXAMS = "training_exam_import"


def _require_import(request: AuthedRequest) -> None:
    if not has_permission(request.user, Permission.IMPORT):
        raise Http404


def _keep(
    request: AuthedRequest, key: str, form: SheetUploadForm, aliases: dict[str, str], **extra: Any
) -> SheetTable:
    """Store the upload and read it once (bounded); the rows are kept beside it for the error
    sheet and the confirm. SheetError when it is no readable sheet (then nothing is kept)."""
    upload = form.cleaned_data["file"]
    _forget(request, key)
    name = uploads.upload_keep(upload)
    table = uploads.upload_read(name, aliases, form.read_options())
    request.session[key] = {"file": name, "name": upload.name, **extra}
    return table


def _kept(request: AuthedRequest, key: str) -> SheetTable | None:
    kept = request.session.get(key)
    if not isinstance(kept, dict):
        return None
    return uploads.rows_load(str(kept.get("file", "")))


def _forget(request: AuthedRequest, key: str) -> None:
    kept = request.session.pop(key, None)
    if isinstance(kept, dict):
        uploads.upload_discard(str(kept.get("file", "")))


def _marked(
    request: AuthedRequest, key: str, plan: Any, rows: list[SheetRow], columns: list[str]
) -> HttpResponse:
    content = errors_workbook(rows=rows, columns=columns, errors=plan.errors)
    name = Path(request.session[key].get("name") or "导入").stem
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        content_disposition_header(True, f"{name}_错误标注.xlsx") or "attachment"
    )
    return response


# ---------------------------------------------------------------- sign-in sheets


@login_required
def attendance_import(request: AuthedRequest, pk: int) -> HttpResponse:
    course = selectors.course_get(viewer=request.user, pk=pk)
    _require_import(request)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "course": course}
    if request.method == "POST" and form.is_valid():
        try:
            table = _keep(request, ATTENDANCE, form, imports.ATTENDANCE_ALIASES, course=course.pk)
        except SheetError as exc:
            form.add_error("file", str(exc))
        else:
            plan = imports.attendance_import_plan(
                course=course, rows=table.rows, columns=table.columns, acting_user=request.user
            )
            context.update(
                plan=plan,
                filename=form.cleaned_data["file"].name,
                shown_errors=plan.errors[:SHOWN_ERRORS],
                notes=table.notes,
            )
    return render(request, "training/import_attendance.html", context)


def _attendance_upload(request: AuthedRequest) -> tuple[Any, list[str], list[SheetRow], Any]:
    table = _kept(request, ATTENDANCE)
    if table is None:
        raise Http404
    course = selectors.course_get(viewer=request.user, pk=request.session[ATTENDANCE]["course"])
    plan = imports.attendance_import_plan(
        course=course, rows=table.rows, columns=table.columns, acting_user=request.user
    )
    return course, table.columns, table.rows, plan


@login_required
def attendance_import_errors(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    _course, columns, rows, plan = _attendance_upload(request)
    return _marked(request, ATTENDANCE, plan, rows, columns)


@login_required
@require_POST
def attendance_import_confirm(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    course, _columns, _rows, plan = _attendance_upload(request)  # checked again: data moves on
    if plan.ok:
        try:
            added = imports.attendance_import_apply(plan=plan, acting_user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            _forget(request, ATTENDANCE)
            messages.success(
                request,
                _("导入完成:新增签到%(n)s人次,新报名%(e)s人")
                % {"n": added, "e": len(plan.to_enrol)},
            )
            return redirect("training:detail", pk=course.pk)
    else:
        messages.error(request, _("文件有错误,未导入任何数据,请改正后重新上传"))
    return redirect("training:import", pk=course.pk)


# ---------------------------------------------------------------- exam results


@login_required
def exam_import(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    form = SheetUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            table = _keep(request, EXAMS, form, imports.EXAM_ALIASES)
        except SheetError as exc:
            form.add_error("file", str(exc))
        else:
            plan = imports.exam_import_plan(
                rows=table.rows, columns=table.columns, acting_user=request.user
            )
            context.update(
                plan=plan,
                filename=form.cleaned_data["file"].name,
                shown_errors=plan.errors[:SHOWN_ERRORS],
                notes=table.notes,
            )
    return render(request, "training/import_exams.html", context)


def _exam_upload(request: AuthedRequest) -> tuple[list[str], list[SheetRow], Any]:
    table = _kept(request, EXAMS)
    if table is None:
        raise Http404
    return (
        table.columns,
        table.rows,
        imports.exam_import_plan(rows=table.rows, columns=table.columns, acting_user=request.user),
    )


@login_required
def exam_import_errors(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    columns, rows, plan = _exam_upload(request)
    return _marked(request, EXAMS, plan, rows, columns)


@login_required
@require_POST
def exam_import_confirm(request: AuthedRequest) -> HttpResponse:
    _require_import(request)
    _columns, _rows, plan = _exam_upload(request)
    if plan.ok:
        try:
            done = imports.exam_import_apply(plan=plan, acting_user=request.user)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            _forget(request, EXAMS)
            messages.success(
                request, _("导入完成:%(n)s条成绩,其中通过%(p)s人") % {"n": done, "p": plan.passes}
            )
            return redirect("training:exams")
    else:
        messages.error(request, _("文件有错误,未导入任何数据,请改正后重新上传"))
    return redirect("training:exam-import")
