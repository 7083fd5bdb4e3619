"""The Word, PDF and Excel files of the annual report, read back: the GB/T 9704 layout, the
figures, the written parts merged, nothing lost."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx.shared import Mm, Pt

from shegong.annual import documents, selectors, services
from shegong.annual.selectors import AnnualReport
from shegong.annual.tests.conftest import AS_OF, Essay5
from shegong.conftest import Personas

PROBLEMS = "工作任务与社区职能定位不相适应。\n经费投入与经济社会发展水平不相适应 <b>&amp;"


@pytest.fixture
def report(essay5: Essay5, personas: Personas) -> AnnualReport:
    unit = essay5.tree.district
    services.written_part_save(
        unit=unit, year=2024, key="problems", text=PROBLEMS, acting_user=personas.district_admin
    )
    services.written_part_save(
        unit=unit,
        year=2024,
        key="suggestions",
        text="建立社区工作者职业体系。",
        acting_user=personas.district_admin,
    )
    return selectors.annual_report(
        viewer=personas.district_admin, unit=unit, year=2024, as_of=AS_OF
    )


def _near(length: int | None, mm: float) -> bool:
    return length is not None and abs(length - Mm(mm)) < Mm(0.5)


def _docx_text(doc: object) -> str:
    paragraphs = [p.text for p in doc.paragraphs]  # type: ignore[attr-defined]
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]  # type: ignore[attr-defined]
    return "\n".join(paragraphs + cells)


def test_the_word_file_is_laid_out_as_gb_t_9704(report: AnnualReport) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT

    doc = Document(io.BytesIO(documents.render(report, "docx")))
    first = doc.sections[0]
    assert _near(first.page_width, 210) and _near(first.page_height, 297)
    assert _near(first.top_margin, 37) and _near(first.bottom_margin, 35)
    assert _near(first.left_margin, 28) and _near(first.right_margin, 26)
    title = doc.paragraphs[0]
    assert title.text == "关于测试区2024年社区工作者队伍建设情况的调研报告"
    run = title.runs[0]
    assert run.font.size == Pt(22) and run.font.bold and run.font.name == "Noto Serif CJK SC"
    assert doc.styles["Normal"].font.size == Pt(16)
    assert doc.styles["Normal"].font.name == "Noto Serif CJK SC"
    headings = [p for p in doc.paragraphs if p.text.startswith(("一、", "(一)", "七、"))]
    assert headings and all(p.paragraph_format.keep_with_next for p in headings)
    texts = [p.text for p in doc.paragraphs]
    assert texts.index("一、基本情况") < texts.index("(一)社区规模与办公用房")
    assert "二、待遇保障" in texts and "四、考核评议" in texts
    assert "五、减负增效" in texts and "六、社区资源" in texts
    # The written parts follow the data's chapters, numbered on, as typed (escaped as text).
    assert texts[texts.index("七、存在的问题") + 2] == "经费投入与经济社会发展水平不相适应 <b>&amp;"
    assert "八、对策建议" in texts
    footer = first.footer.paragraphs[0]
    assert footer.text.replace(" ", "") == "——" and "PAGE" in footer._p.xml
    assert doc.settings.odd_and_even_pages_header_footer
    # The standards table (a row per street and community) is on a landscape page.
    landscape = [s for s in doc.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert landscape and _near(landscape[0].page_width, 297)
    text = _docx_text(doc)
    for piece in documents.all_text(report):
        assert piece in text, piece
    assert "一是从性别结构来看,男性" in text
    assert len(doc.inline_shapes) >= 7  # the bar charts of the breakdowns


def test_the_pdf_is_a4_with_page_numbers_and_the_figures(report: AnnualReport) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(documents.render(report, "pdf")))
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages}
    assert sizes == {(595, 842), (842, 595)}  # A4, and the landscape pages of wide tables
    text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "")
    assert "— 1 —" in pdf.pages[0].extract_text() and "— 2 —" in pdf.pages[1].extract_text()
    assert "关于测试区2024年社区工作者队伍建设情况" in text
    assert "一、基本情况" in text and "(一)社区规模与办公用房" in text
    assert "男性181名" in text
    assert "经费投入与经济社会发展水平不相适应 <b>&amp;" in text
    assert pdf.metadata is not None and str(pdf.metadata.title).startswith("关于测试区")


def test_the_workbook_has_a_sheet_per_chapter_with_numbers_as_numbers(
    report: AnnualReport,
) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(documents.render(report, "xlsx")))
    assert wb.sheetnames == [
        "基本情况", "待遇保障", "教育培训", "考核评议", "减负增效", "社区资源", "撰写内容与数据提示"
    ]  # fmt: skip
    basic = wb["基本情况"]
    rows = [[c.value for c in row] for row in basic.iter_rows()]
    assert ["男", 181, 26.9] in [r[:3] for r in rows]
    parts = [[c.value for c in row][:2] for row in wb["撰写内容与数据提示"].iter_rows()]
    assert ["存在问题", PROBLEMS.replace("\n经", "\n经")] in parts
    assert any(r[0] == "数据提示" for r in parts)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_opens_the_word_file_without_losing_text(
    report: AnnualReport, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    source = tmp_path / "annual.docx"
    source.write_bytes(documents.render(report, "docx"))
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = PdfReader(tmp_path / "annual.pdf")
    assert len(pdf.pages) >= 5
    text = "".join(page.extract_text() for page in pdf.pages).replace("\n", "").replace(" ", "")
    for piece in ("一、基本情况", "男性181名", "七、存在的问题", "建立社区工作者职业体系。"):
        assert piece in text


def test_the_word_file_s_charts_are_not_cut_to_a_line_and_tables_repeat_their_header(
    report: AnnualReport,
) -> None:
    from docx import Document
    from docx.enum.text import WD_LINE_SPACING

    doc = Document(io.BytesIO(documents.render(report, "docx")))
    charts = [p for p in doc.paragraphs if p._p.xpath(".//pic:pic")]
    # Normal's exact line height would show a strip of each chart; a chart's line is its own.
    assert charts and all(
        p.paragraph_format.line_spacing_rule == WD_LINE_SPACING.SINGLE for p in charts
    )
    for table in doc.tables:
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader"), table.rows[0].cells[0].text
        assert all(row._tr.xpath("./w:trPr/w:cantSplit") for row in table.rows)
    # The caption of a wide table is on its landscape page, not left at the foot of the last.
    body = list(doc.element.body.iterchildren())
    standards = next(t for t in doc.tables if t.rows[0].cells[0].text == "单位")
    caption = body[body.index(standards._tbl) - 1]
    assert caption.xpath("string(.)") == "各单位配备情况"
    assert body[body.index(caption) - 1].xpath("./w:pPr/w:sectPr")  # the page turned before


def test_each_chart_follows_the_table_of_its_breakdown(report: AnnualReport) -> None:
    kinds = [
        (b.kind, b.text or (b.chart.title if b.chart else "")) for b in documents.blocks(report)
    ]
    at = kinds.index(("table", "性别结构"))
    assert kinds[at + 1] == ("chart", "性别结构")


def test_a_wide_table_at_the_end_leaves_no_blank_last_page(report: AnnualReport) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from pypdf import PdfReader

    from shegong.annual.chapters import Chapter, Section, Table

    wide = Table("各单位配备情况", [f"列{i}" for i in range(8)], [["末行", *"1234567"]])
    report.chapters = [Chapter("basic", "基本情况", [Section("配备标准", tables=[wide])])]
    report.parts = {}
    doc = Document(io.BytesIO(documents.render(report, "docx")))
    assert doc.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    pdf = PdfReader(io.BytesIO(documents.render(report, "pdf")))
    assert "末行" in pdf.pages[-1].extract_text()


def test_a_table_cell_holds_typed_markup_as_text() -> None:
    from docx import Document

    from shegong.annual.chapters import Table

    doc = Document()
    documents._docx_setup(doc)
    typed = "社区<b>活动室</b> &amp; =1+1"
    documents._docx_table(doc, Table("场地", ["场地", "社区"], [[typed, "东风社区"]]), 150)
    saved = io.BytesIO()
    doc.save(saved)
    table = Document(io.BytesIO(saved.getvalue())).tables[0]
    assert [c.text for c in table.rows[1].cells] == [typed, "东风社区"]
    assert table.rows[0].cells[0].text == "场地"
