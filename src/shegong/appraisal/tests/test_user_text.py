"""Workers' names in the appraisal files are only text: a formula is a string cell in Excel, and
a control character left in old data does not stop the Excel or Word file."""

from __future__ import annotations

import io

import docx
import openpyxl

from shegong.appraisal import documents
from shegong.appraisal.tests.factories import published, street_a_cycle
from shegong.conftest import Personas, Tree
from shegong.orgs.models import Unit
from shegong.people.models import Worker

FORMULA = '=HYPERLINK("http://x","y")'


def test_a_formula_name_is_a_string_cell_in_every_appraisal_sheet(
    tree: Tree, personas: Personas
) -> None:
    setup = published(street_a_cycle(tree, personas, names=(FORMULA, "李强", "赵敏")))
    report = documents.build(viewer=personas.street_a_manager, cycle=setup.cycle)
    book = openpyxl.load_workbook(io.BytesIO(documents.render(report, "xlsx")))
    found = [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value == FORMULA]
    assert found
    assert {c.data_type for c in found} == {"s"}


def test_a_control_character_left_in_a_name_does_not_stop_the_appraisal_files(
    tree: Tree, personas: Personas
) -> None:
    setup = published(street_a_cycle(tree, personas))
    Worker.objects.filter(pk=setup.workers[0].pk).update(name="王\x07芳")
    Unit.objects.filter(pk=tree.street_a.pk).update(name="街道\x01甲")
    report = documents.build(viewer=personas.street_a_manager, cycle=setup.cycle)
    sheet = openpyxl.load_workbook(io.BytesIO(documents.render(report, "xlsx")))["考核结果"]
    assert sheet["A1"].value == "街道甲2025年度社区工作者考核结果"
    assert "王芳" in {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    word = docx.Document(io.BytesIO(documents.render(report, "docx")))
    assert word.paragraphs[0].text == "街道甲2025年度社区工作者考核结果"
    assert "王芳" in {c.text for t in word.tables for r in t.rows for c in r.cells}
