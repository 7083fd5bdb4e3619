"""The annual report as a file: Word and PDF in the layout of GB/T 9704 (党政机关公文格式),
Excel (one sheet per chapter, numbers as numbers) and JSON.

Both Word and PDF are drawn from one list of blocks (title, headings, paragraphs, tables,
charts), so they hold the same text. GB/T 9704 with the fonts the machine has:
A4, margins 37 / 35 / 28 / 26 mm (top, bottom, left, right); title 2号 (22 pt) 小标宋 → Noto
Serif CJK SC bold, centred; body 3号 (16 pt) 仿宋 → Noto Serif CJK SC, first line indented two
characters, 22 lines a page (28.95 pt); level one 黑体 → Noto Sans CJK SC, level two 楷体 →
Noto Serif CJK SC bold; numbering 一、 (一) 1.; page numbers 4号 "— 1 —", odd pages right,
even pages left; headings kept with what follows; a wide table on a landscape page of its own
with its caption; a table's header row repeated on each page it runs over, no row split
across pages, columns as wide as their text; each chart right after the table of the same
breakdown, on a line of its own height (a chart in a line of exact height is cut to a strip).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.annual import rules
from shegong.annual.chapters import Section, Table, text_width
from shegong.annual.models import PartKey
from shegong.core.text import docx_text, pdf_text, xlsx_row
from shegong.reports.charts import bar_chart_png
from shegong.reports.rules import Breakdown

if TYPE_CHECKING:
    from shegong.annual.selectors import AnnualReport

FONT_DIR = Path("/usr/share/fonts/opentype/noto")
SERIF = "Noto Serif CJK SC"
SANS = "Noto Sans CJK SC"
SERIF_REGULAR = FONT_DIR / "NotoSerifCJK-Regular.ttc"
SERIF_BOLD = FONT_DIR / "NotoSerifCJK-Bold.ttc"
SANS_REGULAR = FONT_DIR / "NotoSansCJK-Regular.ttc"
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TITLE_PT, BODY_PT, PAGE_NUMBER_PT, TABLE_PT = 22, 16, 14, 10.5
LINE_PT = 28.95  # 22 lines on the type area of 225 mm
# Written parts that become chapters of their own, after the data's, in the essays' order.
WRITTEN_CHAPTERS = (PartKey.RESULTS, PartKey.PROBLEMS, PartKey.SUGGESTIONS)
WRITTEN_TITLES = {
    PartKey.RESULTS: gettext_lazy("主要成效"),
    PartKey.PROBLEMS: gettext_lazy("存在的问题"),
    PartKey.SUGGESTIONS: gettext_lazy("对策建议"),
}


@dataclass(frozen=True)
class Block:
    kind: str  # title, subtitle, h1, h2, p, table (its text is its caption), chart
    text: str = ""
    table: Table | None = None
    chart: Breakdown | None = None


def filename(report: AnnualReport, fmt: str) -> str:
    return f"annual-{report.unit.code}-{report.year}.{fmt}"


def title(report: AnnualReport) -> str:
    return _("关于%(unit)s%(year)d年社区工作者队伍建设情况的调研报告") % {
        "unit": report.unit.name,
        "year": report.year,
    }


def subtitle(report: AnnualReport) -> str:
    d = report.as_of
    return _("(数据截至%(y)d年%(m)d月%(d)d日)") % {"y": d.year, "m": d.month, "d": d.day}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def blocks(report: AnnualReport) -> Iterator[Block]:
    """The document from top to bottom."""
    yield Block("title", title(report))
    yield Block("subtitle", subtitle(report))
    foreword = _lines(report.part_text(PartKey.FOREWORD))
    if not foreword:
        foreword = [
            _("现将%(unit)s%(year)d年社区工作者队伍建设有关情况报告如下:")
            % {"unit": report.unit.name, "year": report.year}
        ]
    for line in foreword:
        yield Block("p", line)
    n = 0
    for chapter in report.chapters:
        n += 1
        yield Block("h1", rules.chapter_number(n) + chapter.title)
        for m, section in enumerate(chapter.sections, start=1):
            yield Block("h2", rules.section_number(m) + section.title)
            for paragraph in section.paragraphs:
                yield Block("p", paragraph)
            yield from _tables_and_charts(section)
        if chapter.key == "basic":
            for line in _lines(report.part_text(PartKey.BASIC)):
                yield Block("p", line)
    for key in WRITTEN_CHAPTERS:
        lines = _lines(report.part_text(key))
        if lines:
            n += 1
            yield Block("h1", rules.chapter_number(n) + str(WRITTEN_TITLES[key]))
            for line in lines:
                yield Block("p", line)


def _tables_and_charts(section: Section) -> Iterator[Block]:
    """Each table, followed by the chart of the same breakdown (a reader compares the two);
    the charts without a table after the last table."""
    charts = {chart.title: chart for chart in section.charts}
    for table in section.tables:
        yield Block("table", table.title, table=table)
        chart = charts.pop(table.title, None)
        if chart is not None:
            yield Block("chart", chart=chart)
    for chart in charts.values():
        yield Block("chart", chart=chart)


def column_shares(table: Table) -> list[float]:
    """Each column's share of the table's width: as wide as its longest cell (a CJK character
    counts two), a long cell wrapping rather than squeezing its neighbours."""
    widths = [
        min(max(text_width(cell) for cell in column), 40) + 2
        for column in zip(table.header, *table.rows, strict=True)
    ]
    return [w / sum(widths) for w in widths]


def all_text(report: AnnualReport) -> list[str]:
    """Every string the document prints (tests check none is lost on the way)."""
    out: list[str] = []
    for b in blocks(report):
        if b.table is not None:
            out += [b.text, *b.table.header] + [c for row in b.table.rows for c in row]
        elif b.chart is None:
            out.append(b.text)
    return out


# ---------------------------------------------------------------- JSON


def report_json(report: AnnualReport) -> dict[str, Any]:
    return {
        "unit": {"code": report.unit.code, "name": report.unit.name},
        "year": report.year,
        "as_of": report.as_of.isoformat(),
        "title": title(report),
        "chapters": {
            c.key: {
                "title": c.title,
                "figures": c.figures,
                "sections": [
                    {
                        "title": s.title,
                        "paragraphs": s.paragraphs,
                        "tables": [
                            {"title": t.title, "header": t.header, "rows": t.rows} for t in s.tables
                        ],
                    }
                    for s in c.sections
                ],
                "findings": c.findings,
            }
            for c in report.chapters
        },
        "absent_chapters": [s.key for s in report.absent],
        "written_parts": {
            key: {
                "text": part.text,
                "version": part.version,
                "author": part.author.get_full_name() or part.author.username,
                "saved_at": part.created_at.isoformat(),
            }
            for key, part in report.parts.items()
        },
    }


def render_json(report: AnnualReport) -> bytes:
    return json.dumps(report_json(report), ensure_ascii=False, indent=2).encode()


# ---------------------------------------------------------------- Word


def _docx_font(target: Any, name: str, size: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    target.font.name = name
    target.font.size = Pt(size)
    target.font.bold = bold
    fonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _docx_page(section: Any, *, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    m = MARGINS_MM
    if landscape:  # the binding edge stays the long one on the left when turned
        section.top_margin, section.bottom_margin = Mm(m["left"]), Mm(m["right"])
        section.left_margin, section.right_margin = Mm(m["bottom"]), Mm(m["top"])
    else:
        section.top_margin, section.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        section.left_margin, section.right_margin = Mm(m["left"]), Mm(m["right"])


def _docx_page_number(paragraph: Any) -> None:
    """ "— PAGE —" with a PAGE field, 4号 serif."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(text: str | None = None, field: str | None = None) -> None:
        r = paragraph.add_run(text or "")
        _docx_font(r, SERIF, PAGE_NUMBER_PT)
        if field is not None:
            for kind in ("begin", None, "end"):
                if kind is None:
                    instr = OxmlElement("w:instrText")
                    instr.set(qn("xml:space"), "preserve")
                    instr.text = field
                    r._r.append(instr)
                else:
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), kind)
                    r._r.append(char)

    run("— ")
    run(field="PAGE")
    run(" —")


def _docx_setup(doc: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    _docx_font(normal, SERIF, BODY_PT)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    _docx_table_style(doc)
    section = doc.sections[0]
    _docx_page(section, landscape=False)
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _docx_page_number(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    _docx_page_number(even)


def _docx_paragraph(doc: Any, block: Block) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    run = p.add_run(docx_text(block.text))
    fmt = p.paragraph_format
    if block.kind == "title":
        _docx_font(run, SERIF, TITLE_PT, bold=True)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.line_spacing = Pt(TITLE_PT * 1.5)
        fmt.keep_with_next = True
        return
    if block.kind in {"subtitle", "caption"}:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt.keep_with_next = True
        if block.kind == "caption":
            _docx_font(run, SERIF, TABLE_PT + 1.5, bold=True)
            fmt.space_before = Pt(6)
        return
    fmt.first_line_indent = Pt(BODY_PT * 2)
    if block.kind == "h1":
        _docx_font(run, SANS, BODY_PT)
        fmt.keep_with_next = True
    elif block.kind == "h2":
        _docx_font(run, SERIF, BODY_PT, bold=True)
        fmt.keep_with_next = True
    else:
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY


# A table of up to this many rows is kept on one page with its caption; a longer one runs on
# (its header repeated) rather than leaving its caption alone at the foot of a page.
KEEP_TOGETHER_ROWS = 15
TABLE_STYLE = "ShegongTable"  # the cells' paragraph style: 5号 serif, exact leading, no indent


def _docx_table_style(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_LINE_SPACING
    from docx.shared import Pt

    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    _docx_font(style, SERIF, TABLE_PT)
    fmt = style.paragraph_format
    fmt.first_line_indent = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(TABLE_PT * 1.4)


def _docx_rows_xml(table: Table, widths: list[int]) -> str:
    """The rows of `table` as WordprocessingML: a city's tables run to thousands of cells, and
    python-docx's cell by cell calls cost seconds where one parse costs milliseconds. Every
    value is cleaned (docx_text) and escaped: user text stays text. A row never splits across
    pages; the header repeats on each; a short table keeps with its caption."""
    together = len(table.rows) <= KEEP_TOGETHER_ROWS
    out = []
    for i, values in enumerate([table.header, *table.rows]):
        flags = "<w:cantSplit/>" + ("<w:tblHeader/>" if i == 0 else "")
        keep = "<w:keepNext/>" if i == 0 or (together and i < len(table.rows)) else ""
        bold = "<w:rPr><w:b/><w:bCs/></w:rPr>" if i == 0 else ""
        cells = "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
            f'<w:p><w:pPr><w:pStyle w:val="{TABLE_STYLE}"/>{keep}</w:pPr>'
            f'<w:r>{bold}<w:t xml:space="preserve">{escape(docx_text(str(text)))}</w:t></w:r>'
            "</w:p></w:tc>"
            for text, width in zip(values, widths, strict=True)
        )
        out.append(f"<w:tr><w:trPr>{flags}</w:trPr>{cells}</w:tr>")
    return "".join(out)


def _docx_table(doc: Any, table: Table, width_mm: float) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls
    from docx.shared import Mm

    _docx_paragraph(doc, Block("caption", table.title))
    t = doc.add_table(rows=0, cols=len(table.header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Mm(width_mm * share) for share in column_shares(table)]
    for column, width in zip(t.columns, widths, strict=True):
        column.width = width
    rows = _docx_rows_xml(table, [w.twips for w in widths])
    t._tbl.extend(list(parse_xml(f"<w:tbl {nsdecls('w')}>{rows}</w:tbl>")))


def _docx_chart(doc: Any, chart: Breakdown) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Cm, Pt

    doc.add_picture(io.BytesIO(bar_chart_png(chart)), width=Cm(14))
    fmt = doc.paragraphs[-1].paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # Normal's exact 28.95 pt would cut it
    fmt.first_line_indent = Pt(0)
    fmt.space_after = Pt(6)
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER


def render_docx(report: AnnualReport) -> bytes:
    from docx import Document
    from docx.enum.section import WD_SECTION

    doc = Document()
    _docx_setup(doc)
    m = MARGINS_MM
    every = list(blocks(report))
    for i, block in enumerate(every, start=1):
        if block.table is not None and block.table.wide:
            _docx_page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=True)
            _docx_table(doc, block.table, 297 - m["top"] - m["bottom"])
            if i < len(every):  # the last block turning back would leave a blank last page
                _docx_page(doc.add_section(WD_SECTION.NEW_PAGE), landscape=False)
        elif block.table is not None:
            _docx_table(doc, block.table, 210 - m["left"] - m["right"])
        elif block.chart is not None:
            _docx_chart(doc, block.chart)
        else:
            _docx_paragraph(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- PDF


class _Pdf:
    def __init__(self, report: AnnualReport) -> None:
        from reportlab.lib.styles import ParagraphStyle

        from shegong.reports import cjk_font

        all_blocks = list(blocks(report))
        texts = "".join(all_text(report)) + "0123456789— "
        heads = "".join(b.text for b in all_blocks if b.kind in {"title", "h2", "table"})
        table_heads = "".join(h for b in all_blocks if b.table for h in b.table.header)
        self.blocks = all_blocks
        self.serif = cjk_font.register(texts, SERIF_REGULAR)
        self.bold = cjk_font.register(heads + table_heads, SERIF_BOLD)
        self.sans = cjk_font.register(
            "".join(b.text for b in all_blocks if b.kind == "h1"), SANS_REGULAR
        )
        body = ParagraphStyle(
            "body",
            fontName=self.serif,
            fontSize=BODY_PT,
            leading=LINE_PT,
            firstLineIndent=BODY_PT * 2,
            wordWrap="CJK",
            alignment=4,
        )
        self.styles = {
            "p": body,
            "title": ParagraphStyle(
                "title",
                parent=body,
                fontName=self.bold,
                fontSize=TITLE_PT,
                leading=TITLE_PT * 1.5,
                alignment=1,
                firstLineIndent=0,
                keepWithNext=1,
            ),
            "subtitle": ParagraphStyle(
                "subtitle", parent=body, alignment=1, firstLineIndent=0, keepWithNext=1
            ),
            "h1": ParagraphStyle("h1", parent=body, fontName=self.sans, keepWithNext=1),
            "h2": ParagraphStyle("h2", parent=body, fontName=self.bold, keepWithNext=1),
            "caption": ParagraphStyle(
                "caption",
                parent=body,
                fontName=self.bold,
                fontSize=12,
                leading=20,
                alignment=1,
                firstLineIndent=0,
                keepWithNext=1,
            ),
            "cell": ParagraphStyle(
                "cell",
                parent=body,
                fontSize=TABLE_PT,
                leading=TABLE_PT * 1.4,
                firstLineIndent=0,
                alignment=0,
            ),
            "head": ParagraphStyle(
                "head",
                parent=body,
                fontName=self.bold,
                fontSize=TABLE_PT,
                leading=TABLE_PT * 1.4,
                firstLineIndent=0,
                alignment=0,
            ),
        }

    def text(self, value: str, style: str) -> Any:
        from reportlab.platypus import Paragraph

        return Paragraph(pdf_text(value), self.styles[style])

    def table(self, table: Table, width: float) -> Any:
        from reportlab.lib import colors
        from reportlab.platypus import Table as PdfTable
        from reportlab.platypus import TableStyle

        data = [[self.text(t, "head") for t in table.header]]
        data += [[self.text(t, "cell") for t in row] for row in table.rows]
        widths = [width * share for share in column_shares(table)]
        t = PdfTable(data, colWidths=widths, repeatRows=1)
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return t


def _pdf_story(pdf: _Pdf, portrait_width: float, landscape_width: float) -> list[Any]:
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, NextPageTemplate, PageBreak, Spacer

    story: list[Any] = []
    for i, block in enumerate(pdf.blocks, start=1):
        if block.table is not None and block.table.wide:
            story += [NextPageTemplate("landscape"), PageBreak()]
            story += [pdf.text(block.text, "caption"), pdf.table(block.table, landscape_width)]
            if i < len(pdf.blocks):
                story += [NextPageTemplate("portrait"), PageBreak()]
        elif block.table is not None:
            story.append(pdf.text(block.text, "caption"))
            story += [pdf.table(block.table, portrait_width), Spacer(1, 8)]
        elif block.chart is not None:
            image = Image(io.BytesIO(bar_chart_png(block.chart, dpi=110)))
            ratio = image.imageHeight / image.imageWidth
            image.drawWidth, image.drawHeight = 14 * cm, 14 * cm * ratio
            story.append(image)
        else:
            story.append(pdf.text(block.text, block.kind))
    return story


def render_pdf(report: AnnualReport) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    pdf = _Pdf(report)
    m = {k: v * mm for k, v in MARGINS_MM.items()}

    def page_number(canvas: Any, doc: Any) -> None:
        n = canvas.getPageNumber()
        width, _height = canvas._pagesize
        canvas.setFont(pdf.serif, PAGE_NUMBER_PT)
        text = rules.page_number_text(n)
        y = m["bottom"] - 14 * mm
        if n % 2:  # odd pages right, even pages left, one character in from the edge
            canvas.drawRightString(width - m["right"] - PAGE_NUMBER_PT, y, text)
        else:
            canvas.drawString(m["left"] + PAGE_NUMBER_PT, y, text)

    portrait_w = A4[0] - m["left"] - m["right"]
    land = landscape(A4)
    landscape_w = land[0] - m["bottom"] - m["top"]
    out = io.BytesIO()
    doc = BaseDocTemplate(out, pagesize=A4, title=title(report), author=report.unit.name)
    doc.addPageTemplates(
        [
            PageTemplate(
                "portrait",
                [
                    Frame(
                        m["left"],
                        m["bottom"],
                        portrait_w,
                        A4[1] - m["top"] - m["bottom"],
                        0,
                        0,
                        0,
                        0,
                    )
                ],
                onPage=page_number,
                pagesize=A4,
            ),
            PageTemplate(
                "landscape",
                [
                    Frame(
                        m["bottom"],
                        m["left"],
                        landscape_w,
                        land[1] - m["left"] - m["right"],
                        0,
                        0,
                        0,
                        0,
                    )
                ],
                onPage=page_number,
                pagesize=land,
            ),
        ]
    )
    doc.build(_pdf_story(pdf, portrait_w, landscape_w))
    return out.getvalue()


# ---------------------------------------------------------------- Excel


def _number(text: str) -> Any:
    plain = text.replace(",", "")
    for kind in (int, float):
        try:
            return kind(plain)
        except ValueError:
            continue
    return text


def render_xlsx(report: AnnualReport) -> bytes:
    """One sheet per chapter (paragraphs, then each table with numbers as numbers), then the
    written parts and the data's starting points."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for chapter in report.chapters:
        ws = wb.create_sheet(chapter.title[:31])
        ws.column_dimensions["A"].width = 30
        ws.append(xlsx_row(ws, [chapter.title]))
        ws.cell(ws.max_row, 1).font = Font(bold=True, size=14)
        for section in chapter.sections:
            ws.append(xlsx_row(ws, [section.title]))
            ws.cell(ws.max_row, 1).font = Font(bold=True)
            for paragraph in section.paragraphs:
                ws.append(xlsx_row(ws, [paragraph]))
                ws.cell(ws.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
            for table in section.tables:
                ws.append(xlsx_row(ws, [table.title]))
                ws.append(xlsx_row(ws, table.header))
                for row in table.rows:
                    ws.append(xlsx_row(ws, [row[0], *(_number(v) for v in row[1:])]))
                ws.append([])
    ws = wb.create_sheet(_("撰写内容与数据提示"))
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 100
    for key, label in PartKey.choices:
        ws.append(xlsx_row(ws, [str(label), report.part_text(key)]))
    for finding in report.findings:
        ws.append(xlsx_row(ws, [_("数据提示"), finding]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


RENDERERS = {"docx": render_docx, "pdf": render_pdf, "xlsx": render_xlsx, "json": render_json}
CONTENT_TYPES = {
    "json": "application/json; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def render(report: AnnualReport, fmt: str) -> bytes:
    return RENDERERS[fmt](report)
