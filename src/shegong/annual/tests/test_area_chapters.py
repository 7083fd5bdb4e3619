"""待遇, 教育培训 and 考核评议 against the area's own reads for the same unit and year."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

from shegong.annual import selectors
from shegong.annual.selectors import AnnualReport
from shegong.appraisal.selectors import grade_counts, result_list, survey_turnout
from shegong.appraisal.tests import factories as appraisal
from shegong.conftest import Personas, Tree
from shegong.core.actors import system_actor
from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.pay import selectors as pay_selectors
from shegong.pay import services as pay_services
from shegong.pay.tests.factories import YEAR, approved_run, paid_worker, pay_settings
from shegong.people.models import PostType
from shegong.people.services import post_assign
from shegong.training.selectors import training_figures
from shegong.training.tests.factories import attend, enrol, make_course

DAY = datetime.date(YEAR, 12, 31)


def _report(viewer: User, unit: Unit, year: int = YEAR) -> AnnualReport:
    return selectors.annual_report(viewer=viewer, unit=unit, year=year, as_of=DAY)


def _paid_street_a(tree: Tree, personas: Personas, months: int = 3) -> None:
    pay_settings(tree.district, average_wage=D("36000"), benchmark_share=D("0.85"))
    manager = personas.street_a_manager
    workers = [paid_worker(tree.community_a1, manager, name=f"待遇{i}") for i in range(4)]
    post_assign(
        worker=workers[0],
        post=PostType.objects.get(code="secretary"),
        start=datetime.date(2020, 1, 1),
        acting_user=manager,
    )
    pay_services.grade_place(
        unit=tree.street_a, day=datetime.date(YEAR, 1, 1), acting_user=system_actor()
    )
    for month in range(1, months + 1):
        approved_run(tree.street_a, manager, datetime.date(YEAR, month, 1))


def test_the_pay_chapter_has_the_pay_reports_totals_and_benchmark(
    tree: Tree, personas: Personas
) -> None:
    _paid_street_a(tree, personas)
    viewer, unit = personas.district_admin, tree.street_a
    chapter = _report(viewer, unit).chapter("pay")
    area = pay_selectors.report(viewer=viewer, unit=unit, year=YEAR)
    for key in ("gross", "net", "total_cost"):
        assert chapter.figures["calibers"][key]["total"] == area["totals"][key]
    gross = next(f for f in area["benchmark_findings"] if f["caliber"] == "gross")
    assert chapter.figures["calibers"]["gross"]["leaders_share"] == gross["leaders_share"]
    assert chapter.figures["calibers"]["gross"]["leaders"] == gross["leaders"] == 1
    assert chapter.figures["average_wage"] == area["average_wage"] == "36000.00"
    assert chapter.figures["workers"] == len(area["workers"]) == 4
    text = " ".join(p for s in chapter.sections for p in s.paragraphs)
    assert "待遇标准为平均工资的85%,即30,600元" in text
    assert "职工平均工资为36,000元" in text


def test_a_viewer_without_the_personal_data_right_sees_no_total_of_a_small_group(
    tree: Tree, personas: Personas, settings
) -> None:
    settings.SHEGONG_MIN_GROUP_SIZE = 5
    _paid_street_a(tree, personas, months=1)
    chapter = _report(personas.community_a1_clerk, tree.community_a1).chapter("pay")
    assert chapter.figures["calibers"]["gross"]["total"] is None
    assert chapter.figures["calibers"]["gross"]["leaders_average"] is None
    text = " ".join(p for s in chapter.sections for p in s.paragraphs)
    assert "人数过少" in text


def test_the_training_chapter_is_the_training_figures_and_compares_years(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    workers = [appraisal.add_worker(tree.community_a1, manager, f"培训{i}") for i in range(3)]
    for year, people in ((YEAR, workers), (YEAR - 1, workers[:1])):
        start = datetime.date(year, 3, 2)
        course = make_course(tree.street_a, manager, start=start, title=f"{year}年培训班")
        enrolments = enrol(course, people, manager)
        attend(course, start, enrolments, manager)
    chapter = _report(manager, tree.street_a).chapter("training")
    area = training_figures(
        viewer=manager, unit=tree.street_a, start=datetime.date(YEAR, 1, 1), end=DAY
    )
    assert chapter.figures["sessions"] == area.sessions == 1
    assert chapter.figures["person_times"] == area.person_times == 3
    assert chapter.figures["coverage"] == format(area.coverage, "f")
    text = " ".join(p for s in chapter.sections for p in s.paragraphs)
    assert area.narrative in text
    assert "培训3人次,同比增加2人次" in text


def test_the_appraisal_chapter_is_the_results_pages_grades(tree: Tree, personas: Personas) -> None:
    setup = appraisal.published(appraisal.street_a_cycle(tree, personas))
    viewer = personas.street_a_manager
    chapter = _report(viewer, tree.street_a).chapter("appraisal")
    counts = grade_counts(result_list(viewer=viewer, cycle=setup.cycle))
    grades = chapter.figures["grades"]
    assert [g["count"] for g in grades.values()] == [counts[k] for k in ("A", "B", "C", "D")]
    assert sum(D(g["share"]) for g in grades.values()) == D("100.0")
    turnout = survey_turnout(viewer=viewer, cycle=setup.cycle)
    assert chapter.figures["codes_issued"] == sum(t.issued for t in turnout)
    assert chapter.figures["votes_cast"] == sum(t.spent for t in turnout) == 3
    text = " ".join(p for s in chapter.sections for p in s.paragraphs)
    assert f"{YEAR}年度共有3名社区工作者参加考核" in text


def test_another_streets_manager_sees_no_result_of_street_a(tree: Tree, personas: Personas) -> None:
    appraisal.published(appraisal.street_a_cycle(tree, personas))
    chapter = _report(personas.street_b_manager, tree.street_b).chapter("appraisal")
    assert chapter.figures["results"] == 0 and chapter.figures["codes_issued"] == 0


def test_every_registered_chapter_is_built_in_the_documents_order(
    tree: Tree, personas: Personas
) -> None:
    report = _report(personas.district_admin, tree.district)
    assert [c.key for c in report.chapters] == [
        "basic", "pay", "training", "appraisal", "burden", "resources"
    ]  # fmt: skip
    assert report.absent == []
