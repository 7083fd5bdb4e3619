"""Reading the sheets offices keep into rows: .xlsx, .xls, .xlsb and .ods through
python-calamine, .csv (UTF-8, GBK, Big5 or UTF-16) and web pages saved as .xls (HTML tables).

The file's kind is told by its bytes, not its name. Every file is bounded while it is read
(bytes, rows, columns: settings SHEGONG_UPLOAD_MAX_BYTES, SHEGONG_IMPORT_MAX_ROWS,
SHEGONG_IMPORT_MAX_COLUMNS, SHEGONG_IMPORT_MAX_UNZIPPED_BYTES); what a file declares about
itself (dimensions, repeat counts, unpacked sizes) is not trusted: before calamine builds a
sheet, the sheet's XML is scanned for the cells it really places, because calamine allocates
the whole rectangle from the first to the farthest cell.

Headers are matched through aliases (full-width characters, spaces and traditional characters
folded) and may span two rows (merged 姓名 over a grouped header); the sheet holding the header
is found among all sheets; trailing 合计 / 共20人 / note rows are skipped and said; hidden rows
(.xlsx) are reported and imported or skipped as asked. Each row keeps the number a person sees
in Excel, so errors point at it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class SheetError(Exception):
    """The file cannot be read as a sheet at all; the message says why, in one sentence."""


class SheetChoiceError(SheetError):
    """Several sheets could hold the list: the caller asks which (`names`)."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


@dataclass
class SheetRow:
    number: int  # the row number a person sees in Excel
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class SheetTable:
    """What was read: the canonical columns, the data rows and what the preview says."""

    columns: list[str]
    rows: list[SheetRow]
    kind: str = ""
    sheet_name: str = ""
    sheet_names: list[str] = field(default_factory=list)
    header_rows: list[int] = field(default_factory=list)
    skipped_rows: list[int] = field(default_factory=list)  # 合计 / note rows at the end
    hidden_rows: list[int] = field(default_factory=list)  # hidden in the workbook
    hidden_skipped: bool = False
    notes: list[str] = field(default_factory=list)  # one line each for the preview


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_rows: int
    max_columns: int
    max_unzipped: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_bytes=settings.SHEGONG_UPLOAD_MAX_BYTES,
            max_rows=settings.SHEGONG_IMPORT_MAX_ROWS,
            max_columns=settings.SHEGONG_IMPORT_MAX_COLUMNS,
            max_unzipped=settings.SHEGONG_IMPORT_MAX_UNZIPPED_BYTES,
        )

    @property
    def sheet_rows(self) -> int:
        # Room above the data for titles and a two-row header, and below it for totals.
        return self.max_rows + 50


# ---------------------------------------------------------------- folding

# Traditional characters of the headers and vocabularies offices use (Big5 sheets from
# Hong Kong, Macao or Taiwan systems), folded for matching only: values keep their text.
_TRADITIONAL = str.maketrans(
    "證號碼區別歷學職務電話聯繫係陽員黨團眾會間參與專業單級簽數華漢東們態齊歲實際稱戶備註"
    "籍貫婚姻狀況駐屬簡護機關現齡資經驗歸屬勞動線總計來",
    "证号码区别历学职务电话联系系阳员党团众会间参与专业单级签数华汉东们态齐岁实际称户备注"
    "籍贯婚姻状况驻属简护机关现龄资经验归属劳动线总计来",
)


def fold(text: Any) -> str:
    """Full-width to half-width, no stray spaces at the ends, None to ''."""
    if text is None:
        return ""
    if type(text) is not str:
        if isinstance(text, float) and text.is_integer():
            text = int(text)
        text = str(text)
    # NFKC also turns the ideographic space (U+3000) into a plain one; ASCII is already folded.
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()


def fold_header(text: Any) -> str:
    folded = "".join(fold(text).split()).replace("*", "")
    return folded if folded.isascii() else folded.translate(_TRADITIONAL)


# ---------------------------------------------------------------- numbers that lost digits

SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")


def digits_lost_message(label: str) -> str:
    """The one message every import gives for a code or ID number saved as a number."""
    return _(
        "“%(column)s”被存成了数字(如科学计数法4.30105E+11),末几位已丢失;"
        "请把该列设为文本格式后重新录入"
    ) % {"column": label}


def code_text(value: Any) -> tuple[str, bool]:
    """A code or ID number cell as text, and whether its digits were lost to number format.

    Integers and whole floats up to 15 digits are exact (a spreadsheet keeps 15 significant
    digits); a leading apostrophe (Excel's 'text' mark typed into a CSV) is dropped."""
    if isinstance(value, bool):
        return fold(value), False
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            return fold(value), True
        text = str(int(value))
        return text, len(text) > 15
    text = fold(value)
    if text[:1] in {"'", "‘", "’"}:
        text = text[1:].strip()
    if SCIENTIFIC.match(text):
        return text, True
    return text, False


# ---------------------------------------------------------------- telling the kind of file

_KIND_NAMES = {
    "xlsx": "Excel(.xlsx)",
    "xls": "Excel 97-2003(.xls)",
    "xlsb": "Excel 二进制(.xlsb)",
    "ods": "OpenDocument(.ods)",
    "csv": "CSV",
    "html": "网页表格",
}
SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".txt", ".htm", ".html"}


def _refuse_suffix(filename: str) -> None:
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetError(
            _("不支持的文件类型%(suffix)s,请上传 .xlsx、.xls、.ods 或 .csv 文件")
            % {"suffix": suffix or _("(无扩展名)")}
        )


def _kind_of(raw: bytes) -> str:
    """xlsx / xlsb / ods / xls / html / csv, from the bytes; SheetError for what is no sheet."""
    if not raw.strip():
        raise SheetError(_("这是一个空文件,没有任何内容;请确认选对了文件后重新上传"))
    head = raw[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(raw)
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        if b"W\x00o\x00r\x00d\x00D\x00o\x00c" in raw[:65536]:
            raise SheetError(_("这个文件是 Word 文档,不是表格;请上传 Excel 或 CSV 文件"))
        return "xls"
    if head.startswith(b"%PDF"):
        raise SheetError(_("这个文件是 PDF 文档,不是表格;请上传 Excel 或 CSV 文件"))
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise SheetError(_("这个文件是图片,不是表格;请上传 Excel 或 CSV 文件"))
    if head.startswith((b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        raise SheetError(_("这个文件是压缩包,不是表格;请解压后上传其中的 Excel 或 CSV 文件"))
    if b"urn:schemas-microsoft-com:office:spreadsheet" in raw[:4096]:
        raise SheetError(
            _("这个文件是 Excel 2003 存成的文本表格;请在 Excel 中打开后另存为 .xlsx 再上传")
        )
    sniff = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if sniff.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or (
        sniff.startswith(b"<") and b"<table" in raw[:65536].lower()
    ):
        return "html"
    if b"\x00" in raw[:4096] and not _utf16_bom(raw) and raw[:4096].count(b"\x00") < 200:
        raise SheetError(_("这个文件不是可识别的表格文件;请在 Excel 中另存为 .xlsx 后再上传"))
    return "csv"


def _utf16_bom(raw: bytes) -> bool:
    return raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _zip_kind(raw: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(raw)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(
            _("这个 Excel 文件不完整或已损坏(可能没有下载或复制完整);请重新保存后再上传")
        ) from exc
    if "mimetype" in names and "content.xml" in names:
        return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        raise SheetError(_("这个文件是 Word 文档,不是表格;请上传 Excel 或 CSV 文件"))
    if "ppt/presentation.xml" in names:
        raise SheetError(_("这个文件是 PowerPoint 演示文稿,不是表格;请上传 Excel 或 CSV 文件"))
    raise SheetError(_("这个文件是压缩包,不是表格;请解压后上传其中的 Excel 或 CSV 文件"))


# ---------------------------------------------------------------- guards before calamine


def _too_many_rows(limits: Limits) -> SheetError:
    return SheetError(
        _("表格超过%(n)d行,一次最多导入%(n)d行;请把文件拆分后分批上传") % {"n": limits.max_rows}
    )


def _too_many_columns(limits: Limits) -> SheetError:
    return SheetError(
        _("表格超过%(n)d列;请删去多余的列(或清除远处单元格中的内容)后再上传")
        % {"n": limits.max_columns}
    )


def _too_big_unpacked() -> SheetError:
    return SheetError(_("这个文件解压后过大,不像正常的表格;请在 Excel 中另存为 .xlsx 后再上传"))


def _column_number(letters: bytes) -> int:
    number = 0
    for byte in letters:
        number = number * 26 + byte - 64
    return number


_HIDDEN = re.compile(rb" hidden=\"(?:1|true)\"")
_ROW_NUMBER = re.compile(rb"\sr=\"([0-9]+)\"")
_PREFIX = re.compile(rb"<(\w+:)?sheetData[\s>/]")


def _xlsx_guard(zf: zipfile.ZipFile, limits: Limits) -> dict[str, list[int]]:
    """Refuse a workbook whose sheets place cells beyond the limits or unpack too far;
    return each sheet part's hidden rows. Streams each part, never holding it whole."""
    declared = sum(info.file_size for info in zf.infolist())
    if declared > limits.max_unzipped:
        raise _too_big_unpacked()
    hidden: dict[str, list[int]] = {}
    unpacked = 0
    for info in zf.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            # Shared strings, styles …: counted as they unpack (a size the header understates
            # ends in a bad checksum, refused as a broken file).
            with zf.open(info) as part:
                while chunk := part.read(1 << 22):
                    unpacked += len(chunk)
                    if unpacked > limits.max_unzipped:
                        raise _too_big_unpacked()
            continue
        rows_hidden: list[int] = []
        tail = b""
        prefix: bytes | None = None
        cells = 0
        with zf.open(info) as part:
            while True:
                chunk = part.read(1 << 22)
                if not chunk:
                    break
                unpacked += len(chunk)
                if unpacked > limits.max_unzipped:
                    raise _too_big_unpacked()
                data = tail + chunk
                if prefix is None:
                    found = _PREFIX.search(data)
                    if found:
                        prefix = found.group(1) or b""
                tag = b"<" + (prefix or b"") + b"c"
                # Cells without an r attribute are placed one after another: count them all.
                placed = data.count(tag + b" ")
                cells += placed
                if cells > limits.sheet_rows * limits.max_columns:
                    raise _too_many_columns(limits)
                _check_refs(data, tag, placed, limits)
                for hit in _HIDDEN.finditer(data):
                    start = data.rfind(b"<", 0, hit.start())
                    opening = data[start : hit.end()]
                    if b">" not in opening and re.match(rb"<(?:\w+:)?row\s", opening):
                        number = _ROW_NUMBER.search(opening)
                        if number:
                            rows_hidden.append(int(number.group(1)))
                tail = data[-256:]
        hidden[info.filename] = sorted(set(rows_hidden))
    return hidden


def _check_refs(data: bytes, tag: bytes, placed: int, limits: Limits) -> None:
    """Only references with two or more letters or with as many digits as the row limit can
    pass a limit, and a plain sheet has few: those searches run at the speed of a byte scan.
    Writers put r first (Excel, LibreOffice, openpyxl, WPS); a cell with r later is read too."""
    quoted = re.escape(tag)
    lead = quoted + rb' [^>]*?r="' if placed != data.count(tag + b' r="') else quoted + rb' r="'
    letters = 1 if limits.max_columns < 26 else 2
    digits = len(str(limits.sheet_rows))
    pattern = lead + rb"([A-Z]{%d,}[0-9]+|[A-Z]{1,3}[0-9]{%d,})\"" % (letters, digits)
    for ref in set(re.findall(pattern, data)):
        split = len(ref) - len(ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        if _column_number(ref[:split]) > limits.max_columns:
            raise _too_many_columns(limits)
        if int(ref[split:]) > limits.sheet_rows:
            raise _too_many_rows(limits)


_ODS_TAG = re.compile(
    rb"<table:table-row\b([^>]*)>|</table:table-row>|<table:table-cell\b([^>]*?)(/?)>"
    rb"|<table:covered-table-cell\b([^>]*?)/?>|<table:table(?=[\s>])[^>]*>"
)
_REPEAT_COLUMNS = re.compile(rb"table:number-columns-repeated=\"([0-9]+)\"")
_REPEAT_ROWS = re.compile(rb"table:number-rows-repeated=\"([0-9]+)\"")
_HAS_VALUE = re.compile(rb"office:value-type=")


def _ods_guard(zf: zipfile.ZipFile, limits: Limits) -> dict[str, list[int]]:
    """Find how far an .ods really reaches, repeats included, before calamine expands it:
    trailing empty repeats (LibreOffice writes a million) cost nothing, but an empty block
    before a filled row counts, as it does for calamine. Returns each sheet's hidden rows."""
    info = zf.getinfo("content.xml")
    if info.file_size > limits.max_unzipped:
        raise _too_big_unpacked()
    data = zf.open(info).read(limits.max_unzipped + 1)
    if len(data) > limits.max_unzipped:
        raise _too_big_unpacked()
    hidden: dict[str, list[int]] = {}
    sheet_hidden: list[int] = []
    row_at = 0  # rows before the current one, repeats included
    row_repeat = 1
    row_hidden = False
    width = 0  # columns up to the last filled cell of the current row
    position = 0
    for match in _ODS_TAG.finditer(data):
        text = match.group(0)
        if text.startswith(b"<table:table-row"):
            attributes = match.group(1)
            found = _REPEAT_ROWS.search(attributes)
            row_repeat = int(found.group(1)) if found else 1
            row_hidden = b'table:visibility="collapse"' in attributes or (
                b'table:visibility="filter"' in attributes
            )
            width = position = 0
            if attributes.endswith(b"/"):  # an empty row written as one tag
                row_at += row_repeat
        elif text == b"</table:table-row>":
            if width:
                if row_at + row_repeat > limits.sheet_rows:
                    raise _too_many_rows(limits)
                if row_hidden:
                    sheet_hidden.extend(range(row_at + 1, row_at + row_repeat + 1))
            row_at += row_repeat
        elif text.startswith(b"<table:table-cell") or text.startswith(b"<table:covered"):
            attributes = match.group(2) if match.group(2) is not None else match.group(4) or b""
            found = _REPEAT_COLUMNS.search(attributes)
            repeat = int(found.group(1)) if found else 1
            position += repeat
            filled = match.group(3) == b"" or bool(_HAS_VALUE.search(attributes))
            if filled and text.startswith(b"<table:table-cell"):
                width = position
                if width > limits.max_columns:
                    raise _too_many_columns(limits)
        else:  # a new sheet
            name = re.search(rb'table:name="([^"]*)"', text)
            sheet_hidden = []
            hidden[_xml_unescape(name.group(1).decode("utf-8", "replace")) if name else ""] = (
                sheet_hidden
            )
            row_at = 0
    return hidden


def _xlsb_guard(zf: zipfile.ZipFile, limits: Limits) -> None:
    """An .xlsb's cells are binary records: read the row headers and cell columns."""
    for info in zf.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".bin")):
            continue
        if info.file_size > limits.max_unzipped:
            raise _too_big_unpacked()
        data = zf.open(info).read(limits.max_unzipped + 1)
        if len(data) > limits.max_unzipped:
            raise _too_big_unpacked()
        position, end = 0, len(data)
        while position < end:
            kind, position = _xlsb_varint(data, position, 2)
            size, position = _xlsb_varint(data, position, 4)
            first = int.from_bytes(data[position : position + 4], "little") if size >= 4 else 0
            if kind == 0 and first >= limits.sheet_rows:  # BrtRowHdr: the row index first
                raise _too_many_rows(limits)
            if 1 <= kind <= 11 and first >= limits.max_columns:  # cells: the column first
                raise _too_many_columns(limits)
            position += size


# BIFF8 cell records, each starting with its row and column (2 bytes each).
_BIFF_CELLS = {0x06, 0xBD, 0xBE, 0xD6, 0xFD, 0x201, 0x203, 0x204, 0x205, 0x27E}


def _xls_guard(raw: bytes, limits: Limits) -> None:
    """An .xls places at most 65,536 × 256 cells, but calamine builds that whole rectangle
    for one far cell: read the cell records' row and column first."""
    from xlrd.compdoc import CompDoc

    try:
        document = CompDoc(raw, logfile=io.StringIO())
        stream = document.get_named_stream("Workbook") or document.get_named_stream("Book")
    except Exception as exc:  # xlrd's container reader raises its own kinds
        raise _broken("xls") from exc
    if stream is None:
        raise _broken("xls")
    view = memoryview(stream)
    position, end = 0, len(stream) - 4
    rows, columns = limits.sheet_rows, limits.max_columns
    while position <= end:
        kind = view[position] | view[position + 1] << 8
        size = view[position + 2] | view[position + 3] << 8
        if kind in _BIFF_CELLS and size >= 4:
            at = position + 4
            if view[at] | view[at + 1] << 8 >= rows:
                raise _too_many_rows(limits)
            last = at + size - 2 if kind in {0xBD, 0xBE} else at + 2  # MULRK/MULBLANK: last col
            if view[last] | view[last + 1] << 8 >= columns:
                raise _too_many_columns(limits)
        position += 4 + size


def _xlsb_varint(data: bytes, position: int, most: int) -> tuple[int, int]:
    value = shift = 0
    for _step in range(most):
        if position >= len(data):
            break
        byte = data[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    return value, position


# ---------------------------------------------------------------- reading grids


@dataclass
class _Grid:
    name: str
    rows: list[list[Any]]
    first_row: int = 1  # the sheet row number of rows[0]
    hidden: list[int] = field(default_factory=list)
    visible: bool = True  # a hidden sheet (the template's 选项 lists) is read only when named


def _grids_calamine(raw: bytes, kind: str, limits: Limits) -> Iterator[_Grid]:
    import python_calamine

    hidden: dict[str, list[int]] = {}
    if kind == "xls":
        _xls_guard(raw, limits)
    if kind in {"xlsx", "ods", "xlsb"}:
        try:
            zf = zipfile.ZipFile(io.BytesIO(raw))
            if kind == "xlsx":
                hidden = _xlsx_guard(zf, limits)
            elif kind == "ods":
                hidden = _ods_guard(zf, limits)
            else:
                _xlsb_guard(zf, limits)
        except (zipfile.BadZipFile, KeyError, EOFError, zlib_error()) as exc:
            raise _broken(kind) from exc
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except python_calamine.PasswordError as exc:
        raise SheetError(_("这个表格设置了打开密码;请在 Excel 中取消密码后再上传")) from exc
    except Exception as exc:  # calamine reports broken files in many kinds, in English
        raise _broken(kind) from exc
    # Hidden rows are keyed by sheet part in an .xlsx, by sheet name in an .ods.
    parts = _xlsx_sheet_parts(raw) if kind == "xlsx" else {name: name for name in hidden}
    metadata = book.sheets_metadata
    if not metadata:
        raise SheetError(
            _("这个%(kind)s文件里没有任何工作表;请在 Excel 中打开检查后重新保存再上传")
            % {"kind": _KIND_NAMES[kind]}
        )
    for index, meta in enumerate(metadata):
        if meta.typ != python_calamine.SheetTypeEnum.WorkSheet:
            continue  # chart and dialog sheets hold no rows
        try:
            sheet = book.get_sheet_by_index(index)
            # Checked before any Python object is made: .xls cells are not scanned beforehand
            # (the format itself stops at 65,536 × 256).
            end = sheet.end
            if end is not None and end[0] >= limits.sheet_rows:
                raise _too_many_rows(limits)
            if end is not None and end[1] >= limits.max_columns * 4:
                raise _too_many_columns(limits)
            rows = sheet.to_python(skip_empty_area=False)
            merged = sheet.merged_cell_ranges or []
        except SheetError:
            raise
        except Exception as exc:
            raise _broken(kind) from exc
        if rows and len(rows[0]) > limits.max_columns:
            # Width counts to the farthest cell; trailing blank columns are harmless.
            rows = [_trim(row, limits) for row in rows]
        _fill_merged(rows, merged)
        yield _Grid(
            name=meta.name,
            rows=rows,
            first_row=1,
            hidden=hidden.get(parts.get(meta.name, ""), []),
            visible=meta.visible == python_calamine.SheetVisibleEnum.Visible,
        )


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def _trim(row: list[Any], limits: Limits) -> list[Any]:
    if any(cell not in ("", None) for cell in row[limits.max_columns :]):
        raise _too_many_columns(limits)
    return row[: limits.max_columns]


def _fill_merged(rows: list[list[Any]], merged: Iterable[Any]) -> None:
    """A merged block's value stands in every cell it covers (calamine gives the first only):
    a 社区 merged down over its workers, a 姓名 merged down over a two-row header."""
    for (top, left), (bottom, right) in merged:
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        if bottom - top > 10000 or right - left > 1000:
            continue
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(left, min(right, len(row) - 1) + 1):
                if (r, c) != (top, left) and row[c] in ("", None):
                    row[c] = value


def _xlsx_sheet_parts(raw: bytes) -> dict[str, str]:
    """Sheet name → its part in the zip, to attach the hidden rows found by the guard."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        book = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile):
        return {}
    targets = {
        rid.decode(): target.decode()
        for rid, target in re.findall(
            rb"<Relationship [^>]*?Id=\"([^\"]+)\"[^>]*?Target=\"([^\"]+)\"", rels
        )
    }
    targets.update(
        {
            rid.decode(): target.decode()
            for target, rid in re.findall(
                rb"<Relationship [^>]*?Target=\"([^\"]+)\"[^>]*?Id=\"([^\"]+)\"", rels
            )
        }
    )
    parts: dict[str, str] = {}
    for tag in re.findall(rb"<(?:\w+:)?sheet [^>]*>", book):
        name = re.search(rb"name=\"([^\"]*)\"", tag)
        rid = re.search(rb"r:id=\"([^\"]*)\"", tag) or re.search(rb"\bid=\"([^\"]*)\"", tag)
        if not name or not rid:
            continue
        target = targets.get(rid.group(1).decode(), "")
        target = target.lstrip("/")
        if not target.startswith("xl/"):
            target = "xl/" + target
        parts[_xml_unescape(name.group(1).decode("utf-8", "replace"))] = target
    return parts


def _xml_unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _broken(kind: str) -> SheetError:
    return SheetError(
        _("这个%(kind)s文件已损坏或不完整,无法读取;请在 Excel 中打开后另存为 .xlsx 再上传")
        % {"kind": _KIND_NAMES[kind]}
    )


def _decode_text(raw: bytes, aliases: Mapping[str, str]) -> tuple[str, str]:
    """The text and its encoding: UTF-16 (BOM or NUL pattern), UTF-8, else GBK or Big5,
    whichever finds more known headers."""
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        return raw.decode("utf-16"), "UTF-16"
    sample = raw[:4096]
    if sample.count(b"\x00") * 4 > len(sample):
        even = sample[0::2].count(b"\x00")
        odd = sample[1::2].count(b"\x00")
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        try:
            return raw.decode(encoding), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[int, int, str, str]] = []
    for order, (encoding, label) in enumerate((("gb18030", "GBK"), ("big5", "Big5"))):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        head = text[:8192]
        score = sum(1 for key in aliases if len(key) > 1 and key in fold_header(head))
        candidates.append((score, -order, text, label))
    if not candidates:
        raise SheetError(_("无法识别这个CSV文件的文字编码;请另存为UTF-8或GBK编码的CSV后再上传"))
    best = max(candidates, key=lambda c: (c[0], c[1]))
    return best[2], best[3]


def _grid_csv(raw: bytes, aliases: Mapping[str, str], limits: Limits) -> tuple[_Grid, str]:
    text, encoding = _decode_text(raw, aliases)
    dialect: type[csv.Dialect] | csv.Dialect = csv.excel
    with contextlib.suppress(csv.Error):
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    csv.field_size_limit(1 << 20)
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(rows) >= limits.sheet_rows:
                raise _too_many_rows(limits)
            if len(row) > limits.max_columns:
                row = _trim(row, limits)
            rows.append(row)
    except csv.Error as exc:
        raise SheetError(
            _("这个CSV文件的格式有误(例如引号没有成对);请在 Excel 中打开后另存为 .xlsx 再上传")
        ) from exc
    return _Grid(name="", rows=rows), encoding


class _TableParser(HTMLParser):
    """The first table of a page (government systems export these as .xls), rowspan and
    colspan spread over the cells they cover, bounded by the limits as it goes."""

    def __init__(self, limits: Limits) -> None:
        super().__init__(convert_charrefs=True)
        self.limits = limits
        self.rows: list[list[Any]] = []
        self.depth = 0
        self.done = False
        self.cell: list[str] | None = None
        self.span = (1, 1)
        self.pending: dict[tuple[int, int], str] = {}  # (row, col) filled by a rowspan above
        self.row: list[Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "table":
            self.depth += 1
        elif self.depth == 1 and tag == "tr":
            self._end_row()
            if len(self.rows) >= self.limits.sheet_rows:
                raise _too_many_rows(self.limits)
            self.row = []
        elif self.depth == 1 and tag in {"td", "th"}:
            if self.row is None:
                self.row = []
            self._end_cell()
            values = dict(attrs)
            self.span = (_span(values.get("rowspan")), _span(values.get("colspan")))
            if self.span[1] > self.limits.max_columns:
                raise _too_many_columns(self.limits)
            if self.span[0] > self.limits.sheet_rows:
                raise _too_many_rows(self.limits)
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self.done:
            return
        if tag in {"td", "th"}:
            self._end_cell()
        elif tag == "tr":
            self._end_row()
        elif tag == "table":
            self._end_row()
            self.depth -= 1
            if self.depth == 0 and self.rows:
                self.done = True

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def _end_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        text = "".join(self.cell).replace("\xa0", " ").strip()
        r = len(self.rows)
        self._skip_pending(r)
        rowspan, colspan = self.span
        for c in range(len(self.row), len(self.row) + colspan):
            for below in range(1, rowspan):
                self.pending[(r + below, c)] = text
        self.row.extend([text] * colspan)
        if len(self.row) > self.limits.max_columns:
            raise _too_many_columns(self.limits)
        self.cell = None

    def _skip_pending(self, r: int) -> None:
        assert self.row is not None
        while (r, len(self.row)) in self.pending:
            self.row.append(self.pending.pop((r, len(self.row))))

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is not None:
            self._skip_pending(len(self.rows))
            self.rows.append(self.row)
            self.row = None


def _span(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


def _grid_html(raw: bytes, limits: Limits) -> _Grid:
    head = raw[:4096].lower()
    charset = re.search(rb"charset=[\"']?([a-z0-9_-]+)", head)
    encodings = [charset.group(1).decode()] if charset else []
    text = None
    for encoding in [*encodings, "utf-8-sig", "gb18030"]:
        try:
            text = raw.decode(encoding)
            break
        except (UnicodeDecodeError, LookupError):
            continue
    if text is None:  # pragma: no cover - gb18030 decodes any byte string
        text = raw.decode("utf-8", "replace")
    parser = _TableParser(limits)
    parser.feed(text)
    parser.close()
    parser._end_row()
    if not parser.rows:
        raise SheetError(_("这个文件是网页,里面没有表格;请在 Excel 中打开后另存为 .xlsx 再上传"))
    return _Grid(name="", rows=parser.rows)


# ---------------------------------------------------------------- finding the header

HEADER_SEARCH = 12
_TRAILER = re.compile(
    r"^(合计|总计|小计|共计|总数|累计|共\d+(人|名|条|个|户|行)|备注|注[::]|说明|填表人|制表人|"
    r"填报人|审核人|审核|负责人|单位负责人|经办人|联系人|填表日期|制表日期|填报日期|签字|盖章|"
    r"（盖章）|\(盖章\))"
)


@dataclass
class _Header:
    names: list[str]
    rows: list[int]  # indexes into the grid
    score: int


def _find_header(grid: _Grid, aliases: Mapping[str, str]) -> _Header | None:
    folded = [[fold_header(cell) for cell in row] for row in grid.rows[:HEADER_SEARCH]]
    best: _Header | None = None
    for i, cells in enumerate(folded):
        score = len({aliases[c] for c in cells if c in aliases})
        if not score:
            continue
        candidate = _Header([aliases.get(c, c) for c in cells], [i], score)
        # A two-row header: 姓名 merged down beside 联系方式 over 手机 / 电话.
        if i + 1 < len(folded):
            combined = _combine(cells, folded[i + 1], aliases)
            combined_score = len({n for n in combined if n in aliases.values()})
            if combined_score > score:
                candidate = _Header(combined, [i, i + 1], combined_score)
        if best is None or candidate.score > best.score:
            best = candidate
    return best


def _combine(upper: list[str], lower: list[str], aliases: Mapping[str, str]) -> list[str]:
    names = []
    for c in range(max(len(upper), len(lower))):
        top = upper[c] if c < len(upper) else ""
        bottom = lower[c] if c < len(lower) else ""
        if bottom in aliases:
            names.append(aliases[bottom])
        elif top in aliases:
            names.append(aliases[top])
        else:
            names.append(bottom or top)
    return names


# ---------------------------------------------------------------- the entry points


def _raw_bytes(source: IO[bytes] | bytes | Path, limits: Limits) -> bytes:
    if isinstance(source, Path):
        if source.stat().st_size > limits.max_bytes:
            raise _too_large(limits)
        return source.read_bytes()
    raw = source if isinstance(source, bytes) else source.read(limits.max_bytes + 1)
    if len(raw) > limits.max_bytes:
        raise _too_large(limits)
    return raw


def _too_large(limits: Limits) -> SheetError:
    return SheetError(
        _("文件超过%(mb)s MB,请拆分后分批上传") % {"mb": f"{limits.max_bytes / 1048576:g}"}
    )


def read_table(
    source: IO[bytes] | bytes | Path,
    filename: str,
    aliases: Mapping[str, str],
    *,
    sheet: str | None = None,
    skip_hidden: bool = False,
    limits: Limits | None = None,
) -> SheetTable:
    """Read a whole file once, bounded, into rows keyed by canonical column names (per
    `aliases`: folded header → canonical). Unknown headers are kept under their folded text.

    `sheet` names the sheet to read when several could hold the list (SheetChoiceError
    otherwise); `skip_hidden` leaves out the rows hidden in the workbook."""
    limits = limits or Limits.from_settings()
    _refuse_suffix(filename)
    raw = _raw_bytes(source, limits)
    kind = _kind_of(raw)
    notes: list[str] = []
    suffix = Path(filename).suffix.lower()
    if kind == "html" and suffix not in {".htm", ".html"}:
        notes.append(_("这个文件实际上是网页表格(常见于从其他系统导出的 .xls),已按表格读取"))
    encoding = ""
    if kind in {"xlsx", "xls", "xlsb", "ods"}:
        grids = list(_grids_calamine(raw, kind, limits))
    elif kind == "html":
        grids = [_grid_html(raw, limits)]
    else:
        grid, encoding = _grid_csv(raw, aliases, limits)
        grids = [grid]
    del raw
    found = [(grid, header) for grid in grids if (header := _find_header(grid, aliases))]
    names = [grid.name for grid in grids]
    if sheet:
        found = [(g, h) for g, h in found if g.name == sheet]
        if not found:
            raise SheetError(
                _("工作表“%(sheet)s”中没有找到表头;请确认列名(如“姓名”)在前%(n)d行")
                % {"sheet": sheet, "n": HEADER_SEARCH}
            )
    elif any(g.visible for g, _h in found):
        found = [(g, h) for g, h in found if g.visible]
    if not found:
        if len(grids) > 1:
            raise SheetError(
                _(
                    "文件的%(n)d个工作表(%(names)s)中都没有找到表头;"
                    "请确认列名(如“姓名”)在工作表的前%(rows)d行"
                )
                % {"n": len(grids), "names": "、".join(names), "rows": HEADER_SEARCH}
            )
        raise SheetError(
            _("文件中没有找到表头;请确认列名(如“姓名”)在第一个工作表的前%(rows)d行")
            % {"rows": HEADER_SEARCH}
        )
    top = max(h.score for _g, h in found)
    best = [(g, h) for g, h in found if h.score == top]
    if len(best) > 1:
        choices = [g.name for g, _h in best]
        raise SheetChoiceError(
            _("文件中有%(n)d个工作表都像名单(%(names)s);请选择要导入的工作表")
            % {"n": len(choices), "names": "、".join(choices)},
            choices,
        )
    grid, header = best[0]
    table = _rows_of(grid, header, skip_hidden=skip_hidden)
    table.kind = kind
    table.sheet_names = names
    table.notes = notes + table.notes
    if len(grids) > 1:
        table.notes.insert(
            0,
            _("读取的是工作表“%(sheet)s”(文件共%(n)d个工作表:%(names)s)")
            % {"sheet": grid.name, "n": len(grids), "names": "、".join(names)},
        )
    if encoding and encoding not in {"UTF-8", "GBK"}:
        table.notes.append(_("文件编码识别为%(encoding)s") % {"encoding": encoding})
    return table


def _rows_of(grid: _Grid, header: _Header, *, skip_hidden: bool) -> SheetTable:
    names = header.names
    start = header.rows[-1] + 1
    width = len(names)
    indexed = [(i, name) for i, name in enumerate(names) if name]
    hidden = set(grid.hidden)
    first = grid.first_row
    kept: list[tuple[int, list[Any]]] = []
    for offset, row in enumerate(grid.rows[start:], start=start):
        if _filled(row):
            kept.append((first + offset, row))
    skipped: list[int] = []
    while kept and _is_trailer(kept[-1][1]):
        skipped.insert(0, kept.pop()[0])
    rows: list[SheetRow] = []
    hidden_seen: list[int] = []
    for number, row in kept:
        if number in hidden:
            hidden_seen.append(number)
            if skip_hidden:
                continue
        if len(row) < width:
            row = [*row, *[None] * (width - len(row))]
        rows.append(SheetRow(number=number, values={name: row[i] for i, name in indexed}))
    table = SheetTable(
        columns=[n for n in names if n],
        rows=rows,
        sheet_name=grid.name,
        header_rows=[first + i for i in header.rows],
        skipped_rows=skipped,
        hidden_rows=hidden_seen,
        hidden_skipped=skip_hidden,
    )
    if len(header.rows) > 1:
        table.notes.append(
            _("表头占第%(a)d、%(b)d两行,已合并识别")
            % {"a": first + header.rows[0], "b": first + header.rows[1]}
        )
    if skipped:
        table.notes.append(
            ngettext(
                "第%(rows)s行是合计或备注行,未导入",
                "第%(rows)s行是合计或备注行,未导入",
                len(skipped),
            )
            % {"rows": _numbers(skipped)}
        )
    if hidden_seen:
        text = (
            _("第%(rows)s行在表格中是隐藏的,已按您的选择跳过")
            if skip_hidden
            else _("第%(rows)s行在表格中是隐藏的,已一并读取;如不需要,请勾选“跳过隐藏行”后重新上传")
        )
        table.notes.append(text % {"rows": _numbers(hidden_seen)})
    return table


def _numbers(numbers: list[int], most: int = 20) -> str:
    shown = "、".join(str(n) for n in numbers[:most])
    # "第1、2、…、20等共35行…": the sentence around it ends in 行.
    return shown + (_("等共%(n)d") % {"n": len(numbers)} if len(numbers) > most else "")


def _filled(row: list[Any]) -> bool:
    for cell in row:
        if cell is None or cell == "" or (type(cell) is str and cell.isspace()):
            continue
        return True
    return False


def _is_trailer(row: list[Any]) -> bool:
    """合计 / 共20人 / 备注 / 填表人 rows: their first filled cell starts with such a word."""
    first = next((fold_header(cell) for cell in row if fold(cell)), "")
    return bool(_TRAILER.match(first))


def read_sheet(
    source: IO[bytes] | bytes | Path,
    filename: str,
    aliases: Mapping[str, str],
    **options: Any,
) -> tuple[list[str], list[SheetRow]]:
    """read_table's columns and rows, for callers that need no more."""
    table = read_table(source, filename, aliases, **options)
    return table.columns, table.rows


def read_layout(
    source: IO[bytes] | bytes | Path, filename: str, *, limits: Limits | None = None
) -> tuple[bytes, list[tuple[str, list[list[Any]]]]]:
    """A report form's layout (一表通): an .xlsx read whole and bounded like every upload, as
    (its bytes, [(sheet name, rows of cell values)]), for the callers that write back into the
    same layout. SheetError for anything else, in one Chinese sentence."""
    limits = limits or Limits.from_settings()
    _refuse_suffix(filename)
    raw = _raw_bytes(source, limits)
    kind = _kind_of(raw)
    if kind != "xlsx":
        raise SheetError(_("报表样式须为 Excel 工作簿(.xlsx);请在 Excel 中另存为 .xlsx 后上传"))
    grids = [(grid.name, grid.rows) for grid in _grids_calamine(raw, kind, limits)]
    return raw, grids
