"""The marked error sheet every import hands back: the uploaded rows with the bad cells
highlighted, a comment on each, a 错误说明 column and the row's number in the upload."""

from __future__ import annotations

import datetime
import io
from collections.abc import Mapping
from typing import Any

from shegong.core.errors import RowError
from shegong.core.sheets import SheetRow
from shegong.core.text import xlsx_row, xml_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def errors_workbook(
    *,
    rows: list[SheetRow],
    columns: list[str],
    errors: list[RowError],
    labels: Mapping[str, str] | None = None,
) -> bytes:
    """The uploaded rows as .xlsx with the bad cells highlighted and a 错误说明 column.

    Columns are written under their labels (`labels` maps a column's key to the header the
    error list names; an import whose keys are the headers passes none); the 原行号 column
    gives each row's number in the uploaded file (the number the error list uses)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    labels = labels or {}
    headers = [labels.get(c, c) for c in columns]
    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    bad = PatternFill("solid", fgColor="FFC7CE")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "错误标注"
    sheet.append([*headers, "错误说明", "原行号"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    note_column = len(headers) + 1
    for row in rows:
        values = [_cell_out(row.values.get(c)) for c in columns]
        row_errors = by_row.get(row.number, [])
        # The uploaded values go back as text: a hostile cell is never a formula here.
        note = ";".join(f"{e.column}:{e.reason}" for e in row_errors)
        sheet.append(xlsx_row(sheet, [*values, note, row.number]))
        out_row = sheet.max_row
        for error in row_errors:
            if error.column in headers:
                cell = sheet.cell(row=out_row, column=headers.index(error.column) + 1)
                cell.fill = bad
                cell.comment = Comment(xml_text(error.reason), "shegong")
        if row_errors:
            sheet.cell(row=out_row, column=note_column).font = Font(color="9C0006")
    numbers = {r.number for r in rows}
    for error in (e for e in errors if e.row not in numbers):
        sheet.append(
            xlsx_row(sheet, [*[""] * len(headers), f"{error.column}:{error.reason}", error.row])
        )
    sheet.column_dimensions["B"].width = 22
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_out(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | int | float) or value is None:
        return value
    return str(value)
