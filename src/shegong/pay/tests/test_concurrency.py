"""Pay runs started at the same instant by two operators, each on their own connection: the
database, not the luck of timing, decides that overlapping runs cannot both exist, and a
double submit answers with the run already made. Runs on SQLite and on PostgreSQL
(DATABASE_URL=postgres://…)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.actors import system_actor
from shegong.core.errors import ServiceError
from shegong.core.tests.concurrency import own_database_file, run_together
from shegong.orgs.models import Unit
from shegong.pay import services
from shegong.pay.models import PayLine, PayRun
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings

JAN = datetime.date(YEAR, 1, 1)
ROUNDS = 20


@pytest.fixture
def shared_db(transactional_db: None, tmp_path: Path, tree: Tree, personas: Personas) -> Any:
    """Settings on the district and paid, placed workers in both communities of street A,
    on a database every thread reaches with its own connection."""
    with own_database_file(tmp_path):
        pay_settings(tree.district)
        manager = personas.street_a_manager
        paid_worker(tree.community_a1, manager, name="甲一甲")
        paid_worker(tree.community_a1, manager, name="甲一乙")
        paid_worker(tree.community_a2, manager, name="甲二甲")
        services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
        yield


def _create(unit: Unit, user: Any = None) -> Any:
    """A run of January for `unit` by `user` (by the console's system actor when None)."""
    actor = user or system_actor()
    return lambda: services.payrun_create(unit=unit, period=JAN, acting_user=actor)


def test_a_street_and_its_community_started_at_once_leave_exactly_one_run(
    shared_db: None, tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    for round_ in range(ROUNDS):
        street, community = run_together(
            _create(tree.street_a, manager), _create(tree.community_a1, manager)
        )
        made = [o.value for o in (street, community) if o.error is None]
        refused = [o.error for o in (street, community) if o.error is not None]
        assert len(made) == 1, f"round {round_}: {made} {refused}"
        assert isinstance(refused[0], ServiceError) and "已在批次" in refused[0].message
        assert PayRun.objects.filter(period=JAN).count() == 1
        run = PayRun.objects.get(period=JAN)
        assert PayLine.objects.filter(run=run).count() == run.headcount
        # Whichever won paid the community's two workers once, not twice.
        assert PayLine.objects.filter(worker__name__startswith="甲一").count() == 2
        services.payrun_discard(run=run, acting_user=system_actor())


def test_two_sibling_communities_started_at_once_both_get_their_run(
    shared_db: None, tree: Tree
) -> None:
    first, second = run_together(_create(tree.community_a1), _create(tree.community_a2))
    assert first.error is None and second.error is None
    assert {r.unit_id for r in PayRun.objects.filter(period=JAN)} == {
        tree.community_a1.pk,
        tree.community_a2.pk,
    }


def test_a_double_submit_of_one_run_answers_with_the_run_already_made(
    shared_db: None, tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    for _round in range(3):
        first, second = run_together(_create(tree.street_a, manager), _create(tree.street_a))
        made = next(o.value for o in (first, second) if o.error is None)
        again = next(o.error for o in (first, second) if o.error is not None)
        assert isinstance(again, services.PayRunExists)
        assert again.run == made and "未重复计算" in again.message
        services.payrun_discard(run=made, acting_user=system_actor())


def test_a_double_submit_on_the_page_shows_the_run_already_made(
    shared_db: None, tree: Tree, personas: Personas
) -> None:
    form = {"unit": tree.street_a.code, "period": f"{YEAR}-01"}

    def submit() -> Any:
        return client_for(personas.street_a_manager).post(reverse("pay:run-create"), form)

    answers = run_together(submit, submit)
    run = PayRun.objects.get()
    for answer in answers:
        assert answer.error is None
        assert answer.value.status_code == 302
        assert answer.value["Location"] == reverse("pay:run", kwargs={"pk": run.pk})
    page = client_for(personas.street_a_manager).post(reverse("pay:run-create"), form, follow=True)
    assert "未重复计算" in page.content.decode()
    assert PayRun.objects.count() == 1


def test_a_double_submit_through_the_api_answers_with_the_same_run(
    shared_db: None, tree: Tree, personas: Personas
) -> None:
    form = {"unit": tree.street_a.code, "period": f"{YEAR}-01"}

    def submit() -> Any:
        return client_for(personas.street_a_manager).post(reverse("payrun-list"), form)

    answers = [o.value for o in run_together(submit, submit)]
    assert sorted(a.status_code for a in answers) == [200, 201]
    assert answers[0].json()["id"] == answers[1].json()["id"] == PayRun.objects.get().pk


def test_a_correction_made_twice_at_once_is_made_once(
    shared_db: None, tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    run = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager)
    run = services.payrun_approve(
        run=services.payrun_check(run=run, acting_user=personas.district_admin),
        acting_user=system_actor(),
    )

    def correct() -> PayRun:
        return services.payrun_create(
            unit=tree.street_a, period=JAN, acting_user=manager, corrects=run
        )

    first, second = run_together(correct, correct)
    made = next(o.value for o in (first, second) if o.error is None)
    again = next(o.error for o in (first, second) if o.error is not None)
    assert isinstance(again, services.PayRunExists) and again.run == made
    assert PayRun.objects.filter(corrects=run).count() == 1
