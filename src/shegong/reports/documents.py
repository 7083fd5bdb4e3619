"""Report files from a structure report: Word (.docx), Excel (.xlsx) and PDF.

Word: heading, 基本情况 narrative, a table and a chart (matplotlib, Noto CJK) per breakdown,
the standards. Excel: a summary sheet, one sheet per breakdown with a native bar chart, the
standards. PDF: the same as Word, drawn by reportlab with a CJK font cut from Noto CJK.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from shegong.core.text import docx_text, pdf_text, xlsx_row
from shegong.reports.charts import bar_chart_png
from shegong.reports.selectors import Standing, StructureReport

FONT_NAME = "Noto Sans CJK SC"


def filename(report: StructureReport, fmt: str) -> str:
    f = report.figures
    return f"structure-{f.unit_code}-{f.as_of.isoformat()}.{fmt}"


def title(report: StructureReport) -> str:
    return _("%(unit)s社区工作者队伍结构分析") % {"unit": report.figures.unit_name}


def subtitle(report: StructureReport) -> str:
    f = report.figures
    text = _("统计日期:%(date)s") % {"date": f.as_of.isoformat()}
    if report.comparison:
        text += _(";对比日期:%(date)s") % {"date": report.comparison.before.as_of.isoformat()}
    return text


def breakdown_table(report: StructureReport, key: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of one breakdown, with the comparison columns when there is one."""
    b = report.figures.breakdowns[key]
    if report.comparison and key in report.comparison.deltas:
        header = [
            _("类别"),
            _("人数"),
            _("占比(%)"),
            _("对比人数"),
            _("对比占比(%)"),
            _("变化(百分点)"),
        ]
        rows = [
            [
                d.label,
                str(d.count),
                str(d.share),
                str(d.count_before),
                str(d.share_before),
                str(d.points),
            ]
            for d in report.comparison.deltas[key]
        ]
    else:
        header = [_("类别"), _("人数"), _("占比(%)")]
        rows = [[r.label, str(r.count), str(r.share)] for r in b.rows]
    return header, rows


def standards_header() -> list[str]:
    """The standards table's columns, on the page and in every file."""
    return [
        _("单位"),
        _("工作者"),
        _("常住人口"),
        _("每万人"),
        _("尚缺(各社区之和)"),
        _("持证(%)"),
        _("大专及以上(%)"),
        _("需关注"),
    ]


def attention_mark(s: Standing) -> str:
    return _("缺额居前") if s.attention else ""


def standards_table(report: StructureReport) -> tuple[list[str], list[list[str]]]:
    st = report.standards

    def row(s: Standing, label: str | None = None) -> list[str]:
        return [
            label or s.name,
            str(s.workers),
            str(s.residents),
            "—" if s.per_10k is None else str(s.per_10k),
            str(s.needed),
            str(s.certified_share),
            str(s.college_share),
            attention_mark(s),
        ]

    rows = [row(s) for s in [*st.streets, *st.communities]]
    rows.append(row(st.overall, _("合计")))
    return standards_header(), rows


def standards_note(report: StructureReport) -> str:
    """What the standards table holds and what it marks, said the same on the page and in
    the files."""
    st = report.standards
    note = _(
        "配备标准为每万名居民%(s)s名社区工作者,持证比例目标%(c)s%%,大专及以上学历目标%(e)s%%;"
        "%(n)d个社区中%(below)d个低于配备标准。“尚缺”为每个社区达到标准尚需的人数,"
        "街道和合计为其下各社区缺额之和(一个社区的富余不抵另一个社区的缺额)。"
    ) % {
        "s": st.standard,
        "c": st.certified_target,
        "e": st.college_target,
        "n": len(st.communities),
        "below": len(st.communities_below_standard),
    }
    marked = st.needing_attention
    if marked:
        note += _("缺额最多的%(k)d个社区标为“缺额居前”:%(names)s。") % {
            "k": len(marked),
            "names": "、".join(s.name for s in marked),
        }
    return note


# ---------------------------------------------------------------- Word


def training_table(report: StructureReport) -> tuple[list[str], list[list[str]]]:
    """The training figures of the year as rows of (figure, value)."""
    t = report.training
    rows = [
        [_("培训班次"), str(t.sessions)],
        [_("培训人次"), str(t.person_times)],
        [_("参训人数"), str(t.people_trained)],
        [_("受训面(%)"), str(t.coverage)],
        [_("培训天数"), str(t.days)],
    ]
    if t.leader_minimum:
        rows.append(
            [
                _("书记、主任达到每年%(n)d天的人数") % {"n": t.leader_minimum},
                f"{t.leaders_met} / {t.leaders}",
            ]
        )
    return [_("项目"), _("数值")], rows


def training_heading(report: StructureReport) -> str:
    t = report.training
    return _("四、教育培训(%(start)s至%(end)s)") % {
        "start": t.start.isoformat(),
        "end": t.end.isoformat(),
    }


def _docx_font(run_or_style: Any) -> None:
    from docx.oxml.ns import qn

    run_or_style.font.name = FONT_NAME
    fonts = run_or_style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), FONT_NAME)


def render_docx(report: StructureReport) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    for style_name in ("Normal", "Title", "Heading 1", "Heading 2"):
        _docx_font(doc.styles[style_name])
    doc.styles["Normal"].font.size = Pt(11)
    doc.add_heading(docx_text(title(report)), level=0)
    doc.add_paragraph(docx_text(subtitle(report)))
    doc.add_heading(_("一、基本情况"), level=1)
    doc.add_paragraph(docx_text(report.narrative))
    if report.comparison:
        for phrase in report.comparison.phrases:
            doc.add_paragraph(docx_text(phrase), style="List Bullet")
    doc.add_heading(_("二、结构分析"), level=1)
    for key, b in report.figures.breakdowns.items():
        doc.add_heading(docx_text(b.title), level=2)
        header, rows = breakdown_table(report, key)
        _docx_table(doc, header, rows)
        doc.add_picture(io.BytesIO(bar_chart_png(b)), width=Cm(14))
    doc.add_heading(_("三、配备标准与目标"), level=1)
    doc.add_paragraph(docx_text(standards_note(report)))
    header, rows = standards_table(report)
    _docx_table(doc, header, rows)
    if report.training is not None:
        doc.add_heading(docx_text(training_heading(report)), level=1)
        doc.add_paragraph(docx_text(report.training.narrative))
        _docx_table(doc, *training_table(report))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _docx_table(doc: Any, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = docx_text(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = docx_text(text)


# ---------------------------------------------------------------- Excel


def _sheet_title(text: str, used: set[str]) -> str:
    clean = "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Sheet"
    name, n = clean, 2
    while name in used:
        name = f"{clean[:28]}{n}"
        n += 1
    used.add(name)
    return name


def render_xlsx(report: StructureReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, PieChart, Reference
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    used: set[str] = set()
    summary = wb.active
    assert summary is not None
    summary.title = _sheet_title(_("概况"), used)
    f = report.figures
    summary.append(xlsx_row(summary, [title(report)]))
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(xlsx_row(summary, [subtitle(report)]))
    summary.append([_("社区工作者"), f.total])
    summary.append([_("平均年龄(岁)"), float(f.average_age) if f.average_age is not None else None])
    summary.append([_("大专及以上占比(%)"), float(f.college_share)])
    summary.append([_("持证占比(%)"), float(f.certified_share)])
    summary.append([_("主职干部大专及以上占比(%)"), float(f.leaders_college_share)])
    summary.append([])
    summary.append([_("基本情况")])
    summary.append(xlsx_row(summary, [report.narrative]))
    summary.merge_cells(
        start_row=summary.max_row, start_column=1, end_row=summary.max_row, end_column=8
    )
    summary.cell(summary.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    summary.row_dimensions[summary.max_row].height = 220
    summary.column_dimensions["A"].width = 28

    for key, b in f.breakdowns.items():
        ws = wb.create_sheet(_sheet_title(b.title, used))
        header, rows = breakdown_table(report, key)
        ws.append(xlsx_row(ws, header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for values in rows:
            ws.append(xlsx_row(ws, [values[0], *(_number(v) for v in values[1:])]))
        ws.column_dimensions["A"].width = 22
        n = len(rows)
        chart = BarChart()
        chart.type = "bar"
        chart.title = b.title
        chart.y_axis.title = _("占比(%)")
        chart.add_data(Reference(ws, min_col=3, min_row=1, max_row=n + 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
        chart.legend = None
        chart.height = max(6.0, 0.8 * n + 3)
        ws.add_chart(chart, "H2")
        if b.partition and n <= 8:
            pie = PieChart()
            pie.title = b.title
            pie.add_data(Reference(ws, min_col=2, min_row=1, max_row=n + 1), titles_from_data=True)
            pie.set_categories(Reference(ws, min_col=1, min_row=2, max_row=n + 1))
            ws.add_chart(pie, "H20")

    ws = wb.create_sheet(_sheet_title(_("配备标准"), used))
    ws.append(xlsx_row(ws, [standards_note(report)]))
    header, rows = standards_table(report)
    ws.append(xlsx_row(ws, header))
    for values in rows:
        ws.append(xlsx_row(ws, [values[0], *(_number(v) for v in values[1:])]))
    ws.column_dimensions["A"].width = 22
    if report.training is not None:
        ws = wb.create_sheet(_sheet_title(_("教育培训"), used))
        ws.append(xlsx_row(ws, [training_heading(report)]))
        ws.append(xlsx_row(ws, [report.training.narrative]))
        header, rows = training_table(report)
        ws.append(xlsx_row(ws, header))
        for values in rows:
            ws.append(xlsx_row(ws, [values[0], _number(values[1])]))
        ws.column_dimensions["A"].width = 36
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


# ---------------------------------------------------------------- PDF


_TableRows = tuple[list[str], list[list[str]]]


def _pdf_texts(
    report: StructureReport, tables: list[_TableRows], standards: _TableRows
) -> list[str]:
    """Every string the PDF draws (the embedded font is cut down to their characters)."""
    texts = [title(report), subtitle(report), report.narrative, standards_note(report)]
    texts += [b.title for b in report.figures.breakdowns.values()]
    texts += report.comparison.phrases if report.comparison else []
    for header, rows in [*tables, standards]:
        texts += header + [cell for row in rows for cell in row]
    texts += [_("一、基本情况"), _("二、结构分析"), _("三、配备标准与目标")]
    if report.training is not None:
        header, rows = training_table(report)
        texts += [training_heading(report), report.training.narrative, *header]
        texts += [c for row in rows for c in row]
    return texts


class _Pdf:
    """The report's paragraph styles in its font, and the text and tables drawn with them."""

    def __init__(self, font: str) -> None:
        from reportlab.lib.styles import ParagraphStyle

        self.body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
        self.h0 = ParagraphStyle(
            "h0", parent=self.body, fontSize=18, leading=26, alignment=1, spaceAfter=6
        )
        self.h1 = ParagraphStyle(
            "h1", parent=self.body, fontSize=14, leading=22, spaceBefore=10, spaceAfter=4
        )
        self.h2 = ParagraphStyle(
            "h2", parent=self.body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4
        )
        self.cell = ParagraphStyle("cell", parent=self.body, fontSize=9, leading=12)

    def text(self, value: str, style: Any) -> Any:
        from reportlab.platypus import Paragraph

        # Every string here may hold a unit's or a person's name: never markup.
        return Paragraph(pdf_text(value), style)

    def table(self, header: list[str], rows: list[list[str]]) -> Any:
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        data = [[self.text(t, self.cell) for t in header]]
        data += [[self.text(t, self.cell) for t in row] for row in rows]
        t = Table(data, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f2f5")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ]
            )
        )
        return t


def _pdf_story(
    report: StructureReport, pdf: _Pdf, tables: list[_TableRows], standards: _TableRows
) -> list[Any]:
    """The PDF's flowables: the three sections (and training), each breakdown with its chart."""
    from reportlab.lib.units import cm
    from reportlab.platypus import Image, Spacer

    story: list[Any] = [
        pdf.text(title(report), pdf.h0),
        pdf.text(subtitle(report), pdf.body),
        pdf.text(_("一、基本情况"), pdf.h1),
        pdf.text(report.narrative, pdf.body),
    ]
    if report.comparison:
        story += [pdf.text("· " + p, pdf.body) for p in report.comparison.phrases]
    story.append(pdf.text(_("二、结构分析"), pdf.h1))
    for (header, rows), b in zip(tables, report.figures.breakdowns.values(), strict=True):
        story += [pdf.text(b.title, pdf.h2), pdf.table(header, rows), Spacer(1, 4)]
        png = bar_chart_png(b, dpi=120)
        image = Image(io.BytesIO(png))
        ratio = image.imageHeight / image.imageWidth
        image.drawWidth, image.drawHeight = 14 * cm, 14 * cm * ratio
        story.append(image)
    story += [
        pdf.text(_("三、配备标准与目标"), pdf.h1),
        pdf.text(standards_note(report), pdf.body),
        pdf.table(*standards),
    ]
    if report.training is not None:
        story += [
            pdf.text(training_heading(report), pdf.h1),
            pdf.text(report.training.narrative, pdf.body),
            pdf.table(*training_table(report)),
        ]
    return story


def render_pdf(report: StructureReport) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    from shegong.reports import cjk_font

    tables = [breakdown_table(report, key) for key in report.figures.breakdowns]
    standards = standards_table(report)
    pdf = _Pdf(cjk_font.register("".join(_pdf_texts(report, tables, standards))))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=title(report),
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
    )
    doc.build(_pdf_story(report, pdf, tables, standards))
    return out.getvalue()


RENDERERS: dict[str, Callable[[StructureReport], bytes]] = {
    "docx": render_docx,
    "xlsx": render_xlsx,
    "pdf": render_pdf,
}


def render(report: StructureReport, fmt: str) -> bytes:
    return RENDERERS[fmt](report)
