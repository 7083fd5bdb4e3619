"""What the audit trail records of pay: a kind per event (pay.run_computed …), one row per
worker when placement or a step moves many, the system actor for the console."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from shegong.conftest import Personas, Tree
from shegong.core.actors import SYSTEM_USERNAME, system_actor
from shegong.core.audit import audit_kind_label
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.pay import services
from shegong.pay.events import PayEvent
from shegong.pay.models import GradeAssignment, PayRun
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings

JAN = datetime.date(YEAR, 1, 1)
DEC = datetime.date(YEAR - 1, 12, 1)


@pytest.fixture
def settled(tree: Tree) -> Tree:
    pay_settings(tree.district)
    return tree


def test_a_run_s_compute_review_and_approval_are_each_their_own_kind_of_event(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    paid_worker(settled.community_a1, manager)
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    run = services.payrun_create(unit=settled.street_a, period=JAN, acting_user=manager)
    admin = personas.district_admin
    services.payrun_approve(
        run=services.payrun_check(run=run, acting_user=admin), acting_user=system_actor()
    )
    trail = AuditEntry.objects.filter(target_type="pay.PayRun", target_id=str(run.pk))
    assert list(trail.order_by("pk").values_list("action", "actor", "unit_path")) == [
        (PayEvent.RUN_COMPUTED, manager.pk, settled.street_a.path),
        (PayEvent.RUN_REVIEWED, admin.pk, settled.street_a.path),
        (PayEvent.RUN_APPROVED, system_actor().pk, settled.street_a.path),
    ]
    approved = trail.get(action=PayEvent.RUN_APPROVED)
    assert (approved.before, approved.after) == ({"status": "checked"}, {"status": "approved"})
    assert approved.action_label == "审批工资"
    assert audit_kind_label("pay.grade_stepped") == "按年限晋档"


def test_a_step_that_moves_many_workers_writes_one_row_per_worker(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    workers = [
        # A month of community work and 3 years for 本科: placed in 一级二档.
        paid_worker(settled.community_a1, manager, name="甲一晋档", work_start_date=DEC),
        paid_worker(settled.community_a2, manager, name="甲二晋档", work_start_date=DEC),
    ]
    assert services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager) == 2
    placed = AuditEntry.objects.filter(action=PayEvent.GRADE_PLACED)
    assert sorted(placed.values_list("target_repr", "unit_path")) == [
        ("甲一晋档", settled.community_a1.path),
        ("甲二晋档", settled.community_a2.path),
    ]
    later = datetime.date(YEAR + 3, 1, 1)
    assert services.grade_steps_apply(unit=settled.street_a, day=later, acting_user=manager) == 2
    stepped = AuditEntry.objects.filter(action=PayEvent.GRADE_STEPPED).order_by("target_id")
    assert [(e.target_type, e.target_id, e.actor_id) for e in stepped] == [
        ("people.Worker", str(w.pk), manager.pk) for w in sorted(workers, key=lambda w: w.pk)
    ]
    for entry, worker in zip(stepped, sorted(workers, key=lambda w: w.pk), strict=True):
        now = GradeAssignment.objects.get(worker=worker, end__isnull=True)
        assert entry.after is not None
        assert (entry.after["step"], entry.after["start"]) == (now.step, later.isoformat())
        assert entry.before is not None and entry.before["step"] == now.step - 1
        assert entry.unit_path == worker.unit_path
    # The street manager of another street sees none of it in their trail.
    assert not stepped.filter(unit_path__startswith=settled.street_b.path).exists()


def test_the_console_acts_as_the_system_actor_and_is_named_in_the_trail(
    settled: Tree, personas: Personas
) -> None:
    paid_worker(settled.community_a1, personas.street_a_manager)
    out = io.StringIO()
    call_command("pay", "place", "--unit", settled.street_a.code, "--date", f"{YEAR}-01-01")
    call_command(
        "pay", "run", "--unit", settled.street_a.code, "--period", f"{YEAR}-01", stdout=out
    )
    run = PayRun.objects.get()
    assert run.created_by is not None and run.created_by.username == SYSTEM_USERNAME
    computed = AuditEntry.objects.get(action=PayEvent.RUN_COMPUTED)
    assert computed.actor == run.created_by
    assert GradeAssignment.objects.get().decided_by == run.created_by


def test_it_refuses_a_viewer_without_the_right_to_change_pay_and_writes_nothing(
    settled: Tree, personas: Personas
) -> None:
    paid_worker(settled.community_a1, personas.street_a_manager)
    with pytest.raises(ServiceError, match="您没有权限管理街道甲的待遇"):
        services.grade_place(unit=settled.street_a, day=JAN, acting_user=personas.street_b_manager)
    with pytest.raises(ServiceError, match="您没有权限计算街道甲的工资"):
        services.payrun_create(
            unit=settled.street_a, period=JAN, acting_user=personas.community_a1_clerk
        )
    assert not GradeAssignment.objects.exists()
    assert not PayRun.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="pay.grade").exists()
