"""Small builders for training tests: courses, enrolled and attending workers."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.people.models import Worker
from shegong.training import services
from shegong.training.models import Award, Course, Enrolment, ExamRegistration, Secondment

START = datetime.date(2026, 3, 2)


def course_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "title": "社区书记主任履职能力培训班",
        "kind": "centralised",
        "place": "区委党校",
        "start": START,
        "end": START + datetime.timedelta(days=2),
        "hours_per_day": 6,
        "capacity": 30,
        "note": "",
    }
    if "start" in overrides and "end" not in overrides:
        values["end"] = overrides["start"] + datetime.timedelta(days=2)
    values.update(overrides)
    return values


def make_course(organiser: Unit, acting_user: User, **overrides: Any) -> Course:
    return services.course_create(
        organiser=organiser, values=course_values(**overrides), acting_user=acting_user
    )


def enrol(course: Course, workers: Sequence[Worker], acting_user: User) -> list[Enrolment]:
    return services.enrolments_add(course=course, workers=list(workers), acting_user=acting_user)


def attend(
    course: Course, day: datetime.date, enrolments: Sequence[Enrolment], acting_user: User
) -> None:
    services.attendance_mark(
        course=course,
        day=day,
        present=[e.pk for e in enrolments],
        scope=[e.pk for e in enrolments],
        acting_user=acting_user,
    )


def street_a_course(o: Any) -> Course:
    """A street-A course with the scoping walk's worker enrolled (for route lambdas)."""
    course = Course.objects.filter(organiser=o.tree.street_a).first()
    if course is None:
        course = make_course(o.tree.street_a, o.personas.street_a_manager)
        enrol(course, [o.worker], o.personas.street_a_manager)
    return course


def street_a_registration(o: Any) -> ExamRegistration:
    found = ExamRegistration.objects.filter(worker=o.worker).first()
    if found is None:
        found = services.exam_register(
            worker=o.worker, level="assistant", year=2026, acting_user=o.personas.street_a_manager
        )
    return found


def street_a_enrolment(o: Any) -> Enrolment:
    return Enrolment.objects.get(course=street_a_course(o), worker=o.worker)


def street_a_award(o: Any) -> Award:
    registration = street_a_registration(o)
    if registration.passed_on is None:
        services.exam_results_record(
            registration=registration,
            scores={"comprehensive": "70", "practice": "70"},
            passed_on=datetime.date(2026, 11, 1),
            acting_user=o.personas.street_a_manager,
        )
    return Award.objects.get(registration=registration)


def street_a_secondment(o: Any) -> Secondment:
    found = Secondment.objects.filter(worker=o.worker).first()
    if found is None:
        found = services.secondment_start(
            worker=o.worker,
            kind="secondment",
            host="区民政局",
            start=datetime.date(2026, 9, 1),
            acting_user=o.personas.street_a_manager,
        )
    return found
