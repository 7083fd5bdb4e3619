"""Publishing an appraisal reaches pay by itself: the grade of the year goes into the one
yearly grade record, the next run pays each worker's factor from it and names the appraisal,
a 不合格 year does not count toward a step, and an objection that changes a grade changes the
next run (never an approved one)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from shegong.appraisal import services as appraisal_services
from shegong.appraisal.models import COMMON_GRADE, Cycle, PartKind, Result
from shegong.appraisal.tests.factories import Setup, leader_points, street_a_cycle
from shegong.conftest import Personas, Tree, client_for
from shegong.core.actors import system_actor
from shegong.core.models import AuditEntry, User
from shegong.pay import services
from shegong.pay.models import PayLine, PayRun, RunStatus
from shegong.pay.tests.factories import ESSAY1_RATES, approved_run, paid_worker, pay_settings
from shegong.people.models import StandingProposal, Worker, YearlyGrade

JAN_2026 = datetime.date(2026, 1, 1)
FEB_2026 = datetime.date(2026, 2, 1)


@dataclass
class Appraised:
    setup: Setup
    wang: Worker
    li: Worker
    qian: Worker

    @property
    def cycle(self) -> Cycle:
        return Cycle.objects.get(pk=self.setup.cycle.pk)


def _score(setup: Setup, worker: Worker, values: tuple[int, int, int]) -> None:
    appraisal_services.score_record(
        cycle=setup.cycle,
        worker=worker,
        part=PartKind.LEADERS,
        points=leader_points(setup.cycle, values),
        acting_user=setup.manager,
    )


def appraised(tree: Tree, personas: Personas) -> Appraised:
    """Street A paid from 2025 (placed on 1 January 2025, settings also for 2026) and its 2025
    appraisal published: 王芳 and 李强 liked and well scored, 钱进 scored low (不合格)."""
    pay_settings(tree.district)
    services.rates_set(
        unit=tree.district, year=2026, values=ESSAY1_RATES, acting_user=system_actor()
    )
    services.average_wage_set(
        unit=tree.district,
        year=2026,
        amount=D("100000"),
        benchmark_share=D("1.00"),
        acting_user=system_actor(),
    )
    manager = personas.street_a_manager
    # New to community work (one month before their placement), so each has steps ahead.
    start = datetime.date(2024, 12, 1)
    wang, li, qian = (
        paid_worker(tree.community_a1, manager, name=n, work_start_date=start)
        for n in ("王芳", "李强", "钱进")
    )
    services.grade_place(unit=tree.street_a, day=datetime.date(2025, 1, 1), acting_user=manager)
    setup = street_a_cycle(tree, personas, workers=[wang, li, qian])
    ratings = {wang.pk: "satisfied", li.pk: "satisfied", qian.pk: "fairly"}
    for code in setup.codes[:4]:
        appraisal_services.vote_cast(code=code, ratings=ratings, address="10.0.0.1")
    appraisal_services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    for worker, values in ((wang, (30, 40, 60)), (li, (25, 35, 55)), (qian, (10, 10, 0))):
        _score(setup, worker, values)
    appraisal_services.results_compute(cycle=setup.cycle, acting_user=manager)
    appraisal_services.results_publish(cycle=setup.cycle, acting_user=manager)
    return Appraised(setup=setup, wang=wang, li=li, qian=qian)


def _result(a: Appraised, worker: Worker) -> Result:
    return Result.objects.get(cycle=a.setup.cycle, worker=worker)


def _line(run: PayRun, worker: Worker) -> PayLine:
    return PayLine.objects.get(run=run, worker=worker)


def test_publishing_records_each_grade_with_its_result_and_audits_it(
    tree: Tree, personas: Personas
) -> None:
    a = appraised(tree, personas)
    scheme = a.setup.cycle.scheme
    for worker in (a.wang, a.li, a.qian):
        result = _result(a, worker)
        grade = YearlyGrade.objects.get(worker=worker, year=2025)
        assert grade.grade == COMMON_GRADE[result.grade]
        assert grade.source_label == scheme.name
        assert grade.source_key == f"appraisal.cycle:{a.setup.cycle.pk}/result:{result.pk}"
    assert YearlyGrade.objects.get(worker=a.qian).get_grade_display() == "不合格"
    trail = AuditEntry.objects.filter(action="people.grade_recorded", target_id=str(a.qian.pk))
    entry = trail.get()
    assert entry.actor == personas.street_a_manager
    assert entry.after is not None and entry.after["source_key"].startswith("appraisal.cycle:")
    assert scheme.name in entry.note


def test_the_next_run_pays_each_factor_from_the_appraisal_and_names_it(
    tree: Tree, personas: Personas
) -> None:
    a = appraised(tree, personas)
    manager = personas.street_a_manager
    run = services.payrun_create(unit=tree.street_a, period=JAN_2026, acting_user=manager)
    name = a.setup.cycle.scheme.name
    for worker in (a.wang, a.li, a.qian):
        line = _line(run, worker)
        assert line.performance_grade == COMMON_GRADE[_result(a, worker).grade]
        assert line.performance_source == name
    qian, li = _line(run, a.qian), _line(run, a.li)
    assert (qian.performance_grade, qian.performance_pay) == ("fail", D("0"))  # factor 0
    fixed = li.post_pay + li.grade_pay + li.seniority_pay
    factor = {"excellent": D("1.20"), "good": D("1.00"), "pass": D("0.80")}[li.performance_grade]
    assert li.performance_pay == (fixed * D("0.25") * factor).quantize(D("0.01"))
    page = client_for(manager).get(reverse("pay:run", kwargs={"pk": run.pk})).content.decode()
    assert name in page and "不合格" in page
    slip = client_for(manager).get(reverse("pay:payslip", kwargs={"pk": qian.pk})).content.decode()
    assert "绩效按考核等次" in slip and name in slip


def test_a_failed_year_from_the_appraisal_does_not_count_toward_a_step(
    tree: Tree, personas: Personas
) -> None:
    appraised(tree, personas)
    manager = personas.street_a_manager
    # Placed on 1 January 2025, a step every 3 years: 王芳 and 李强 in 2028, 钱进 (不合格 in
    # 2025) a year later.
    assert (
        services.grade_steps_apply(
            unit=tree.street_a, day=datetime.date(2028, 1, 1), acting_user=manager
        )
        == 2
    )
    assert (
        services.grade_steps_apply(
            unit=tree.street_a, day=datetime.date(2029, 1, 1), acting_user=manager
        )
        == 1
    )


def test_an_objection_that_changes_a_grade_changes_the_next_run_not_an_approved_one(
    tree: Tree, personas: Personas
) -> None:
    a = appraised(tree, personas)
    manager = personas.street_a_manager
    january = approved_run(tree.street_a, manager, JAN_2026)
    assert _line(january, a.qian).performance_pay == D("0")
    objection = appraisal_services.objection_file(
        result=_result(a, a.qian), text="街道评分漏计了防汛值守", acting_user=a.setup.clerk
    )
    appraisal_services.objection_decide(
        objection=objection, upheld=True, decision="核实后更正评分", acting_user=manager
    )
    _score(a.setup, a.qian, (30, 40, 60))
    appraisal_services.results_compute(cycle=a.cycle, acting_user=manager)
    appraisal_services.results_publish(cycle=a.cycle, acting_user=manager)
    corrected = YearlyGrade.objects.get(worker=a.qian, year=2025)
    assert corrected.grade != "fail"
    # The roster's pending proposal follows the corrected result (诫勉 → 续聘).
    assert StandingProposal.objects.get(worker=a.qian).kind == "renew"
    february = services.payrun_create(unit=tree.street_a, period=FEB_2026, acting_user=manager)
    assert _line(february, a.qian).performance_grade == corrected.grade
    assert _line(february, a.qian).performance_pay > 0
    january.refresh_from_db()
    assert january.status == RunStatus.APPROVED
    assert _line(january, a.qian).performance_pay == D("0")  # approved: unchanged
    # The change is on the worker's trail, before and after, with its source.
    changes = AuditEntry.objects.filter(
        action="people.grade_recorded", target_id=str(a.qian.pk)
    ).order_by("pk")
    assert [e.before and e.before["grade"] for e in changes] == [None, "fail"]


def test_a_pay_office_may_not_overwrite_a_grade_an_appraisal_published(
    tree: Tree, personas: Personas
) -> None:
    from shegong.core.errors import ServiceError

    a = appraised(tree, personas)
    with pytest.raises(ServiceError, match="只能通过考核异议更正"):
        services.performance_grade_set(
            worker=a.qian, year=2025, grade="excellent", acting_user=personas.street_a_manager
        )
    # A year no appraisal covered is still entered from the paper record.
    row = services.performance_grade_set(
        worker=a.qian, year=2024, grade="pass", acting_user=personas.street_a_manager
    )
    assert (row.grade, row.source_label) == ("pass", "待遇录入")


@pytest.mark.django_db
def test_on_the_demo_the_january_run_carries_every_factor_from_the_published_appraisal() -> None:
    call_command("demo", stdout=io.StringIO())
    draft = PayRun.objects.get(status=RunStatus.DRAFT)
    cycle = Cycle.objects.select_related("scheme").get()
    assert (draft.unit_id, draft.period.year - 1) == (cycle.scheme.unit_id, cycle.scheme.year)
    results = dict(Result.objects.filter(cycle=cycle).values_list("worker_id", "grade"))
    lines = list(draft.lines.all())
    assert lines and all(line.worker_id in results for line in lines)
    assert all(line.performance_grade == COMMON_GRADE[results[line.worker_id]] for line in lines)
    assert {line.performance_source for line in lines} == {cycle.scheme.name}
    failed = [line for line in lines if line.performance_grade == "fail"]
    assert all(line.performance_pay == 0 for line in failed)
    manager = client_for(User.objects.get(username="dongfeng_manager"))
    page = manager.get(reverse("pay:run", kwargs={"pk": draft.pk})).content.decode()
    assert cycle.scheme.name in page
