"""The workers' years of pay (WorkerPayYear): kept by every approval, rebuilt by the console,
and the yearly figures counted over them in the database equal to those listed a worker at a
time (benchmark, equal pay)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.management import call_command

from shegong.conftest import Personas, Tree
from shegong.core.actors import system_actor
from shegong.core.models import User
from shegong.core.money import fen
from shegong.orgs.models import Unit
from shegong.pay import selectors, services
from shegong.pay.models import AdjustmentKind, PayLine, WorkerPayYear
from shegong.pay.tests.factories import YEAR, approved_run, paid_worker, pay_settings
from shegong.people.models import PostType, Source, Worker
from shegong.people.services import post_assign

JAN, FEB, MAR = (datetime.date(YEAR, m, 1) for m in (1, 2, 3))


def _kept() -> dict[int, tuple[Any, ...]]:
    return {
        y.worker_id: (y.months, y.gross, y.net, y.total_cost, y.annual_gross, y.unit_path)
        for y in WorkerPayYear.objects.filter(year=YEAR)
    }


def _from_lines() -> dict[int, tuple[Any, ...]]:
    """What the approved lines add up to, worked out here from the lines themselves."""
    out: dict[int, tuple[Any, ...]] = {}
    for worker_id in PayLine.objects.values_list("worker_id", flat=True).distinct():
        lines = list(
            selectors.effective_lines()
            .filter(worker_id=worker_id, run__period__year=YEAR)
            .order_by("run__period", "run_id")
        )
        if not lines:
            continue
        months = len({line.run.period for line in lines})
        gross = sum((line.gross for line in lines), D(0))
        out[worker_id] = (
            months,
            gross,
            sum((line.net for line in lines), D(0)),
            sum((line.total_cost for line in lines), D(0)),
            fen(gross * 12 / months),
            lines[-1].unit_path,
        )
    return out


def test_an_approval_keeps_each_worker_s_year_of_pay(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    pay_settings(tree.district)
    workers = [paid_worker(tree.community_a1, manager, name=f"年度{i}") for i in range(3)]
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    approved_run(tree.street_a, manager, JAN)
    assert {w: k[0] for w, k in _kept().items()} == {w.pk: 1 for w in workers}
    draft = services.payrun_create(unit=tree.street_a, period=FEB, acting_user=manager)
    services.payrun_check(run=draft, acting_user=system_actor())
    assert {k[0] for k in _kept().values()} == {1}, "a run not yet approved is not paid"
    services.payrun_approve(run=draft, acting_user=system_actor())
    assert _kept() == _from_lines()
    assert {k[0] for k in _kept().values()} == {2}


def test_an_approved_correction_takes_the_corrected_run_s_place(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    pay_settings(tree.district)
    worker = paid_worker(tree.community_a1, manager, name="更正")
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    january = approved_run(tree.street_a, manager, JAN)
    before = _kept()[worker.pk]
    services.adjustment_add(
        worker=worker,
        period=JAN,
        kind=AdjustmentKind.ALLOWANCE,
        amount=D("500.00"),
        note="补发",
        acting_user=manager,
    )
    correction = services.payrun_create(
        unit=tree.street_a, period=JAN, corrects=january, acting_user=manager
    )
    services.payrun_check(run=correction, acting_user=system_actor())
    assert _kept()[worker.pk] == before
    services.payrun_approve(run=correction, acting_user=system_actor())
    after = _kept()[worker.pk]
    assert after[0] == 1, "the corrected month is counted once"
    assert after[1] == before[1] + D("500.00")
    assert _kept() == _from_lines()


def test_the_console_rebuilds_what_the_approvals_kept(
    tree: Tree, personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    manager = personas.street_a_manager
    pay_settings(tree.district)
    for i in range(2):
        paid_worker(tree.community_a1, manager, name=f"重建{i}")
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    approved_run(tree.street_a, manager, JAN)
    kept = _kept()
    WorkerPayYear.objects.all().delete()
    call_command("pay", "years")
    assert _kept() == kept
    assert f"{YEAR}年:个人年度待遇 2 人" in capsys.readouterr().out


def _city_year(tree: Tree, personas: Personas) -> list[Worker]:
    """Street A on the district's wage, street B on a wage of its own; a secretary in each;
    a worker who joined in March; sources that differ in one track and level."""
    pay_settings(tree.district, average_wage=D("60000"), benchmark_share=D("0.85"))
    services.average_wage_set(
        unit=tree.street_b,
        amount=D("90000"),
        benchmark_share=D("1.00"),
        year=YEAR,
        acting_user=system_actor(),
    )
    admin = personas.district_admin
    people = [
        paid_worker(tree.community_a1, admin, name="甲一", source=Source.ELECTED),
        paid_worker(tree.community_a1, admin, name="甲二", source=Source.HIRED),
        paid_worker(tree.community_a2, admin, name="甲三", source=Source.HIRED),
        paid_worker(tree.community_b1, admin, name="乙一", source=Source.ELECTED),
        paid_worker(tree.community_b1, admin, name="乙二", source=Source.HIRED),
        paid_worker(tree.community_b1, admin, name="乙三", entry_date=datetime.date(YEAR, 3, 1)),
    ]
    secretary = PostType.objects.get(code="secretary")
    for leader in (people[0], people[3]):
        post_assign(
            worker=leader, post=secretary, start=datetime.date(2020, 1, 1), acting_user=admin
        )
    services.grade_place(unit=tree.district, day=JAN, acting_user=system_actor())
    for street in (tree.street_a, tree.street_b):
        for month in (JAN, FEB, MAR):
            services.grade_place(unit=street, day=month, acting_user=system_actor())
            approved_run(street, admin, month)
    return people


def _listed(viewer: User, unit: Unit) -> dict[str, Any]:
    """The summary's figures, worked out from benchmark()'s rows a worker at a time."""
    found = selectors.benchmark(viewer=viewer, unit=unit, year=YEAR)
    workers = found["workers"]
    n = len(workers)
    shown = selectors.may_see_pay(viewer=viewer, unit_path=unit.path)
    leaders = [w for w in workers if w.leader]
    calibers = {}
    for c in found["calibers"]:
        key = c["key"]
        visible = shown or n >= selectors.min_group_size()
        calibers[key] = {
            "total": fen(sum((getattr(w, key) for w in workers), D(0))) if visible else None,
            "average": fen(sum((w.annual[key] for w in workers), D(0)) / n) if visible else None,
            "leaders_average": fen(sum((w.annual[key] for w in leaders), D(0)) / len(leaders))
            if leaders and (shown or len(leaders) >= selectors.min_group_size())
            else None,
            "below": len(c["below"]),
            "leaders": c["leaders"],
            "leaders_at_average": c["leaders_at_average"],
            "leaders_share": c["leaders_share"],
        }
    return {"workers": n, "calibers": calibers}


def _summed(viewer: User, unit: Unit) -> dict[str, Any]:
    got = selectors.year_summary(viewer=viewer, unit=unit, year=YEAR)
    return {
        "workers": got["workers"],
        "calibers": {
            k: {n: v for n, v in c.items() if n != "label"} for k, c in got["calibers"].items()
        },
    }


def test_the_summary_counted_in_the_database_is_the_benchmark_listed_by_worker(
    tree: Tree, personas: Personas, settings: Any
) -> None:
    _city_year(tree, personas)
    for unit in (tree.district, tree.street_a, tree.street_b, tree.community_b1):
        listed = _listed(personas.district_admin, unit)
        assert _summed(personas.district_admin, unit) == listed, unit.name
    district = _summed(personas.district_admin, tree.district)
    assert district["workers"] == 6
    # Street B's own wage: its line is 90,000, the district's 51,000; both leaders counted.
    assert district["calibers"]["gross"]["leaders"] == 2
    assert district["calibers"]["gross"]["below"] >= 3
    settings.SHEGONG_MIN_GROUP_SIZE = 5
    clerk = _summed(personas.community_a1_clerk, tree.community_a1)
    assert clerk == _listed(personas.community_a1_clerk, tree.community_a1)
    assert clerk["workers"] == 2 and clerk["calibers"]["gross"]["total"] is None


def test_equal_pay_counted_in_the_database_is_equal_pay_without_the_people(
    tree: Tree, personas: Personas
) -> None:
    _city_year(tree, personas)

    def without_people(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**f, "sources": [{k: v for k, v in s.items() if k != "workers"} for s in f["sources"]]}
            for f in findings
        ]

    for viewer, unit in (
        (personas.district_admin, tree.district),
        (personas.street_a_manager, tree.street_a),
    ):
        listed = selectors.equal_pay(viewer=viewer, unit=unit, year=YEAR)
        counted = selectors.equal_pay_figures(viewer=viewer, unit=unit, year=YEAR)
        assert without_people(listed) == without_people(counted)
        assert counted, "elected and hired share a track and level"


def test_a_year_without_pay_or_wage_counts_nobody(tree: Tree, personas: Personas) -> None:
    _city_year(tree, personas)
    got = selectors.year_summary(viewer=personas.district_admin, unit=tree.district, year=YEAR - 1)
    assert got["workers"] == 0 and got["wage"] is None
    assert got["calibers"]["gross"]["below"] == 0 and got["calibers"]["gross"]["average"] is None
