"""User text is only text: the one home of the rules that keep it so.

In: text people type or import may not carry control characters (C0 except tab and line
breaks in multi-line fields, DEL, C1, lone surrogates, U+FFFE/U+FFFF). They are invisible,
break the XML inside .xlsx/.docx files and make a whole district's export fail.
`control_character_error` says why in Chinese, naming the field; `ControlCharacterValidator`
is the same rule for form and serializer fields; `refuse_control_characters` is the check
the services run, so page, API, import and command line all obey it.

Out: nothing a user typed is ever interpreted.

- `pdf_text`: escaped for reportlab's Paragraph markup (which would otherwise follow
  `<img src=...>` to any URL, and fail on broken tags).
- `docx_text` (`xml_text`): python-docx writes runs as text; only the characters XML cannot
  hold are dropped, so a legacy value still exports.
- `xlsx_value`, `xlsx_cell`, `xlsx_row`, `xlsx_put`: openpyxl turns a str starting with "="
  into a formula and "#N/A" into an error; these keep every user text a string cell.
- `csv_cell` / `csv_row`: a cell starting with = + - @ tab or CR gets a leading apostrophe
  (OWASP "CSV injection"); numbers, and text that is only a number, are left as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

# Everything refused at input. Tab, LF and CR are listed separately: allowed in multi-line text.
# The bidirectional overrides and isolates (U+202A-202E, U+2066-2069) too: invisible, they
# show a name reversed or reordered on every page and in every file it reaches.
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
CONTROL_CHARACTERS = re.compile(f"[{_ALWAYS}\t\n\r]")
CONTROL_CHARACTERS_MULTILINE = re.compile(f"[{_ALWAYS}]")
# What XML 1.0 cannot hold at all (.xlsx, .docx, reportlab's parser): dropped on output.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Dropped from PDF text as well: C1 and DEL draw as boxes or nothing.
_PDF_DROP = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def control_character_error(value: Any, *, label: str = "", multiline: bool = False) -> str | None:
    """The Chinese reason `value` is refused, or None when it holds no control character."""
    if not isinstance(value, str):
        return None
    pattern = CONTROL_CHARACTERS_MULTILINE if multiline else CONTROL_CHARACTERS
    found = pattern.search(value)
    if found is None:
        return None
    params = {
        "field": label or _("内容"),
        "position": found.start() + 1,
        "code": _describe(found.group()),
    }
    if not multiline and found.group() in "\t\n\r":
        return (
            _("%(field)s不能包含换行符或制表符(第%(position)d个字符,%(code)s),请改为一行") % params
        )
    return (
        _("%(field)s含有不可见的控制字符(第%(position)d个字符,%(code)s),请删除后重新填写") % params
    )


@deconstructible
class ControlCharacterValidator:
    """A field validator refusing control characters; `label` names the field in the message."""

    code = "control_character"

    def __init__(self, label: Any = "", multiline: bool = False) -> None:  # str or lazy str
        self.label = label
        self.multiline = multiline

    def __call__(self, value: Any) -> None:
        message = control_character_error(
            value, label=str(self.label) if self.label else "", multiline=self.multiline
        )
        if message:
            raise ValidationError(message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ControlCharacterValidator)
            and self.label == other.label
            and self.multiline == other.multiline
        )

    def __hash__(self) -> int:
        return hash((str(self.label), self.multiline))


def refuse_control_characters(
    values: Mapping[str, Any],
    labels: Mapping[str, str],
    *,
    multiline: Iterable[str] = (),
) -> None:
    """The services' check: raise ServiceError (field named) for the first field of `labels`
    in `values` that carries a control character."""
    from shegong.core.errors import ServiceError

    long_text = set(multiline)
    for name, label in labels.items():
        message = control_character_error(
            values.get(name), label=str(label), multiline=name in long_text
        )
        if message:
            raise ServiceError(message, field=name)


# ---------------------------------------------------------------- PDF (reportlab)

_PDF_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}
_PDF_SPECIAL = re.compile("[&<>\"']")


def pdf_text(value: Any) -> str:
    """`value` as markup for reportlab's Paragraph that draws exactly these characters.

    Paragraph parses its text as XML-like markup: `<img src>` loads the image from any
    path or URL, `<a href>`/`<link>` make links, `<font>` switches fonts, broken tags raise.
    Everything is escaped; line breaks become `<br/>`, the only markup added here."""
    text = "" if value is None else str(value)
    text = _PDF_DROP.sub("", text)
    text = _PDF_SPECIAL.sub(lambda m: _PDF_ESCAPES[m.group()], text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br/>")


# ---------------------------------------------------------------- Word (python-docx)


def xml_text(value: Any) -> str:
    """`value` as a str without the characters XML cannot hold (lxml refuses them)."""
    text = "" if value is None else str(value)
    return XML_ILLEGAL.sub("", text) if XML_ILLEGAL.search(text) else text


def docx_text(value: Any) -> str:
    """Text for a python-docx run or cell: runs hold text, never markup, but lxml refuses
    characters XML cannot hold, so they are dropped (legacy data still exports)."""
    return xml_text(value)


# ---------------------------------------------------------------- Excel (openpyxl)

# openpyxl's own list: a str equal to one of these would be written as an error cell.
_XLSX_ERROR_CODES = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA")
)
_XLSX_FORMULA_LEAD = ("=", "+", "-", "@")
_XLSX_LEAD_OR_ERROR = (*_XLSX_FORMULA_LEAD, "#")


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """A cell of `sheet` holding `value`; user text is always a string cell.

    openpyxl makes a str starting with "=" a formula and "#N/A" an error. The cell's type is
    set back to string, and text that Excel would read as a formula once someone edits the
    cell gets the quote prefix (Excel's leading apostrophe, not part of the value)."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    value = XML_ILLEGAL.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    if value.startswith(_XLSX_FORMULA_LEAD):
        cell.quotePrefix = True
    return cell


def xlsx_value(sheet: Any, value: Any) -> Any:
    """`value` ready for `sheet.append`: as it is when openpyxl stores it as plain text or a
    number, else a string cell (see `xlsx_cell`). Cheap for the common case."""
    if not isinstance(value, str):  # str subclasses (SafeString) too
        return value
    # Fast path for plain text (isprintable is False for every control character).
    if value.isprintable() and not value.startswith(_XLSX_LEAD_OR_ERROR):
        return value
    if (
        value.startswith(_XLSX_FORMULA_LEAD)
        or value in _XLSX_ERROR_CODES
        or XML_ILLEGAL.search(value)
    ):
        return xlsx_cell(sheet, value)
    return value


def xlsx_put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """`sheet.cell(row, column, value)` that keeps user text a string cell."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        value = xml_text(value)
        cell.value = value
        cell.data_type = "s"
        if value.startswith(_XLSX_FORMULA_LEAD):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """A row for `sheet.append` in which every str is a string cell."""
    return [xlsx_value(sheet, v) for v in values]


# ---------------------------------------------------------------- CSV

_CSV_LEAD = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def csv_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ tab or CR gets a
    leading apostrophe. Numbers and text that is only a number ("-3", "+8613800000000")
    stay as they are; nothing can hide in them."""
    if not isinstance(value, str):  # str subclasses (SafeString) too
        return value
    if value.isprintable() and not value.startswith(_CSV_LEAD):  # plain text: the fast path
        return value
    value = XML_ILLEGAL.sub("", value)
    if value.startswith(_CSV_LEAD) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]
