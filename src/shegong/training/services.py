"""Every write to training and certification: atomic, scoped to the acting user, audited.

Course, enrolment and attendance changes are audited against the course (unit: the
organiser); exam, award and secondment changes against the worker, so a worker's trail shows
them beside the roster's own changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import access
from shegong.core.access import Permission, has_permission, in_scope, path_q
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.sheets import fold
from shegong.core.text import control_character_error, refuse_control_characters
from shegong.orgs.models import Unit, UnitKind
from shegong.people import services as people_services
from shegong.people.models import AwardDue, AwardKind, Placement, PostType, Worker, WorkerStatus
from shegong.training import rules
from shegong.training.models import (
    EXAM_LEVELS,
    Attendance,
    Award,
    AwardRule,
    Course,
    CourseKind,
    Enrolment,
    ExamRegistration,
    ExamResult,
    ExamSubject,
    Requirement,
    Secondment,
    SecondmentKind,
    TrainingEvent,
)

if TYPE_CHECKING:
    from shegong.core.models import User

COURSE_FIELDS = [
    "title",
    "kind",
    "place",
    "start",
    "end",
    "hours_per_day",
    "capacity",
    "note",
    "award_amount",
    "award_min_days",
]
AWARD_LIMIT = Decimal("1000000")
LEVELS = frozenset(v for v, _label in EXAM_LEVELS)
# Why a change to a course is refused to whoever lacks the edit right on its organiser.
EDIT_REFUSED = gettext_lazy("您没有权限管理%(unit)s的培训")


def _today() -> datetime.date:
    return timezone.localdate()


# ---------------------------------------------------------------- courses


def clean_course_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Check a course's own fields; (clean values, [(field, reason)]). Nothing is written."""
    clean: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    title = fold(values.get("title"))
    if not title:
        errors.append(("title", _("请填写培训班名称")))
    elif len(title) > 100:
        errors.append(("title", _("培训班名称过长")))
    clean["title"] = title
    kind = values.get("kind") or ""
    if kind not in CourseKind.values:
        errors.append(("kind", _("请选择培训类别")))
    clean["kind"] = kind
    clean["place"] = fold(values.get("place"))[:100]
    clean["note"] = fold(values.get("note"))[:200]
    for name, label in (("title", _("培训班名称")), ("place", _("地点")), ("note", _("说明"))):
        if refused := control_character_error(clean[name], label=label):
            errors.append((name, refused))
    start, end = values.get("start"), values.get("end")
    if start is None:
        errors.append(("start", _("请填写开始日期")))
    if end is None:
        errors.append(("end", _("请填写结束日期")))
    if start is not None and end is not None and end < start:
        errors.append(
            ("end", _("结束日期%(end)s早于开始日期%(start)s") % {"end": end, "start": start})
        )
    clean["start"], clean["end"] = start, end
    hours = values.get("hours_per_day")
    if hours is None or not Decimal(0) < Decimal(hours) <= Decimal(24):
        errors.append(("hours_per_day", _("每天学时应大于0且不超过24")))
    clean["hours_per_day"] = hours
    capacity = values.get("capacity")
    if capacity is None or int(capacity) < 1:
        errors.append(("capacity", _("名额至少为1人")))
    clean["capacity"] = capacity
    errors += _clean_course_award(values, clean)
    return clean, errors


def _clean_course_award(values: Mapping[str, Any], clean: dict[str, Any]) -> list[tuple[str, str]]:
    """The completion award (blank: none) and the days that earn it (blank: every day); a
    caller that leaves them out leaves them as they are."""
    errors: list[tuple[str, str]] = []
    if "award_amount" in values:
        amount = values["award_amount"]
        if amount is not None and not Decimal(0) < Decimal(amount) < AWARD_LIMIT:
            errors.append(("award_amount", _("结业奖励应大于0且小于100万元;不设奖励请留空")))
        clean["award_amount"] = amount
    if "award_min_days" in values:
        days = values["award_min_days"]
        start, end = clean.get("start"), clean.get("end")
        length = (end - start).days + 1 if start and end and end >= start else None
        if days is not None and (int(days) < 1 or (length is not None and int(days) > length)):
            errors.append(
                ("award_min_days", _("结业所需出勤天数应在1到培训天数之间;留空表示须全勤"))
            )
        clean["award_min_days"] = days
    return errors


def _clean_course_or_refuse(values: Mapping[str, Any]) -> dict[str, Any]:
    clean, errors = clean_course_values(values)
    if errors:
        field, message = errors[0]
        raise ServiceError(message, field=field)
    return clean


def _course_snapshot(course: Course) -> dict[str, Any]:
    data = snapshot(course, [*COURSE_FIELDS, "organiser_id"])
    data["target_posts"] = sorted(course.target_posts.values_list("code", flat=True))
    return data


@transaction.atomic
def course_create(
    *,
    organiser: Unit | None,
    values: Mapping[str, Any],
    target_posts: Iterable[PostType] = (),
    acting_user: User,
) -> Course:
    if organiser is None:
        raise ServiceError(_("请选择主办单位"), field="organiser")
    access.require(acting_user, Permission.EDIT, organiser, message=EDIT_REFUSED, field="organiser")
    clean = _clean_course_or_refuse(values)
    course = Course.objects.create(organiser=organiser, **clean)
    course.target_posts.set(list(target_posts))
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=course,
        after=_course_snapshot(course),
    )
    return course


def _locked_course(course: Course) -> Course:
    return (
        Course.objects.select_for_update(of=("self",)).select_related("organiser").get(pk=course.pk)
    )


@transaction.atomic
def course_update(
    *,
    course: Course,
    values: Mapping[str, Any],
    target_posts: Iterable[PostType] | None = None,
    acting_user: User,
) -> Course:
    course = _locked_course(course)
    access.require(acting_user, Permission.EDIT, course.organiser, message=EDIT_REFUSED)
    clean = _clean_course_or_refuse(values)
    if clean["capacity"] < course.enrolled:
        raise ServiceError(
            _("已有%(n)s人报名,名额不能少于已报名人数") % {"n": course.enrolled}, field="capacity"
        )
    outside = course.attendance.filter(Q(day__lt=clean["start"]) | Q(day__gt=clean["end"]))
    first = outside.order_by("day").first()
    if first is not None:
        raise ServiceError(
            _("%(day)s已有签到记录,培训日期须包含这一天") % {"day": first.day}, field="start"
        )
    before = _course_snapshot(course)
    for name, value in clean.items():
        setattr(course, name, value)
    course.save()
    if target_posts is not None:
        course.target_posts.set(list(target_posts))
    # An award set (or lowered) after the attendance is in: those who completed are owed it.
    course_awards_due(
        course=course,
        worker_ids=course.enrolments.values_list("worker_id", flat=True),
        acting_user=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=course,
        before=before,
        after=_course_snapshot(course),
    )
    return course


# ---------------------------------------------------------------- enrolment


@transaction.atomic
def enrolments_add(
    *, course: Course, workers: Sequence[Worker], acting_user: User
) -> list[Enrolment]:
    """Enrol workers (one, or all matched by a filter or a unit) in a course.

    All or nothing: every worker must be active, below the course's organiser and in the
    acting user's editing scope, and all of them must fit in the places left. Workers already
    enrolled are skipped. Returns the new enrolments."""
    course = _locked_course(course)
    if not workers:
        raise ServiceError(_("没有符合条件的人员可报名"), field="workers")
    organiser = course.organiser
    for worker in workers:
        if not worker.unit_path.startswith(organiser.path):
            raise ServiceError(
                _("%(name)s不在%(unit)s范围内,不能报名本培训班")
                % {"name": worker.name, "unit": organiser.name},
                field="workers",
            )
        access.require(
            acting_user,
            Permission.EDIT,
            worker.community,
            message=_("您没有权限为%(name)s报名") % {"name": worker.name},
            field="workers",
        )
        if worker.status != WorkerStatus.ACTIVE:
            raise ServiceError(
                _("%(name)s已离岗,不能报名") % {"name": worker.name}, field="workers"
            )
    already = set(
        Enrolment.objects.filter(course=course, worker__in=workers).values_list(
            "worker_id", flat=True
        )
    )
    new = [w for w in {w.pk: w for w in workers}.values() if w.pk not in already]
    if not new:
        raise ServiceError(_("所选人员均已报名"), field="workers")
    if course.enrolled + len(new) > course.capacity:
        raise ServiceError(
            _("名额不足:本班名额%(capacity)s人,已报名%(enrolled)s人,本次报名%(n)s人")
            % {"capacity": course.capacity, "enrolled": course.enrolled, "n": len(new)},
            field="workers",
        )
    try:
        with transaction.atomic():
            Course.objects.filter(pk=course.pk).update(enrolled=F("enrolled") + len(new))
            created = Enrolment.objects.bulk_create(
                [Enrolment(course=course, worker=w) for w in new]
            )
    except IntegrityError as exc:  # the capacity constraint, if another enrolment raced us
        raise ServiceError(_("名额不足,请刷新后重试"), field="workers") from exc
    audit_record(
        acting_user=acting_user,
        action=TrainingEvent.ENROLLED,
        target=course,
        after={"enrolled": sorted(w.pk for w in new)},
        note=_("报名%(n)s人") % {"n": len(new)},
    )
    return created


def _may_mark(acting_user: User, course: Course, worker: Worker) -> bool:
    return has_permission(acting_user, Permission.EDIT, course.organiser) or has_permission(
        acting_user, Permission.EDIT, worker.community
    )


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, acting_user: User) -> None:
    """Take a worker off a course they have not attended yet."""
    course = _locked_course(enrolment.course)
    enrolment = Enrolment.objects.select_related("worker__community").get(pk=enrolment.pk)
    if not _may_mark(acting_user, course, enrolment.worker):
        raise ServiceError(_("您没有权限为%(name)s退报") % {"name": enrolment.worker.name})
    if enrolment.attendance.exists():
        raise ServiceError(_("%(name)s已有签到记录,不能退报") % {"name": enrolment.worker.name})
    worker_pk = enrolment.worker.pk
    enrolment.delete()
    Course.objects.filter(pk=course.pk).update(enrolled=F("enrolled") - 1)
    audit_record(
        acting_user=acting_user,
        action=TrainingEvent.WITHDRAWN,
        target=course,
        before={"enrolled": [worker_pk]},
        after={"enrolled": []},
        note=_("退报%(name)s") % {"name": enrolment.worker.name},
    )


# ---------------------------------------------------------------- attendance


def placements_on(worker_ids: Iterable[int], day: datetime.date) -> dict[int, int]:
    """worker id -> the community they were placed in on `day` (those on the roster)."""
    found = Placement.objects.filter(worker_id__in=list(worker_ids), start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gt=day)
    )
    return dict(found.values_list("worker_id", "unit_id"))


def check_attendance_day(course: Course, day: datetime.date | None) -> datetime.date:
    if day is None:
        raise ServiceError(_("请选择签到日期"), field="day")
    if not course.start <= day <= course.end:
        raise ServiceError(
            _("%(day)s不在培训日期%(start)s至%(end)s之内")
            % {"day": day, "start": course.start, "end": course.end},
            field="day",
        )
    if day > _today():
        raise ServiceError(_("不能为今天以后的日期签到"), field="day")
    return day


@transaction.atomic
def attendance_mark(
    *,
    course: Course,
    day: datetime.date | None,
    present: Iterable[int],
    acting_user: User,
    scope: Iterable[int] | None = None,
) -> tuple[int, int]:
    """Set who attended `day`: the enrolments in `present` did, the others of `scope` (the
    enrolments the sign-in page showed; default: all the user may mark) did not.

    Each worker marked present must have been on the roster that day; otherwise nothing
    changes and the error names them. Returns (added, removed)."""
    course = _locked_course(course)
    day = check_attendance_day(course, day)
    enrolments = {
        e.pk: e for e in Enrolment.objects.filter(course=course).select_related("worker__community")
    }
    wanted = set(present)
    shown = set(enrolments) if scope is None else set(scope) & set(enrolments)
    # An enrolment of a worker outside the user's scope is as unknown as a missing one: its
    # worker's name is not theirs to learn.
    seen = {pk for pk, e in enrolments.items() if in_scope(acting_user, e.worker.community)}
    if wanted - seen or (scope is not None and shown - seen):
        raise ServiceError(_("签到名单中有未报名本班的人员"), field="present")
    shown = (shown & seen) | wanted
    for pk in shown:
        if not _may_mark(acting_user, course, enrolments[pk].worker):
            raise ServiceError(
                _("您没有权限为%(name)s签到") % {"name": enrolments[pk].worker.name},
                field="present",
            )
    placed = placements_on((enrolments[pk].worker.pk for pk in wanted), day)
    off_roster = [
        enrolments[pk].worker.name for pk in wanted if enrolments[pk].worker.pk not in placed
    ]
    if off_roster:
        raise ServiceError(
            _("%(names)s在%(day)s不在社区工作者名册上,不能计入培训")
            % {"names": "、".join(sorted(off_roster)), "day": day},
            field="present",
        )
    existing = set(
        Attendance.objects.filter(course=course, day=day, enrolment_id__in=shown).values_list(
            "enrolment_id", flat=True
        )
    )
    to_add = wanted - existing
    to_remove = (shown - wanted) & existing
    Attendance.objects.bulk_create(
        [
            Attendance(
                enrolment_id=pk,
                course=course,
                worker_id=enrolments[pk].worker.pk,
                community_id=placed[enrolments[pk].worker.pk],
                day=day,
            )
            for pk in sorted(to_add)
        ]
    )
    Attendance.objects.filter(course=course, day=day, enrolment_id__in=to_remove).delete()
    added = [enrolments[pk].worker.pk for pk in to_add]
    course_awards_due(course=course, worker_ids=added, acting_user=acting_user)
    if to_add or to_remove:
        audit_record(
            acting_user=acting_user,
            action=TrainingEvent.ATTENDANCE_MARKED,
            target=course,
            after={
                "day": day.isoformat(),
                "present": sorted(enrolments[p].worker.pk for p in to_add),
                "absent": sorted(enrolments[p].worker.pk for p in to_remove),
            },
            note=_("%(day)s签到:新增%(added)s人,取消%(removed)s人")
            % {"day": day, "added": len(to_add), "removed": len(to_remove)},
        )
    return len(to_add), len(to_remove)


# ---------------------------------------------------------------- exams and awards


@transaction.atomic
def exam_register(
    *, worker: Worker, level: str, year: int | None, acting_user: User
) -> ExamRegistration:
    worker = Worker.objects.select_related("community").get(pk=worker.pk)
    access.require(
        acting_user,
        Permission.EDIT,
        worker.community,
        message=_("您没有权限为%(name)s报考") % {"name": worker.name},
        field="worker",
    )
    if level not in LEVELS:
        raise ServiceError(_("请选择报考级别"), field="level")
    if year is None or not 2008 <= year <= _today().year + 1:
        raise ServiceError(_("考试年度应在2008年至明年之间"), field="year")
    if worker.status != WorkerStatus.ACTIVE:
        raise ServiceError(_("%(name)s已离岗,不能报考") % {"name": worker.name}, field="worker")
    if ExamRegistration.objects.filter(worker=worker, level=level, year=year).exists():
        raise ServiceError(
            _("%(name)s已报考%(year)s年%(level)s")
            % {"name": worker.name, "year": year, "level": dict(EXAM_LEVELS)[level]},
            field="level",
        )
    registration = ExamRegistration.objects.create(worker=worker, level=level, year=year)
    audit_record(
        acting_user=acting_user,
        action=TrainingEvent.EXAM_REGISTERED,
        target=worker,
        after={"exam_level": level, "exam_year": year},
        note=_("报考%(year)s年%(level)s")
        % {"year": year, "level": registration.get_level_display()},
    )
    return registration


def clean_scores(
    level: str, scores: Mapping[str, Any]
) -> tuple[dict[str, Decimal], list[tuple[str, str]]]:
    """The subjects of `level` with their scores (blank: not sat); refuses others."""
    clean: dict[str, Decimal] = {}
    errors: list[tuple[str, str]] = []
    subjects = rules.EXAM_SUBJECTS[level]
    for subject, raw in scores.items():
        if raw is None or raw == "":
            continue
        if subject not in subjects:
            label = dict(ExamSubject.choices).get(subject, subject)
            errors.append(
                (
                    subject,
                    _("%(level)s没有科目%(subject)s")
                    % {"level": dict(EXAM_LEVELS)[level], "subject": label},
                )
            )
            continue
        try:
            score = Decimal(str(raw)).quantize(Decimal("0.1"))
        except ArithmeticError:
            errors.append((subject, _("成绩应为数字")))
            continue
        if not Decimal(0) <= score <= Decimal(150):
            errors.append((subject, _("成绩应在0到150之间")))
            continue
        clean[subject] = score
    return clean, errors


@transaction.atomic
def exam_results_record(
    *,
    registration: ExamRegistration,
    scores: Mapping[str, Any],
    passed_on: datetime.date | None,
    certificate_number: str = "",
    acting_user: User,
) -> ExamRegistration:
    """Record the scores of a registration. When every subject is passed, the worker gets
    the certificate of that level on their record (through the roster's certificate_add) and,
    if an award is configured and they had none for the level, a one-time award."""
    refuse_control_characters(
        {"certificate_number": certificate_number}, {"certificate_number": _("证书编号")}
    )
    registration = (
        ExamRegistration.objects.select_for_update(of=("self",))
        .select_related("worker__community")
        .get(pk=registration.pk)
    )
    worker = registration.worker
    access.require(
        acting_user,
        Permission.EDIT,
        worker.community,
        message=_("您没有权限登记%(name)s的成绩") % {"name": worker.name},
    )
    if registration.passed_on is not None:
        raise ServiceError(_("该报考已通过,成绩不能再改"))
    clean, errors = clean_scores(registration.level, scores)
    if errors:
        field, message = errors[0]
        raise ServiceError(message, field=field)
    if not clean:
        raise ServiceError(_("请至少填写一科成绩"), field="scores")
    for subject, score in clean.items():
        ExamResult.objects.update_or_create(
            registration=registration, subject=subject, defaults={"score": score}
        )
    all_scores = dict(registration.results.values_list("subject", "score"))
    note = _("%(year)s年%(level)s成绩") % {
        "year": registration.year,
        "level": registration.get_level_display(),
    }
    if rules.passed(registration.level, all_scores):
        if passed_on is None:
            raise ServiceError(_("各科均已合格,请填写通过(发证)日期"), field="passed_on")
        certificate = people_services.certificate_add(
            worker=worker,
            kind=registration.level,
            number=certificate_number,
            issued_on=passed_on,
            acting_user=acting_user,
        )
        registration.passed_on, registration.certificate = passed_on, certificate
        registration.save(update_fields=["passed_on", "certificate"])
        award_rule = AwardRule.objects.filter(level=registration.level).first()
        if (
            award_rule is not None
            and not Award.objects.filter(worker=worker, level=registration.level).exists()
        ):
            award = Award.objects.create(
                worker=worker,
                registration=registration,
                level=registration.level,
                amount=award_rule.amount,
                granted_on=passed_on,
            )
            _award_due(award, acting_user)
            note += _(",通过,核定一次性奖励%(amount)s元") % {"amount": award_rule.amount}
        else:
            note += _(",通过")
    audit_record(
        acting_user=acting_user,
        action=TrainingEvent.EXAM_RESULT_RECORDED,
        target=worker,
        after={k: str(v) for k, v in all_scores.items()},
        note=note,
    )
    return registration


def course_award_source(course: Course, worker_id: int) -> str:
    """The source key of the completion award a course leaves owed to one worker."""
    return f"training.course:{course.pk}:worker:{worker_id}"


def course_awards_due(*, course: Course, worker_ids: Iterable[int], acting_user: User) -> int:
    """The course's completion award (结业奖励), owed once (people.AwardDue, audited there
    with the course as source) to each of `worker_ids` whose attendance now completes the
    course (rules.completed); pay pays it as it pays exam awards. A worker awarded already
    is not awarded again, and attendance taken back later does not undo an award. Returns
    how many were newly owed."""
    if course.award_amount is None:
        return 0
    completed_on = {
        row["worker_id"]: row["last"]
        for row in Attendance.objects.filter(course=course, worker_id__in=list(worker_ids))
        .order_by()
        .values("worker_id")
        .annotate(n=Count("id"), last=Max("day"))
        if rules.completed(row["n"], course.days, course.award_min_days)
    }
    done = list(completed_on)
    owed = set(
        AwardDue.objects.filter(
            source_key__in=[course_award_source(course, w) for w in done]
        ).values_list("source_key", flat=True)
    )
    made = 0
    for worker in Worker.objects.filter(pk__in=done).select_related("community").order_by("pk"):
        key = course_award_source(course, worker.pk)
        if key in owed:
            continue
        people_services.award_due_record(
            worker=worker,
            kind=AwardKind.COURSE,
            title=_("%(course)s结业奖励") % {"course": course.title},
            amount=course.award_amount,
            due_on=completed_on[worker.pk],
            source_key=key,
            source_label=_("培训班“%(course)s”(%(start)s至%(end)s)")
            % {"course": course.title, "start": course.start, "end": course.end},
            acting_user=acting_user,
        )
        made += 1
    return made


def award_source(award: Award) -> str:
    """The source key of the amount an award leaves owed in people.AwardDue."""
    return f"training.award:{award.pk}"


def _award_due(award: Award, acting_user: User) -> None:
    """The award, owed to the worker, for pay's next run to pay once (people.AwardDue)."""
    people_services.award_due_record(
        worker=award.worker,
        kind=AwardKind.CERTIFICATE,
        title=_("%(level)s一次性奖励") % {"level": award.get_level_display()},
        amount=award.amount,
        due_on=award.granted_on,
        source_key=award_source(award),
        source_label=_("%(year)s年%(level)s考试")
        % {"year": award.registration.year, "level": award.get_level_display()},
        acting_user=acting_user,
    )


@transaction.atomic
def award_mark_paid(*, award: Award, paid_on: datetime.date | None, acting_user: User) -> Award:
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("worker__community")
        .get(pk=award.pk)
    )
    access.require(
        acting_user, Permission.EDIT, award.worker.community, message=_("您没有权限发放该奖励")
    )
    if award.paid_on is not None:
        raise ServiceError(_("该奖励已于%(day)s发放") % {"day": award.paid_on})
    if paid_on is None or paid_on < award.granted_on or paid_on > _today():
        raise ServiceError(_("发放日期应在核定日期与今天之间"), field="paid_on")
    # Paid by hand: marked settled in the amounts owed, so pay's next run does not pay it again
    # (refused when a run has already taken it).
    people_services.award_due_settle(
        source_key=award_source(award), how=_("另行发放(登记于培训)"), acting_user=acting_user
    )
    award.paid_on = paid_on
    award.save(update_fields=["paid_on"])
    audit_record(
        acting_user=acting_user,
        action=TrainingEvent.AWARD_PAID,
        target=award.worker,
        after={"award": str(award.amount), "paid_on": paid_on.isoformat()},
        note=_("发放%(level)s一次性奖励") % {"level": award.get_level_display()},
    )
    return award


# ---------------------------------------------------------------- secondments


@transaction.atomic
def secondment_start(
    *,
    worker: Worker,
    kind: str,
    host: str,
    start: datetime.date | None,
    planned_end: datetime.date | None = None,
    note: str = "",
    acting_user: User,
) -> Secondment:
    refuse_control_characters(
        {"host": host, "note": note}, {"host": _("去向单位"), "note": _("备注")}, multiline=["note"]
    )
    worker = (
        Worker.objects.select_for_update(of=("self",)).select_related("community").get(pk=worker.pk)
    )
    access.require(
        acting_user,
        Permission.EDIT,
        worker.community,
        message=_("您没有权限为%(name)s办理挂职交流") % {"name": worker.name},
    )
    if kind not in SecondmentKind.values:
        raise ServiceError(_("请选择类别"), field="kind")
    host = fold(host)
    if not host:
        raise ServiceError(_("请填写去向单位"), field="host")
    if start is None:
        raise ServiceError(_("请填写起始日期"), field="start")
    if planned_end is not None and planned_end < start:
        raise ServiceError(_("计划结束日期不能早于起始日期"), field="planned_end")
    if worker.status != WorkerStatus.ACTIVE:
        raise ServiceError(_("%(name)s已离岗") % {"name": worker.name}, field="worker")
    if Secondment.objects.filter(worker=worker, returned_on__isnull=True).exists():
        raise ServiceError(_("%(name)s正在挂职交流中,请先登记返回") % {"name": worker.name})
    secondment = Secondment.objects.create(
        worker=worker,
        kind=kind,
        host=host[:100],
        start=start,
        planned_end=planned_end,
        note=fold(note)[:200],
    )
    audit_record(
        acting_user=acting_user,
        action=TrainingEvent.SECONDMENT_STARTED,
        target=worker,
        after=snapshot(secondment, ["kind", "host", "start", "planned_end"]),
        note=_("%(kind)s至%(host)s") % {"kind": secondment.get_kind_display(), "host": host},
    )
    return secondment


@transaction.atomic
def secondment_return(
    *, secondment: Secondment, returned_on: datetime.date | None, acting_user: User
) -> Secondment:
    secondment = (
        Secondment.objects.select_for_update(of=("self",))
        .select_related("worker__community")
        .get(pk=secondment.pk)
    )
    worker = secondment.worker
    access.require(
        acting_user,
        Permission.EDIT,
        worker.community,
        message=_("您没有权限为%(name)s办理挂职交流") % {"name": worker.name},
    )
    if secondment.returned_on is not None:
        raise ServiceError(_("已于%(day)s返回") % {"day": secondment.returned_on})
    if returned_on is None or returned_on < secondment.start:
        raise ServiceError(
            _("返回日期不能早于起始日期%(day)s") % {"day": secondment.start}, field="returned_on"
        )
    secondment.returned_on = returned_on
    secondment.save(update_fields=["returned_on"])
    audit_record(
        acting_user=acting_user,
        action=TrainingEvent.SECONDMENT_RETURNED,
        target=worker,
        after={"returned_on": returned_on.isoformat()},
        note=_("自%(host)s返回") % {"host": secondment.host},
    )
    return secondment


# ---------------------------------------------------------------- configuration


def _config_unit(acting_user: User) -> Unit:
    """Requirements and award amounts hold for the whole district: changing them takes the
    right to edit at district level (or above)."""
    unit = (
        Unit.objects.filter(
            path_q(acting_user, "path", Permission.EDIT), kind__lte=UnitKind.DISTRICT
        )
        .order_by("path")
        .first()
    )
    if unit is None:
        raise ServiceError(_("只有区级及以上的管理人员可以修改培训要求和奖励标准"))
    return unit


@transaction.atomic
def requirement_set(
    *, post: PostType | None, min_days: int | None, every_years: int | None, acting_user: User
) -> Requirement:
    """Set the yearly minimum of a post (or, with no post, of everyone else)."""
    unit = _config_unit(acting_user)
    if min_days is None or not 1 <= min_days <= 365:
        raise ServiceError(_("最少天数应在1到365之间"), field="min_days")
    if every_years is None or not 1 <= every_years <= 5:
        raise ServiceError(_("每几年应在1到5之间"), field="every_years")
    found = (
        Requirement.objects.select_for_update().filter(is_default=post is None, post=post).first()
    )
    before = snapshot(found, ["min_days", "every_years"]) if found else None
    if found is None:
        found = Requirement(post=post, is_default=post is None)
    found.min_days, found.every_years = min_days, every_years
    found.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=found,
        unit_path=unit.path,
        before=before,
        after=snapshot(found, ["min_days", "every_years"]),
        note=_("培训要求:%(who)s") % {"who": post.name if post else _("其他人员")},
    )
    return found


@transaction.atomic
def requirement_remove(*, requirement: Requirement, acting_user: User) -> None:
    unit = _config_unit(acting_user)
    if requirement.is_default:
        raise ServiceError(_("其他人员的默认要求不能删除,可以修改"))
    audit_record(
        acting_user=acting_user,
        action=AuditAction.DELETE,
        target=requirement,
        unit_path=unit.path,
        before=snapshot(requirement, ["post_id", "min_days", "every_years"]),
        note=_("删除培训要求:%(who)s") % {"who": requirement.post},
    )
    requirement.delete()


@transaction.atomic
def award_rule_set(*, level: str, amount: Decimal | None, acting_user: User) -> AwardRule:
    """Set the one-time award for passing at `level` (元). Awards already granted keep their
    amount."""
    unit = _config_unit(acting_user)
    if level not in LEVELS:
        raise ServiceError(_("请选择级别"), field="level")
    if amount is None or amount <= 0 or amount > Decimal("1000000"):
        raise ServiceError(_("奖励金额应大于0元"), field="amount")
    rule = AwardRule.objects.select_for_update().filter(level=level).first()
    before = snapshot(rule, ["amount"]) if rule else None
    if rule is None:
        rule = AwardRule(level=level)
    rule.amount = amount.quantize(Decimal("0.01"))
    rule.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=rule,
        unit_path=unit.path,
        before=before,
        after=snapshot(rule, ["amount"]),
        note=_("一次性奖励标准:%(level)s") % {"level": rule.get_level_display()},
    )
    return rule
