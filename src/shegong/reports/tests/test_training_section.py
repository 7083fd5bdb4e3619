"""The Word, Excel and PDF structure reports gain a 培训 section once training is recorded."""

from __future__ import annotations

import datetime
import io

import openpyxl
from docx import Document
from pypdf import PdfReader

from shegong.conftest import Personas, Tree
from shegong.people.tests.factories import register
from shegong.reports import documents, selectors
from shegong.training.tests.factories import START, attend, enrol, make_course


def _report(tree: Tree, personas: Personas, with_training: bool = True):
    return selectors.structure_report(
        viewer=personas.street_a_manager,
        unit=tree.street_a,
        as_of=datetime.date(2026, 11, 29),
        with_training=with_training,
    )


def _train_one_worker(tree: Tree, personas: Personas) -> None:
    worker = register(tree.community_a1, personas.street_a_manager, name="参训者")
    register(tree.community_a2, personas.street_a_manager, name="未参训者")
    course = make_course(tree.street_a, personas.street_a_manager)
    enrolments = enrol(course, [worker], personas.street_a_manager)
    for offset in range(3):
        attend(
            course, START + datetime.timedelta(days=offset), enrolments, personas.street_a_manager
        )


def test_the_word_report_has_the_training_figures_of_the_year(
    tree: Tree, personas: Personas
) -> None:
    _train_one_worker(tree, personas)
    report = _report(tree, personas)
    doc = Document(io.BytesIO(documents.render(report, "docx")))
    headings = [
        p.text for p in doc.paragraphs if p.style is not None and p.style.name.startswith("Heading")
    ]
    assert "四、教育培训(2026-01-01至2026-11-29)" in headings
    cells = {row.cells[0].text: row.cells[1].text for row in doc.tables[-1].rows}
    assert cells["培训人次"] == "1"
    assert cells["参训人数"] == "1"
    assert cells["受训面(%)"] == "50.0"  # one of the two workers on the roster


def test_the_excel_and_pdf_reports_carry_the_same_section(tree: Tree, personas: Personas) -> None:
    _train_one_worker(tree, personas)
    report = _report(tree, personas)
    book = openpyxl.load_workbook(io.BytesIO(documents.render(report, "xlsx")))
    sheet = book["教育培训"]
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert values["参训人数"] == 1
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(documents.render(report, "pdf"))).pages
    )
    assert "四、教育培训" in text


def test_no_training_section_without_training_records(tree: Tree, personas: Personas) -> None:
    register(tree.community_a1, personas.street_a_manager, name="未参训者")
    report = _report(tree, personas)
    assert report.training is None
    doc = Document(io.BytesIO(documents.render(report, "docx")))
    assert not any("教育培训" in p.text for p in doc.paragraphs)
