"""Long lists on pages: one page of them, and the whole list as an .xlsx.

Every long list pages through `page_of` (the template includes "pagination.html") and offers
its whole content through `xlsx_response`: a title row, a bold header, numbers written as
numbers (money with the 1,234,567.89 format, rates and shares as decimals), dates as dates and
every text a string cell (core/text.py). What the page masks the caller passes already masked
("***" is text): the export shows exactly what the page shows, only all of it."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse

from shegong.core.text import xlsx_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50
FORMATS = {
    "money": "#,##0.00",
    "rate": "0.00%",
    "factor": "0.00",
    "int": "0",
    "date": "yyyy-mm-dd",
    "text": "@",
}


def shown(value: Any, kind: str) -> str:
    """A cell of a list as its page shows it: money as 1,234,567.89, a rate or a share as a
    percentage (0.16 → 16.00%), a factor with two decimals (×1.06 → 1.06), a date as 2026-01-01."""
    from shegong.core.money import money_text

    if value is None or value == "" or isinstance(value, str):
        return "" if value is None else value
    if kind == "money":
        return money_text(value)
    if kind == "rate":
        return f"{Decimal(str(value)) * 100:.2f}%"
    if kind == "factor":
        return f"{Decimal(str(value)):.2f}"
    if kind == "date" and isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


T = TypeVar("T")


def page_of(request: HttpRequest, items: Sequence[T] | Any, size: int | None = None) -> Page:  # type: ignore[type-arg]
    """The page of `items` (a list or a queryset) the request asks for (`?page=`, `?size=`),
    as every long list pages (core/lists.py): a page number out of range gives the nearest."""
    from shegong.core import lists

    return lists.page_of(request.GET, items, default_size=size or PAGE_SIZE)


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text | money | rate | int | date
    width: int = 12


@dataclass(frozen=True)
class Sheet:
    title: str  # the sheet's name (at most 31 characters)
    heading: str  # the first row
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


def _cell(sheet: Any, value: Any, column: Column) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str) or value is None:
        return xlsx_cell(sheet, "" if value is None else value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, (Decimal, int, float, datetime.date)) and column.kind != "text":
        cell.number_format = FORMATS[column.kind]
    return cell


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        for n, column in enumerate(spec.columns, 1):
            sheet.column_dimensions[get_column_letter(n)].width = column.width
        sheet.freeze_panes = "A3"
        title = xlsx_cell(sheet, spec.heading)
        title.font = Font(bold=True, size=13)
        sheet.append([title])
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=column.label)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in spec.rows:
            sheet.append([_cell(sheet, v, c) for v, c in zip(row, spec.columns, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """The workbook as a download named `filename` (ASCII, ending in .xlsx)."""
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
