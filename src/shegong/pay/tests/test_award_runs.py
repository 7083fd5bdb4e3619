"""Awards in a run of their own, as the pay office chooses (issue 15): with the policy set to
"单独发放", the regular run leaves the awards owed alone and an award run (奖励发放) pays
them, one line per worker, outside the contribution base, taxed with the month's other runs;
it is reviewed and approved like any run, listed with the runs and on the worker's record,
and an award is still paid once, also when two runs are computed at the same moment (SQLite
and PostgreSQL)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree, client_for
from shegong.core.actors import system_actor
from shegong.core.errors import ServiceError
from shegong.core.tests.concurrency import own_database_file, run_together
from shegong.pay import rules, services
from shegong.pay.models import PayAdjustment, PayLine, PayRun, RunKind, RunStatus
from shegong.pay.tests.factories import second_admin
from shegong.pay.tests.test_awards import FEB, JAN, _passed, _street_a
from shegong.people.models import AwardDue, Worker
from shegong.training.models import Award


def _own_runs(tree: Tree) -> None:
    """The district's pay office pays awards in runs of their own from January."""
    services.policy_set(
        unit=tree.district,
        effective_from=JAN,
        values={"awards_paid": "own_run"},
        acting_user=system_actor(),
    )


def _awarded(tree: Tree, personas: Personas) -> tuple[Worker, Award]:
    wang = _street_a(tree, personas)
    _own_runs(tree)
    return wang, _passed(wang, personas.street_a_manager)


def _award_run(tree: Tree, user: Any, month: datetime.date = JAN) -> PayRun:
    return services.awardrun_create(unit=tree.street_a, period=month, acting_user=user)


def test_an_award_run_pays_the_awards_the_regular_run_leaves(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang, award = _awarded(tree, personas)
    regular = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager)
    assert PayLine.objects.get(run=regular, worker=wang).award == D("0")
    assert AwardDue.objects.get(source_key=f"training.award:{award.pk}").taken_at is None
    run = _award_run(tree, manager)
    assert (run.kind, run.status, run.headcount) == (RunKind.AWARDS, RunStatus.DRAFT, 1)
    line = PayLine.objects.get(run=run)
    assert (line.worker_id, line.award, line.gross) == (wang.pk, award.amount, award.amount)
    assert (line.contribution_base, line.personal_contributions) == (D("0"), D("0"))
    assert line.post_pay == line.grade_pay == line.certificate_allowance == D("0")
    assert run.gross == award.amount and "奖励发放" in str(run)
    item = PayAdjustment.objects.get(worker=wang)
    assert (item.run_id, item.own_run) == (run.pk, True)
    due = AwardDue.objects.get(source_key=f"training.award:{award.pk}")
    assert due.taken_by == "街道甲2025-01奖励发放"
    # Four eyes as for any run: the one who computed it may not review it.
    with pytest.raises(ServiceError, match="另一人复核"):
        services.payrun_check(run=run, acting_user=manager)
    checked = services.payrun_check(run=run, acting_user=personas.district_admin)
    approved = services.payrun_approve(run=checked, acting_user=second_admin(tree))
    assert approved.status == RunStatus.APPROVED
    with pytest.raises(ServiceError, match="奖励发放批次不能更正"):
        services.payrun_create(
            unit=tree.street_a, period=JAN, corrects=approved, acting_user=manager
        )
    # Nothing is left for a second award run, nor for the next regular run.
    with pytest.raises(ServiceError, match="没有待发的一次性奖励"):
        _award_run(tree, manager)
    february = services.payrun_create(unit=tree.street_a, period=FEB, acting_user=manager)
    assert PayLine.objects.get(run=february, worker=wang).award == D("0")


def test_an_award_run_is_listed_and_on_the_worker_s_record(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    wang, award = _awarded(tree, personas)
    run = _award_run(tree, manager)
    client = client_for(manager)
    listed = client.get(reverse("pay:runs")).content.decode()
    assert f'id="awards-run-{run.pk}"' in listed and "奖励发放" in listed
    page = client.get(reverse("pay:run", kwargs={"pk": run.pk})).content.decode()
    assert "奖励发放" in page and f"{award.amount:,.2f}" in page
    approve = client.get(reverse("pay:run-approve", kwargs={"pk": run.pk})).content.decode()
    assert 'id="awards-only"' in approve and 'id="changes"' not in approve
    api = APIClient()
    api.force_authenticate(manager)
    record = api.get(f"/api/workers/{wang.pk}/record/").json()
    rows = next(s for s in record["sections"] if s["key"] == "pay.lines")["rows"]
    assert [r["cells"][1] for r in rows] == ["奖励发放 · 草稿"]
    assert rows[0]["cells"][4] == f"{award.amount:,.2f}"
    runs = api.get("/api/pay-runs/").json()["results"]
    assert [(r["id"], r["kind"]) for r in runs] == [(run.pk, "awards")]


def test_the_pay_page_and_the_api_make_an_award_run(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    _wang, award = _awarded(tree, personas)
    done = client_for(manager).post(
        reverse("pay:run-create"),
        {"unit": tree.street_a.code, "period": "2025-01", "kind": "awards", "note": ""},
        follow=True,
    )
    assert "奖励发放" in done.content.decode()
    run = PayRun.objects.get()
    assert (run.kind, run.gross) == (RunKind.AWARDS, award.amount)
    api = APIClient()
    api.force_authenticate(manager)
    again = api.post(
        "/api/pay-runs/", {"unit": tree.street_a.code, "period": "2025-01", "kind": "awards"}
    )
    assert again.status_code == 400 and "没有待发的一次性奖励" in again.content.decode()


def test_an_award_run_is_refused_while_awards_go_with_the_monthly_run(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang = _street_a(tree, personas)
    _passed(wang, manager)
    with pytest.raises(ServiceError, match="随月度工资发放"):
        _award_run(tree, manager)
    assert not PayRun.objects.exists() and not PayAdjustment.objects.exists()


def test_a_discarded_award_run_leaves_its_awards_to_the_next_award_run(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang, award = _awarded(tree, personas)
    draft = _award_run(tree, manager)
    services.payrun_discard(run=draft, acting_user=manager)
    regular = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager)
    assert PayLine.objects.get(run=regular, worker=wang).award == D("0")
    again = _award_run(tree, manager, FEB)
    assert PayLine.objects.get(run=again, worker=wang).award == award.amount
    item = PayAdjustment.objects.get(worker=wang)
    assert (item.run_id, item.period) == (again.pk, FEB)


def test_an_award_run_is_taxed_with_the_month_s_regular_pay(tree: Tree, personas: Personas) -> None:
    """January's tax on regular pay and award together is the tax on their sum, whichever
    run paid which part (累计预扣法)."""
    manager = personas.street_a_manager
    wang, award = _awarded(tree, personas)
    services.policy_set(  # well enough paid to owe tax on the award
        unit=tree.district,
        effective_from=JAN,
        values={"other_allowance": D("6000")},
        acting_user=system_actor(),
    )
    regular = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager)
    checked = services.payrun_check(run=regular, acting_user=personas.district_admin)
    services.payrun_approve(run=checked, acting_user=second_admin(tree))
    pay = PayLine.objects.get(run=regular, worker=wang)
    awards = PayLine.objects.get(run=_award_run(tree, manager))
    both = rules.tax_on_cumulative(
        pay.gross + award.amount - rules.MONTHLY_STANDARD_DEDUCTION - pay.personal_contributions
    )
    assert pay.income_tax + awards.income_tax == both
    assert pay.income_tax > 0 and awards.income_tax == rules.fen(award.amount * D("0.03"))


@pytest.fixture
def shared_db(seeded_vocabulary: None, tmp_path: Path, tree: Tree, personas: Personas) -> Any:
    with own_database_file(tmp_path):
        yield


def test_two_award_runs_computed_at_once_pay_an_award_once(
    shared_db: None, tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang, _award = _awarded(tree, personas)
    outcomes = run_together(lambda: _award_run(tree, manager), lambda: _award_run(tree, manager))
    made = [o.value for o in outcomes if o.error is None]
    refused = [o.error for o in outcomes if o.error is not None]
    assert len(made) == 1, refused
    assert isinstance(refused[0], ServiceError) and "没有待发" in refused[0].message
    assert PayLine.objects.filter(worker=wang, award__gt=0).count() == 1
    assert PayAdjustment.objects.get(worker=wang).run_id == made[0].pk


def test_a_regular_and_an_award_run_computed_at_once_pay_an_award_once(
    shared_db: None, tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    wang, award = _awarded(tree, personas)
    regular, awards = run_together(
        lambda: services.payrun_create(unit=tree.street_a, period=JAN, acting_user=manager),
        lambda: _award_run(tree, manager),
    )
    assert regular.error is None and awards.error is None
    assert PayLine.objects.get(run=regular.value, worker=wang).award == D("0")
    assert PayLine.objects.get(run=awards.value, worker=wang).award == award.amount
    assert sum(PayLine.objects.filter(worker=wang).values_list("award", flat=True)) == award.amount


def test_the_console_makes_an_award_run(tree: Tree, personas: Personas) -> None:
    _wang, award = _awarded(tree, personas)
    out = io.StringIO()
    call_command(
        "pay", "run", "--unit", tree.street_a.code, "--period", "2025-01", "--awards", stdout=out
    )
    run = PayRun.objects.get()
    assert (run.kind, run.gross, run.headcount) == (RunKind.AWARDS, award.amount, 1)
    assert f"#{run.pk}" in out.getvalue()
