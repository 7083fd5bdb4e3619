"""Reading the sheets offices keep (.xlsx, .xls, .ods, .csv in UTF-8 or GBK) into rows.

Headers are matched through aliases; full-width characters and stray spaces are folded, blank
rows are skipped. Each row keeps its number in the sheet so errors point at it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _


class SheetError(Exception):
    """The file cannot be read as a sheet at all."""


@dataclass
class SheetRow:
    number: int  # the row number a person sees in Excel (header is row 1)
    values: dict[str, Any] = field(default_factory=dict)


def fold(text: Any) -> str:
    """Full-width to half-width, no stray or inner spaces at the ends, None to ''."""
    if text is None:
        return ""
    if type(text) is not str:
        if isinstance(text, float) and text.is_integer():
            text = int(text)
        text = str(text)
    # NFKC also turns the ideographic space (U+3000) into a plain one; ASCII is already folded.
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()


def fold_header(text: Any) -> str:
    return "".join(fold(text).split()).replace("*", "")


def _rows_from_csv(raw: bytes) -> Iterator[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise SheetError(_("无法识别文件编码,请另存为UTF-8或GBK编码的CSV"))
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    yield from csv.reader(io.StringIO(text), dialect)


def _rows_from_xlsx(raw: bytes) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise SheetError(_("无法读取Excel文件:%(error)s") % {"error": exc}) from exc
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(values_only=True):
        yield list(row)
    book.close()


def _rows_from_xls(raw: bytes) -> Iterator[list[Any]]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=raw)
    except Exception as exc:
        raise SheetError(_("无法读取Excel 97-2003文件:%(error)s") % {"error": exc}) from exc
    sheet = book.sheet_by_index(0)
    for r in range(sheet.nrows):
        row: list[Any] = []
        for c in range(sheet.ncols):
            cell = sheet.cell(r, c)
            if cell.ctype == xlrd.XL_CELL_DATE:
                row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
            else:
                row.append(cell.value)
        yield row


def _rows_from_ods(raw: bytes) -> Iterator[list[Any]]:
    from odf import opendocument, table, teletype

    try:
        doc = opendocument.load(io.BytesIO(raw))
    except Exception as exc:
        raise SheetError(_("无法读取ODS文件:%(error)s") % {"error": exc}) from exc
    sheets = doc.spreadsheet.getElementsByType(table.Table)
    if not sheets:
        return
    for tr in sheets[0].getElementsByType(table.TableRow):
        row: list[Any] = []
        for cell in tr.getElementsByType(table.TableCell):
            repeat = int(cell.getAttribute("numbercolumnsrepeated") or 1)
            value_type = cell.getAttribute("valuetype")
            value: Any
            if value_type == "date":
                value = datetime.date.fromisoformat(cell.getAttribute("datevalue")[:10])
            elif value_type in {"float", "currency", "percentage"}:
                value = cell.getAttribute("value")
            else:
                value = teletype.extractText(cell)
            row.extend([value] * min(repeat, 200))
        yield row


READERS = {
    ".csv": _rows_from_csv,
    ".txt": _rows_from_csv,
    ".xlsx": _rows_from_xlsx,
    ".xlsm": _rows_from_xlsx,
    ".xls": _rows_from_xls,
    ".ods": _rows_from_ods,
}


def read_sheet(
    source: IO[bytes] | bytes | Path, filename: str, aliases: Mapping[str, str]
) -> tuple[list[str], list[SheetRow]]:
    """Rows keyed by canonical column names (per `aliases`: folded header -> canonical).

    Returns the canonical columns found and the non-blank rows. Unknown headers are kept
    under their folded text, so a caller can report or ignore them.
    """
    suffix = Path(filename).suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise SheetError(
            _("不支持的文件类型%(suffix)s,请上传 .xlsx、.xls、.ods 或 .csv 文件")
            % {"suffix": suffix or "(无扩展名)"}
        )
    if isinstance(source, Path):
        raw = source.read_bytes()
    elif isinstance(source, bytes):
        raw = source
    else:
        raw = source.read()
    rows = reader(raw)
    header: list[str] | None = None
    header_number = 0
    out: list[SheetRow] = []
    for number, row in enumerate(rows, start=1):
        if header is None:
            folded = [fold_header(cell) for cell in row]
            if not any(folded):
                continue  # blank rows above the header
            # A title line above the real header ("XX街道社区工作者花名册") is common.
            if not any(cell in aliases for cell in folded) and number <= 5:
                continue
            header = [aliases.get(cell, cell) for cell in folded]
            header_number = number
            continue
        if not any(fold(cell) for cell in row):
            continue
        values = {name: row[i] if i < len(row) else None for i, name in enumerate(header) if name}
        out.append(SheetRow(number=number, values=values))
    if header is None:
        raise SheetError(_("文件中没有找到表头"))
    del header_number
    return [h for h in header if h], out
