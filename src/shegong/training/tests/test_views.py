from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.people.models import Certificate
from shegong.people.tests.factories import register
from shegong.training.models import Attendance, Enrolment, ExamRegistration
from shegong.training.tests.factories import START, attend, enrol, make_course

pytestmark = pytest.mark.django_db


def _text(response: object) -> str:
    return str(response.content.decode())  # type: ignore[attr-defined]


def test_the_owner_sees_the_course_list_and_detail(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    course = make_course(
        tree.street_a, user, title="甲街道网格员培训", start=datetime.date(2026, 4, 1)
    )
    enrol(course, [register(tree.community_a1, user, name="王网格")], user)
    client = client_for(user)
    listing = _text(client.get(reverse("training:list") + "?year=2026"))
    assert "甲街道网格员培训" in listing and "1/30" in listing
    detail = _text(client.get(reverse("training:detail", kwargs={"pk": course.pk})))
    assert "王网格" in detail
    assert "打印签到表" in detail


def test_creating_a_course_with_end_before_start_shows_the_error(
    tree: Tree, personas: Personas
) -> None:
    client = client_for(personas.street_a_manager)
    response = client.post(
        reverse("training:create"),
        {
            "title": "倒序班",
            "kind": "centralised",
            "organiser": tree.street_a.pk,
            "start": "2026-05-02",
            "end": "2026-05-01",
            "hours_per_day": "6",
            "capacity": "10",
        },
    )
    assert response.status_code == 200
    assert "早于开始日期" in _text(response)
    assert not Enrolment.objects.exists()


def test_enrolling_a_whole_community_from_the_page(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    for name in ("甲", "乙", "丙"):
        register(tree.community_a1, user, name=name)
    register(tree.community_a2, user, name="丁")
    client = client_for(user)
    url = reverse("training:detail", kwargs={"pk": course.pk})
    page = _text(client.get(url, {"unit": tree.community_a1.code}))
    assert "按筛选条件全部报名(3人)" in page
    response = client.post(
        reverse("training:enrol", kwargs={"pk": course.pk}),
        {"unit": tree.community_a1.code, "post": "", "q": "", "mode": "all"},
        follow=True,
    )
    assert "已报名3人" in _text(response)
    assert sorted(Enrolment.objects.values_list("worker__name", flat=True)) == ["丙", "乙", "甲"]


def test_enrolling_over_capacity_from_the_page_changes_nothing(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user, capacity=1)
    workers = [register(tree.community_a1, user, name=n) for n in ("甲", "乙")]
    response = client_for(user).post(
        reverse("training:enrol", kwargs={"pk": course.pk}),
        {"worker": [w.pk for w in workers], "mode": "ticked"},
        follow=True,
    )
    assert "名额不足" in _text(response)
    assert not Enrolment.objects.exists()


def test_the_phone_sign_in_page_marks_and_refuses_off_roster(
    tree: Tree, personas: Personas
) -> None:
    clerk = personas.community_a1_clerk
    course = make_course(tree.street_a, personas.street_a_manager)
    here = register(tree.community_a1, clerk, name="到场者")
    late = register(
        tree.community_a1, clerk, name="后入职", entry_date=START + datetime.timedelta(days=1)
    )
    enrolments = enrol(course, [here, late], clerk)
    client = client_for(clerk)
    url = reverse("training:sign-in", kwargs={"pk": course.pk})
    page = _text(client.get(url, {"day": START.isoformat()}))
    assert "到场者" in page and 'name="present"' in page
    assert here.id_number not in page
    response = client.post(
        url,
        {
            "day": START.isoformat(),
            "present": [e.pk for e in enrolments],
            "shown": [e.pk for e in enrolments],
        },
        follow=True,
    )
    assert "后入职在2026-03-02不在社区工作者名册上" in _text(response)
    assert not Attendance.objects.exists()
    response = client.post(
        url,
        {
            "day": START.isoformat(),
            "present": [enrolments[0].pk],
            "shown": [e.pk for e in enrolments],
        },
        follow=True,
    )
    assert "新增1人" in _text(response)
    assert list(Attendance.objects.values_list("worker__name", flat=True)) == ["到场者"]


def test_the_printed_sign_in_sheet_has_a_column_per_day(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    enrolments = enrol(course, [register(tree.community_a1, user, name="签到人")], user)
    attend(course, START, enrolments, user)
    sheet = _text(client_for(user).get(reverse("training:sheet", kwargs={"pk": course.pk})))
    assert "签到人" in sheet
    assert sheet.count("<th>3月") == 3
    assert sheet.count("✓") == 1
    blank = _text(
        client_for(user).get(reverse("training:sheet", kwargs={"pk": course.pk}), {"blank": "1"})
    )
    assert "签到人" in blank and "✓" not in blank


def test_figures_page_draws_charts_and_the_export_reads_back(
    tree: Tree, personas: Personas
) -> None:
    admin = personas.district_admin
    course = make_course(tree.district, admin)
    a, b = (
        register(tree.community_a1, admin, name="甲"),
        register(tree.community_b1, admin, name="乙"),
    )
    register(tree.community_a2, admin, name="未训")
    enrolments = enrol(course, [a, b], admin)
    attend(course, START, enrolments, admin)
    client = client_for(admin)
    query = {"unit": tree.district.code, "from": "2026-01-01", "to": "2026-12-31"}
    page = _text(client.get(reverse("training:figures"), query))
    assert "<svg" in page and "各下级单位受训面" in page
    assert "66.7%" in page  # 2 of 3 on the roster trained
    response = client.get(reverse("training:figures-export"), query)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["培训人次"] == 2
    assert summary["受训人数"] == 2
    assert summary["受训面(%)"] == pytest.approx(66.7)
    units = {row[0]: row[4] for row in book["按下级单位"].iter_rows(min_row=2, values_only=True)}
    assert units == {"街道甲": pytest.approx(50.0), "街道乙": pytest.approx(100.0)}
    short = [row[0] for row in book["未达标人员"].iter_rows(min_row=2, values_only=True)]
    assert short == ["未训"]


def test_compliance_page_lists_who_is_short(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    register(tree.community_a1, user, name="未受训者")
    page = _text(client_for(user).get(reverse("training:compliance"), {"year": "2026"}))
    assert "未受训者" in page
    assert "每2年不少于1天" in page


def test_passing_on_the_exam_page_shows_the_certificate_on_the_worker(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user, name="考生")
    client = client_for(user)
    client.post(
        reverse("training:exams"), {"worker": worker.pk, "level": "social_worker", "year": 2026}
    )
    registration = ExamRegistration.objects.get(worker=worker)
    response = client.post(
        reverse("training:exam", kwargs={"pk": registration.pk}),
        {
            "comprehensive": "61",
            "practice": "75.5",
            "passed_on": "2026-11-20",
            "certificate_number": "ZJ-1",
        },
        follow=True,
    )
    assert "证书已记入人员档案" in _text(response)
    assert "2,000.00" in _text(response)
    assert Certificate.objects.get(worker=worker).kind == "social_worker"
    detail = _text(client.get(reverse("people:detail", kwargs={"pk": worker.pk})))
    assert "ZJ-1" in detail
    awards = _text(client.get(reverse("training:awards")))
    assert "考生" in awards and "2,000.00" in awards


def test_the_district_sets_a_requirement_on_the_settings_page(
    tree: Tree, personas: Personas
) -> None:
    from shegong.people.models import PostType

    grid = PostType.objects.get(code="grid")
    client = client_for(personas.district_admin)
    response = client.post(
        reverse("training:config"), {"post": grid.pk, "min_days": 3, "every_years": 1}, follow=True
    )
    assert "已保存" in _text(response)
    assert "网格员" in _text(response)
    street = _text(client_for(personas.street_a_manager).get(reverse("training:config")))
    assert "网格员" in street and 'name="min_days"' not in street


def test_a_worker_training_record_shows_days_hours_and_exams(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user, name="档案人")
    course = make_course(tree.street_a, user, title="档案班", hours_per_day="3.5")
    attend(course, START, enrol(course, [worker], user), user)
    page = _text(client_for(user).get(reverse("training:worker", kwargs={"pk": worker.pk})))
    assert "档案班" in page and "1/3" in page and "3.5" in page
    assert "2026年" in page
    assert worker.id_number not in page


def test_the_attendance_export_reads_back_with_days_and_hours(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user, hours_per_day="3.5")
    enrolments = enrol(course, [register(tree.community_a1, user, name="导出人")], user)
    attend(course, START, enrolments, user)
    attend(course, START + datetime.timedelta(days=2), enrolments, user)
    response = client_for(user).get(reverse("training:export", kwargs={"pk": course.pk}))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "社区", "03-02", "03-03", "03-04", "出勤天数", "学时")
    assert rows[1] == ("导出人", "甲一社区", "✓", None, "✓", 2, 7)


def test_the_awards_export_lists_amounts_and_the_total(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    client = client_for(user)
    for name, level in (("甲", "assistant"), ("乙", "social_worker")):
        worker = register(tree.community_a1, user, name=name)
        client.post(reverse("training:exams"), {"worker": worker.pk, "level": level, "year": 2026})
        registration = ExamRegistration.objects.get(worker=worker)
        client.post(
            reverse("training:exam", kwargs={"pk": registration.pk}),
            {"comprehensive": "70", "practice": "70", "passed_on": "2026-11-01"},
        )
    response = client.get(reverse("training:awards-export"))
    rows = list(
        openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    )
    assert {(r[0], r[3]) for r in rows[1:-1]} == {("甲", 1000), ("乙", 2000)}
    assert rows[-1][0] == "合计" and rows[-1][3] == 3000
    other = client_for(personas.street_b_manager).get(reverse("training:awards-export"))
    other_rows = list(
        openpyxl.load_workbook(io.BytesIO(other.content)).active.iter_rows(values_only=True)
    )
    assert [r[0] for r in other_rows[1:]] == ["合计"]


def test_the_course_list_sorts_by_its_headers_and_pages_by_the_size_asked(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    for n, title in enumerate(["丙班", "甲班", "乙班"]):
        make_course(tree.street_a, user, title=title, start=datetime.date(2026, 4, 1 + n))
    client = client_for(user)
    url = reverse("training:list")
    newest_first = _text(client.get(url, {"year": "2026"}))
    assert newest_first.index("乙班") < newest_first.index("甲班") < newest_first.index("丙班")
    by_date = _text(client.get(url, {"year": "2026", "sort": "start"}))
    assert by_date.index("丙班") < by_date.index("甲班") < by_date.index("乙班")
    assert 'aria-sort="ascending"' in by_date and "?year=2026&amp;sort=-start" in by_date
    refused = _text(client.get(url, {"year": "2026", "sort": "organiser__password"}))
    assert refused.index("乙班") < refused.index("丙班")  # the default order
    paged = client.get(url, {"year": "2026", "size": "20", "page": "9"})
    assert paged.context["page"].number == 1 and paged.context["page"].paginator.per_page == 20
