"""Training's one-time awards reach pay by themselves: owed in people.AwardDue when granted,
paid by the next run of the worker's unit as a one-off item with its source, once, also when
two runs are computed at the same moment (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.actors import system_actor
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.core.tests.concurrency import own_database_file, run_together
from shegong.pay import services
from shegong.pay.models import PayAdjustment, PayLine, PayRun
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings
from shegong.people.models import AwardDue, Worker
from shegong.training import services as training_services
from shegong.training.models import Award

JAN = datetime.date(YEAR, 1, 1)
FEB = datetime.date(YEAR, 2, 1)
MAR = datetime.date(YEAR, 3, 1)


def _passed(worker: Worker, user: Any) -> Award:
    """The worker passes the 助理社会工作师 exam on 10 January: an award is granted."""
    registration = training_services.exam_register(
        worker=worker, level="assistant", year=YEAR, acting_user=user
    )
    training_services.exam_results_record(
        registration=registration,
        scores={"comprehensive": "70", "practice": "70"},
        passed_on=datetime.date(YEAR, 1, 10),
        acting_user=user,
    )
    return Award.objects.get(registration=registration)


def _street_a(tree: Tree, personas: Personas) -> Worker:
    pay_settings(tree.district)
    worker = paid_worker(tree.community_a1, personas.street_a_manager, name="王芳")
    paid_worker(tree.community_a1, personas.street_a_manager, name="李强")
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    return worker


def _award_paid(run: PayRun, worker: Worker) -> D:
    award: D = PayLine.objects.get(run=run, worker=worker).award
    return award


def test_an_award_is_paid_by_the_next_run_once_with_its_source(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang = _street_a(tree, personas)
    award = _passed(wang, manager)
    due = AwardDue.objects.get(source_key=f"training.award:{award.pk}")
    assert (due.amount, due.taken_at) == (award.amount, None)
    january = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager)
    assert _award_paid(january, wang) == award.amount
    # The certificate recorded from the exam brings its monthly allowance from that month, at
    # the policy's amount (助理社会工作师 200), and the next month again.
    assert PayLine.objects.get(run=january, worker=wang).certificate_allowance == D("200")
    item = PayAdjustment.objects.get(worker=wang)
    assert item.period == JAN and "助理社会工作师一次性奖励" in item.note and "考试" in item.note
    february = services.payrun_create(unit=tree.street_a, period=FEB, acting_user=manager)
    assert _award_paid(february, wang) == D("0")  # paid once
    assert PayLine.objects.get(run=february, worker=wang).certificate_allowance == D("200")
    due.refresh_from_db()
    assert due.taken_by == "街道甲2025-01工资" and due.taken_period == JAN
    taken = AuditEntry.objects.get(action="people.award_taken", target_id=str(wang.pk))
    assert taken.after is not None and taken.after["source_key"] == due.source_key
    # Training's list shows it paid by that run and no longer offers to mark it by hand.
    page = client_for(manager).get(reverse("training:awards")).content.decode()
    assert "街道甲2025-01工资" in page
    with pytest.raises(ServiceError, match="已由街道甲2025-01工资发放"):
        training_services.award_mark_paid(
            award=award, paid_on=datetime.date(YEAR, 2, 1), acting_user=manager
        )


def test_an_award_paid_by_hand_is_not_paid_by_a_run(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    wang = _street_a(tree, personas)
    award = _passed(wang, manager)
    training_services.award_mark_paid(
        award=award, paid_on=datetime.date(YEAR, 1, 20), acting_user=manager
    )
    january = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager)
    assert _award_paid(january, wang) == D("0")


def test_a_discarded_draft_leaves_the_award_to_the_month_s_next_run(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang = _street_a(tree, personas)
    award = _passed(wang, manager)
    draft = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager)
    services.payrun_discard(run=draft, acting_user=manager)
    again = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager)
    assert _award_paid(again, wang) == award.amount
    assert PayAdjustment.objects.filter(worker=wang).count() == 1


@pytest.fixture
def shared_db(seeded_vocabulary: None, tmp_path: Path, tree: Tree, personas: Personas) -> Any:
    """A transactional database with the seeded award rules (an earlier flush wipes them)."""
    with own_database_file(tmp_path):
        yield


def test_two_runs_computed_at_once_pay_an_award_once(
    shared_db: None, tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang = _street_a(tree, personas)
    award = _passed(wang, manager)

    def run_of(month: datetime.date) -> Any:
        return lambda: services.payrun_create(unit=tree.street_a, period=month, acting_user=manager)

    outcomes = run_together(run_of(FEB), run_of(MAR))
    assert [o.error for o in outcomes] == [None, None]
    paid = [_award_paid(o.value, wang) for o in outcomes]
    assert sorted(paid) == [D("0"), award.amount]
    assert PayAdjustment.objects.filter(worker=wang).count() == 1
    assert AwardDue.objects.get(source_key=f"training.award:{award.pk}").taken_at is not None
