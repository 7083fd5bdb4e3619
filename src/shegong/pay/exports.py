"""The pay register (工资表) of a run as .xlsx: one row per worker, every component,
contribution and caliber, and a total row. Amounts are masked for viewers without the
personal-data permission; a register that shows them is recorded in the audit trail."""

from __future__ import annotations

import io
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from shegong.core import money
from shegong.core.audit import AuditAction, audit_record
from shegong.core.listing import Column, Sheet
from shegong.core.text import docx_text, xlsx_row
from shegong.pay import selectors
from shegong.pay.models import PayRun
from shegong.pay.selectors.lines import LINE_MONEY_FIELDS

if TYPE_CHECKING:
    from shegong.core.models import User

MASK = "***"


def register_xlsx(*, viewer: User, run: PayRun) -> bytes:
    """`run` must come from selectors.run_get (already scoped)."""
    shown = selectors.may_see_run_pay(viewer=viewer, run=run)
    communities = selectors.community_names(
        set(selectors.run_lines(viewer=viewer, run=run).values_list("unit_path", flat=True))
    )
    labels = [selectors.field_label(name) for name in LINE_MONEY_FIELDS]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("工资表")
    sheet.append(
        xlsx_row(
            sheet,
            [f"{run.unit.name} {run.period:%Y年%m月} {_('工资表')}({run.get_status_display()})"],
        )
    )
    sheet["A1"].font = Font(bold=True, size=14)
    header = [_("序号"), _("社区"), _("姓名"), _("岗位序列"), _("等级"), _("档次"), *labels]
    sheet.append(xlsx_row(sheet, header))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for n, line in enumerate(selectors.run_lines(viewer=viewer, run=run), 1):
        amounts = [getattr(line, name) if shown else MASK for name in LINE_MONEY_FIELDS]
        sheet.append(
            xlsx_row(
                sheet,
                [
                    n,
                    communities.get(line.unit_path, ""),
                    line.worker.name,
                    line.track_name,
                    line.level,
                    line.step,
                    *amounts,
                ],
            )
        )
    totals = selectors.run_totals(viewer=viewer, run=run)
    sheet.append(
        [
            _("合计"),
            "",
            f"{totals['headcount']}人",
            "",
            "",
            "",
            *[totals.get(name) for name in LINE_MONEY_FIELDS],
        ]
    )
    for row in sheet.iter_rows(min_row=3, min_col=7):
        for cell in row:
            cell.number_format = money.XLSX_FORMAT
    sheet.column_dimensions["B"].width = 14
    sheet.freeze_panes = "D3"
    out = io.BytesIO()
    book.save(out)
    if shown:
        audit_record(
            acting_user=viewer,
            action=AuditAction.EXPORT,
            target=run,
            unit_path=run.unit_path,
            note=_("导出工资表 %(run)s") % {"run": run},
        )
    return out.getvalue()


REPORT_COLUMNS = [
    ("name", "姓名"),
    ("community", "社区"),
    ("months", "月数"),
    ("total_cost", "总成本"),
    ("gross", "应发"),
    ("employer_contributions", "单位缴纳"),
    ("personal_contributions", "个人缴纳"),
    ("income_tax", "个人所得税"),
    ("net", "实发"),
]


def _number(value: Any) -> Any:
    """An amount of the report's data ("1630.51", "-12.00") as a number for its cell; a mask
    or a withheld figure stays text."""
    if not isinstance(value, str):
        return value
    try:
        return Decimal(value)
    except InvalidOperation:
        return value


def report_xlsx(data: dict[str, Any]) -> bytes:
    """The yearly pay report: one sheet of workers with the three calibers, one of findings."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "年度待遇"
    sheet.append(xlsx_row(sheet, [f"{data['unit']['name']} {data['year']}年 社区工作者待遇"]))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([label for _key, label in REPORT_COLUMNS])
    for w in data["workers"]:
        sheet.append(xlsx_row(sheet, [_number(w[key]) for key, _label in REPORT_COLUMNS]))
    totals = data["totals"]
    sheet.append(["合计", "", "", *[_number(totals[k]) for k, _l in REPORT_COLUMNS[3:]]])
    for row in sheet.iter_rows(min_row=3, min_col=4):
        for cell in row:
            cell.number_format = money.XLSX_FORMAT
    findings = book.create_sheet("对标平均工资")
    findings.append(["当地职工平均工资", _number(data["average_wage"] or "")])
    findings.append(["待遇标准", _number(data["benchmark"] or "")])
    findings.append([])
    findings.append(
        ["口径", "低于标准人数", "低于标准社区数", "书记主任人数", "达到平均工资", "占比(%)"]
    )
    for f in data["benchmark_findings"]:
        findings.append(
            [
                f["label"],
                len(f["workers_below"]),
                len(f["units_below"]),
                f["leaders"],
                f["leaders_at_average_wage"],
                f["leaders_share"],
            ]
        )
    for f in data["benchmark_findings"]:
        findings.append([])
        findings.append(
            xlsx_row(findings, [f"{f['label']}口径低于标准的人员", "社区", "全年", "差额"])
        )
        for b in f["workers_below"]:
            findings.append(
                xlsx_row(
                    findings, [b["name"], b["community"], _number(b["annual"]), _number(b["gap"])]
                )
            )
    for cell in (c for row in findings.iter_rows() for c in row):
        if isinstance(cell.value, Decimal):
            cell.number_format = money.XLSX_FORMAT
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_docx(data: dict[str, Any]) -> bytes:
    """The yearly pay report as Word: the three calibers, the benchmark findings as prose and
    a table of the workers below the benchmark (take-home caliber)."""
    from docx import Document

    doc = Document()
    doc.add_heading(docx_text(f"{data['unit']['name']}{data['year']}年社区工作者待遇情况"), level=1)
    totals = {k: money.money_text(v) for k, v in data["totals"].items()}
    n = len(data["workers"])
    doc.add_paragraph(
        f"全年发放工资的社区工作者 {n} 人,总成本 {totals['total_cost']} 元(含单位缴纳"
        f" {totals['employer_contributions']} 元),应发 {totals['gross']} 元(含个人缴纳"
        f" {totals['personal_contributions']} 元),个人所得税 {totals['income_tax']} 元,"
        f"实发 {totals['net']} 元。"
    )
    if data["average_wage"]:
        doc.add_paragraph(
            f"当地职工平均工资 {money.money_text(data['average_wage'])} 元/年,"
            f"待遇标准 {money.money_text(data['benchmark'])} 元/年。"
        )
    for f in data["benchmark_findings"]:
        doc.add_paragraph(
            f"按{f['label']}口径,低于标准的 {len(f['workers_below'])} 人、社区"
            f" {len(f['units_below'])} 个;书记、主任 {f['leaders']} 人中达到平均工资的"
            f" {f['leaders_at_average_wage']} 人,占 {f['leaders_share']}%。"
        )
    net = next((f for f in data["benchmark_findings"] if f["caliber"] == "net"), None)
    if net and net["workers_below"]:
        doc.add_heading("实发低于标准的人员", level=2)
        table = doc.add_table(rows=1, cols=4)
        for cell, text in zip(
            table.rows[0].cells, ["姓名", "社区", "全年实发", "差额"], strict=True
        ):
            cell.text = text
        for b in net["workers_below"][:500]:
            cells = table.add_row().cells
            for cell, text in zip(
                cells,
                [
                    b["name"],
                    b["community"],
                    money.money_text(b["annual"]),
                    money.money_text(b["gap"]),
                ],
                strict=True,
            ):
                cell.text = docx_text(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def benchmark_sheets(found: dict[str, Any], *, shown: bool) -> list[Sheet]:
    """The benchmark (selectors.benchmark) as sheets: per caliber the people below it (their
    amounts "***" unless `shown`, as on the page) and the communities below it (a community
    too small to show says so, as on the page)."""
    unit, year = found["unit"], found["year"]
    sheets = []
    for c in found["calibers"]:
        heading = _("%(unit)s %(year)s年 %(caliber)s口径低于待遇标准的人员") % {
            "unit": unit.name,
            "year": year,
            "caliber": c["label"],
        }
        sheets.append(
            Sheet(
                title=_("%(caliber)s 人员") % {"caliber": c["label"]},
                heading=heading,
                columns=[
                    Column(_("姓名"), width=12),
                    Column(_("社区"), width=16),
                    Column(_("月数"), "int", 6),
                    Column(_("全年(折算)"), "money", 14),
                    Column(_("待遇标准"), "money", 14),
                    Column(_("差额"), "money", 14),
                ],
                rows=[
                    [
                        b["worker"].name,
                        b["community"],
                        b["worker"].months,
                        b["amount"] if shown else MASK,
                        b["benchmark"],
                        b["gap"] if shown else MASK,
                    ]
                    for b in c["below"]
                ],
            )
        )
        sheets.append(
            Sheet(
                title=_("%(caliber)s 社区") % {"caliber": c["label"]},
                heading=_("%(unit)s %(year)s年 %(caliber)s口径人均低于待遇标准的社区")
                % {"unit": unit.name, "year": year, "caliber": c["label"]},
                columns=[
                    Column(_("社区"), width=16),
                    Column(_("人数"), "int", 6),
                    Column(_("人均"), "money", 14),
                    Column(_("待遇标准"), "money", 14),
                    Column(_("差额"), "money", 14),
                ],
                rows=[
                    [u["name"], u["workers"], u["average"], u["benchmark"], u["gap"]]
                    for u in c["units_below"]
                ],
            )
        )
    return sheets
