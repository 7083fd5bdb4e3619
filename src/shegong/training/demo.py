"""The demo's training year: courses at district and street level, attendance, two years of
exam results with certificates and one-time awards, a few secondments. Written in bulk (a few
thousand rows in well under a second) with one summary audit row, like the demo roster.

Figures it yields (as of 2026-11-29): secretaries and directors mostly meet 7 days, a handful
fall short; most workers trained at least once, so coverage is high but not 100%.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from shegong.core.actors import system_actor
from shegong.core.audit import AuditAction, audit_record
from shegong.people.models import Certificate, PostHolding, PostType, Worker
from shegong.training import rules
from shegong.training.models import (
    Attendance,
    Award,
    AwardRule,
    Course,
    CourseKind,
    Enrolment,
    ExamRegistration,
    ExamResult,
    Secondment,
    SecondmentKind,
)

if TYPE_CHECKING:
    from shegong.orgs.demo import DemoTree
    from shegong.orgs.models import Unit


def _d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


def _leader_courses(
    rng: random.Random, plans: _Plans, district: Unit, leader_workers: list[Worker]
) -> None:
    """Two training classes a year for secretaries and directors, and a study tour."""
    year = plans.as_of.year
    for y in (year - 1, year):
        plans.course(
            f"{y}年社区书记主任履职能力培训班(一期)",
            CourseKind.CENTRALISED,
            district,
            _d(y, 3, 16),
            4,
            leader_workers,
            0.95,
            "区委党校",
        )
        plans.course(
            f"{y}年社区书记主任履职能力培训班(二期)",
            CourseKind.CENTRALISED,
            district,
            _d(y, 9, 14),
            3,
            [w for w in leader_workers if rng.random() < 0.93],  # a few were kept away
            0.9,
            "区委党校",
        )
    plans.course(
        f"{year}年赴杭州社区治理考察学习",
        CourseKind.STUDY_TOUR,
        district,
        _d(year, 5, 19),
        3,
        rng.sample(leader_workers, min(20, len(leader_workers))),
        1.0,
        "杭州市上城区",
        8,
    )


def _everyone_courses(
    rng: random.Random,
    plans: _Plans,
    tree: DemoTree,
    others: list[Worker],
    active: list[Worker],
) -> None:
    """Rotation classes for everyone but the leaders, a day per street, an online course."""
    year, district = plans.as_of.year, tree.district
    rng.shuffle(others)
    batches = 6
    for i in range(batches):
        batch = others[i::batches]
        plans.course(
            f"{year}年社区工作者轮训(第{i + 1}期)",
            CourseKind.ROTATION,
            district,
            _d(year, 4 + i, 8),
            2,
            batch,
            0.88,
            "区社区教育学院",
        )
    for street in tree.streets:
        staff = [w for w in active if w.unit_path.startswith(street.path)]
        plans.course(
            f"{street.name}{year}年社区业务培训",
            CourseKind.CENTRALISED,
            street,
            _d(year, 10, 20) + datetime.timedelta(days=rng.randint(0, 10)),
            1,
            staff,
            0.8,
            f"{street.name}党群服务中心",
        )
    plans.course(
        f"{year}年社会工作者职业资格考前辅导(网络)",
        CourseKind.ONLINE,
        district,
        _d(year, 5, 6),
        5,
        rng.sample(others, min(60, len(others))),
        0.7,
        "线上",
    )


def _save_courses(rng: random.Random, plans: _Plans) -> tuple[list[Enrolment], list[Attendance]]:
    """The courses, their enrolments and the days each enrolled worker attended."""
    Course.objects.bulk_create([c for c, _p, _t in plans.rows])
    leader_posts = list(PostType.objects.filter(code__in=["secretary", "director"]))
    for c, _p, _t in plans.rows:
        if "书记主任" in c.title:
            c.target_posts.set(leader_posts)
    enrolments = [Enrolment(course=c, worker=w) for c, people, _t in plans.rows for w in people]
    Enrolment.objects.bulk_create(enrolments)
    attendance = []
    for e in enrolments:
        turnout = next(t for c, _p, t in plans.rows if c.pk == e.course_id)
        for day in rules.course_days(e.course.start, e.course.end):
            started = e.worker.work_start_date or plans.as_of
            if started <= day and rng.random() < turnout:
                attendance.append(
                    Attendance(
                        enrolment=e,
                        course=e.course,
                        worker=e.worker,
                        community_id=e.worker.community_id,
                        day=day,
                    )
                )
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    return enrolments, attendance


def _save_secondments(rng: random.Random, active: list[Worker], year: int) -> list[Worker]:
    away = rng.sample(active, min(8, len(active)))
    hosts = ["开福区民政局", "开福区委组织部", "长沙市民政局", "伍家岭街道办事处"]
    Secondment.objects.bulk_create(
        Secondment(
            worker=w,
            kind=[SecondmentKind.SECONDMENT, SecondmentKind.ROTATION, SecondmentKind.EXCHANGE][
                i % 3
            ],
            host=hosts[i % len(hosts)],
            start=_d(year - 1 + i % 2, 3 + i, 1),
            planned_end=_d(year - 1 + i % 2, 3 + i, 1) + datetime.timedelta(days=180),
            returned_on=(_d(year - 1, 3 + i, 1) + datetime.timedelta(days=183))
            if i % 2 == 0
            else None,
        )
        for i, w in enumerate(away)
    )
    return away


@dataclass
class _Plans:
    """The demo's courses, unsaved, each with its people and the share of days they attend."""

    as_of: datetime.date
    rows: list[tuple[Course, list[Worker], float]] = field(default_factory=list)

    def course(
        self,
        title: str,
        kind: str,
        organiser: Unit,
        start: datetime.date,
        days: int,
        people: list[Worker],
        turnout: float,
        place: str,
        hours: int = 6,
    ) -> None:
        end = start + datetime.timedelta(days=days - 1)
        if end > self.as_of:
            return
        made = Course(
            title=title,
            kind=kind,
            organiser=organiser,
            place=place,
            start=start,
            end=end,
            hours_per_day=hours,
            capacity=max(len(people) + 10, 20),
            enrolled=len(people),
        )
        self.rows.append((made, people, turnout))


def build_training(
    rng: random.Random, tree: DemoTree, workers: Sequence[Worker], as_of: datetime.date
) -> dict[str, int]:
    """Write the demo's training year in bulk (each step draws from `rng` in turn, so a seed
    always gives the same year) and one summary audit row."""
    active = [w for w in workers if w.status == "active"]
    leaders = set(
        PostHolding.objects.filter(
            worker__in=active, end__isnull=True, post__code__in=["secretary", "director"]
        ).values_list("worker_id", flat=True)
    )
    plans = _Plans(as_of)
    _leader_courses(rng, plans, tree.district, [w for w in active if w.pk in leaders])
    _everyone_courses(rng, plans, tree, [w for w in active if w.pk not in leaders], active)
    enrolments, attendance = _save_courses(rng, plans)
    exams = _exams(rng, active, as_of)
    away = _save_secondments(rng, active, as_of.year)
    counts = {
        "courses": len(plans.rows),
        "enrolments": len(enrolments),
        "attendance": len(attendance),
        **exams,
        "secondments": len(away),
    }
    audit_record(
        acting_user=system_actor(),
        action=AuditAction.IMPORT,
        target=Course(),  # the demo's courses as a whole
        target_repr="演示培训数据",
        unit_path=tree.district.path,
        after=counts,
        note="shegong demo",
    )
    return counts


def _exams(rng: random.Random, active: Sequence[Worker], as_of: datetime.date) -> dict[str, int]:
    """Two exam years: about 70 sitters a year, mostly at assistant level."""
    amounts = dict(AwardRule.objects.values_list("level", "amount"))
    held = set(Certificate.objects.values_list("worker_id", "kind"))
    registrations: list[ExamRegistration] = []
    scores: list[tuple[ExamRegistration, dict[str, int]]] = []
    for year in (as_of.year - 1, as_of.year):
        for w in rng.sample(list(active), min(70, len(active))):
            level = "assistant" if rng.random() < 0.75 else "social_worker"
            if (w.pk, level) in held or any(
                r.worker_id == w.pk and r.level == level and r.year == year for r in registrations
            ):
                continue
            sat = {s: rng.randint(42, 88) for s in rules.EXAM_SUBJECTS[level]}
            registration = ExamRegistration(worker=w, level=level, year=year)
            registrations.append(registration)
            scores.append((registration, sat))
    ExamRegistration.objects.bulk_create(registrations)
    ExamResult.objects.bulk_create(
        ExamResult(registration=r, subject=s, score=v) for r, sat in scores for s, v in sat.items()
    )
    certificates, awards, passed = [], [], []
    for n, (r, sat) in enumerate(scores):
        if not rules.passed(r.level, {k: Decimal(v) for k, v in sat.items()}):
            continue
        if (r.worker_id, r.level) in held:
            continue
        held.add((r.worker_id, r.level))
        day = _d(r.year, 9, 20)
        if day > as_of:
            continue
        r.passed_on = day
        cert = Certificate(
            worker_id=r.worker_id, kind=r.level, number=f"{r.year}KS{n:05d}", issued_on=day
        )
        certificates.append(cert)
        passed.append(r)
        if r.level in amounts:
            awards.append(
                Award(
                    worker_id=r.worker_id,
                    registration=r,
                    level=r.level,
                    amount=amounts[r.level],
                    granted_on=day,
                    paid_on=_d(r.year, 12, 15) if r.year < as_of.year else None,
                )
            )
    Certificate.objects.bulk_create(certificates)
    for r, cert in zip(passed, certificates, strict=True):
        r.certificate = cert
    ExamRegistration.objects.bulk_update(passed, ["passed_on", "certificate"])
    Award.objects.bulk_create(awards)
    return {"exam_registrations": len(registrations), "passed": len(passed), "awards": len(awards)}
