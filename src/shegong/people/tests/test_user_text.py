"""A worker's name is only text: a formula is a string cell in the roster's .xlsx, neutralised in
its .csv, and in the import's error sheet; control characters are refused by the form, the
API and the import with a Chinese message; one left in old data does not stop an export."""

from __future__ import annotations

import csv
import datetime
import io

from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree, client_for
from shegong.core.sheets import read_sheet
from shegong.orgs.models import Unit
from shegong.people import exports, imports
from shegong.people.models import Worker
from shegong.people.tests.factories import make_id, register
from shegong.people.tests.sheetfiles import csv_bytes

FORMULA = '=HYPERLINK("http://x","y")'
HEADER = [header for _name, header in imports.COLUMNS]


def _row(tree: Tree, name: str, **cells: str) -> list[str]:
    values = {
        "姓名": name,
        "公民身份号码": make_id(datetime.date(1985, 3, 2), serial=41),
        "性别": "男",
        "出生日期": "1985-03-02",
        "民族": "汉族",
        "联系电话": "13812345678",
        "学历": "本科",
        "所学专业": "社会工作",
        "政治面貌": "中共党员",
        "来源方式": "选举产生",
        "所属社区": tree.community_a1.name,
        "职务": "",
        "参加社区工作时间": "2012-07-01",
        **cells,
    }
    return [values[h] for h in HEADER]


def test_a_formula_name_is_a_string_cell_in_the_roster_xlsx(tree: Tree, personas: Personas) -> None:
    from openpyxl import load_workbook

    register(tree.community_a1, personas.street_a_manager, name=FORMULA, major="@SUM(1,2)")
    response = client_for(personas.street_a_manager).get(
        reverse("people_import:export"), {"format": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    name, major = sheet["A2"], sheet["H2"]
    assert (name.value, name.data_type) == (FORMULA, "s")
    assert (major.value, major.data_type) == ("@SUM(1,2)", "s")


def test_roster_csv_cells_that_a_spreadsheet_would_run_are_neutralised(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager, name=FORMULA, major="-1+2")
    result = exports.workers_export(viewer=personas.street_a_manager, fmt="csv")
    rows = list(csv.reader(io.StringIO(result.content.decode("utf-8-sig"))))
    assert rows[1][0] == "'" + FORMULA
    assert rows[1][7] == "'-1+2"
    assert rows[1][1] == worker.id_number  # numbers stay as they are
    assert rows[1][5] == "13812345678"


def test_a_control_character_left_in_old_data_does_not_stop_the_export(
    tree: Tree, personas: Personas
) -> None:
    from openpyxl import load_workbook

    worker = register(tree.community_a1, personas.street_a_manager, name="张三")
    Worker.objects.filter(pk=worker.pk).update(name="张\x07三", major="社会\x01工作")
    Unit.objects.filter(pk=tree.community_a1.pk).update(name="甲一\x1b社区")
    client = client_for(personas.district_admin)
    for fmt in ("xlsx", "csv"):
        response = client.get(reverse("people_import:export"), {"format": fmt})
        assert response.status_code == 200, fmt
    result = exports.workers_export(viewer=personas.district_admin, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(result.content)).worksheets[0]
    assert [sheet["A2"].value, sheet["H2"].value, sheet["K2"].value] == [
        "张三",
        "社会工作",
        "甲一社区",
    ]


def test_the_form_refuses_a_control_character_in_a_name(tree: Tree, personas: Personas) -> None:
    response = client_for(personas.street_a_manager).post(
        reverse("people:create"),
        {
            "name": "张\x07三",
            "id_number": make_id(serial=42),
            "ethnicity": "汉族",
            "political": "masses",
            "education": "college",
            "source": "hired",
            "community": tree.community_a1.pk,
            "entry_date": "2022-03-01",
        },
    )
    assert response.status_code == 200
    assert "姓名含有不可见的控制字符(第2个字符,U+0007)" in response.content.decode()
    assert not Worker.objects.exists()


def test_the_api_refuses_a_control_character_in_a_name(tree: Tree, personas: Personas) -> None:
    client = APIClient()
    client.force_authenticate(personas.community_a1_clerk)
    body = {
        "name": "王\x1b芳",
        "id_number": make_id(datetime.date(1988, 5, 20), male=False),
        "political": "masses",
        "education": "college",
        "source": "hired",
        "community": tree.community_a1.code,
        "entry_date": "2022-03-01",
    }
    response = client.post("/api/workers/", body, format="json")
    assert response.status_code == 400
    assert response.json()["name"][0].startswith("姓名含有不可见的控制字符")
    tabbed = client.post(
        "/api/workers/", {**body, "name": "王芳", "major": "社会\t工作"}, format="json"
    )
    assert tabbed.status_code == 400
    assert tabbed.json()["major"][0].startswith("所学专业不能包含换行符或制表符")
    assert not Worker.objects.exists()


def test_the_import_reports_a_control_character_as_a_row_error(
    tree: Tree, personas: Personas
) -> None:
    content = csv_bytes([HEADER, _row(tree, "张\x07三", 所学专业="社会\x0b工作")], "utf-8")
    columns, rows = read_sheet(content, "a.csv", imports.WORKER_SHEET_ALIASES)
    plan = imports.workers_import_plan(
        rows=rows, columns=columns, acting_user=personas.street_a_manager
    )
    found = {e.column: e.reason for e in plan.errors}
    assert found["姓名"] == "姓名含有不可见的控制字符(第2个字符,U+0007),请删除后重新填写"
    assert found["所学专业"].startswith("所学专业含有不可见的控制字符(第3个字符,U+000B)")
    assert not plan.ok


def test_the_error_sheet_writes_uploaded_cells_back_as_text(tree: Tree, personas: Personas) -> None:
    from openpyxl import load_workbook

    content = csv_bytes(
        [HEADER, _row(tree, FORMULA, 学历="幼儿园"), _row(tree, "李\x07四", 民族="@x")], "utf-8"
    )
    columns, rows = read_sheet(content, "a.csv", imports.WORKER_SHEET_ALIASES)
    plan = imports.workers_import_plan(
        rows=rows, columns=columns, acting_user=personas.street_a_manager
    )
    sheet = load_workbook(
        io.BytesIO(imports.errors_workbook(rows=rows, columns=columns, errors=plan.errors))
    ).active
    assert sheet is not None
    assert (sheet["A2"].value, sheet["A2"].data_type) == (FORMULA, "s")
    assert sheet["A3"].value == "李四"
    assert (sheet["E3"].value, sheet["E3"].data_type) == ("@x", "s")


def test_the_import_template_lists_community_names_as_text(tree: Tree, personas: Personas) -> None:
    from openpyxl import load_workbook

    Unit.objects.filter(pk=tree.community_a1.pk).update(name=FORMULA)
    book = load_workbook(io.BytesIO(imports.template_workbook(viewer=personas.street_a_manager)))
    options = book["选项"]
    found = [c for row in options.iter_rows() for c in row if c.value == FORMULA]
    assert found and {c.data_type for c in found} == {"s"}
