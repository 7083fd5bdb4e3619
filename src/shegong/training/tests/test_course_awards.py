"""A course may carry a one-time completion award (结业奖励): a worker whose attendance meets
the course's requirement (rules.completed: the days it names, or every day) is owed it once,
with the course as source, audited; pay's next run pays it like an exam award; the course
page and the worker's record show it."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree, client_for
from shegong.core.actors import system_actor
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.pay import services as pay_services
from shegong.pay.models import PayLine
from shegong.pay.tests.factories import paid_worker, pay_settings
from shegong.people.models import AwardDue, AwardKind
from shegong.training import rules, services
from shegong.training.tests.factories import START, attend, enrol, make_course

DAY = datetime.timedelta(days=1)


def test_a_course_is_completed_by_the_days_it_names_or_every_day() -> None:
    assert rules.completed(3, 3, None) and not rules.completed(2, 3, None)
    assert rules.completed(2, 3, 2) and not rules.completed(1, 3, 2)


def test_completing_a_course_owes_its_award_once_and_pay_pays_it(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    pay_settings(tree.district, year=2026)
    wang = paid_worker(tree.community_a1, manager, name="王芳")
    li = paid_worker(tree.community_a1, manager, name="李强")
    course = make_course(tree.street_a, manager, award_amount=D("300"), award_min_days=2)
    e_wang, e_li = enrol(course, [wang, li], manager)
    attend(course, START, [e_wang, e_li], manager)
    assert not AwardDue.objects.exists()  # one day of the two required
    attend(course, START + DAY, [e_wang], manager)
    due = AwardDue.objects.get()
    assert (due.worker, due.kind, due.amount) == (wang, AwardKind.COURSE, D("300"))
    assert due.due_on == START + DAY and course.title in due.source_label
    assert due.source_key == services.course_award_source(course, wang.pk)
    entry = AuditEntry.objects.get(action="people.award_due", target_id=str(wang.pk))
    assert entry.after is not None and entry.after["source_key"] == due.source_key
    # A third day, marked again, owes nothing more.
    attend(course, START + 2 * DAY, [e_wang], manager)
    assert AwardDue.objects.count() == 1
    # The course page marks who completed it; the worker's record lists the award.
    page = client_for(manager).get(reverse("training:detail", kwargs={"pk": course.pk}))
    html = page.content.decode()
    assert 'id="course-award"' in html and "300.00" in html
    assert f'id="awarded-{wang.pk}"' in html and f'id="awarded-{li.pk}"' not in html
    # Pay's next run pays it once, with its source.
    pay_services.grade_place(
        unit=tree.street_a, day=datetime.date(2026, 1, 1), acting_user=system_actor()
    )
    march = pay_services.payrun_create(
        unit=tree.street_a, period=datetime.date(2026, 3, 1), acting_user=manager
    )
    assert PayLine.objects.get(run=march, worker=wang).award == D("300")
    assert PayLine.objects.get(run=march, worker=li).award == D("0")
    api = APIClient()
    api.force_authenticate(manager)
    record = api.get(f"/api/workers/{wang.pk}/record/").json()
    rows = next(s for s in record["sections"] if s["key"] == "training.awards")["rows"]
    assert [r["cells"][:2] for r in rows] == [[f"{course.title}结业奖励", "300.00"]]
    assert "2026-03" in rows[0]["cells"][3]  # taken by March's run
    clerk = APIClient()
    clerk.force_authenticate(personas.community_a1_clerk)
    masked = clerk.get(f"/api/workers/{wang.pk}/record/").json()
    rows = next(s for s in masked["sections"] if s["key"] == "training.awards")["rows"]
    assert rows[0]["cells"][1] == "***"


def test_an_award_set_after_the_attendance_is_owed_to_those_who_completed(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang = paid_worker(tree.community_a1, manager, name="王芳")
    course = make_course(tree.street_a, manager)
    (e_wang,) = enrol(course, [wang], manager)
    for n in range(3):
        attend(course, START + n * DAY, [e_wang], manager)
    assert not AwardDue.objects.exists()  # no award on the course
    values = {
        name: getattr(course, name)
        for name in services.COURSE_FIELDS
        if name not in ("award_amount", "award_min_days")
    }
    services.course_update(
        course=course, values={**values, "award_amount": D("200")}, acting_user=manager
    )
    assert AwardDue.objects.get().worker == wang


def test_a_course_award_is_refused_when_it_cannot_be_earned(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="结业所需出勤天数"):
        make_course(
            tree.street_a, personas.street_a_manager, award_amount=D("300"), award_min_days=4
        )
    with pytest.raises(ServiceError, match="结业奖励"):
        make_course(tree.street_a, personas.street_a_manager, award_amount=D("-1"))
