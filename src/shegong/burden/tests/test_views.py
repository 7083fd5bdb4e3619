"""The burden pages as their users see them."""

from __future__ import annotations

import datetime
import io
import json

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from shegong.burden.models import Application, BurdenRecord, Status
from shegong.burden.tests import factories as f
from shegong.conftest import Personas, Tree, client_for


@pytest.fixture
def b(tree: Tree, personas: Personas) -> f.Burden:
    return f.burden(tree, personas)


def test_a_department_files_on_the_page_and_is_told_the_earliest_day(b: f.Burden) -> None:
    client = client_for(b.health_account)
    values = f.application_values(starts_on=datetime.date.today() + datetime.timedelta(days=3))
    values["department"] = b.health.pk
    response = client.post(reverse("burden:application-create"), values)
    assert response.status_code == 200
    assert "须在实施前至少30个工作日提出申请" in response.content.decode()
    assert not Application.objects.exists()
    values["starts_on"] = datetime.date.today() + datetime.timedelta(days=120)
    response = client.post(reverse("burden:application-create"), values, follow=True)
    assert "准入申请已提交" in response.content.decode()
    assert Application.objects.get().filed_by == b.health_account


def test_the_district_refuses_with_a_reason_on_the_page(b: f.Burden, personas: Personas) -> None:
    application = f.file(b)
    Application.objects.filter(pk=application.pk).update(due_on=datetime.date(2100, 1, 1))
    client = client_for(personas.district_admin)
    url = reverse("burden:application-decide", kwargs={"pk": application.pk})
    page = client.post(url, {"decision": "refuse", "reason": ""}, follow=True).content.decode()
    assert "请填写不予准入理由" in page
    response = client.post(url, {"decision": "refuse", "reason": "属部门职责"}, follow=True)
    application.refresh_from_db()
    assert application.status == Status.REFUSED
    assert "属部门职责" in response.content.decode()


def test_a_department_cannot_decide_on_the_page(b: f.Burden) -> None:
    application = f.file(b)
    url = reverse("burden:application-decide", kwargs={"pk": application.pk})
    page = client_for(b.health_account).get(
        reverse("burden:application", kwargs={"pk": application.pk})
    )
    assert "批准" not in page.content.decode().split("<main", 1)[-1].split("状态")[0]
    client_for(b.health_account).post(url, {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == Status.FILED


def test_the_clerk_sees_what_may_be_refused_and_who_imposed_it(
    b: f.Burden, tree: Tree, personas: Personas
) -> None:
    f.record(tree, personas, b)
    page = client_for(personas.community_a1_clerk).get(
        reverse("burden:records"), {"unit": tree.community_a1.code, "year": "2026"}
    )
    assert "未经准入,可拒绝(区卫健局)" in page.content.decode()


def test_a_clerk_records_a_ledger_on_the_page(b: f.Burden, tree: Tree, personas: Personas) -> None:
    client = client_for(personas.community_a1_clerk)
    body = {
        "community": tree.community_a1.pk,
        "kind": "ledger",
        "title": "创文台账",
        "department": b.health.pk,
        "frequency": "",
        "year": 2026,
    }
    page = client.post(reverse("burden:record-create"), body)
    assert "请选择更新频次" in page.content.decode()
    assert not BurdenRecord.objects.exists()
    body["frequency"] = "weekly"
    client.post(reverse("burden:record-create"), body)
    assert BurdenRecord.objects.get().title == "创文台账"
    body["community"] = tree.community_a2.pk  # not offered to the clerk
    page = client.post(reverse("burden:record-create"), body)
    assert BurdenRecord.objects.count() == 1


def test_the_dashboard_draws_charts_and_the_files_read_back(
    b: f.Burden, tree: Tree, personas: Personas
) -> None:
    f.record(tree, personas, b)
    client = client_for(personas.district_admin)
    query: dict[str, str | int] = {"unit": tree.district.code, "year": 2026}
    page = client.get(reverse("burden:index"), query).content.decode()
    assert "<svg" in page and "区卫健局" in page
    xlsx = client.get(reverse("burden:download"), {**query, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    rows = list(book["各社区"].iter_rows(values_only=True))
    a1 = next(r for r in rows if r[0] == "甲一社区")
    assert a1[3] == 1 and a1[-1] == 1  # one ledger, without admission
    word = client.get(reverse("burden:download"), {**query, "format": "docx"})
    text = "\n".join(
        c.text
        for t in docx.Document(io.BytesIO(word.content)).tables
        for r in t.rows
        for c in r.cells
    )
    assert "甲一社区" in text and "区卫健局" in text


def test_the_report_command_prints_the_json_keys(
    b: f.Burden, tree: Tree, personas: Personas, capsys: pytest.CaptureFixture[str]
) -> None:
    f.record(tree, personas, b)
    call_command("report", "burden", "--unit", tree.district.code, "--year", "2026")
    data = json.loads(capsys.readouterr().out)
    assert data["ledgers"] == 1 and data["without_admission"] == 1
    assert {"communities", "items", "signboards", "stamp_kinds", "inspections"} <= set(data)
    assert {"unfunded_items", "forms", "fields_from_data", "fields_asked", "survey"} <= set(data)


def test_the_lapse_command_lapses_overdue_applications(
    b: f.Burden, capsys: pytest.CaptureFixture[str]
) -> None:
    application = f.file(b)
    call_command("burden", "lapse", "--date", "2026-04-01")
    application.refresh_from_db()
    assert application.status == Status.LAPSED
    assert "1 件" in capsys.readouterr().out


def test_an_admin_makes_an_account_a_departments_on_the_settings_page(
    b: f.Burden, tree: Tree, personas: Personas
) -> None:
    from shegong.core.models import Membership, User

    User.objects.create_user(username="edu_dept", password="x")
    client = client_for(personas.district_admin)
    url = reverse("burden:config")
    page = client.post(url, {"form": "member", "department": b.civil.pk, "username": "nobody"})
    assert "没有这个账号" in page.content.decode()
    client.post(url, {"form": "member", "department": b.civil.pk, "username": "edu_dept"})
    assert b.civil.members.filter(username="edu_dept").exists()
    assert Membership.objects.get(user__username="edu_dept").role == "department"
    page = client.post(
        url, {"form": "member", "department": b.civil.pk, "username": "street_a_manager"}
    )
    assert "已有其他角色" in page.content.decode()
