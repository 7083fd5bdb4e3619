from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import AuditEntry
from shegong.people.models import Certificate
from shegong.people.tests.factories import make_id, register
from shegong.people.tests.sheetfiles import csv_bytes, xlsx_bytes
from shegong.training.models import Attendance, Award, Enrolment, ExamRegistration
from shegong.training.tests.factories import START, enrol, make_course

pytestmark = pytest.mark.django_db
DAY2 = START + datetime.timedelta(days=1)


def _upload(client: object, url: str, content: bytes, name: str = "签到.xlsx") -> object:
    return client.post(url, {"file": SimpleUploadedFile(name, content)})  # type: ignore[attr-defined]


def test_a_clean_sign_in_sheet_is_previewed_then_written_with_new_enrolments(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    a = register(tree.community_a1, user, name="张一")
    b = register(tree.community_a2, user, name="李二")
    enrol(course, [a], user)
    client = client_for(user)
    url = reverse("training:import", kwargs={"pk": course.pk})
    sheet = xlsx_bytes(
        [
            ["甲街道培训签到表"],
            ["序号", "姓名", "单位", "日期"],
            [1, "张一", "甲一社区", START],
            [2, "张一", "甲一社区", "2026/3/3"],
            [3, "李二", "", "2026年3月2日"],
            [4, "李二", "", "2026-03-02"],  # repeated: counted once
        ]
    )
    page = _upload(client, url, sheet).content.decode()  # type: ignore[attr-defined]
    assert 'id="new-marks">3<' in page
    assert 'id="to-enrol">1<' in page
    # The preview lists each sign-in it would add, and who it would enrol.
    assert (
        '<tr class="create"><td>3</td><td>张一</td><td>新增</td><td>签到日期:2026-03-02</td></tr>'
        in page
    )
    assert "<td>李二</td><td>新增</td><td>签到日期:2026-03-02;同时报名本班</td>" in page
    assert not Attendance.objects.exists()  # the preview writes nothing
    response = client.post(reverse("training:import-confirm"), follow=True)
    assert "新增签到3人次,新报名1人" in response.content.decode()
    assert sorted(Attendance.objects.values_list("worker__name", "day")) == [
        ("张一", START),
        ("张一", DAY2),
        ("李二", START),
    ]
    assert Enrolment.objects.filter(course=course, worker=b).exists()
    assert AuditEntry.objects.filter(action="import", target_id=str(course.pk)).exists()


def test_a_sheet_with_errors_writes_nothing_and_marks_every_bad_cell(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    register(tree.community_a1, user, name="张一")
    register(tree.community_a1, user, name="新人", entry_date=DAY2)
    register(tree.community_b1, personas.district_admin, name="乙街道人")
    client = client_for(user)
    sheet = csv_bytes(
        [
            ["姓名", "签到日期"],
            ["张一", "2026-03-02"],
            ["新人", "2026-03-02"],
            ["乙街道人", "2026-03-02"],
            ["张一", "2026-04-01"],
            ["张一", "三月二日"],
        ]
    )
    page = _upload(client, reverse("training:import", kwargs={"pk": course.pk}), sheet, "签到.csv")
    text = page.content.decode()  # type: ignore[attr-defined]
    assert "共 4 行有错误" in text
    assert "这一天不在社区工作者名册上" in text
    assert "没有找到这个人员" in text
    assert "不在培训日期" in text
    assert "无法识别的日期" in text
    marked = client.get(reverse("training:import-errors"))
    book = openpyxl.load_workbook(io.BytesIO(marked.content))
    notes = [row[-2] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert not notes[0] and all(notes[1:])
    response = client.post(reverse("training:import-confirm"), follow=True)
    assert "未导入任何数据" in response.content.decode()
    assert not Attendance.objects.exists()
    assert not Enrolment.objects.exists()


def test_a_sign_in_sheet_over_capacity_is_refused_whole(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user, capacity=1)
    for name in ("甲", "乙"):
        register(tree.community_a1, user, name=name)
    sheet = xlsx_bytes([["姓名", "签到日期"], ["甲", START], ["乙", START]])
    page = _upload(client_for(user), reverse("training:import", kwargs={"pk": course.pk}), sheet)
    assert "名额不足" in page.content.decode()  # type: ignore[attr-defined]


def test_exam_results_import_creates_certificates_and_awards(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    pass_id = make_id(datetime.date(1991, 5, 6), serial=3)
    register(tree.community_a1, user, name="通过者", id_number=pass_id)
    register(tree.community_a2, user, name="未过者")
    sheet = xlsx_bytes(
        [
            ["姓名", "身份证号", "报考级别", "年度", "综合能力", "实务", "通过日期", "证书编号"],
            ["通过者", pass_id, "初级", 2026, 71, 64.5, "2026-11-20", "ZL-9"],
            ["未过者", "", "中级", "2026年", 58, 77, "", ""],
        ]
    )
    client = client_for(user)
    page = _upload(client, reverse("training:exam-import"), sheet, "成绩.xlsx").content.decode()  # type: ignore[attr-defined]
    assert 'id="planned">2<' in page and 'id="passes">1<' in page
    assert "<td>通过者 · 2026年助理社会工作师</td><td>新增</td>" in page
    assert "社会工作综合能力:71.0;社会工作实务:64.5" in page
    client.post(reverse("training:exam-import-confirm"))
    assert Certificate.objects.get(number="ZL-9").worker.name == "通过者"
    assert Award.objects.get().worker.name == "通过者"
    failed = ExamRegistration.objects.get(worker__name="未过者")
    assert (failed.level, failed.passed_on) == ("social_worker", None)
    assert failed.results.count() == 2
    # A later sheet correcting a score is previewed as an update of what is on record.
    again = xlsx_bytes(
        [
            ["姓名", "报考级别", "年度", "综合能力", "实务"],
            ["未过者", "中级", 2026, 58, 59.5],
        ]
    )
    page = _upload(client, reverse("training:exam-import"), again, "成绩.xlsx").content.decode()  # type: ignore[attr-defined]
    assert "<td>更新</td><td><div>社会工作实务:77.0 → 59.5</div></td>" in page


def test_exam_import_refuses_a_pass_without_a_date_and_writes_nothing(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    register(tree.community_a1, user, name="考生")
    sheet = xlsx_bytes(
        [
            ["姓名", "级别", "年度", "社会工作综合能力", "社会工作实务"],
            ["考生", "助理社会工作师", 2026, 80, 80],
        ]
    )
    client = client_for(user)
    page = _upload(client, reverse("training:exam-import"), sheet, "成绩.xlsx").content.decode()  # type: ignore[attr-defined]
    assert "请填写通过日期" in page
    client.post(reverse("training:exam-import-confirm"))
    assert not ExamRegistration.objects.exists()


# ---------------------------------------------------------------- the command line


def test_the_command_line_imports_a_sign_in_sheet_for_the_course_named(
    tree: Tree, personas: Personas, tmp_path: object
) -> None:
    from pathlib import Path

    from django.core.management import call_command

    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    register(tree.community_a1, user, name="张一")
    path = Path(str(tmp_path)) / "签到.xlsx"
    path.write_bytes(xlsx_bytes([["姓名", "签到日期"], ["张一", START], ["张一", DAY2]]))
    args = ["import", "training_attendance", str(path), "--user", user.username]
    out = io.StringIO()
    call_command(*args, "--context", f"course={course.pk}", "--dry-run", stdout=out)
    assert "校验通过(未写入)" in out.getvalue()
    assert not Attendance.objects.exists()
    call_command(*args, "--context", f"course={course.pk}", stdout=out)
    assert "新增签到2人次,新报名1人" in out.getvalue()
    assert Attendance.objects.filter(course=course).count() == 2


def test_the_command_line_answers_a_course_out_of_scope_like_a_missing_one(
    tree: Tree, personas: Personas, tmp_path: object
) -> None:
    from pathlib import Path

    from django.core.management import CommandError, call_command

    course = make_course(tree.street_b, personas.street_b_manager)
    path = Path(str(tmp_path)) / "签到.xlsx"
    path.write_bytes(xlsx_bytes([["姓名", "签到日期"], ["张一", START]]))
    with pytest.raises(CommandError, match="所指的记录不存在"):
        call_command(
            "import", "training_attendance", str(path), "--user", "street_a_manager",
            "--context", f"course={course.pk}",
        )  # fmt: skip
    assert not Attendance.objects.exists()
