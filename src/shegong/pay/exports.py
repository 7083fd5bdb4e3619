"""The pay register (工资表) of a run as .xlsx: one row per worker, every component,
contribution and caliber, and a total row. Amounts are masked for viewers without the
personal-data permission; a register that shows them is recorded in the audit trail."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from shegong.core.audit import AuditAction, audit_record
from shegong.pay import selectors
from shegong.pay.models import PayRun
from shegong.pay.services import LINE_MONEY_FIELDS

if TYPE_CHECKING:
    from shegong.core.models import User

MASK = "***"


def register_xlsx(*, viewer: User, run: PayRun) -> bytes:
    """`run` must come from selectors.run_get (already scoped)."""
    shown = selectors.may_see_pay(viewer=viewer, unit_path=run.unit_path)
    communities = selectors.community_names(
        set(selectors.run_lines(viewer=viewer, run=run).values_list("unit_path", flat=True))
    )
    labels = [selectors.field_label(name) for name in LINE_MONEY_FIELDS]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("工资表")
    sheet.append(
        [f"{run.unit.name} {run.period:%Y年%m月} {_('工资表')}({run.get_status_display()})"]
    )
    sheet["A1"].font = Font(bold=True, size=14)
    header = [_("序号"), _("社区"), _("姓名"), _("岗位序列"), _("等级"), _("档次"), *labels]
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for n, line in enumerate(selectors.run_lines(viewer=viewer, run=run), 1):
        amounts = [getattr(line, name) if shown else MASK for name in LINE_MONEY_FIELDS]
        sheet.append(
            [
                n,
                communities.get(line.unit_path, ""),
                line.worker.name,
                line.track_name,
                line.level,
                line.step,
                *amounts,
            ]
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
            *[totals.get(name, "") for name in LINE_MONEY_FIELDS],
        ]
    )
    for row in sheet.iter_rows(min_row=3, min_col=7):
        for cell in row:
            cell.number_format = "#,##0.00"
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
