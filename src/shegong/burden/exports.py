"""The burden summary (selectors.burden_summary) as an Excel workbook or a Word document."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from shegong.core.text import docx_text, xlsx_row

FONT_NAME = "Noto Sans CJK SC"
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# (key of a community row, column heading), in the order of the tables.
COLUMNS = [
    ("items", "准入事项"),
    ("unfunded_items", "经费未随事转"),
    ("ledgers", "台账"),
    ("signboards", "牌子"),
    ("stamp_kinds", "盖章证明种类"),
    ("inspections", "检查考评"),
    ("meetings", "会议"),
    ("hours", "耗时(小时)"),
    ("without_admission", "未经准入"),
]


def title(s: dict[str, Any]) -> str:
    return _("%(unit)s%(year)d年社区负担情况") % {"unit": s["unit"]["name"], "year": s["year"]}


def headline(s: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (_("社区数"), len(s["communities"])),
        (_("准入事项"), s["items"]),
        (_("经费未随事转的事项"), s["unfunded_items"]),
        (_("台账"), s["ledgers"]),
        (_("牌子"), s["signboards"]),
        (_("盖章证明种类"), s["stamp_kinds"]),
        (_("检查考评"), s["inspections"]),
        (_("会议"), s["meetings"]),
        (_("检查考评会议耗时(小时)"), s["hours"]),
        (_("未经准入、可拒绝的"), s["without_admission"]),
        (_("一表通报表"), s["forms"]),
        (_("系统自动填写的指标"), s["fields_from_data"]),
        (_("向社区询问的指标"), s["fields_asked"]),
        (_("估计节省(小时/次)"), s["hours_saved"]),
        (_("问卷答卷"), s["survey"]["respondents"] if s["survey"] else "—"),
    ]


def _cell(value: Any) -> Any:
    """Hours travel as strings with one decimal; in a workbook they are numbers."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def community_rows(s: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    header = [_("社区"), *(_(label) for _key, label in COLUMNS)]
    rows = [[r["name"], *(r[key] for key, _label in COLUMNS)] for r in s["communities"]]
    return header, rows


def render(s: dict[str, Any], fmt: str) -> bytes:
    return render_xlsx(s) if fmt == "xlsx" else render_docx(s)


def render_xlsx(s: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("概况")
    ws.append(xlsx_row(ws, [title(s)]))
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in headline(s):
        ws.append(xlsx_row(ws, [label, _cell(value)]))
    ws.column_dimensions["A"].width = 28
    sheet = wb.create_sheet(_("各社区"))
    header, rows = community_rows(s)
    sheet.append(xlsx_row(sheet, header))
    for values in rows:
        sheet.append(xlsx_row(sheet, [values[0], *(_cell(v) for v in values[1:])]))
    if rows:
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("未经准入事项")
        col = len(header)
        chart.add_data(
            Reference(sheet, min_col=col, min_row=1, max_row=len(rows) + 1), titles_from_data=True
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
        chart.legend = None
        sheet.add_chart(chart, "L2")
    dept = wb.create_sheet(_("下派部门"))
    dept.append(xlsx_row(dept, [_("部门"), _("记录数"), _("其中未经准入")]))
    for d in s["departments"]:
        dept.append(xlsx_row(dept, [d["department"], d["records"], d["without_admission"]]))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _font(style: Any) -> None:
    from docx.oxml.ns import qn

    style.font.name = FONT_NAME
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_NAME)


def _table(doc: Any, header: list[str], rows: list[list[Any]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = docx_text(text)
    for values in rows:
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = docx_text(str(value))


def render_docx(s: dict[str, Any]) -> bytes:
    from docx import Document

    doc = Document()
    for name in ("Normal", "Title", "Heading 1"):
        _font(doc.styles[name])
    doc.add_heading(docx_text(title(s)), level=0)
    doc.add_heading(_("一、总体情况"), level=1)
    _table(doc, [_("项目"), _("数量")], [[label, value] for label, value in headline(s)])
    doc.add_heading(_("二、各社区负担"), level=1)
    _table(doc, *community_rows(s))
    if s["departments"]:
        doc.add_heading(_("三、下派较多的部门"), level=1)
        rows = [[d["department"], d["records"], d["without_admission"]] for d in s["departments"]]
        _table(doc, [_("部门"), _("记录数"), _("其中未经准入")], rows)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def codes_xlsx(title: str, rows: list[tuple[str, str, str]]) -> bytes:
    """The codes to hand out, one per worker: shown once, never stored."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = _("答卷码")
    ws.append(xlsx_row(ws, [title]))
    ws.append(xlsx_row(ws, [_("社区"), _("姓名"), _("答卷码(只显示这一次)")]))
    for row in rows:
        ws.append(xlsx_row(ws, list(row)))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
