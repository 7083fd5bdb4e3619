"""A worker registered during the month gets into that month's pay: the refusal names them,
initial placement places them from the day they joined, and a first placement can be set right."""

from __future__ import annotations

import datetime

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.pay import services
from shegong.pay.events import PayEvent
from shegong.pay.models import AssignmentReason, GradeAssignment, GradeTrack, PayLine
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings

NOV = datetime.date(YEAR, 11, 1)
JOINED = datetime.date(YEAR, 11, 16)


@pytest.fixture
def settled(tree: Tree, personas: Personas) -> Tree:
    pay_settings(tree.district)
    paid_worker(tree.community_a1, personas.street_a_manager, name="老员工")
    services.grade_place(
        unit=tree.street_a, day=datetime.date(YEAR, 1, 1), acting_user=personas.street_a_manager
    )
    return tree


def test_the_refusal_names_the_new_worker_for_initial_placement(
    settled: Tree, personas: Personas
) -> None:
    new = paid_worker(
        settled.community_a1, personas.community_a1_clerk, name="新来的", entry_date=JOINED
    )
    with pytest.raises(services.PayRunRefused) as refused:
        services.payrun_create(
            unit=settled.street_a, period=NOV, acting_user=personas.street_a_manager
        )
    assert refused.value.ungraded == [(new.pk, "新来的")]
    assert "新来的:未定级" in refused.value.faults


def test_initial_placement_places_a_new_worker_from_the_day_they_joined(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    new = paid_worker(settled.community_a1, manager, name="新来的", entry_date=JOINED)
    assert services.grade_place(unit=settled.street_a, day=NOV, acting_user=manager) == 1
    placed = GradeAssignment.objects.get(worker=new)
    assert (placed.start, placed.reason) == (JOINED, AssignmentReason.INITIAL)
    run = services.payrun_create(unit=settled.street_a, period=NOV, acting_user=manager)
    assert PayLine.objects.filter(run=run, worker=new).exists()
    assert run.headcount == 2


def test_a_new_worker_placed_on_a_later_day_is_placed_from_the_day_they_joined(
    settled: Tree, personas: Personas
) -> None:
    """The placement form's default is today: a worker who joined last month still gets a
    grade from the day they joined, and last month's pay includes them."""
    manager = personas.street_a_manager
    new = paid_worker(settled.community_a1, manager, name="新来的", entry_date=JOINED)
    services.grade_place(unit=settled.street_a, day=datetime.date(YEAR, 12, 2), acting_user=manager)
    assert GradeAssignment.objects.get(worker=new).start == JOINED
    run = services.payrun_create(unit=settled.street_a, period=NOV, acting_user=manager)
    assert PayLine.objects.filter(run=run, worker=new).exists()


def test_a_worker_graded_during_the_month_is_paid_for_that_month(
    settled: Tree, personas: Personas
) -> None:
    """A grade starting after the first of the month counts for a worker who has no earlier
    grade (here set by hand from the 20th)."""
    manager = personas.street_a_manager
    new = paid_worker(settled.community_a1, manager, name="新来的", entry_date=JOINED)
    services.grade_assign(
        worker=new,
        track=GradeTrack.objects.filter(scheme__unit=settled.district).first(),  # type: ignore[arg-type]
        level=1,
        step=1,
        start=datetime.date(YEAR, 11, 20),
        reason=AssignmentReason.MANUAL,
        note="手工定级",
        acting_user=manager,
    )
    run = services.payrun_create(unit=settled.street_a, period=NOV, acting_user=manager)
    assert PayLine.objects.filter(run=run, worker=new).exists()


def test_a_first_placement_is_corrected_in_place_and_audited(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    new = paid_worker(settled.community_a1, manager, name="新来的", entry_date=JOINED)
    services.grade_place(unit=settled.street_a, day=NOV, acting_user=manager)
    first = GradeAssignment.objects.get(worker=new)
    track = GradeTrack.objects.get(pk=first.track_id)
    earlier = datetime.date(YEAR, 11, 9)  # the entry date was registered a week late
    services.grade_assign(
        worker=new,
        track=track,
        level=first.level,
        step=2,
        start=earlier,
        reason=AssignmentReason.MANUAL,
        note="按实际到岗日期定级",
        acting_user=manager,
    )
    (corrected,) = GradeAssignment.objects.filter(worker=new)
    assert (corrected.start, corrected.step, corrected.end) == (earlier, 2, None)
    assert "更正初次定级" in corrected.note
    entry = AuditEntry.objects.get(action=PayEvent.GRADE_CORRECTED, target_id=str(new.pk))
    assert entry.before is not None and entry.after is not None
    assert (entry.before["start"], entry.after["start"]) == (
        JOINED.isoformat(),
        earlier.isoformat(),
    )
    assert (entry.before["step"], entry.after["step"]) == (first.step, 2)


def test_it_still_refuses_a_grade_dated_before_a_later_grade(
    settled: Tree, personas: Personas
) -> None:
    """Only the first placement is corrected in place; a later grade keeps its history."""
    manager = personas.street_a_manager
    worker = paid_worker(settled.community_a2, manager, name="调整过")
    services.grade_place(unit=settled.street_a, day=datetime.date(YEAR, 1, 1), acting_user=manager)
    first = GradeAssignment.objects.get(worker=worker)
    track = GradeTrack.objects.get(pk=first.track_id)

    def assign(start: datetime.date) -> None:
        services.grade_assign(
            worker=worker,
            track=track,
            level=1,
            step=1,
            start=start,
            reason=AssignmentReason.MANUAL,
            note="调整",
            acting_user=manager,
        )

    assign(datetime.date(YEAR, 6, 1))
    with pytest.raises(ServiceError, match="调整日期须晚于现定级的起始日期"):
        assign(datetime.date(YEAR, 3, 1))
