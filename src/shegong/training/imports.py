"""Importing the sheets organisers already keep: a course's sign-in records and exam results.

As with the roster import, the whole file is validated first and every problem is reported as a
RowError (row, column, value, reason); nothing is written unless the file is clean, and then
everything is written in one transaction through the same services as the pages (so the
capacity, roster-of-the-day and pass rules hold and every change is audited).

Columns are the Chinese headers themselves, so the marked error sheet speaks the same words.
A worker is found by ID number when the sheet has one; otherwise by name (and community, when
two workers in reach share a name).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.access import Permission, has_permission, path_q
from shegong.core.audit import AuditAction, audit_record
from shegong.core.errors import RowError, ServiceError
from shegong.core.imports import ImportPlan, change_text
from shegong.core.sheets import SheetRow, code_text, digits_lost_message, fold, fold_header
from shegong.people import rules as people_rules
from shegong.people.imports import CellError, parse_date
from shegong.people.models import Worker, WorkerStatus
from shegong.training import rules, services
from shegong.training.models import (
    EXAM_LEVELS,
    Attendance,
    Course,
    Enrolment,
    ExamRegistration,
    ExamSubject,
)

if TYPE_CHECKING:
    from shegong.core.models import User

NAME, ID, COMMUNITY, DAY = "姓名", "公民身份号码", "社区", "签到日期"
LEVEL, YEAR, PASSED_ON, NUMBER = "级别", "年度", "通过日期", "证书编号"
SUBJECT_COLUMNS = {str(label): value for value, label in ExamSubject.choices}

ATTENDANCE_ALIASES: dict[str, str] = {
    **{fold_header(h): NAME for h in ("姓名", "名字", "学员姓名")},
    **{fold_header(h): ID for h in ("公民身份号码", "身份证号", "身份证号码", "身份证")},
    **{fold_header(h): COMMUNITY for h in ("社区", "所在社区", "单位", "所在单位", "工作单位")},
    **{fold_header(h): DAY for h in ("签到日期", "日期", "培训日期", "出勤日期")},
}
EXAM_ALIASES: dict[str, str] = {
    **{k: v for k, v in ATTENDANCE_ALIASES.items() if v != DAY},
    **{fold_header(h): LEVEL for h in ("级别", "报考级别", "考试级别")},
    **{fold_header(h): YEAR for h in ("年度", "考试年度", "年份")},
    **{fold_header(h): PASSED_ON for h in ("通过日期", "发证日期", "取得日期")},
    **{fold_header(h): NUMBER for h in ("证书编号", "证书号", "管理号")},
    **{fold_header(label): label for label in SUBJECT_COLUMNS},
    fold_header("综合能力"): str(ExamSubject.COMPREHENSIVE.label),
    fold_header("实务"): str(ExamSubject.PRACTICE.label),
    fold_header("高级实务"): str(ExamSubject.SENIOR_PRACTICE.label),
}
LEVEL_WORDS = {
    **{str(label): value for value, label in EXAM_LEVELS},
    "初级": "assistant",
    "助理": "assistant",
    "中级": "social_worker",
    "高级": "senior",
}


class _Finder:
    """Finds the worker a row means among `workers` (already scoped by the caller)."""

    def __init__(self, workers: QuerySet[Worker]) -> None:
        self.by_id: dict[str, Worker] = {}
        self.by_name: dict[str, list[Worker]] = {}
        for w in workers.select_related("community"):
            self.by_id[w.id_number] = w
            self.by_name.setdefault(w.name, []).append(w)

    def find(self, row: SheetRow) -> tuple[Worker | None, RowError | None]:
        name = fold(row.values.get(NAME))
        text, lost = code_text(row.values.get(ID))
        if lost:
            return None, RowError(row.number, ID, text, digits_lost_message(ID))
        number = people_rules.normalize_id_number(text)
        community = fold(row.values.get(COMMUNITY))
        if not name:
            return None, RowError(row.number, NAME, None, _("请填写姓名"))
        if number:
            worker = self.by_id.get(number)
            if worker is None:
                return None, RowError(
                    row.number,
                    ID,
                    people_rules.mask_id_number(number),
                    _("没有找到这个公民身份号码的人员,或不在您的管辖范围内"),
                )
            if worker.name != name:
                return None, RowError(row.number, NAME, name, _("姓名与公民身份号码不符"))
            return worker, None
        found = self.by_name.get(name, [])
        if community:
            found = [w for w in found if community in (w.community.name, w.community.code)]
        if not found:
            return None, RowError(
                row.number, NAME, name, _("没有找到这个人员,或不在您的管辖范围内")
            )
        if len(found) > 1:
            return None, RowError(
                row.number,
                NAME,
                name,
                _("有%(n)s名同名人员,请填写公民身份号码或社区") % {"n": len(found)},
            )
        return found[0], None


# ---------------------------------------------------------------- attendance


@dataclass(kw_only=True)
class AttendancePlan(ImportPlan):
    course: Course
    to_enrol: list[Worker] = field(default_factory=list)
    marks: dict[int, set[datetime.date]] = field(default_factory=dict)  # worker id -> days
    already: int = 0  # rows already on record (or repeated in the file)

    @property
    def new_marks(self) -> int:
        return sum(len(days) for days in self.marks.values())

    def figures(self) -> dict[str, int]:
        return {
            "new_marks": self.new_marks,
            "to_enrol": len(self.to_enrol),
            "already": self.already,
        }


def attendance_import_plan(
    *, course: Course, rows: Sequence[SheetRow], columns: Sequence[str], acting_user: User
) -> AttendancePlan:
    """Check every row of a sign-in sheet for `course`; write nothing."""
    plan = AttendancePlan(course=course, rows=len(rows))
    for needed in (NAME, DAY):
        if needed not in columns:
            plan.errors.append(RowError(1, needed, None, _("缺少“%(c)s”列") % {"c": needed}))
    if plan.errors:
        return plan
    reach = Worker.objects.filter(
        path_q(acting_user, "unit_path"), unit_path__startswith=course.organiser.path
    )
    finder = _Finder(reach)
    enrolled = set(Enrolment.objects.filter(course=course).values_list("worker_id", flat=True))
    on_record = set(Attendance.objects.filter(course=course).values_list("worker_id", "day"))
    wanted: list[tuple[SheetRow, Worker, datetime.date]] = []
    today = timezone.localdate()
    for row in rows:
        found = _attendance_row(row, finder, course, enrolled, today, acting_user)
        if isinstance(found, RowError):
            plan.errors.append(found)
        else:
            wanted.append((row, *found))
    # The roster of each day, one query per day of the course.
    days = sorted({day for _row, _w, day in wanted})
    placed = {
        day: services.placements_on({w.pk for _r, w, d in wanted if d == day}, day) for day in days
    }
    new_enrolees: dict[int, Worker] = {}
    for row, worker, day in wanted:
        if worker.pk not in placed[day]:
            plan.errors.append(
                RowError(row.number, DAY, day, _("该人员这一天不在社区工作者名册上,不能计入培训"))
            )
            continue
        if (worker.pk, day) in on_record or day in plan.marks.get(worker.pk, set()):
            plan.already += 1
            continue
        plan.marks.setdefault(worker.pk, set()).add(day)
        plan.creates += 1
        plan.preview_create(
            row.number,
            worker.name,
            [
                _("签到日期:%(day)s") % {"day": day.isoformat()},
                *([] if worker.pk in enrolled else [_("同时报名本班")]),
            ],
        )
        if worker.pk not in enrolled:
            new_enrolees[worker.pk] = worker
    plan.unchanged = plan.already
    plan.to_enrol = list(new_enrolees.values())
    if course.enrolled + len(plan.to_enrol) > course.capacity:
        plan.errors.append(
            RowError(
                0,
                NAME,
                None,
                _("名额不足:本班名额%(capacity)s人,已报名%(enrolled)s人,表中另有%(n)s人未报名")
                % {
                    "capacity": course.capacity,
                    "enrolled": course.enrolled,
                    "n": len(plan.to_enrol),
                },
            )
        )
    return plan


def _attendance_row(
    row: SheetRow,
    finder: _Finder,
    course: Course,
    enrolled: set[int],
    today: datetime.date,
    acting_user: User,
) -> tuple[Worker, datetime.date] | RowError:
    """The worker and day one row of a sign-in sheet means, or why it is refused."""
    worker, error = finder.find(row)
    if error is not None:
        return error
    assert worker is not None
    raw_day = row.values.get(DAY)
    try:
        day = parse_date(raw_day)
    except CellError as exc:
        return RowError(row.number, DAY, raw_day, str(exc))
    if day is None:
        return RowError(row.number, DAY, None, _("请填写签到日期"))
    if not course.start <= day <= course.end:
        return RowError(
            row.number,
            DAY,
            day,
            _("不在培训日期%(start)s至%(end)s之内") % {"start": course.start, "end": course.end},
        )
    if day > today:
        return RowError(row.number, DAY, day, _("不能为今天以后的日期签到"))
    if not (
        has_permission(acting_user, Permission.EDIT, course.organiser)
        or has_permission(acting_user, Permission.EDIT, worker.community)
    ):
        return RowError(row.number, NAME, worker.name, _("您没有权限为其签到"))
    if worker.pk not in enrolled and worker.status != WorkerStatus.ACTIVE:
        return RowError(row.number, NAME, worker.name, _("已离岗,不能报名"))
    return worker, day


@transaction.atomic
def attendance_import_apply(*, plan: AttendancePlan, acting_user: User) -> int:
    """Write a clean plan: enrol who is missing, then mark each day (through the services)."""
    if not plan.ok:
        raise ServiceError(_("文件有错误,未导入任何数据"))
    course = plan.course
    if plan.to_enrol:
        services.enrolments_add(course=course, workers=plan.to_enrol, acting_user=acting_user)
    enrolment_of = dict(
        Enrolment.objects.filter(course=course, worker_id__in=plan.marks).values_list(
            "worker_id", "pk"
        )
    )
    by_day: dict[datetime.date, list[int]] = {}
    for worker_id, days in plan.marks.items():
        for day in days:
            by_day.setdefault(day, []).append(enrolment_of[worker_id])
    added = 0
    for day, enrolment_ids in sorted(by_day.items()):
        present = set(enrolment_ids) | set(
            Attendance.objects.filter(course=course, day=day).values_list("enrolment_id", flat=True)
        )
        done, _removed = services.attendance_mark(
            course=course, day=day, present=present, scope=present, acting_user=acting_user
        )
        added += done
    audit_record(
        acting_user=acting_user,
        action=AuditAction.IMPORT,
        target=course,
        unit_path=course.organiser.path,
        after={"rows": plan.rows, "added": added, "enrolled": len(plan.to_enrol)},
        note=_("导入签到表:新增签到%(n)s人次") % {"n": added},
    )
    return added


# ---------------------------------------------------------------- exam results


@dataclass
class ExamRow:
    row: int
    worker: Worker
    level: str
    year: int
    scores: dict[str, Decimal]
    passed_on: datetime.date | None
    number: str


@dataclass(kw_only=True)
class ExamPlan(ImportPlan):
    planned: list[ExamRow] = field(default_factory=list)

    @property
    def passes(self) -> int:
        return sum(1 for p in self.planned if rules.passed(p.level, p.scores))

    def figures(self) -> dict[str, int]:
        return {"planned": len(self.planned), "passes": self.passes}


def exam_import_plan(
    *, rows: Sequence[SheetRow], columns: Sequence[str], acting_user: User
) -> ExamPlan:
    plan = ExamPlan(rows=len(rows))
    for needed in (NAME, LEVEL, YEAR):
        if needed not in columns:
            plan.errors.append(RowError(1, needed, None, _("缺少“%(c)s”列") % {"c": needed}))
    if not any(c in SUBJECT_COLUMNS for c in columns):
        plan.errors.append(RowError(1, "成绩", None, _("缺少科目成绩列")))
    if plan.errors:
        return plan
    finder = _Finder(Worker.objects.filter(path_q(acting_user, "unit_path", Permission.EDIT)))
    passed_before = set(
        ExamRegistration.objects.filter(passed_on__isnull=False).values_list(
            "worker_id", "level", "year"
        )
    )
    seen: set[tuple[int, str, int]] = set()
    this_year = timezone.localdate().year
    for row in rows:
        worker, error = finder.find(row)
        if error is not None:
            plan.errors.append(error)
            continue
        assert worker is not None
        before = len(plan.errors)
        level = LEVEL_WORDS.get(fold(row.values.get(LEVEL)).replace("社会工作者", "社会工作师"), "")
        if not level:
            plan.errors.append(
                RowError(
                    row.number,
                    LEVEL,
                    row.values.get(LEVEL),
                    _("级别应为助理社会工作师、社会工作师或高级社会工作师"),
                )
            )
        year_text = fold(row.values.get(YEAR)).removesuffix("年")
        year = int(year_text) if year_text.isdigit() else 0
        if not 2008 <= year <= this_year + 1:
            plan.errors.append(
                RowError(row.number, YEAR, row.values.get(YEAR), _("年度应在2008年至明年之间"))
            )
        scores = _exam_scores(row, level, plan.errors)
        if not scores and level:
            plan.errors.append(RowError(row.number, "成绩", None, _("请至少填写一科成绩")))
        raw_passed = row.values.get(PASSED_ON)
        try:
            passed_on = parse_date(raw_passed)
        except CellError as exc:
            plan.errors.append(RowError(row.number, PASSED_ON, raw_passed, str(exc)))
            passed_on = None
        if len(plan.errors) > before:
            continue
        key = (worker.pk, level, year)
        if key in passed_before:
            plan.errors.append(
                RowError(
                    row.number, LEVEL, row.values.get(LEVEL), _("该人员这一年度该级别已登记通过")
                )
            )
            continue
        if key in seen:
            plan.errors.append(RowError(row.number, NAME, worker.name, _("与前面的行重复")))
            continue
        seen.add(key)
        if rules.passed(level, scores) and passed_on is None:
            plan.errors.append(
                RowError(row.number, PASSED_ON, None, _("各科均已合格,请填写通过日期"))
            )
            continue
        plan.planned.append(
            ExamRow(
                row.number, worker, level, year, scores, passed_on, fold(row.values.get(NUMBER))
            )
        )
    _exam_preview(plan)
    return plan


def _exam_preview(plan: ExamPlan) -> None:
    """Each planned row as a new registration or an update of a registration on record (its
    scores before and after); counted as the import kit's creates and updates."""
    keys = {(p.worker.pk, p.level, p.year) for p in plan.planned}
    stored: dict[tuple[int, str, int], dict[str, Decimal]] = {}
    registrations = ExamRegistration.objects.filter(
        worker_id__in={k[0] for k in keys}
    ).prefetch_related("results")
    for reg in registrations:
        if (reg.worker_id, reg.level, reg.year) in keys:
            stored[(reg.worker_id, reg.level, reg.year)] = {
                r.subject: r.score for r in reg.results.all()
            }
    subjects = dict(ExamSubject.choices)
    levels = dict(EXAM_LEVELS)
    for p in plan.planned:
        label = f"{p.worker.name} · {p.year}{_('年')}{levels.get(p.level, p.level)}"
        before = stored.get((p.worker.pk, p.level, p.year))
        if before is None:
            plan.creates += 1
            plan.preview_create(p.row, label, [f"{subjects[s]}:{v}" for s, v in p.scores.items()])
            continue
        changed = {s: score for s, score in p.scores.items() if before.get(s) != score}
        if not changed and p.passed_on is None:
            plan.unchanged += 1
            continue
        details = [change_text(str(subjects[s]), before.get(s), v) for s, v in changed.items()]
        if p.passed_on is not None:
            details.append(change_text(_("通过日期"), None, p.passed_on.isoformat()))
        plan.updates += 1
        plan.preview_update(p.row, label, [str(subjects[s]) for s in changed], details)


def _exam_scores(row: SheetRow, level: str, errors: list[RowError]) -> dict[str, Decimal]:
    """The row's subject scores, each checked against the level (problems go to `errors`)."""
    scores: dict[str, Decimal] = {}
    for label, subject in SUBJECT_COLUMNS.items():
        raw = row.values.get(label)
        if fold(raw) == "":
            continue
        try:
            score = Decimal(fold(raw)).quantize(Decimal("0.1"))
        except InvalidOperation:
            errors.append(RowError(row.number, label, raw, _("成绩应为数字")))
            continue
        if level and subject not in rules.EXAM_SUBJECTS[level]:
            errors.append(RowError(row.number, label, raw, _("该级别没有这一科目")))
            continue
        if not Decimal(0) <= score <= Decimal(150):
            errors.append(RowError(row.number, label, raw, _("成绩应在0到150之间")))
            continue
        scores[subject] = score
    return scores


@transaction.atomic
def exam_import_apply(*, plan: ExamPlan, acting_user: User) -> int:
    """Register (when needed) and record every row through the services; any refusal rolls
    back the whole file and names the row."""
    if not plan.ok:
        raise ServiceError(_("文件有错误,未导入任何数据"))
    for item in plan.planned:
        try:
            registration = ExamRegistration.objects.filter(
                worker=item.worker, level=item.level, year=item.year
            ).first() or services.exam_register(
                worker=item.worker, level=item.level, year=item.year, acting_user=acting_user
            )
            services.exam_results_record(
                registration=registration,
                scores=item.scores,
                passed_on=item.passed_on,
                certificate_number=item.number,
                acting_user=acting_user,
            )
        except ServiceError as exc:
            raise ServiceError(
                _("第%(row)s行:%(message)s") % {"row": item.row, "message": exc.message}
            ) from exc
    return len(plan.planned)
