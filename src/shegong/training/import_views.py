"""Import pages for sign-in sheets (per course) and exam results: core's flow (upload → every
error listed with a marked sheet to download → preview → confirm, all or nothing; large files
by background jobs) with the training plans. Each route acts on the caller's own upload and
re-checks scope (the course) on confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.imports import flow
from shegong.core.sheets import SheetTable
from shegong.core.types import AuthedRequest
from shegong.training import imports, selectors

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- sign-in sheets

# A file larger than this is checked by a job; a sheet of more rows is written by one.
INLINE_CHECK_BYTES = 256 * 1024
BACKGROUND_ROWS = 2000


def _attendance_plan(
    table: SheetTable, user: User, context: dict[str, Any], _progress: Any
) -> imports.AttendancePlan:
    course = selectors.course_get(viewer=user, pk=context["course"])
    return imports.attendance_import_plan(
        course=course, rows=table.rows, columns=table.columns, acting_user=user
    )


def _attendance_apply(plan: imports.AttendancePlan, user: User, _progress: Any) -> str:
    added = imports.attendance_import_apply(plan=plan, acting_user=user)
    return _("导入完成:新增签到%(n)s人次,新报名%(e)s人") % {"n": added, "e": len(plan.to_enrol)}


def _course(request: AuthedRequest, context: dict[str, Any]) -> dict[str, Any]:
    return {"course": selectors.course_get(viewer=request.user, pk=context.get("course", 0))}


def _course_url(name: str, context: dict[str, Any]) -> str:
    """A page of the import's course (the course list when the upload is gone)."""
    if "course" not in context:
        return reverse("training:list")
    return reverse(name, kwargs={"pk": context["course"]})


ATTENDANCE = flow.ImportKind(
    name="training_attendance",
    aliases=imports.ATTENDANCE_ALIASES,
    plan=_attendance_plan,
    apply=_attendance_apply,
    labels={},  # the columns are the headers themselves
    template="training/import_attendance.html",
    page_url=lambda c: _course_url("training:import", c),
    done_url=lambda c: _course_url("training:detail", c),
    extra=_course,
    urls="training:import-",
    inline_check_bytes=lambda: INLINE_CHECK_BYTES,
    background_rows=lambda: BACKGROUND_ROWS,
    done_label=gettext_lazy("返回培训班"),
)


@login_required
def attendance_import(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.course_get(viewer=request.user, pk=pk)  # 404 before anything else
    return flow.page(request, ATTENDANCE, {"course": pk})


# ---------------------------------------------------------------- exam results


def _exam_plan(
    table: SheetTable, user: User, _context: dict[str, Any], _progress: Any
) -> imports.ExamPlan:
    return imports.exam_import_plan(rows=table.rows, columns=table.columns, acting_user=user)


def _exam_apply(plan: imports.ExamPlan, user: User, _progress: Any) -> str:
    done = imports.exam_import_apply(plan=plan, acting_user=user)
    return _("导入完成:%(n)s条成绩,其中通过%(p)s人") % {"n": done, "p": plan.passes}


EXAMS = flow.ImportKind(
    name="training_exam",
    aliases=imports.EXAM_ALIASES,
    plan=_exam_plan,
    apply=_exam_apply,
    labels={},
    template="training/import_exams.html",
    page_url=lambda _c: reverse("training:exam-import"),
    done_url=lambda _c: reverse("training:exams"),
    urls="training:exam-import-",
    inline_check_bytes=lambda: INLINE_CHECK_BYTES,
    background_rows=lambda: BACKGROUND_ROWS,
    done_label=gettext_lazy("返回职业资格考试"),
)


@login_required
def exam_import(request: AuthedRequest) -> HttpResponse:
    return flow.page(request, EXAMS)
