"""Pay figures per group are withheld from a viewer without the personal-data right when the
group is smaller than SHEGONG_MIN_GROUP_SIZE, and so is a second group or the total that
would give the withheld one away (issue 11, class 1)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import Membership, Role, User
from shegong.pay import rules, selectors, services
from shegong.pay.models import PayRun
from shegong.pay.tests.factories import YEAR, approved_run, paid_worker, pay_settings

pytestmark = pytest.mark.django_db

JAN = datetime.date(YEAR, 1, 1)
WITHHELD = "人数过少,不予显示"


@pytest.mark.parametrize(
    ("sizes", "hidden", "total_hidden"),
    [
        ([5, 6], set(), False),
        ([1, 5, 7], {0, 1}, False),  # one small group: the smallest other goes with it
        ([1, 1, 10], {0, 1, 2}, False),  # two together still under 3 people
        ([2, 2, 10], {0, 1}, False),
        ([2], {0}, True),  # the total is the group
        ([1, 1], {0, 1}, True),
        ([], set(), False),
    ],
)
def test_it_withholds_small_groups_and_what_would_give_them_away(
    sizes: list[int], hidden: set[int], total_hidden: bool
) -> None:
    assert rules.withheld(sizes, 3) == (hidden, total_hidden)


@pytest.fixture
def street_a_clerk(tree: Tree) -> User:
    """A clerk of the whole street: sees its pay pages, holds no personal-data right."""
    user = User.objects.create_user(username="street_a_clerk", password="x")
    Membership.objects.create(user=user, unit=tree.street_a, role=Role.CLERK)
    return user


def _pay(tree: Tree, personas: Personas, a1: list[str], a2: int) -> None:
    """Workers in A1 with the given sources and `a2` hired ones in A2, paid for January."""
    manager = personas.street_a_manager
    pay_settings(tree.district)
    for n, source in enumerate(a1):
        paid_worker(tree.community_a1, manager, name=f"甲一{n}", source=source)
    for n in range(a2):
        paid_worker(tree.community_a2, manager, name=f"甲二{n}", source="hired")
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=manager)
    approved_run(tree.street_a, manager, JAN)


def test_equal_pay_withholds_a_source_of_one_person_from_a_clerk(
    tree: Tree, personas: Personas, street_a_clerk: User
) -> None:
    _pay(tree, personas, ["elected", "hired", "hired", "hired"], 0)
    (finding,) = selectors.equal_pay(viewer=street_a_clerk, unit=tree.street_a, year=YEAR)
    means = [s["mean"] for s in finding["sources"]]
    # The elected one is alone, and the hired mean would give theirs away with the gap.
    assert [str(m) for m in means] == [WITHHELD, WITHHELD]
    assert str(finding["gap"]) == WITHHELD
    page = client_for(street_a_clerk).get(
        reverse("pay:equal-pay"), {"unit": tree.street_a.code, "year": str(YEAR)}
    )
    text = page.content.decode()
    assert WITHHELD in text and "甲一0" in text
    # The manager may see every payslip: nothing is withheld from them.
    (finding,) = selectors.equal_pay(
        viewer=personas.street_a_manager, unit=tree.street_a, year=YEAR
    )
    assert all(isinstance(s["mean"], D) for s in finding["sources"])
    assert isinstance(finding["gap"], D)


def test_the_minimum_group_size_is_a_setting(
    tree: Tree, personas: Personas, street_a_clerk: User, settings: object
) -> None:
    settings.SHEGONG_MIN_GROUP_SIZE = 1  # type: ignore[attr-defined]
    _pay(tree, personas, ["elected", "hired"], 0)
    (finding,) = selectors.equal_pay(viewer=street_a_clerk, unit=tree.street_a, year=YEAR)
    assert all(isinstance(s["mean"], D) for s in finding["sources"])


def test_the_budget_withholds_a_small_community_and_its_complement(
    tree: Tree, personas: Personas, street_a_clerk: User
) -> None:
    _pay(tree, personas, ["hired"], 4)
    found = selectors.budget(viewer=street_a_clerk, unit=tree.street_a, year=YEAR)
    (street,) = found["streets"]
    by_name = {c["unit"].name: c for c in street["communities"]}
    # A1 has one worker; A2's figures would be the street's minus A1's, so both go.
    for name in ("甲一社区", "甲二社区"):
        assert str(by_name[name]["gross"]) == WITHHELD
        assert str(by_name[name]["net"]) == WITHHELD
    assert [c["workers"] for c in street["communities"]] == [1, 4]
    assert isinstance(street["gross"], D) and isinstance(found["total"]["gross"], D)
    page = client_for(street_a_clerk).get(
        reverse("pay:budget"), {"unit": tree.street_a.code, "year": str(YEAR)}
    )
    assert WITHHELD in page.content.decode()
    found = selectors.budget(viewer=personas.street_a_manager, unit=tree.street_a, year=YEAR)
    assert all(isinstance(c["gross"], D) for c in found["streets"][0]["communities"])


def test_the_budget_withholds_the_total_of_one_small_community(
    tree: Tree, personas: Personas
) -> None:
    _pay(tree, personas, ["hired", "hired"], 0)
    clerk = personas.community_a1_clerk
    found = selectors.budget(
        viewer=clerk, unit=tree.community_a1, year=YEAR, raise_to_share=D("2"), growth=D("0.1")
    )
    assert str(found["total"]["gross"]) == WITHHELD
    assert found["total"]["workers"] == 2
    (street,) = found["streets"]
    assert str(street["gross"]) == WITHHELD
    assert str(found["what_if"]["index"]["extra"]) == WITHHELD
    assert str(found["what_if"]["raise"]["extra"]) == WITHHELD


def test_the_benchmark_withholds_the_average_of_a_small_community(
    tree: Tree, personas: Personas, street_a_clerk: User
) -> None:
    _pay(tree, personas, ["hired"], 4)
    found = selectors.benchmark(viewer=street_a_clerk, unit=tree.street_a, year=YEAR)
    gross = next(c for c in found["calibers"] if c["key"] == "gross")
    by_name = {u["name"]: u for u in gross["units_below"]}
    assert str(by_name["甲一社区"]["average"]) == WITHHELD
    assert str(by_name["甲一社区"]["gap"]) == WITHHELD
    assert str(by_name["甲二社区"]["average"]) == WITHHELD  # its complement
    page = client_for(street_a_clerk).get(
        reverse("pay:benchmark"), {"unit": tree.street_a.code, "year": str(YEAR)}
    )
    assert WITHHELD in page.content.decode()
    found = selectors.benchmark(viewer=personas.street_a_manager, unit=tree.street_a, year=YEAR)
    gross = next(c for c in found["calibers"] if c["key"] == "gross")
    assert all(isinstance(u["average"], D) for u in gross["units_below"])


def test_a_clerks_part_of_a_run_withholds_the_totals_of_fewer_than_three(
    tree: Tree, personas: Personas
) -> None:
    _pay(tree, personas, ["hired", "hired"], 4)
    run = PayRun.objects.get()
    totals = selectors.run_totals(viewer=personas.community_a1_clerk, run=run)
    assert totals["headcount"] == 2 and str(totals["gross"]) == WITHHELD
    page = client_for(personas.community_a1_clerk).get(reverse("pay:run", args=[run.pk]))
    assert WITHHELD in page.content.decode()
    totals = selectors.run_totals(viewer=personas.street_a_manager, run=run)
    assert isinstance(totals["gross"], D)


def test_the_pay_report_masks_amounts_and_withholds_a_small_total_for_a_clerk(
    tree: Tree, personas: Personas
) -> None:
    _pay(tree, personas, ["hired", "hired"], 0)
    data = selectors.report(viewer=personas.community_a1_clerk, unit=tree.community_a1, year=YEAR)
    assert {w["gross"] for w in data["workers"]} == {"***"}
    assert data["totals"]["gross"] == WITHHELD
    data = selectors.report(viewer=personas.street_a_manager, unit=tree.community_a1, year=YEAR)
    assert data["totals"]["gross"][:1].isdigit()


def test_the_pay_register_of_a_clerks_part_withholds_the_totals(
    tree: Tree, personas: Personas
) -> None:
    _pay(tree, personas, ["hired", "hired"], 4)
    run = PayRun.objects.get()
    response = client_for(personas.community_a1_clerk).get(
        reverse("pay:run-register", args=[run.pk])
    )
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    last = [cell.value for cell in list(sheet.iter_rows())[-1]]
    assert last[2] == "2人" and WITHHELD in last
