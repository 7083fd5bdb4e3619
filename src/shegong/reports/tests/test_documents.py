"""The Word, Excel and PDF files, read back."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from shegong.conftest import Personas, client_for
from shegong.reports import documents, selectors
from shegong.reports.selectors import StructureReport
from shegong.reports.tests.conftest import AS_OF, Essay5

BREAKDOWN_TITLES = [
    "性别结构",
    "年龄结构",
    "文化程度",
    "政治面貌",
    "来源方式",
    "社区工作年限",
    "职业资格",
    "岗位",
    "代表委员",
]


@pytest.fixture
def report(essay5: Essay5, personas: Personas) -> StructureReport:
    return selectors.structure_report(
        viewer=personas.street_a_manager,
        unit=essay5.tree.street_a,
        as_of=AS_OF,
        compare=datetime.date(2023, 12, 31),
    )


def test_docx_holds_the_narrative_tables_and_charts(report: StructureReport) -> None:
    from docx import Document

    doc = Document(io.BytesIO(documents.render(report, "docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "街道甲社区工作者队伍结构分析" in text
    assert "一是从性别结构来看,男性170名,占26.1%,女性481名,占73.9%。" in text
    assert "社区工作者651人,同比减少1人" in text
    for title in BREAKDOWN_TITLES:
        assert title in text
    gender = doc.tables[0]
    assert [c.text for c in gender.rows[1].cells][:3] == ["男", "170", "26.1"]
    age = doc.tables[1]
    assert [c.text for c in age.rows[3].cells][:3] == ["36至45岁", "293", "45.0"]
    assert len(doc.tables) == len(BREAKDOWN_TITLES) + 1  # and the standards
    assert len(doc.inline_shapes) == len(BREAKDOWN_TITLES)


def test_pdf_holds_the_narrative_and_tables(report: StructureReport) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(documents.render(report, "pdf")))
    text = "".join(page.extract_text() for page in pdf.pages)
    flat = "".join(text.split())
    assert "街道甲社区工作者队伍结构分析" in flat
    assert "一是从性别结构来看,男性170名,占26.1%" in flat
    assert "36至45岁29345.0" in flat  # a row of the age table
    assert "配备标准与目标" in flat
    assert len(pdf.pages) >= 3


def test_xlsx_has_a_sheet_and_a_chart_per_breakdown(report: StructureReport) -> None:
    from openpyxl import load_workbook

    content = documents.render(report, "xlsx")
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["概况", *BREAKDOWN_TITLES, "配备标准"]
    gender = wb["性别结构"]
    assert [c.value for c in gender[2]][:3] == ["男", 170, 26.1]
    # openpyxl does not read charts back: look for one drawing with a chart per sheet.
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    charts = [n for n in names if n.startswith("xl/charts/chart")]
    drawings = [n for n in names if n.startswith("xl/drawings/drawing") and n.endswith(".xml")]
    assert len(drawings) == len(BREAKDOWN_TITLES)
    assert len(charts) >= len(BREAKDOWN_TITLES)


def test_cli_writes_files(essay5: Essay5, personas: Personas, tmp_path: Path) -> None:
    for fmt in ("docx", "xlsx", "pdf"):
        out = tmp_path / f"report.{fmt}"
        call_command(
            "report",
            "structure",
            "--unit",
            essay5.tree.district.code,
            "--as-of",
            "2024-12-31",
            "--format",
            fmt,
            "--out",
            str(out),
            "--user",
            "district_admin",
            stderr=io.StringIO(),
        )
        assert out.stat().st_size > 1000


def test_downloads(essay5: Essay5, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    url = reverse("reports:structure-download")
    for fmt, magic in (("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(url, {"format": fmt, "as_of": "2024-12-31"})
        assert response.status_code == 200
        assert response.content.startswith(magic)
        assert "attachment" in response["Content-Disposition"]
