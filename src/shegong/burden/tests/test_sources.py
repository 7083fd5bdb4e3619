"""一表通 sources beyond counts: the roster list row by row (masked as the roster shows it),
funding, training, pay, appraisal and resources, each equal to what that area's own report or
page shows for the same unit and date."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from shegong.appraisal.selectors import grade_counts, result_list, survey_turnout
from shegong.appraisal.tests import factories as appraisal
from shegong.burden import selectors, services
from shegong.burden.models import Department, ReportForm
from shegong.burden.sources import SOURCES, source_choices
from shegong.burden.tests import factories as f
from shegong.conftest import Personas, Tree
from shegong.core.models import User
from shegong.orgs import demo as org_demo
from shegong.orgs.models import CommunityFunding, Unit
from shegong.orgs.selectors import community_funding_list
from shegong.pay import selectors as pay_selectors
from shegong.pay.tests.factories import YEAR
from shegong.people import demo as people_demo
from shegong.people import selectors as people_selectors
from shegong.people.tests.factories import register
from shegong.reports import selectors as report_selectors
from shegong.resources import demo as resources_demo
from shegong.resources.selectors import resources_summary
from shegong.training import demo as training_demo
from shegong.training.selectors import training_figures

LIST = [
    ("A4", "roster.list.name"),
    ("B4", "roster.list.gender"),
    ("C4", "roster.list.age"),
    ("D4", "roster.list.phone"),
]


def _layout(tmp_path: Path, cells: list[tuple[str, str]]) -> Path:
    """A two-sheet workbook: a cover sheet, and a sheet whose header row is above the cells."""
    book = openpyxl.Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "封面"
    cover["A1"] = "社区工作者情况报表"
    sheet = book.create_sheet("名单")
    sheet["A1"] = "社区工作者名单"
    for cell, source in cells:
        column = cell.rstrip("0123456789")
        sheet[f"{column}3"] = str(SOURCES[source].label)
    path = tmp_path / "layout.xlsx"
    book.save(path)
    return path


def _form(
    tmp_path: Path, department: Department, user: User, cells: list[tuple[str, str]]
) -> ReportForm:
    form = services.form_create(
        department=department,
        title="名单表",
        path=_layout(tmp_path, cells),
        filename="layout.xlsx",
        acting_user=user,
    )
    for cell, source in cells:
        services.form_field_add(
            form=form,
            values={"sheet": "名单", "cell": cell, "label": str(SOURCES[source].label),
                    "source": source},
            acting_user=user,
        )  # fmt: skip
    return form


def _filled(viewer: User, form: ReportForm, unit: Unit, day: datetime.date) -> dict[str, object]:
    return {x.source: x.value for x in selectors.form_fill(viewer=viewer, form=form, unit=unit,
                                                            period=day)}  # fmt: skip


@pytest.fixture
def b(tree: Tree, personas: Personas) -> f.Burden:
    return f.burden(tree, personas)


def test_the_field_page_lists_the_sources_grouped_by_area() -> None:
    groups = dict(source_choices())
    assert {"花名册人数", "社区经费(当年)", "教育培训(当年截至统计日)", "薪酬待遇(当年)",
            "考核评议(当年已公示)", "社区资源(当年)"} <= set(groups)  # fmt: skip
    assert any(key == "roster.list.phone" for group in groups.values() for key, _l in group)


def test_the_roster_list_is_written_row_by_row_with_the_phone_masked(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    manager = personas.street_a_manager
    for name in ("王芳", "李强", "赵敏"):
        register(tree.community_a1, manager, name=name, phone="13912345678")
    register(tree.community_a2, manager, name="另一社区")
    form = _form(tmp_path, b.health, b.health_account, LIST)
    day = datetime.date(2026, 6, 30)
    clerk = personas.community_a1_clerk
    filled = _filled(clerk, form, tree.community_a1, day)
    roster = list(
        people_selectors.worker_list(
            viewer=clerk,
            filters=people_selectors.WorkerFilters(unit=tree.community_a1.code, as_of=day),
        )
    )
    assert filled["roster.list.name"] == [w.name for w in roster] and len(roster) == 3
    assert filled["roster.list.phone"] == ["139****5678"] * 3
    assert filled["roster.list.age"] == [
        people_selectors.age_for(viewer=clerk, worker=w, day=day) for w in roster
    ]
    content = selectors.form_workbook(
        form=form,
        filled=selectors.form_fill(viewer=clerk, form=form, unit=tree.community_a1, period=day),
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["名单"]
    assert [sheet.cell(row=r, column=1).value for r in range(4, 7)] == [w.name for w in roster]
    assert sheet["D5"].value == "139****5678" and sheet["A7"].value is None
    assert book["封面"]["A1"].value == "社区工作者情况报表"
    # The export sent back is still the department's layout: the list's rows are no layout.
    returned = tmp_path / "returned.xlsx"
    book.save(returned)
    assert services.answers_from_sheet(
        form=form, community=tree.community_a1, period=day, path=returned,
        filename="returned.xlsx", acting_user=clerk,
    ) == 0  # fmt: skip


def test_funding_is_the_communities_funding_of_the_year(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    for community, source, amount in ((tree.community_a1, "fiscal", "120000.50"),
                                      (tree.community_a2, "fiscal", "80000"),
                                      (tree.community_a2, "street", "15000"),
                                      (tree.community_b1, "fiscal", "99999")):  # fmt: skip
        CommunityFunding.objects.create(unit=community, year=2026, source=source, amount=amount)
    CommunityFunding.objects.create(unit=tree.community_a1, year=2025, source="fiscal", amount=1)
    cells = [("B4", "funding.total"), ("C4", "funding.fiscal"), ("D4", "funding.street")]
    form = _form(tmp_path, b.health, b.health_account, cells)
    viewer = personas.street_a_manager
    filled = _filled(viewer, form, tree.street_a, datetime.date(2026, 6, 30))
    page = [
        row
        for c in (tree.community_a1, tree.community_a2)
        for row in community_funding_list(viewer=viewer, unit=c).filter(year=2026)
    ]
    assert filled["funding.total"] == sum(r.amount for r in page) == Decimal("215000.50")
    assert filled["funding.fiscal"] == sum(r.amount for r in page if r.source == "fiscal")
    assert filled["funding.street"] == Decimal("15000.00")


def test_pay_is_the_pay_reports_totals_and_withheld_for_a_small_group(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: Path, settings: object
) -> None:
    from shegong.annual.tests.test_area_chapters import _paid_street_a

    _paid_street_a(tree, personas)
    cells = [("B4", "pay.workers"), ("C4", "pay.gross.total"), ("D4", "pay.net.total"),
             ("E4", "pay.total_cost.total"), ("F4", "pay.gross.average")]  # fmt: skip
    form = _form(tmp_path, b.health, b.health_account, cells)
    viewer, day = personas.district_admin, datetime.date(YEAR, 12, 31)
    filled = _filled(viewer, form, tree.street_a, day)
    area = pay_selectors.report(viewer=viewer, unit=tree.street_a, year=YEAR)
    assert filled["pay.workers"] == len(area["workers"]) == 4
    for key in ("gross", "net", "total_cost"):
        assert str(filled[f"pay.{key}.total"]) == str(area["totals"][key]), key
    assert filled["pay.gross.average"] is not None
    settings.SHEGONG_MIN_GROUP_SIZE = 5  # type: ignore[attr-defined]
    masked = _filled(personas.community_a1_clerk, form, tree.community_a1, day)
    assert masked["pay.workers"] == 4 and masked["pay.gross.total"] is None


def test_appraisal_is_the_published_results_grades_and_turnout(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    setup = appraisal.published(appraisal.street_a_cycle(tree, personas))
    cells = [(f"{c}4", f"appraisal.grade.{g}") for c, g in zip("BCDE", "abcd", strict=True)]
    cells += [("F4", "appraisal.issued"), ("G4", "appraisal.spent"), ("H4", "appraisal.turnout")]
    form = _form(tmp_path, b.health, b.health_account, cells)
    viewer = personas.street_a_manager
    filled = _filled(viewer, form, tree.street_a, datetime.date(setup.cycle.scheme.year, 12, 31))
    counts = grade_counts(result_list(viewer=viewer, cycle=setup.cycle))
    assert [filled[f"appraisal.grade.{g.lower()}"] for g in "ABCD"] == [
        counts.get(g, 0) for g in "ABCD"
    ]
    assert sum(counts.values()) > 0
    turnout = survey_turnout(viewer=viewer, cycle=setup.cycle)
    assert filled["appraisal.issued"] == sum(t.issued for t in turnout)
    assert filled["appraisal.spent"] == sum(t.spent for t in turnout) == 3
    other = _filled(personas.street_b_manager, form, tree.street_b,
                    datetime.date(setup.cycle.scheme.year, 12, 31))  # fmt: skip
    assert other["appraisal.issued"] == 0 and other["appraisal.turnout"] is None


DEMO_FIELDS = [
    ("roster.total", "roster.list.name", "funding.total", "training.sessions",
     "training.person_times", "training.days", "training.leaders", "training.leaders_met",
     "resources.teams", "resources.team_members", "resources.volunteers",
     "resources.volunteer_hours", "resources.venues", "resources.activities",
     "resources.participants"),
]  # fmt: skip


@pytest.mark.django_db
def test_a_form_filled_on_the_demo_agrees_with_each_areas_report_field_by_field(
    tmp_path: Path,
) -> None:
    rng = random.Random(2026)
    tree = org_demo.build_tree(rng)
    workers = people_demo.build_workers(rng, tree)
    day = people_demo.AS_OF
    training_demo.build_training(random.Random(2026), tree, workers, day)
    resources_demo.build_resources(random.Random(2026), tree, day)
    console = User(username="console", is_active=True, is_superuser=True)
    department = Department.objects.create(district=tree.district, name="区民政局")
    user = User.objects.create_user(username="dept", password="x")
    services.department_member_add(department=department, user=user, acting_user=console)
    columns = "ABCDEFGHIJKLMNO"
    cells = [(f"{columns[i]}4", key) for i, key in enumerate(DEMO_FIELDS[0])]
    form = _form(tmp_path, department, user, cells)
    for unit in (tree.district, tree.streets[0], tree.communities[5]):
        filled = _filled(console, form, unit, day)
        structure = report_selectors.structure(viewer=console, unit=unit, as_of=day)
        assert filled["roster.total"] == structure.total == len(filled["roster.list.name"])  # type: ignore[arg-type]
        funding = CommunityFunding.objects.filter(
            unit__path__startswith=unit.path, year=day.year
        ).values_list("amount", flat=True)
        assert filled["funding.total"] == sum(funding, Decimal(0)) > 0
        t = training_figures(
            viewer=console, unit=unit, start=datetime.date(day.year, 1, 1), end=day
        )
        for key in ("sessions", "person_times", "days", "leaders", "leaders_met"):
            assert filled[f"training.{key}"] == getattr(t, key), key
        assert t.sessions > 0
        s = resources_summary(viewer=console, unit=unit, year=day.year)
        for key in ("teams", "team_members", "volunteers", "venues", "activities",
                    "participants"):  # fmt: skip
            assert filled[f"resources.{key}"] == s[key], key
        assert str(filled["resources.volunteer_hours"]) == s["volunteer_hours"]


def test_every_source_key_is_a_valid_field_key() -> None:
    from shegong.burden.services import KEY

    assert [key for key in SOURCES if not KEY.match(key)] == []


@pytest.mark.django_db
def test_pay_filled_on_the_demo_is_the_pay_reports_totals_for_each_unit(tmp_path: Path) -> None:
    from shegong.pay import demo as pay_demo

    rng = random.Random(2026)
    tree = org_demo.build_tree(rng)
    people_demo.build_workers(rng, tree)
    pay_demo.build_pay(random.Random(2026), tree, people_demo.AS_OF)
    year = people_demo.AS_OF.year - 1  # the demo's paid year
    console = User(username="console", is_active=True, is_superuser=True)
    department = Department.objects.create(district=tree.district, name="区人社局")
    user = User.objects.create_user(username="dept", password="x")
    services.department_member_add(department=department, user=user, acting_user=console)
    keys = ["pay.workers", "pay.gross.total", "pay.net.total", "pay.total_cost.total"]
    form = _form(
        tmp_path, department, user, [(f"{c}4", k) for c, k in zip("ABCD", keys, strict=True)]
    )
    for unit in (tree.district, tree.streets[0], tree.communities[5]):
        filled = _filled(console, form, unit, datetime.date(year, 12, 31))
        area = pay_selectors.report(viewer=console, unit=unit, year=year)
        assert filled["pay.workers"] == len(area["workers"]) > 0
        for key in ("gross", "net", "total_cost"):
            assert str(filled[f"pay.{key}.total"]) == str(area["totals"][key]), key
