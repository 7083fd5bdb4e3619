"""Names in the training workbooks are only text: a formula is a string cell, and a control
character left in old data does not stop the export."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from shegong.conftest import Personas, Tree
from shegong.orgs.models import Unit
from shegong.people.tests.factories import register
from shegong.training import exports, selectors
from shegong.training.models import Course
from shegong.training.tests.factories import START, attend, enrol, make_course

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def course_with_names(tree: Tree, personas: Personas) -> Course:
    admin = personas.district_admin
    course = make_course(tree.district, admin)
    trained = register(tree.community_a1, admin, name=FORMULA)
    register(tree.community_a2, admin, name="@SUM(1,2)")  # untrained: on the short list
    attend(course, START, enrol(course, [trained], admin), admin)
    Unit.objects.filter(pk=tree.community_a2.pk).update(name="甲二\x07社区")
    return course


def _cells(content: bytes, value: str) -> list[openpyxl.cell.Cell]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value == value]


def test_names_are_string_cells_in_the_training_figures(
    tree: Tree, personas: Personas, course_with_names: Course, tmp_path: Path
) -> None:
    target = tmp_path / "t.xlsx"
    call_command(
        "report", "training", "--unit", tree.street_a.code, "--from", "2026-01-01",
        "--to", "2026-12-31", "--format", "xlsx", "--out", str(target), stderr=io.StringIO(),
    )  # fmt: skip
    content = target.read_bytes()
    for value in ("@SUM(1,2)", "甲二社区"):
        found = _cells(content, value)
        assert found and {c.data_type for c in found} == {"s"}, value


def test_names_are_string_cells_in_the_sign_in_record(
    tree: Tree, personas: Personas, course_with_names: Course
) -> None:
    days, grid = selectors.attendance_grid(viewer=personas.district_admin, course=course_with_names)
    found = _cells(exports.attendance_xlsx(course_with_names, days, grid), FORMULA)
    assert found and {c.data_type for c in found} == {"s"}


def test_a_course_title_with_a_control_character_is_refused(tree: Tree, personas: Personas) -> None:
    from shegong.core.errors import ServiceError

    with pytest.raises(ServiceError) as refused:
        make_course(tree.district, personas.district_admin, title="培训\x07班")
    assert refused.value.field == "title"
    assert refused.value.message.startswith("培训班名称含有不可见的控制字符")


def test_a_name_with_markup_is_text_in_the_page_charts() -> None:
    """Every inline SVG chart of the pages (training, appraisal, structure) escapes names."""
    from decimal import Decimal
    from xml.etree import ElementTree

    from shegong.appraisal.charts import grade_svg, satisfaction_svg
    from shegong.appraisal.selectors import WorkerRatings
    from shegong.core.charts import Bar, bars_svg
    from shegong.reports.charts import bar_chart_svg
    from shegong.reports.rules import Breakdown, Row

    hostile = '"><script>alert(1)</script><a href="x'
    svgs = [
        bars_svg(hostile, [Bar(hostile, 3, note=hostile)]),
        satisfaction_svg([WorkerRatings(1, hostile, {"satisfied": 2})]),
        grade_svg({"A": 1}, {"A": hostile}),
        bar_chart_svg(Breakdown("k", hostile, [Row(hostile, 1, Decimal(100))])),
    ]
    for svg in svgs:
        root = ElementTree.fromstring(str(svg))
        tags = {element.tag.split("}")[-1] for element in root.iter()}
        assert tags <= {"svg", "title", "text", "rect"}
        assert any(hostile in (element.text or "") for element in root.iter())
