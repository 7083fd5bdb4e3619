"""Four eyes on pay: computing, reviewing (复核) and approving are separate rights and, unless a
tiny office turns it off, separate people; approval asks first and shows the month's changes."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.pay import selectors, services
from shegong.pay.models import PayAdjustment, PayRun, RunStatus
from shegong.pay.tests.factories import YEAR, approved_run, paid_worker, pay_settings, second_admin

JAN = datetime.date(YEAR, 1, 1)
FEB = datetime.date(YEAR, 2, 1)


@pytest.fixture
def computed(tree: Tree, personas: Personas) -> PayRun:
    """A January run of street A computed by the district admin."""
    pay_settings(tree.district)
    paid_worker(tree.community_a1, personas.street_a_manager, name="甲一甲")
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=personas.street_a_manager)
    return services.payrun_create(
        unit=tree.street_a, period=JAN, acting_user=personas.district_admin
    )


def test_it_refuses_a_review_by_the_person_who_computed(
    computed: PayRun, personas: Personas
) -> None:
    with pytest.raises(ServiceError, match="计算工资的人不能复核同一批次"):
        services.payrun_check(run=computed, acting_user=personas.district_admin)
    assert PayRun.objects.get().status == RunStatus.DRAFT


def test_it_refuses_an_approval_by_the_person_who_computed_or_reviewed(
    tree: Tree, computed: PayRun, personas: Personas
) -> None:
    checker = second_admin(tree, "district_checker")
    checked = services.payrun_check(run=computed, acting_user=checker)
    with pytest.raises(ServiceError, match="计算工资的人不能审批同一批次"):
        services.payrun_approve(run=checked, acting_user=personas.district_admin)
    with pytest.raises(ServiceError, match="复核工资的人不能审批同一批次"):
        services.payrun_approve(run=checked, acting_user=checker)
    approved = services.payrun_approve(run=checked, acting_user=second_admin(tree))
    assert approved.status == RunStatus.APPROVED
    assert approved.created_by != approved.checked_by != approved.approved_by


def test_a_tiny_office_may_let_one_person_make_every_step(
    computed: PayRun, personas: Personas, settings: Any
) -> None:
    settings.SHEGONG_PAY_ONE_PERSON = True
    admin = personas.district_admin
    run = services.payrun_approve(
        run=services.payrun_check(run=computed, acting_user=admin), acting_user=admin
    )
    assert run.status == RunStatus.APPROVED


def test_a_street_manager_computes_and_reviews_but_may_not_approve(
    tree: Tree, personas: Personas, computed: PayRun
) -> None:
    checked = services.payrun_check(run=computed, acting_user=personas.street_a_manager)
    with pytest.raises(ServiceError, match="您没有权限审批街道甲的工资"):
        services.payrun_approve(run=checked, acting_user=personas.street_a_manager)


def test_a_clerk_may_not_compute_review_or_approve(
    tree: Tree, personas: Personas, computed: PayRun
) -> None:
    clerk = personas.community_a1_clerk
    with pytest.raises(ServiceError, match="您没有权限计算甲一社区的工资"):
        services.payrun_create(unit=tree.community_a1, period=FEB, acting_user=clerk)
    with pytest.raises(ServiceError, match="您没有权限复核街道甲的工资"):
        services.payrun_check(run=computed, acting_user=clerk)


def test_the_command_line_as_a_user_obeys_the_same_rule(
    tree: Tree, personas: Personas, computed: PayRun
) -> None:
    with pytest.raises(CommandError, match="计算工资的人不能复核同一批次"):
        call_command(
            "pay",
            "run",
            "--unit",
            tree.street_a.code,
            "--period",
            f"{YEAR}-02",
            "--approve",
            "--user",
            personas.district_admin.username,
        )


def test_the_approval_page_asks_and_shows_the_changes_against_last_month(
    tree: Tree, personas: Personas
) -> None:
    pay_settings(tree.district)
    manager = personas.street_a_manager
    for name in ("甲一甲", "甲一乙", "甲一丙"):
        paid_worker(tree.community_a1, manager, name=name)
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=manager)
    approved_run(tree.street_a, manager, JAN)
    newcomer = paid_worker(
        tree.community_a1, manager, name="二月新人", entry_date=datetime.date(YEAR, 2, 3)
    )
    services.grade_place(unit=tree.street_a, day=FEB, acting_user=manager)
    award = PayAdjustment.objects.create(
        worker_id=PayRun.objects.get().lines.get(worker__name="甲一乙").worker_id,
        period=FEB,
        kind="award",
        amount=D("1234.5"),
        note="奖励",
    )
    run = services.payrun_create(unit=tree.street_a, period=FEB, acting_user=manager)
    services.payrun_check(run=run, acting_user=personas.district_admin)
    approver = client_for(second_admin(tree))
    run_page = approver.get(reverse("pay:run", kwargs={"pk": run.pk})).content.decode()
    assert reverse("pay:run-approve", kwargs={"pk": run.pk}) in run_page
    page = approver.get(reverse("pay:run-approve", kwargs={"pk": run.pk})).content.decode()
    assert "确认审批并锁定" in page
    assert ">3</td>" in page and ">4</td>" in page  # headcount before and after
    assert "二月新人" in page and f"/pay/workers/{newcomer.pk}/" in page
    assert "1,234.50" in page  # 甲一乙's award: the largest change, with separators
    assert award.amount == D("1234.5")
    assert PayRun.objects.get(pk=run.pk).status == RunStatus.CHECKED
    done = approver.post(
        reverse("pay:run-approve", kwargs={"pk": run.pk}), {"confirmed": "yes"}, follow=True
    )
    assert "已审批,该批次已锁定" in done.content.decode()
    assert PayRun.objects.get(pk=run.pk).status == RunStatus.APPROVED


def test_the_command_line_reviews_and_approves_a_run_another_person_computed(
    tree: Tree, personas: Personas, computed: PayRun
) -> None:
    out = io.StringIO()
    call_command(
        "pay", "review", str(computed.pk), "--user", personas.street_a_manager.username, stdout=out
    )
    assert "已复核" in out.getvalue()
    with pytest.raises(CommandError, match="计算工资的人不能审批同一批次"):
        call_command("pay", "approve", str(computed.pk), "--user", personas.district_admin.username)
    with pytest.raises(CommandError, match="不存在"):
        call_command(
            "pay", "approve", str(computed.pk), "--user", personas.street_b_manager.username
        )
    second = second_admin(tree)
    call_command("pay", "approve", str(computed.pk), "--user", second.username, stdout=out)
    assert PayRun.objects.get(pk=computed.pk).status == RunStatus.APPROVED


def test_the_changes_of_a_district_run_count_last_month_s_street_runs(
    tree: Tree, personas: Personas, computed: PayRun
) -> None:
    """Last month may have been paid street by street (a city-wide run): what was paid to the
    district's workers counts, whichever run paid it."""
    services.payrun_approve(
        run=services.payrun_check(run=computed, acting_user=personas.street_a_manager),
        acting_user=second_admin(tree),
    )
    district = services.payrun_create(
        unit=tree.district, period=FEB, acting_user=personas.district_admin
    )
    changes = selectors.run_changes(viewer=personas.district_admin, run=district, amounts=True)
    assert (changes.headcount_before, changes.headcount_after) == (1, 1)
    assert not changes.added and not changes.removed
    gross = next(c for c in changes.calibers if c.key == "gross")
    assert gross.before == computed.gross and gross.change == district.gross - computed.gross
