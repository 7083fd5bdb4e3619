"""The year's community-resources report as Excel and Word, from resources_summary's data."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from shegong.core.money import money_text
from shegong.core.text import docx_text, xlsx_row

NOT_RECORDED = "未登记"
FIGURES = [
    ("teams", "文体队伍(支)"),
    ("team_members", "队员(人)"),
    ("talents", "人才库(人)"),
    ("volunteers", "志愿者(人)"),
    ("volunteer_hours", "志愿服务时长(小时)"),
    ("venues", "场地(处)"),
    ("shared_venues", "其中单位、企业、学校共享(处)"),
    ("bookings", "已确认预约(次)"),
    ("activities", "活动(场)"),
    ("participants", "参与(人次)"),
    ("awards", "以奖代补"),
    ("standards", "达标检查"),
]
VENUE_COLUMNS = [
    ("venue", "场地"),
    ("community", "服务社区"),
    ("open_hours", "开放小时"),
    ("booked_hours", "预约小时"),
    ("share", "使用率(%)"),
    ("bookings", "预约次数"),
    ("present", "实到人次"),
]


def _shown(value: Any) -> Any:
    if value is None:
        return NOT_RECORDED
    if isinstance(value, dict | list):
        return "见明细"
    return value


AWARD_COLUMNS = [
    ("subject", "评选对象"),
    ("name", "队伍/社区"),
    ("community", "社区"),
    ("points", "得分"),
    ("amount", "奖励金额(元)"),
    ("status", "状态"),
]
SUBJECTS = {"team": "文体队伍", "community": "社区"}
STATUSES = {"proposed": "已测算", "approved": "已审批"}


def awards_text(awards: dict[str, Any] | None) -> str:
    if awards is None:
        return NOT_RECORDED
    return (
        f"{awards['awarded']}个,{money_text(awards['amount'])}元"
        f"(已审批{awards['approved']}个,{money_text(awards['approved_amount'])}元)"
    )


def figures_rows(data: dict[str, Any]) -> list[tuple[str, Any]]:
    return [
        (label, awards_text(data.get(key)) if key == "awards" else _shown(data.get(key)))
        for key, label in FIGURES
    ]


def award_rows(data: dict[str, Any]) -> list[list[Any]]:
    """The largest awards of each scheme (at most ten a scheme), for the sheet and the document."""
    awards = data.get("awards") or {"schemes": []}
    return [
        [
            SUBJECTS.get(s["subject"], s["subject"]),
            top["name"],
            top["community"],
            top["points"],
            top["amount"],
            STATUSES.get(s["status"], s["status"]),
        ]
        for s in awards["schemes"]
        for top in s["top"]
    ]


def title(data: dict[str, Any]) -> str:
    return f"{data['unit_name']}{data['year']}年社区资源情况"


STANDARD_COLUMNS = ["标准", "核对日期", "社区", "全部达标", "未全部达标"]


def standards_rows(data: dict[str, Any]) -> list[list[Any]]:
    """One row a standard: how many communities, how many meet all of it, as of when."""
    return [
        [st["name"], st["as_of"], st["communities"], st["meeting_all"], len(st["short"])]
        for st in data.get("standards") or []
    ]


def shortfall_rows(data: dict[str, Any]) -> list[list[Any]]:
    """One row a community short of a standard: the items it misses, by how much."""
    return [
        [
            st["name"],
            r["community"],
            "；".join(f"{i['item']}({i['shortfall']})" for i in r["items"]),
        ]
        for st in data.get("standards") or []
        for r in st["short"]
    ]


def report_xlsx(data: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "社区资源"
    sheet.append(xlsx_row(sheet, [title(data)]))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["项目", "数值"])
    for label, value in figures_rows(data):
        sheet.append(xlsx_row(sheet, [label, value]))
    use = data["venue_use"]
    sheet.append(["场地使用率(%)", _shown(use["share"])])
    venues = book.create_sheet("场地使用")
    venues.append([label for _key, label in VENUE_COLUMNS])
    for row in use["by_venue"]:
        venues.append(
            xlsx_row(
                venues,
                [
                    float(row[k]) if k in {"open_hours", "booked_hours"} else row[k]
                    for k, _l in VENUE_COLUMNS
                ],
            )
        )
    if rows := award_rows(data):
        awards = book.create_sheet("以奖代补")
        awards.append([label for _key, label in AWARD_COLUMNS])
        for row in rows:
            row[3], row[4] = float(row[3]), float(row[4])
            awards.append(xlsx_row(awards, row))
    standards = book.create_sheet("达标情况")
    standards.append(STANDARD_COLUMNS)
    for row in standards_rows(data):
        standards.append(xlsx_row(standards, row))
    short = book.create_sheet("未达标社区")
    short.append(["标准", "社区", "差距"])
    for row in shortfall_rows(data):
        short.append(xlsx_row(short, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_docx(data: dict[str, Any]) -> bytes:
    from docx import Document

    doc = Document()
    doc.add_heading(docx_text(title(data)), level=1)
    use = data["venue_use"]
    doc.add_paragraph(
        docx_text(
            f"登记场地 {data['venues']} 处,其中单位、企业、学校向居民开放的共享场地"
            f" {data['shared_venues']} 处;全年已确认预约 {data['bookings']} 次,"
            f"预约 {use['booked_hours']} 小时,占开放时间 {use['open_hours']} 小时的"
            f" {use['share'] or '—'}%。"
        )
    )
    if data.get("teams") is not None:
        doc.add_paragraph(
            docx_text(f"登记文体队伍 {data['teams']} 支,队员 {data['team_members']} 人。")
        )
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "项目", "数值"
    for label, value in figures_rows(data):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, docx_text(value)
    if rows := award_rows(data):
        doc.add_heading("以奖代补", level=2)
        doc.add_paragraph(docx_text(f"以奖代补:{awards_text(data['awards'])}。"))
        awards = doc.add_table(rows=1, cols=len(AWARD_COLUMNS))
        for cell, (_key, label) in zip(awards.rows[0].cells, AWARD_COLUMNS, strict=True):
            cell.text = label
        for row in rows:
            for cell, value in zip(awards.add_row().cells, row, strict=True):
                cell.text = docx_text(value)
    if use["by_venue"]:
        doc.add_heading("场地使用", level=2)
        venues = doc.add_table(rows=1, cols=len(VENUE_COLUMNS))
        for cell, (_key, label) in zip(venues.rows[0].cells, VENUE_COLUMNS, strict=True):
            cell.text = label
        for row in use["by_venue"][:500]:
            for cell, (key, _label) in zip(venues.add_row().cells, VENUE_COLUMNS, strict=True):
                cell.text = docx_text("—" if row[key] is None else row[key])
    _standards_docx(doc, data)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _standards_docx(doc: Any, data: dict[str, Any]) -> None:
    rows = standards_rows(data)
    if not rows:
        return
    doc.add_heading("达标情况", level=2)
    for name, as_of, communities, meeting, short in rows:
        doc.add_paragraph(
            docx_text(
                f"截至{as_of},{communities}个社区中“{name}”全部达标的{meeting}个,未全部达标的{short}个。"
            )
        )
    shortfalls = shortfall_rows(data)
    if shortfalls:
        table = doc.add_table(rows=1, cols=3)
        for cell, label in zip(table.rows[0].cells, ["标准", "社区", "差距"], strict=True):
            cell.text = label
        for row in shortfalls[:1000]:
            for cell, value in zip(table.add_row().cells, row, strict=True):
                cell.text = docx_text(value)
