"""The text rules: control characters refused with a Chinese message, and the escapes for PDF,
Word, Excel and CSV read back from real files."""

from __future__ import annotations

import csv
import io

import pytest
from django import forms
from django.core.exceptions import ValidationError

from shegong.core.errors import ServiceError
from shegong.core.forms import PlainTextForm
from shegong.core.text import (
    ControlCharacterValidator,
    control_character_error,
    csv_row,
    docx_text,
    pdf_text,
    refuse_control_characters,
    xlsx_put,
    xlsx_row,
)

HOSTILE = [
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,2)",
    "#N/A",
]


@pytest.mark.parametrize(
    "char", ["\x00", "\x07", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\ud800", "\ufffe", "\uffff"]
)
def test_it_refuses_control_characters_naming_the_field(char: str) -> None:
    message = control_character_error(f"张{char}三", label="姓名")
    assert message is not None
    assert message.startswith("姓名含有不可见的控制字符(第2个字符,U+")
    assert f"U+{ord(char):04X}" in message


def test_line_breaks_and_tabs_only_in_multi_line_text() -> None:
    for char in "\n\r\t":
        assert control_character_error(f"第一行{char}第二行", label="说明", multiline=True) is None
        message = control_character_error(f"甲{char}乙", label="名称")
        assert message is not None and message.startswith("名称不能包含换行符或制表符")
    assert control_character_error("正常的名字 Zhang-San (1)", label="姓名") is None
    assert control_character_error(None, label="姓名") is None


def test_the_validator_and_the_service_check_give_the_same_message() -> None:
    with pytest.raises(ValidationError) as caught:
        ControlCharacterValidator(label="地点")("会议室\x08")
    assert caught.value.messages[0].startswith("地点含有不可见的控制字符")
    with pytest.raises(ServiceError) as refused:
        refuse_control_characters({"place": "会议室\x08"}, {"title": "名称", "place": "地点"})
    assert refused.value.field == "place"
    assert refused.value.message == caught.value.messages[0]


class _Form(PlainTextForm):
    name = forms.CharField(label="姓名")
    note = forms.CharField(label="说明", widget=forms.Textarea, required=False)
    password = forms.CharField(widget=forms.PasswordInput, required=False)


def test_a_plain_text_form_refuses_control_characters_per_field() -> None:
    form = _Form(data={"name": "张\x1b三", "note": "第一行\r\n第二行", "password": "a\x01b"})
    assert not form.is_valid()
    assert list(form.errors) == ["name"]
    assert str(form.errors["name"][0]).startswith("姓名含有不可见的控制字符")
    form = _Form(data={"name": "张\t三"})
    assert not form.is_valid() and str(form.errors["name"][0]).startswith("姓名不能包含换行符")


def test_pdf_text_is_never_markup() -> None:
    from pypdf import PdfReader
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    texts = ['<img src="/etc/passwd"/>', "<b>unclosed", 'a & b <a href="x">', "<font face='x'>"]
    assert pdf_text("<b>&'\"") == "&lt;b&gt;&amp;&#39;&quot;"
    assert pdf_text("一\n二") == "一<br/>二"
    out = io.BytesIO()
    style = ParagraphStyle("t", fontName="Helvetica")
    SimpleDocTemplate(out).build([Paragraph(pdf_text(t), style) for t in texts])
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)
    for t in texts:
        assert t in text


def test_docx_text_drops_what_xml_cannot_hold() -> None:
    from docx import Document

    doc = Document()
    doc.add_paragraph(docx_text("张\x00三\x0b<b>"))
    out = io.BytesIO()
    doc.save(out)
    assert Document(io.BytesIO(out.getvalue())).paragraphs[0].text == "张三<b>"


@pytest.mark.parametrize("write_only", [False, True])
def test_xlsx_user_text_is_a_string_cell(write_only: bool) -> None:
    from openpyxl import Workbook, load_workbook

    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    assert sheet is not None
    sheet.append(xlsx_row(sheet, [*HOSTILE, "张\x07三", 42, 1.5, None]))
    out = io.BytesIO()
    book.save(out)
    read = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    cells = next(iter(read.iter_rows(max_row=1)))
    assert [c.value for c in cells[:6]] == [*HOSTILE, "张三"]
    assert {c.data_type for c in cells[:6]} == {"s"}
    assert cells[0].quotePrefix
    assert (cells[6].value, cells[6].data_type, cells[7].value) == (42, "n", 1.5)


def test_xlsx_put_keeps_text_a_string_cell() -> None:
    from openpyxl import Workbook, load_workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    xlsx_put(sheet, 2, 3, HOSTILE[0])
    out = io.BytesIO()
    book.save(out)
    cell = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]["C2"]
    assert (cell.value, cell.data_type) == (HOSTILE[0], "s")


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised() -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(csv_row([*HOSTILE, "\tx", "\rx", "-3", "+8613800000000", 7]))
    row = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert row[:4] == ["'" + v for v in HOSTILE[:4]]
    assert row[4] == "#N/A"  # not a formula in CSV
    assert row[5:] == ["'\tx", "'\rx", "-3", "+8613800000000", "7"]


def test_a_bidirectional_override_is_refused_like_a_control_character() -> None:
    from shegong.core.text import control_character_error

    assert "U+202E" in (control_character_error("王\u202e五", label="姓名") or "")
    assert "U+2067" in (control_character_error("甲\u2067乙", label="姓名", multiline=True) or "")
    assert control_character_error("王五 👩‍👩‍👧", label="姓名") is None  # joiners are text
