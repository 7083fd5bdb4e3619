"""The reader against a corpus of office-shaped and hostile files: each is imported with a
known count or refused with a known Chinese sentence, and no message holds an English word.

Files are made here with openpyxl and odfpy (LibreOffice converts some when installed), and a
few are kept in corpus/ (a Big5 CSV, Excel's UTF-16 text, an HTML table saved as .xls, a 2.5 KB
.xlsx with one cell at XFD1048576, an 823-byte .ods repeating a cell over a million rows: both
make calamine itself try to allocate hundreds of gigabytes and abort the process).
"""

from __future__ import annotations

import datetime
import io
import re
import resource
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shegong.conftest import Personas, Tree
from shegong.core.models import User
from shegong.core.sheets import (
    Limits,
    SheetChoiceError,
    SheetError,
    SheetTable,
    digits_lost_message,
    read_table,
)
from shegong.orgs import imports as unit_imports
from shegong.people import imports
from shegong.people.tests.factories import make_id
from shegong.people.tests.sheetfiles import csv_bytes, ods_bytes, xlsx_bytes
from shegong.training import imports as training_imports

CORPUS = Path(__file__).parent / "corpus"
ALIASES = imports.WORKER_SHEET_ALIASES
HEADER = ["姓名", "公民身份号码", "学历", "政治面貌", "来源方式", "所属社区"]
IDS = [
    make_id(datetime.date(1980 + i, 1 + i, 3 + i), male=i % 2 == 0, serial=40 + i) for i in range(3)
]
# Product and format names a clerk sees on screen anyway; any other Latin word is English.
ALLOWED = {"Excel", "CSV", "UTF", "GBK", "Big5", "PDF", "Word", "PowerPoint", "OpenDocument",
           "MB", "xlsx", "xls", "xlsb", "ods", "csv", "docx"}  # fmt: skip


def assert_chinese(message: str) -> None:
    words = set(re.findall(r"[A-Za-z]{2,}[A-Za-z0-9]*", message)) - ALLOWED
    assert not words, f"English in {message!r}: {words}"
    assert re.search(r"[\u4e00-\u9fff]", message)


def rows(tree: Tree, n: int = 3) -> list[list[Any]]:
    names = ["张伟", "王芳", "李娜"]
    communities = [tree.community_a1.name, tree.community_a1.name, tree.community_a2.code]
    return [[names[i], IDS[i], "本科", "群众", "聘用", communities[i]] for i in range(n)]


def planned(table: SheetTable, user: User) -> imports.WorkerImportPlan:
    return imports.workers_import_plan(rows=table.rows, columns=table.columns, acting_user=user)


def refused(content: bytes, filename: str, **options: Any) -> str:
    with pytest.raises(SheetError) as caught:
        read_table(content, filename, ALIASES, **options)
    message = str(caught.value)
    assert_chinese(message)
    return message


def workbook(sheets: dict[str, list[list[Any]]], **setup: Any) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    for name, content in sheets.items():
        sheet = book.create_sheet(name)
        for row in content:
            sheet.append(row)
        for fn in setup.get(name, []):
            fn(sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- shapes offices send


def test_a_plain_xlsx_imports_every_row(tree: Tree, personas: Personas) -> None:
    table = read_table(xlsx_bytes([HEADER, *rows(tree)]), "名单.xlsx", ALIASES)
    assert table.kind == "xlsx" and [r.number for r in table.rows] == [2, 3, 4]
    assert planned(table, personas.district_admin).creates == 3


def test_it_reads_a_two_row_header_with_name_and_id_merged_down(
    tree: Tree, personas: Personas
) -> None:
    def merge(sheet: Any) -> None:
        for column in "ABCDE":
            sheet.merge_cells(f"{column}2:{column}3")
        sheet.merge_cells("F2:G2")

    top = ["姓名", "身份号码", "学历", "政治面貌", "来源方式", "工作信息", None]
    below = [None, None, None, None, None, "所属社区", "联系电话"]
    data = [[*r, "13812345678"] for r in rows(tree)]
    content = workbook({"花名册": [["街道甲社区工作者花名册"], top, below, *data]}, 花名册=[merge])
    aliases = {**ALIASES, "身份号码": "id_number"}
    table = read_table(content, "花名册.xlsx", aliases)
    assert table.header_rows == [2, 3]
    assert {"name", "id_number", "community", "phone"} <= set(table.columns)
    assert [r.number for r in table.rows] == [4, 5, 6]
    assert planned(table, personas.district_admin).creates == 3
    assert any("两行" in note for note in table.notes)


def test_it_finds_the_list_behind_an_instructions_sheet_and_says_so(
    tree: Tree, personas: Personas
) -> None:
    content = workbook(
        {"填表说明": [["填表说明"], ["1. 姓名请填写全名"]], "名单": [HEADER, *rows(tree)]}
    )
    table = read_table(content, "名单.xlsx", ALIASES)
    assert table.sheet_name == "名单"
    assert planned(table, personas.district_admin).creates == 3
    assert "读取的是工作表“名单”" in table.notes[0]


def test_it_asks_which_sheet_when_two_could_be_the_list(tree: Tree) -> None:
    content = workbook({"一月": [HEADER, *rows(tree)], "二月": [HEADER, *rows(tree, 2)]})
    with pytest.raises(SheetChoiceError) as caught:
        read_table(content, "名单.xlsx", ALIASES)
    assert caught.value.names == ["一月", "二月"]
    assert_chinese(str(caught.value))
    assert len(read_table(content, "名单.xlsx", ALIASES, sheet="二月").rows) == 2


def test_trailing_totals_and_notes_are_skipped_with_a_line(tree: Tree, personas: Personas) -> None:
    trailer: list[list[Any]] = [
        ["合计", None, None],
        ["共3人"],
        ["填表人:王五", None, "审核人:赵六"],
    ]
    table = read_table(xlsx_bytes([HEADER, *rows(tree), *trailer]), "名单.xlsx", ALIASES)
    assert table.skipped_rows == [5, 6, 7]
    assert planned(table, personas.district_admin).ok
    assert "第5、6、7行是合计或备注行,未导入" in table.notes


def test_hidden_rows_are_reported_and_skipped_when_asked(tree: Tree) -> None:
    def hide(sheet: Any) -> None:
        sheet.row_dimensions[3].hidden = True

    content = workbook({"名单": [HEADER, *rows(tree)]}, 名单=[hide])
    kept = read_table(content, "名单.xlsx", ALIASES)
    assert kept.hidden_rows == [3] and len(kept.rows) == 3
    assert any("隐藏" in note for note in kept.notes)
    skipped = read_table(content, "名单.xlsx", ALIASES, skip_hidden=True)
    assert [r.number for r in skipped.rows] == [2, 4]


def test_a_community_merged_down_over_its_workers_fills_every_row(tree: Tree) -> None:
    def merge(sheet: Any) -> None:
        sheet.merge_cells("F2:F3")

    data = rows(tree)
    data[1][5] = None
    content = workbook({"名单": [HEADER, *data]}, 名单=[merge])
    table = read_table(content, "名单.xlsx", ALIASES)
    assert table.rows[1].values["community"] == tree.community_a1.name


@pytest.mark.parametrize(
    ("filename", "count", "note"),
    [
        ("big5_roster.csv", 2, "Big5"),
        ("utf16_roster.csv", 3, "UTF-16"),
        ("html_saved_as.xls", 3, "网页表格"),
    ],
)
def test_the_kept_corpus_files_import(
    tree: Tree, personas: Personas, filename: str, count: int, note: str
) -> None:
    table = read_table(CORPUS / filename, filename, ALIASES)
    plan = planned(table, personas.district_admin)
    assert plan.ok, plan.errors
    assert plan.creates == count
    assert any(note in line for line in table.notes)


def test_a_big5_sheet_keeps_its_names_as_written(tree: Tree) -> None:
    table = read_table(CORPUS / "big5_roster.csv", "big5_roster.csv", ALIASES)
    assert table.rows[0].values["name"] == "陳大文"


def test_an_html_table_spreads_its_merged_community_over_both_rows(tree: Tree) -> None:
    table = read_table(CORPUS / "html_saved_as.xls", "x.xls", ALIASES)
    assert [r.values["community"] for r in table.rows] == ["甲一社区", "甲一社区", "甲二社区"]
    assert table.skipped_rows == [6]


def test_ods_and_gbk_csv_still_import(tree: Tree, personas: Personas) -> None:
    for content, name in (
        (ods_bytes([HEADER, *rows(tree)]), "名单.ods"),
        (csv_bytes([HEADER, *rows(tree)]), "名单.csv"),
    ):
        assert planned(read_table(content, name, ALIASES), personas.district_admin).creates == 3


def test_a_file_is_read_by_what_it_is_not_by_its_name(tree: Tree, personas: Personas) -> None:
    for content in (csv_bytes([HEADER, *rows(tree)]), ods_bytes([HEADER, *rows(tree)])):
        table = read_table(content, "改了扩展名.xlsx", ALIASES)
        assert planned(table, personas.district_admin).creates == 3


# ---------------------------------------------------------------- numbers that lost digits


def test_a_leading_apostrophe_in_a_csv_id_is_dropped(tree: Tree, personas: Personas) -> None:
    data = rows(tree)
    data[0][1] = "'" + IDS[0]
    table = read_table(csv_bytes([HEADER, *data], "utf-8"), "名单.csv", ALIASES)
    assert planned(table, personas.district_admin).creates == 3


def test_every_import_gives_one_message_for_digits_lost_to_scientific_notation(
    tree: Tree, personas: Personas
) -> None:
    data = rows(tree)
    data[0][1] = "1.10101E+17"
    plan = planned(
        read_table(csv_bytes([HEADER, *data]), "x.csv", ALIASES), personas.district_admin
    )
    assert [e.reason for e in plan.errors] == [digits_lost_message("公民身份号码")]

    units = [
        ["代码", "名称", "层级", "上级代码"],
        ["110101001003", "甲三社区", "社区", "1.10101E+11"],
    ]
    table = read_table(csv_bytes(units), "units.csv", unit_imports.UNIT_SHEET_ALIASES)
    unit_plan = unit_imports.units_import_plan(
        rows=table.rows, columns=table.columns, acting_user=personas.district_admin
    )
    assert [e.reason for e in unit_plan.errors] == [digits_lost_message("上级代码")]

    exams = [
        ["姓名", "公民身份号码", "级别", "年度", "综合能力"],
        ["张伟", "1.10101E+17", "初级", "2025", "70"],
    ]
    table = read_table(csv_bytes(exams), "exams.csv", training_imports.EXAM_ALIASES)
    exam_plan = training_imports.exam_import_plan(
        rows=table.rows, columns=table.columns, acting_user=personas.district_admin
    )
    assert digits_lost_message("公民身份号码") in [e.reason for e in exam_plan.errors]
    for reason in (digits_lost_message("公民身份号码"), digits_lost_message("上级代码")):
        assert_chinese(reason)


def test_a_unit_code_stored_as_a_number_reads_back_exactly(personas: Personas) -> None:
    units: list[list[Any]] = [
        ["代码", "名称", "层级", "上级代码"],
        [110101001003, "甲三社区", "社区", 110101001000],
    ]
    table = read_table(xlsx_bytes(units), "units.xlsx", unit_imports.UNIT_SHEET_ALIASES)
    plan = unit_imports.units_import_plan(
        rows=table.rows, columns=table.columns, acting_user=personas.district_admin
    )
    assert plan.ok and plan.creates == 1


# ---------------------------------------------------------------- files that are no sheet


def _truncated_xlsx(tree: Tree) -> bytes:
    content = xlsx_bytes([HEADER, *rows(tree)])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # the sheet's XML stops mid-tag
            target.writestr(item.filename, data)
    return out.getvalue()


def _no_sheets_xlsx() -> bytes:
    content = xlsx_bytes([["x"]])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data)
            target.writestr(item.filename, data)
    return out.getvalue()


def _docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        target.writestr("[Content_Types].xml", "<Types/>")
        target.writestr("word/document.xml", "<document/>")
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "filename", "expected"),
    [
        (lambda tree: b"", "空.xlsx", "空文件"),
        (lambda tree: b"PK\x03\x04" + b"\x00" * 40, "坏.xlsx", "不完整或已损坏"),
        (_truncated_xlsx, "截断.xlsx", "已损坏或不完整"),
        (lambda tree: _no_sheets_xlsx(), "无表.xlsx", "没有任何工作表"),
        (lambda tree: _docx(), "名单.xlsx", "Word 文档"),
        (lambda tree: b"%PDF-1.4 ...", "名单.xls", "PDF 文档"),
        (lambda tree: b"<html><body><p>no table</p></body></html>", "x.xls", "没有表格"),
        (lambda tree: xlsx_bytes([["甲", "乙"], ["1", "2"]]), "x.xlsx", "没有找到表头"),
        (lambda tree: b"a,b", "x.docx", "不支持的文件类型"),
    ],
)
def test_a_file_that_is_no_sheet_is_refused_in_one_chinese_sentence(
    tree: Tree, make: Any, filename: str, expected: str
) -> None:
    assert expected in refused(make(tree), filename)


def test_the_command_line_prints_the_sentence_not_a_traceback(
    tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    path = tmp_path / "截断.xlsx"
    path.write_bytes(_truncated_xlsx(tree))
    with pytest.raises(CommandError) as caught:
        call_command("import", "workers", str(path), "--dry-run", "--user", "district_admin")
    assert_chinese(str(caught.value))


# ---------------------------------------------------------------- hostile files


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("hostile_far_cell.xlsx", "超过100列"), ("hostile_repeated.ods", "超过250000行")],
)
def test_a_tiny_file_declaring_a_huge_sheet_is_refused_before_it_is_built(
    settings: Any, filename: str, expected: str
) -> None:
    # Handed to calamine these two abort the process asking for 512 GB and 1 GB × 64.
    settings.SHEGONG_IMPORT_MAX_COLUMNS = 100
    settings.SHEGONG_IMPORT_MAX_ROWS = 250000
    before = _peak_mb()
    content = (CORPUS / filename).read_bytes()
    assert len(content) < 3000
    assert expected in refused(content, filename)
    assert _peak_mb() - before < 50


def test_a_cell_placed_far_down_is_refused(settings: Any) -> None:
    from openpyxl import Workbook

    settings.SHEGONG_IMPORT_MAX_ROWS = 1000
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet["A900000"] = "x"
    out = io.BytesIO()
    book.save(out)
    assert "超过1000行" in refused(out.getvalue(), "x.xlsx")


def test_rows_past_the_limit_are_refused_while_reading(settings: Any, tree: Tree) -> None:
    settings.SHEGONG_IMPORT_MAX_ROWS = 10
    many = [HEADER, *(rows(tree, 1) * 100)]
    for content, name in (
        (csv_bytes(many), "x.csv"),
        (xlsx_bytes(many), "x.xlsx"),
        (ods_bytes(many), "x.ods"),
    ):
        assert "超过10行" in refused(content, name)
    html = b"<table>" + b"<tr><td>a</td></tr>" * 100 + b"</table>"
    assert "超过10行" in refused(html, "x.xls")


def test_a_colspan_of_a_million_is_refused(settings: Any) -> None:
    settings.SHEGONG_IMPORT_MAX_COLUMNS = 100
    html = b'<table><tr><td colspan="1000000">x</td></tr></table>'
    assert "超过100列" in refused(html, "x.xls")


def test_a_sheet_that_unpacks_past_the_limit_is_refused(settings: Any, tree: Tree) -> None:
    settings.SHEGONG_IMPORT_MAX_UNZIPPED_BYTES = 100_000
    content = xlsx_bytes([HEADER, *(rows(tree, 1) * 2000)])
    assert "解压后过大" in refused(content, "x.xlsx")


def test_a_file_past_the_size_limit_is_refused(settings: Any, tree: Tree) -> None:
    settings.SHEGONG_UPLOAD_MAX_BYTES = 1000
    assert "超过" in refused(csv_bytes([HEADER, *(rows(tree, 1) * 100)]), "x.csv")


def test_limits_come_from_settings(settings: Any) -> None:
    settings.SHEGONG_IMPORT_MAX_ROWS = 7
    assert Limits.from_settings().max_rows == 7


# ---------------------------------------------------------------- LibreOffice, where installed


@pytest.mark.skipif(
    not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed"
)
@pytest.mark.parametrize("target", ["xls", "ods", "xlsx"])
def test_files_saved_by_libreoffice_import(
    tree: Tree, personas: Personas, tmp_path: Path, target: str
) -> None:
    source = tmp_path / "名单.xlsx"
    source.write_bytes(xlsx_bytes([HEADER, *rows(tree)]))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office
    subprocess.run(
        [
            office,
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path / "out"),
            str(source),
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    converted = tmp_path / "out" / f"名单.{target}"
    table = read_table(converted, converted.name, ALIASES)
    assert planned(table, personas.district_admin).creates == 3


# ---------------------------------------------------------------- .xls and the template


def _xls(content: list[list[Any]], merges: list[tuple[int, int, int, int]] | None = None) -> bytes:
    """An .xls written by xlwt (the BIFF8 writer older systems export through)."""
    xlwt = pytest.importorskip("xlwt")
    merges = merges or []
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("花名册")
    merged = {(r1, c1) for r1, _r2, c1, _c2 in merges}
    for r1, r2, c1, c2 in merges:
        sheet.write_merge(r1, r2, c1, c2, content[r1][c1])
    for r, row in enumerate(content):
        for c, value in enumerate(row):
            if (
                value is not None
                and (r, c) not in merged
                and not any(r1 <= r <= r2 and c1 <= c <= c2 for r1, r2, c1, c2 in merges)
            ):
                sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xls_imports_with_its_merged_two_row_header(tree: Tree, personas: Personas) -> None:
    top = ["姓名", "公民身份号码", "学历", "政治面貌", "来源方式", "工作单位", None]
    below = [None, None, None, None, None, "所属社区", "联系电话"]
    data = [[*r, "13812345678"] for r in rows(tree)]
    merges = [(0, 1, c, c) for c in range(5)] + [(0, 0, 5, 6)]
    content = _xls([top, below, *data], merges)
    table = read_table(content, "花名册.xls", {**ALIASES, "工作单位": "group"})
    assert table.kind == "xls" and table.header_rows == [1, 2]
    assert planned(table, personas.district_admin).creates == 3


def test_an_xls_renamed_xlsx_still_imports(tree: Tree, personas: Personas) -> None:
    table = read_table(_xls([HEADER, *rows(tree)]), "名单.xlsx", ALIASES)
    assert planned(table, personas.district_admin).creates == 3


def test_the_templates_hidden_lists_are_not_taken_for_the_roster(
    tree: Tree, personas: Personas
) -> None:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(imports.template_workbook(viewer=personas.district_admin)))
    sheet = book["社区工作者"]
    kept = [i for i, (name, _h) in enumerate(imports.COLUMNS, start=1) if name in imports.REQUIRED]
    for column in range(len(imports.COLUMNS), 0, -1):
        if column not in kept:
            sheet.delete_cols(column)
    order = [imports.LABELS[n] for n, _h in imports.COLUMNS if n in imports.REQUIRED]
    by_label = dict(zip(HEADER, range(len(HEADER)), strict=True))
    for row in rows(tree):
        sheet.append([row[by_label[label]] if label in by_label else None for label in order])
    out = io.BytesIO()
    book.save(out)
    table = read_table(out.getvalue(), "模板.xlsx", ALIASES)
    assert table.sheet_name == "社区工作者"
    assert planned(table, personas.district_admin).creates == 3


def test_an_ods_with_a_million_empty_rows_before_one_filled_is_refused(settings: Any) -> None:
    settings.SHEGONG_IMPORT_MAX_ROWS = 1000
    content = (CORPUS / "hostile_repeated.ods").read_bytes()
    source = zipfile.ZipFile(io.BytesIO(content))
    xml = (
        source.read("content.xml")
        .replace(
            b'<table:table-row table:number-rows-repeated="1048575">',
            b'<table:table-row table:number-rows-repeated="900000"><table:table-cell/>'
            b"</table:table-row><table:table-row>",
        )
        .replace(b'table:number-columns-repeated="64"', b"")
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = xml if item.filename == "content.xml" else source.read(item.filename)
            target.writestr(item.filename, data)
    assert "超过1000行" in refused(out.getvalue(), "x.ods")


def test_hidden_rows_of_an_ods_are_reported(tree: Tree) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="名单")
    for number, row in enumerate([HEADER, *rows(tree)], start=1):
        tr = TableRow(visibility="collapse") if number == 3 else TableRow()
        for value in row:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(value)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    out = io.BytesIO()
    doc.save(out)
    kept = read_table(out.getvalue(), "名单.ods", ALIASES)
    assert kept.hidden_rows == [3] and len(kept.rows) == 3
    assert [
        r.number for r in read_table(out.getvalue(), "名单.ods", ALIASES, skip_hidden=True).rows
    ] == [2, 4]


def test_an_xls_with_one_far_cell_is_refused_before_it_is_built(settings: Any) -> None:
    settings.SHEGONG_IMPORT_MAX_ROWS = 1000
    settings.SHEGONG_IMPORT_MAX_COLUMNS = 100
    xlwt = pytest.importorskip("xlwt")
    for row, column, expected in ((60000, 0, "超过1000行"), (1, 250, "超过100列")):
        book = xlwt.Workbook(encoding="utf-8")
        sheet = book.add_sheet("名单")
        sheet.write(0, 0, "姓名")
        sheet.write(row, column, "x")
        out = io.BytesIO()
        book.save(out)
        assert expected in refused(out.getvalue(), "x.xls")


def test_an_excel_2003_xml_sheet_is_named_and_the_way_out_given() -> None:
    content = (
        b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
        b"<Worksheet><Table><Row><Cell><Data>x</Data></Cell></Row></Table></Worksheet></Workbook>"
    )
    assert "Excel 2003 存成的文本表格" in refused(content, "名单.xls")


def test_many_skipped_rows_are_listed_by_the_first_twenty(tree: Tree) -> None:
    trailer: list[list[Any]] = [["备注:见附件"] for _ in range(25)]
    table = read_table(xlsx_bytes([HEADER, *rows(tree), *trailer]), "名单.xlsx", ALIASES)
    assert table.notes[-1].startswith("第5、6、7") and "等共25行是合计或备注行" in table.notes[-1]


# ---------------------------------------------------------------- every import page


@pytest.mark.parametrize(
    "content",
    [b"", (CORPUS / "hostile_far_cell.xlsx").read_bytes(), b"PK\x03\x04" + b"\x00" * 64],
    ids=["empty", "far-cell", "broken"],
)
def test_every_import_page_refuses_a_bad_file_in_chinese_without_keeping_it(
    tree: Tree, personas: Personas, settings: Any, tmp_path: Path, content: bytes
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from shegong.conftest import client_for
    from shegong.training.tests.factories import make_course

    settings.MEDIA_ROOT = tmp_path
    course = make_course(tree.street_a, personas.street_a_manager)
    client = client_for(personas.street_a_manager)
    admin = client_for(personas.district_admin)
    for page, who in (
        (reverse("people_import:upload"), client),
        (reverse("orgs:import"), admin),
        (reverse("training:import", args=[course.pk]), client),
        (reverse("training:exam-import"), client),
    ):
        response = who.post(page, {"file": SimpleUploadedFile("名单.xlsx", content)})
        assert response.status_code == 200, page
        errors = re.findall(r'<span class="error">([^<]*)</span>', response.content.decode())
        assert errors, page
        for message in errors:
            assert_chinese(message)
    folder = tmp_path / "imports"
    assert not folder.exists() or list(folder.iterdir()) == []
