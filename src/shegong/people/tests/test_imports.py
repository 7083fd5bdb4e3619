"""The roster import: real files written and read back, every error kind, all or nothing."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry, User
from shegong.core.sheets import read_sheet
from shegong.people import imports, rules
from shegong.people.models import Placement, PostHolding, Worker
from shegong.people.tests.factories import make_id, register
from shegong.people.tests.sheetfiles import csv_bytes, ods_bytes, read_xlsx, xlsx_bytes

HEADER = [
    "姓名",
    "公民身份号码",
    "性别",
    "出生日期",
    "民族",
    "联系电话",
    "学历",
    "所学专业",
    "政治面貌",
    "来源方式",
    "所属社区",
    "职务",
    "参加社区工作时间",
]
ID_1 = make_id(datetime.date(1985, 3, 2), male=True, serial=1)
ID_2 = make_id(datetime.date(1990, 12, 31), male=False, serial=2)
ID_3 = make_id(datetime.date(1978, 6, 15), male=True, serial=3)


def plan_for(user: User, content: bytes, filename: str) -> imports.WorkerImportPlan:
    columns, rows = read_sheet(content, filename, imports.WORKER_SHEET_ALIASES)
    return imports.workers_import_plan(rows=rows, columns=columns, acting_user=user)


def good_rows(tree: Tree) -> list[list[Any]]:
    return [
        ["张三", ID_1, "男", "1985-03-02", "汉族", "13812345678", "本科", "社会工作", "中共党员",
         "选举产生", tree.community_a1.name, "党组织书记、居委会主任", "2012-07-01"],
        ["李四", ID_2, "女", "1990/12/31", "回族", "13900001111", "大专", "", "群众",
         "聘用", tree.community_a2.code, "", "2018年3月1日"],
    ]  # fmt: skip


def reasons(plan: imports.WorkerImportPlan) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in plan.errors]


# ---------------------------------------------------------------- reading what offices type


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(1985, 3, 2), datetime.date(1985, 3, 2)),
        (datetime.datetime(1985, 3, 2, 0, 0), datetime.date(1985, 3, 2)),
        (31108, datetime.date(1985, 3, 2)),  # Excel serial number
        (31108.0, datetime.date(1985, 3, 2)),
        ("1985-03-02", datetime.date(1985, 3, 2)),
        ("1985/3/2", datetime.date(1985, 3, 2)),
        ("1985.3.2", datetime.date(1985, 3, 2)),
        ("1985年3月2日", datetime.date(1985, 3, 2)),
        ("１９８５年３月２日", datetime.date(1985, 3, 2)),  # full-width
        (" 1985-3-2 ", datetime.date(1985, 3, 2)),
        ("19850302", datetime.date(1985, 3, 2)),
        ("198503", datetime.date(1985, 3, 1)),
        (198503, datetime.date(1985, 3, 1)),
        ("1985年3月", datetime.date(1985, 3, 1)),
        ("1985.03", datetime.date(1985, 3, 1)),
        ("", None),
        (None, None),
    ],
)
def test_dates_as_offices_type_them(value: Any, expected: datetime.date | None) -> None:
    assert imports.parse_date(value) == expected


@pytest.mark.parametrize("value", ["1985-02-30", "1985-13-01", "三月", "1985-3-2-1"])
def test_impossible_or_unreadable_dates(value: str) -> None:
    with pytest.raises(imports.CellError):
        imports.parse_date(value)


def test_name_initials_match_the_rule() -> None:
    from shegong.people import rules

    for name in ["张三", "单田芳", "曾小贤", "欧阳 娜娜", "Li 明", "阿依古丽·买买提"]:
        assert imports.name_initials(name) == rules.pinyin_initials(name)


# ---------------------------------------------------------------- a clean file


def test_xlsx_with_title_row_aliases_full_width_and_blank_rows(
    tree: Tree, personas: Personas
) -> None:
    rows = good_rows(tree)
    header = list(HEADER)
    header[1], header[6], header[5], header[10], header[11] = (
        "身份证号",
        "文化程度",
        "手机号码",
        "社区",
        "现任职务",
    )
    rows[0][3] = datetime.datetime(1985, 3, 2)  # a real date cell
    rows[0][12] = 41091  # 2012-07-01 as a serial number
    rows[1][1] = " " + ID_2[:6] + " " + ID_2[6:].replace("1", "１") + " "  # stray and full-width
    content = xlsx_bytes(
        [["甲街道社区工作者花名册"], [], header, rows[0], [None] * 13, rows[1], [""] * 3]
    )
    plan = plan_for(personas.street_a_manager, content, "花名册.xlsx")
    assert plan.errors == []
    assert (plan.creates, plan.updates, plan.unchanged) == (2, 0, 0)
    assert not Worker.objects.exists()  # nothing written before confirming

    imports.workers_import_apply(plan=plan, acting_user=personas.street_a_manager)

    zhang = Worker.objects.get(id_number=ID_1)
    assert zhang.community == tree.community_a1
    assert zhang.unit_path == tree.community_a1.path
    assert zhang.name_initials == "zs"
    assert (zhang.gender, zhang.birth_date) == ("male", datetime.date(1985, 3, 2))
    assert (zhang.education, zhang.political, zhang.source) == (
        "bachelor",
        "party_member",
        "elected",
    )
    assert zhang.work_start_date == datetime.date(2012, 7, 1)
    assert zhang.is_dual_role
    placement = Placement.objects.get(worker=zhang)
    assert (placement.unit, placement.start, placement.end) == (
        tree.community_a1,
        datetime.date(2012, 7, 1),
        None,
    )
    assert sorted(
        PostHolding.objects.filter(worker=zhang).values_list("post__code", flat=True)
    ) == [
        "director",
        "secretary",
    ]
    li = Worker.objects.get(id_number=ID_2)
    assert li.community == tree.community_a2 and li.ethnicity == "回族"
    assert not li.posts.exists()
    assert Placement.objects.get(worker=li).start == datetime.date(2018, 3, 1)
    entries = AuditEntry.objects.filter(action="import", target_type="people.Worker")
    assert entries.count() == 2
    entry = entries.get(target_id=str(zhang.pk))
    assert entry.actor == personas.street_a_manager
    assert entry.unit_path == tree.community_a1.path
    assert ID_1 not in str(entry.after)  # masked in the trail
    after = entry.after or {}
    assert after["id_number"] == rules.mask_id_number(ID_1)
    assert after["birth_date"] == zhang.birth_date.isoformat()
    assert after["community_id"] == tree.community_a1.pk
    assert after["posts"] == "党组织书记、居委会主任"


def test_gbk_csv_and_ods(tree: Tree, personas: Personas) -> None:
    rows = good_rows(tree)
    plan = plan_for(personas.district_admin, csv_bytes([HEADER, *rows], "gbk"), "名册.csv")
    assert plan.errors == [] and plan.creates == 2
    ods_rows = [list(r) for r in rows]
    ods_rows[0][3] = datetime.date(1985, 3, 2)
    plan = plan_for(personas.district_admin, ods_bytes([HEADER, *ods_rows]), "名册.ods")
    assert plan.errors == [] and plan.creates == 2
    imports.workers_import_apply(plan=plan, acting_user=personas.district_admin)
    assert Worker.objects.count() == 2


def test_missing_gender_and_birth_date_come_from_the_id(tree: Tree, personas: Personas) -> None:
    rows = [["王五", ID_3, "", "", "", "", "中专", "", "团员", "下派", tree.community_b1.name,
             "", ""]]  # fmt: skip
    plan = plan_for(personas.street_b_manager, csv_bytes([HEADER, *rows], "utf-8"), "a.csv")
    assert plan.errors == []
    imports.workers_import_apply(plan=plan, acting_user=personas.street_b_manager)
    worker = Worker.objects.get()
    assert (worker.gender, worker.birth_date) == ("male", datetime.date(1978, 6, 15))
    assert worker.source == "seconded" and worker.political == "league"
    assert Placement.objects.get(worker=worker).start == datetime.date.today()


# ---------------------------------------------------------------- every error, nothing written


def test_every_error_kind_is_reported_and_nothing_is_written(
    tree: Tree, personas: Personas
) -> None:
    bad_check = ID_1[:17] + ("0" if ID_1[17] != "0" else "1")
    a1, b1 = tree.community_a1.name, tree.community_b1.name
    rows: list[list[Any]] = [
        # 2: wrong check digit
        ["甲", bad_check, "男", "", "", "", "本科", "", "群众", "聘用", a1, "", ""],
        # 3: impossible date
        ["乙", ID_2, "", "1990-02-30", "", "", "本科", "", "群众", "聘用", a1, "", ""],
        # 4: birth date and gender contradicting the ID
        ["丙", ID_3, "女", "1978-06-16", "", "", "本科", "", "群众", "聘用", a1, "", ""],
        # 5: duplicate of row 4's ID
        ["丁", ID_3, "", "", "", "", "本科", "", "群众", "聘用", a1, "", ""],
        # 6: a community outside the importer's scope
        ["戊", make_id(serial=20), "", "", "", "", "本科", "", "群众", "聘用", b1, "", ""],
        # 7: an unknown community
        ["己", make_id(serial=21), "", "", "", "", "本科", "", "群众", "聘用", "火星社区", "", ""],
        # 8: unknown vocabulary values
        ["庚", make_id(serial=22), "男", "", "火星族", "", "幼儿园", "", "无", "抽签", a1,
         "神仙", ""],
        # 9: a fine row
        ["辛", make_id(serial=23), "", "", "", "", "本科", "", "群众", "聘用", a1, "", ""],
        # 10: an ID stored as a number by Excel
        ["壬", 1.10101198503021e17, "", "", "", "", "本科", "", "群众", "聘用", a1, "", ""],
    ]  # fmt: skip
    plan = plan_for(personas.street_a_manager, xlsx_bytes([HEADER, *rows]), "bad.xlsx")
    got = reasons(plan)
    assert (2, "公民身份号码") in got
    assert (3, "出生日期") in got
    assert (4, "出生日期") in got and (4, "性别") in got
    assert (5, "公民身份号码") in got
    assert (6, "所属社区") in got
    assert (7, "所属社区") in got
    for column in ("民族", "学历", "政治面貌", "来源方式", "职务"):
        assert (8, column) in got
    assert not [e for e in plan.errors if e.row == 9]
    assert (10, "公民身份号码") in got
    by_row = {(e.row, e.column): e.reason for e in plan.errors}
    assert "校验位" in by_row[(2, "公民身份号码")]
    assert "不存在" in by_row[(3, "出生日期")]
    assert "第4行" in by_row[(5, "公民身份号码")]
    assert "管辖范围" in by_row[(6, "所属社区")]
    assert "找不到" in by_row[(7, "所属社区")]
    assert "数字" in by_row[(10, "公民身份号码")]
    assert not plan.ok
    with pytest.raises(ServiceError):
        imports.workers_import_apply(plan=plan, acting_user=personas.street_a_manager)
    assert not Worker.objects.exists()


def test_missing_required_columns(tree: Tree, personas: Personas) -> None:
    plan = plan_for(
        personas.district_admin, csv_bytes([["姓名", "身份证号"], ["张三", ID_1]]), "x.csv"
    )
    assert {e.column for e in plan.errors} == {"所属社区", "学历", "政治面貌", "来源方式"}


def test_street_b_manager_cannot_import_into_street_a(tree: Tree, personas: Personas) -> None:
    rows = good_rows(tree)
    plan = plan_for(personas.street_b_manager, csv_bytes([HEADER, *rows]), "a.csv")
    assert reasons(plan) == [(2, "所属社区"), (3, "所属社区")]


def test_a_worker_of_another_street_cannot_be_taken_over(tree: Tree, personas: Personas) -> None:
    register(tree.community_a1, personas.street_a_manager, id_number=ID_1, name="张三")
    row = ["张三", ID_1, "", "", "", "", "本科", "", "中共党员", "聘用", tree.community_b1.name,
           "", ""]  # fmt: skip
    plan = plan_for(personas.street_b_manager, csv_bytes([HEADER, row]), "a.csv")
    assert reasons(plan) == [(2, "公民身份号码")]
    assert "管理员" in plan.errors[0].reason and "已登记" not in plan.errors[0].reason


def test_all_or_nothing_when_the_write_fails(tree: Tree, personas: Personas) -> None:
    plan = plan_for(personas.street_a_manager, csv_bytes([HEADER, *good_rows(tree)]), "a.csv")
    assert plan.ok and plan.creates == 2
    # Someone registers the second person between the preview and the confirmation.
    register(tree.community_a2, personas.street_a_manager, id_number=ID_2, name="李四")
    with pytest.raises(ServiceError):
        imports.workers_import_apply(plan=plan, acting_user=personas.street_a_manager)
    assert list(Worker.objects.values_list("id_number", flat=True)) == [ID_2]
    assert not AuditEntry.objects.filter(action="import").exists()


# ---------------------------------------------------------------- updates


def test_updates_only_changed_fields_and_moves(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    zhang = register(
        tree.community_a1,
        manager,
        id_number=ID_1,
        name="张三",
        phone="13812345678",
        education="bachelor",
        political="party_member",
        source="elected",
        major="社会工作",
        work_start_date=datetime.date(2012, 7, 1),
    )
    li = register(tree.community_a1, manager, id_number=ID_2, name="李四", education="college",
                  political="masses", source="hired", major="", phone="13900001111",
                  ethnicity="回族", work_start_date=datetime.date(2018, 3, 1))  # fmt: skip
    rows = good_rows(tree)
    rows[0][5] = "13800000000"  # new phone
    rows[0][11] = ""  # blank posts: left alone
    rows[1][10] = tree.community_a1.name  # li stays
    rows.append(["王五", ID_3, "", "", "", "", "中专", "", "团员", "下派",
                 tree.community_a2.name, "网格员", ""])  # fmt: skip
    plan = plan_for(manager, csv_bytes([HEADER, *rows]), "a.csv")
    assert plan.errors == []
    assert (plan.creates, plan.updates, plan.unchanged) == (1, 1, 1)
    [changed] = [p for p in plan.workers if p.changes]
    assert changed.changes == ["phone"] and not changed.moved

    imports.workers_import_apply(plan=plan, acting_user=manager)
    zhang.refresh_from_db()
    assert zhang.phone == "13800000000" and zhang.major == "社会工作"
    entry = AuditEntry.objects.get(action="import", target_id=str(zhang.pk))
    assert entry.after == {"phone": "138****0000"}
    assert not AuditEntry.objects.filter(action="import", target_id=str(li.pk)).exists()

    # Now move li to A2 with a post: the placement is closed and a new one opened.
    rows[1][10], rows[1][11] = tree.community_a2.code, "网格员"
    plan = plan_for(manager, csv_bytes([HEADER, *rows]), "a.csv")
    assert (plan.creates, plan.updates, plan.unchanged) == (0, 1, 2)
    imports.workers_import_apply(plan=plan, acting_user=manager)
    li.refresh_from_db()
    assert li.community == tree.community_a2 and li.unit_path == tree.community_a2.path
    placements = list(li.placements.order_by("start", "id").values_list("unit_id", "end_reason"))
    assert placements == [(tree.community_a1.pk, "transfer"), (tree.community_a2.pk, "")]
    assert list(li.posts.filter(end__isnull=True).values_list("post__code", flat=True)) == ["grid"]
    # Importing the same file again changes nothing.
    plan = plan_for(manager, csv_bytes([HEADER, *rows]), "a.csv")
    assert (plan.creates, plan.updates, plan.unchanged) == (0, 0, 3)


# ---------------------------------------------------------------- the sheets handed out


def test_template_has_drop_downs_and_instructions(tree: Tree, personas: Personas) -> None:
    from openpyxl import load_workbook

    content = imports.template_workbook(viewer=personas.street_a_manager)
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["社区工作者", "选项", "填写说明"]
    sheet = book["社区工作者"]
    assert [c.value for c in sheet[1]] == HEADER
    validated = {str(dv.sqref).split(":")[0] for dv in sheet.data_validations.dataValidation}
    # gender C, ethnicity E, education G, political I, source J, community K, post L
    assert validated == {"C2", "E2", "G2", "I2", "J2", "K2", "L2"}
    options = [c.value for c in book["选项"]["G"]]
    assert tree.community_a1.name in options and tree.community_b1.name not in options
    assert "填写说明" in book.sheetnames and book["填写说明"]["A1"].value

    # A filled-in template imports.
    sheet.append(good_rows(tree)[0])
    out = io.BytesIO()
    book.save(out)
    plan = plan_for(personas.street_a_manager, out.getvalue(), "t.xlsx")
    assert plan.errors == [] and plan.creates == 1


def test_errors_sheet_marks_bad_cells(tree: Tree, personas: Personas) -> None:
    rows = good_rows(tree)
    rows[1][6] = "幼儿园"
    columns, sheet_rows = read_sheet(
        csv_bytes([HEADER, *rows]), "a.csv", imports.WORKER_SHEET_ALIASES
    )
    plan = imports.workers_import_plan(
        rows=sheet_rows, columns=columns, acting_user=personas.street_a_manager
    )
    content = imports.errors_workbook(rows=sheet_rows, columns=columns, errors=plan.errors)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header[-2:] == ["错误说明", "原行号"]
    assert sheet.cell(row=3, column=7).value == "幼儿园"
    assert sheet.cell(row=3, column=7).fill.fgColor.rgb.endswith("FFC7CE")
    assert "学历" in sheet.cell(row=3, column=len(header) - 1).value
    assert sheet.cell(row=3, column=len(header)).value == 3
    assert not sheet.cell(row=2, column=len(header) - 1).value
    assert read_xlsx(content)[1][0] == "张三"


# ---------------------------------------------------------------- the command line


def test_cli_import_workers(tree: Tree, personas: Personas, tmp_path: Path) -> None:
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx_bytes([HEADER, *good_rows(tree)]))
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "workers", str(path), "--dry-run", "--user", "street_a_manager",
                 stdout=out, stderr=err)  # fmt: skip
    assert "新增 2 条" in out.getvalue() and not Worker.objects.exists()
    call_command("import", "workers", str(path), "--user", "street_a_manager", stdout=out)
    assert Worker.objects.count() == 2

    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([HEADER, *good_rows(tree)]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "workers", str(bad), "--user", "street_b_manager", stderr=err)
    assert "第2行 [所属社区]" in err.getvalue()


# ---------------------------------------------------------------- the pages


def _upload(client: Any, content: bytes, name: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    return client.post(reverse("people_import:upload"), {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS_EAGER = True
    return tmp_path


def test_pages_upload_report_preview_confirm(tree: Tree, personas: Personas, media: Path) -> None:
    from django.urls import reverse

    from shegong.conftest import client_for

    client = client_for(personas.street_a_manager)
    assert client.get(reverse("people_import:upload")).status_code == 200
    template = client.get(reverse("people_import:template"))
    assert template.status_code == 200 and template.content[:2] == b"PK"

    rows = good_rows(tree)
    rows[1][6] = "幼儿园"
    response = _upload(client, csv_bytes([HEADER, *rows]), "名册.csv")
    body = response.content.decode()
    assert "幼儿园" in body and 'id="errors-link"' in body and 'id="preview"' not in body
    marked = client.get(reverse("people_import:errors"))
    assert marked.status_code == 200
    assert read_xlsx(marked.content)[2][-2].startswith("学历")
    # Confirming a file with errors writes nothing.
    assert client.post(reverse("people_import:confirm")).status_code == 200
    assert not Worker.objects.exists()

    response = _upload(client, xlsx_bytes([HEADER, *good_rows(tree)]), "名册.xlsx")
    body = response.content.decode()
    assert 'id="creates">2<' in body
    response = client.post(reverse("people_import:confirm"))
    assert response.status_code == 302
    assert Worker.objects.count() == 2


def test_large_file_runs_as_a_job_with_progress(
    tree: Tree, personas: Personas, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.urls import reverse

    from shegong.conftest import client_for
    from shegong.tasks.models import Job

    monkeypatch.setattr(imports, "BACKGROUND_THRESHOLD", 1)
    client = client_for(personas.street_a_manager)
    response = _upload(client, csv_bytes([HEADER, *good_rows(tree)]), "名册.csv")
    assert "后台" in response.content.decode()
    response = client.post(reverse("people_import:confirm"))
    assert response.status_code == 302
    assert response["Location"] == reverse("people_import:progress")
    job = Job.objects.get()
    assert (job.owner, job.status, job.total) == (personas.street_a_manager, "done", 2)
    assert Worker.objects.count() == 2
    state = client.get(reverse("people_import:progress-json")).json()
    assert state["finished"] and state["percent"] == 100 and "新增2人" in state["message"]
    assert client.get(reverse("people_import:progress")).status_code == 200
    # Someone else's job is not theirs to see.
    assert (
        client_for(personas.street_b_manager)
        .get(reverse("people_import:progress-json"))
        .status_code
        == 404
    )


def test_the_import_checks_phones_as_chinese_numbers_like_the_form(
    tree: Tree, personas: Personas
) -> None:
    a1 = tree.community_a1.name
    rows = [
        ["甲", ID_1, "", "", "", "845678", "本科", "", "群众", "聘用", a1, "", ""],
        ["乙", ID_2, "", "", "", "0731-84567890", "本科", "", "群众", "聘用", a1, "", ""],
    ]
    plan = plan_for(personas.street_a_manager, xlsx_bytes([HEADER, *rows]), "名册.xlsx")
    assert [(e.row, e.column) for e in plan.errors] == [(2, "联系电话")]
    assert "手机号为1开头的11位数字" in plan.errors[0].reason
