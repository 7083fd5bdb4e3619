"""Pay runs and grades through the services, as the personas."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.actors import system_actor
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.pay import selectors, services
from shegong.pay.models import (
    AverageWage,
    GradeAssignment,
    GradeTrack,
    PayAdjustment,
    PayLine,
    PayRun,
    RunStatus,
)
from shegong.pay.tests.factories import YEAR, approved_run, paid_worker, pay_settings
from shegong.people.models import PostType
from shegong.people.services import post_assign

JAN = datetime.date(YEAR, 1, 1)
FEB = datetime.date(YEAR, 2, 1)


@pytest.fixture
def settled(tree: Tree, personas: Personas) -> Tree:
    pay_settings(tree.district)
    return tree


def test_a_pay_run_writes_each_worker_s_components_contributions_and_calibers(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    worker = paid_worker(settled.community_a1, manager)  # 本科, community work since 2015-07
    assert services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager) == 1
    run = services.payrun_create(unit=settled.street_a, period=JAN, acting_user=manager)
    line = PayLine.objects.get(run=run, worker=worker)
    # 9 years worked + 3 for 本科 = 12 years: four steps up, capped at 初级三档.
    assert (line.level, line.step) == (1, 3)
    assert (line.post_pay, line.grade_pay, line.seniority_pay) == (D("1500"), D("1840"), D("180"))
    assert line.performance_pay == D("880.00")  # 20% of 4,400
    assert line.gross == D("4400.00")
    # 4,400 is below 60% of the 8,000 average monthly wage: the base is the floor 4,800.
    assert line.contribution_base == D("4800.00")
    assert line.employer_contributions == D("2040.00")  # 42.5%
    assert (line.pension_employer, line.injury_employer) == (D("960.00"), D("24.00"))
    assert (line.maternity_employer, line.housing_fund_employer) == (D("48.00"), D("480.00"))
    assert (line.unemployment_personal, line.housing_fund_personal) == (D("48.00"), D("480.00"))
    assert line.personal_contributions == D("1008.00")  # 21%
    assert line.income_tax == D("0")
    assert (line.net, line.total_cost) == (D("3392.00"), D("6440.00"))
    assert (run.headcount, run.gross, run.net) == (1, D("4400.00"), D("3392.00"))
    assert run.status == RunStatus.DRAFT
    assert AuditEntry.objects.filter(target_type="pay.PayRun", target_id=str(run.pk)).exists()


def test_it_stops_before_writing_and_names_every_worker_and_setting_at_fault(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    paid_worker(settled.community_a1, manager, name="已定级")
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    paid_worker(settled.community_a2, manager, name="未定级甲")
    paid_worker(settled.community_a2, manager, name="未定级乙")
    AverageWage.objects.all().delete()
    with pytest.raises(services.PayRunRefused) as refused:
        services.payrun_create(unit=settled.street_a, period=JAN, acting_user=manager)
    faults = "\n".join(refused.value.faults)
    assert "未定级甲:未定级" in faults and "未定级乙:未定级" in faults
    assert "甲一社区:缺少2025年职工平均工资" in faults
    assert "甲二社区:缺少2025年职工平均工资" in faults
    assert "已定级" not in faults
    assert not PayRun.objects.exists() and not PayLine.objects.exists()


def test_a_scheme_gap_is_named(settled: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    paid_worker(settled.community_a1, manager, name="缺档者")
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    assignment = GradeAssignment.objects.get()
    assignment.track.cells.filter(level=assignment.level, step=assignment.step).delete()
    with pytest.raises(services.PayRunRefused) as refused:
        services.payrun_create(unit=settled.street_a, period=JAN, acting_user=manager)
    assert refused.value.faults == ["缺档者:方案中没有社区工作者1级3档"]


def test_an_approved_run_is_locked_and_a_correction_is_a_new_run(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    worker = paid_worker(settled.community_a1, manager)
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    run = approved_run(settled.street_a, manager, JAN)
    for change, user in (
        (services.payrun_check, manager),
        (services.payrun_approve, personas.district_admin),
        (services.payrun_discard, manager),
    ):
        with pytest.raises(ServiceError, match="已审批锁定"):
            change(run=run, acting_user=user)
    with pytest.raises(ServiceError, match="已在批次"):
        services.payrun_create(unit=settled.community_a1, period=JAN, acting_user=manager)
    PayAdjustment.objects.create(worker=worker, period=JAN, kind="award", amount=D("1000"))
    correction = services.payrun_create(
        unit=settled.street_a, period=JAN, acting_user=manager, corrects=run
    )
    assert correction.corrects == run and correction.gross == run.gross + D("1000")
    assert PayRun.objects.get(pk=run.pk).status == RunStatus.APPROVED
    assert services.effective_lines().get().run == run  # until the correction is approved
    approved = services.payrun_approve(
        run=services.payrun_check(run=correction, acting_user=personas.district_admin),
        acting_user=system_actor(),
    )
    assert services.effective_lines().get().run == approved


def test_approving_needs_a_check_first(settled: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    paid_worker(settled.community_a1, manager)
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    run = services.payrun_create(unit=settled.street_a, period=JAN, acting_user=manager)
    with pytest.raises(ServiceError, match="须先复核"):
        services.payrun_approve(run=run, acting_user=personas.district_admin)


def test_a_street_b_manager_cannot_run_street_a(settled: Tree, personas: Personas) -> None:
    paid_worker(settled.community_a1, personas.street_a_manager)
    with pytest.raises(ServiceError, match="没有权限"):
        services.payrun_create(
            unit=settled.street_a, period=JAN, acting_user=personas.street_b_manager
        )


def test_tax_is_withheld_cumulatively_over_approved_months(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    worker = paid_worker(settled.community_a1, manager)
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    PayAdjustment.objects.create(worker=worker, period=JAN, kind="award", amount=D("20000"))
    approved_run(settled.street_a, manager, JAN)
    feb = services.payrun_create(unit=settled.street_a, period=FEB, acting_user=manager)
    jan_line = PayLine.objects.get(run__period=JAN)
    feb_line = PayLine.objects.get(run=feb)
    # January: 24,400 − 5,000 − 1,008 = 18,392 taxable at 3% = 551.76.
    assert jan_line.income_tax == D("551.76")
    # February: cumulative 28,800 − 10,000 − 2,016 = 16,784 → 503.52, less 551.76: nothing.
    assert feb_line.income_tax == D("0")


def test_a_fail_grade_gets_no_performance_pay_and_does_not_count_for_a_step(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    worker = paid_worker(settled.community_a1, manager, work_start_date=datetime.date(2024, 12, 1))
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    placed = GradeAssignment.objects.get(worker=worker)
    assert (placed.level, placed.step) == (1, 2)  # one month worked + 3 years for 本科
    services.performance_grade_set(worker=worker, year=YEAR - 1, grade="fail", acting_user=manager)
    run = services.payrun_create(unit=settled.street_a, period=JAN, acting_user=manager)
    assert PayLine.objects.get(run=run).performance_pay == D("0")
    # Three years later one of them was rated 不合格: no step yet; a year after, the step.
    services.performance_grade_set(worker=worker, year=YEAR + 1, grade="fail", acting_user=manager)
    later = datetime.date(YEAR + 3, 1, 1)
    assert services.grade_steps_apply(unit=settled.street_a, day=later, acting_user=manager) == 0
    after = datetime.date(YEAR + 4, 1, 1)
    assert services.grade_steps_apply(unit=settled.street_a, day=after, acting_user=manager) == 1
    current = GradeAssignment.objects.get(worker=worker, end__isnull=True)
    assert (current.level, current.step, current.reason) == (1, 3, "step")


def test_secretaries_are_placed_on_the_chief_track_of_three_posts_eighteen_levels(
    tree: Tree, personas: Personas
) -> None:
    pay_settings(tree.district, preset="3x18")
    manager = personas.street_a_manager
    worker = paid_worker(tree.community_a1, manager, work_start_date=datetime.date(2018, 3, 1))
    post_assign(
        worker=worker,
        post=PostType.objects.get(code="secretary"),
        start=datetime.date(2020, 1, 1),
        acting_user=manager,
    )
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=manager)
    placed = GradeAssignment.objects.get(worker=worker)
    # 6 years worked + 3 for 本科 = 9: three levels above the chief entry level 7.
    assert (placed.track.code, placed.level) == ("chief", 10)
    promoted = services.grade_assign(
        worker=worker,
        track=GradeTrack.objects.get(scheme=placed.scheme, code="chief"),
        level=12,
        step=1,
        start=datetime.date(YEAR, 6, 1),
        reason="promotion",
        note="表彰破格晋升",
        acting_user=manager,
    )
    placed.refresh_from_db()
    assert placed.end == datetime.date(YEAR, 5, 31)
    assert (promoted.level, promoted.decided_by) == (12, manager)


def test_a_new_scheme_needs_re_placement_and_the_what_if_prices_the_move(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    worker = paid_worker(settled.community_a1, manager, name="换方案者")
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    july = datetime.date(YEAR, 7, 1)
    new = services.scheme_from_preset(
        preset="3x18", unit=settled.district, effective_from=july, acting_user=system_actor()
    )
    # Today: post pay 1,500 and 初级三档 1,840 = 3,340 a month (seniority pay stays as it is).
    change = selectors.scheme_change(
        viewer=personas.district_admin, unit=settled.street_a, scheme=new, day=july
    )
    # 三岗十八级, staff track: 10 years worked + 3 for 本科 = 13: four levels up from 1 →
    # level 5, coefficient 1.24 × 2,000 = 2,480, post pay 700: 3,180, i.e. 160 less a month.
    assert (change["workers"], change["up"], change["down"]) == (1, 0, 1)
    assert change["monthly_fixed"] == D("-160.00")
    # × 12, performance pay at 20% of the total (÷ 0.8), employer contributions 42.5%.
    assert change["yearly"] == D("-3420.00")
    with pytest.raises(services.PayRunRefused) as refused:
        services.payrun_create(unit=settled.street_a, period=july, acting_user=manager)
    assert "换方案者:定级所在方案不是当月生效的方案" in refused.value.faults[0]
    assert services.grade_place(unit=settled.street_a, day=july, acting_user=manager) == 1
    old, current = GradeAssignment.objects.filter(worker=worker).order_by("start")
    assert old.end == datetime.date(YEAR, 6, 30)
    assert (current.scheme, current.track.code, current.level) == (new, "staff", 5)
    run = services.payrun_create(unit=settled.street_a, period=july, acting_user=manager)
    assert PayLine.objects.get(run=run).grade_pay == D("2480.00")


def _year_of_runs(tree: Tree) -> None:
    for month in range(1, 13):
        run = services.payrun_create(
            unit=tree.street_a, period=datetime.date(YEAR, month, 1), acting_user=system_actor()
        )
        services.payrun_approve(
            run=services.payrun_check(run=run, acting_user=system_actor()),
            acting_user=system_actor(),
        )


def test_equal_pay_names_the_gap_between_sources_on_the_same_grade(
    settled: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    elected = paid_worker(settled.community_a1, manager, name="选举者", source="elected")
    paid_worker(settled.community_a2, manager, name="聘用者", source="hired")
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    PayAdjustment.objects.create(worker=elected, period=FEB, kind="allowance", amount=D("1200"))
    _year_of_runs(settled)
    (finding,) = selectors.equal_pay(viewer=manager, unit=settled.street_a, year=YEAR)
    assert (finding["track"], finding["level"], finding["gap"]) == ("社区工作者", 1, D("1200.00"))
    assert [s["label"] for s in finding["sources"]] == ["选举产生", "聘用"]
    assert [w.name for w in finding["sources"][0]["workers"]] == ["选举者"]
    # Street B's manager sees none of it.
    assert (
        selectors.equal_pay(viewer=personas.street_b_manager, unit=settled.street_a, year=YEAR)
        == []
    )


def test_the_budget_what_ifs_add_employer_contributions(settled: Tree, personas: Personas) -> None:
    paid_worker(settled.community_a1, personas.street_a_manager)
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=system_actor())
    _year_of_runs(settled)
    found = selectors.budget(
        viewer=personas.district_admin,
        unit=settled.district,
        year=YEAR,
        raise_to_share=D("0.85"),
        growth=D("0.1362"),
    )
    assert found["total"]["gross"] == D("52950.00")
    (street,) = found["streets"]
    assert street["unit"] == settled.street_a and street["workers"] == 1
    # 85% of 96,000 = 81,600; 28,650 short, plus 42.5% employer contributions.
    assert found["what_if"]["raise"]["extra"] == D("40826.25")
    # 52,950 × 13.62% × 1.425.
    assert found["what_if"]["index"]["extra"] == D("10276.80")
