"""The burden API's stamp lists, calendar, record deletion, edits and withdrawals, and the
workers' answers by code (public, throttled like the residents' vote, one code one answer)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from shegong.burden import services
from shegong.burden.models import BurdenRecord, CalendarDay, PooledAnswer, Status, WorkerCode
from shegong.burden.tests import factories as f
from shegong.conftest import Personas, Tree, client_for
from shegong.people.tests.factories import register

JSON = "application/json"


@pytest.fixture
def b(tree: Tree, personas: Personas) -> f.Burden:
    return f.burden(tree, personas)


def test_the_stamp_lists_are_read_by_listing_and_kept_by_the_district(
    tree: Tree, personas: Personas, b: f.Burden
) -> None:
    url = reverse("burden-stamp-list")
    admin = client_for(personas.district_admin)
    for name, listing in (("居住证明", "positive"), ("亲属关系证明", "negative")):
        made = admin.post(
            url, {"district": tree.district.code, "name": name, "listing": listing},
            content_type=JSON,
        )  # fmt: skip
        assert made.status_code == 201
    refused = client_for(personas.street_a_manager).post(
        url, {"district": tree.district.code, "name": "无犯罪证明", "listing": "negative"},
        content_type=JSON,
    )  # fmt: skip
    assert refused.status_code == 400 and "无权管理" in refused.json()["district"][0]
    clerk = client_for(personas.community_a1_clerk)  # a community must know what it may refuse
    negative = clerk.get(url, {"listing": "negative"}).json()["results"]
    assert [s["name"] for s in negative] == ["亲属关系证明"]
    assert len(clerk.get(url).json()["results"]) == 2


def test_the_calendar_is_read_by_year_and_written_by_an_admin(personas: Personas) -> None:
    url = reverse("burden-calendar-list")
    days = client_for(personas.street_a_manager).get(url, {"year": 2026}).json()
    assert {"day": "2026-10-01", "workday": False, "name": "国庆节"} in days
    body = {"day": "2026-12-31", "workday": False, "name": "区县调休"}
    assert (
        client_for(personas.street_a_manager).post(url, body, content_type=JSON).status_code == 400
    )
    assert not CalendarDay.objects.filter(day="2026-12-31").exists()
    made = client_for(personas.district_admin).post(url, body, content_type=JSON)
    assert made.status_code == 201 and made.json()["name"] == "区县调休"


def test_a_record_is_read_and_deleted_within_scope(
    tree: Tree, personas: Personas, b: f.Burden
) -> None:
    record = f.record(tree, personas, b)
    url = reverse("burden-record-detail", kwargs={"pk": record.pk})
    assert client_for(personas.street_b_manager).delete(url).status_code == 404
    shown = client_for(personas.community_a1_clerk).get(url).json()
    assert shown["title"] == "创卫迎检台账" and shown["refusable"] is True
    assert client_for(personas.community_a1_clerk).delete(url).status_code == 204
    assert not BurdenRecord.objects.filter(pk=record.pk).exists()


def _pending(b: f.Burden) -> int:
    body = {**f.application_values(), "department": b.health.pk}
    body["starts_on"] = (datetime.date.today() + datetime.timedelta(days=120)).isoformat()
    made = client_for(b.health_account).post(
        reverse("burden-application-list"), body, content_type=JSON
    )
    assert made.status_code == 201
    return int(made.json()["id"])


def test_a_department_patches_and_withdraws_its_application(
    b: f.Burden, personas: Personas
) -> None:
    pk = _pending(b)
    detail = reverse("burden-application-detail", kwargs={"pk": pk})
    client = client_for(b.health_account)
    patched = client.patch(detail, {"title": "健康档案台账(修订)"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["title"] == "健康档案台账(修订)"
    assert patched.json()["funded"] is True and patched.json()["funding"] == "3000.00"  # kept
    soon = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    refused = client.patch(detail, {"starts_on": soon}, content_type=JSON)
    assert refused.status_code == 400 and "工作日" in refused.json()["starts_on"][0]
    for outsider in (b.civil_account, personas.district_admin):
        assert (
            client_for(outsider).patch(detail, {"title": "x"}, content_type=JSON).status_code == 404
        )
    withdraw = reverse("burden-application-withdraw", kwargs={"pk": pk})
    assert client_for(personas.district_admin).post(withdraw).status_code == 404
    answer = client.post(withdraw)
    assert answer.status_code == 200 and answer.json()["status"] == Status.WITHDRAWN
    again = client.post(withdraw)
    assert again.status_code == 400 and "只有待审核的申请" in str(again.json())


def test_the_district_patches_and_retires_an_item(
    tree: Tree, personas: Personas, b: f.Burden
) -> None:
    item = f.item(tree, personas, b)
    detail = reverse("burden-item-detail", kwargs={"pk": item.pk})
    admin = client_for(personas.district_admin)
    patched = admin.patch(detail, {"funded": True, "funding": "800"}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["funding"] == "800.00"
    moved = admin.patch(detail, {"department": b.health.pk}, content_type=JSON)
    assert moved.json()["department"] == "区卫健局"
    assert moved.json()["funded"] is True and moved.json()["funding"] == "800.00"  # kept
    assert (
        client_for(personas.street_a_manager)
        .patch(detail, {"title": "x"}, content_type=JSON)
        .status_code
        == 400
    )  # it sees the list, it does not keep it
    retire = reverse("burden-item-retire", kwargs={"pk": item.pk})
    assert admin.post(retire, {"reason": ""}, content_type=JSON).status_code == 400
    assert admin.post(retire, {"reason": "合并"}, content_type=JSON).status_code == 200
    listed = admin.get(reverse("burden-item-list")).json()["results"]
    assert listed == []
    retired = admin.get(reverse("burden-item-list"), {"retired": "1"}).json()["results"]
    assert [i["id"] for i in retired] == [item.pk]


def _open_survey(tree: Tree, personas: Personas, workers: int = 5) -> list[str]:
    for i in range(workers):
        register(tree.community_a1, personas.street_a_manager, name=f"甲一{i}号")
    survey = services.worker_survey_create(
        unit=tree.street_a, title="问卷", acting_user=personas.street_a_manager
    )
    services.survey_question_add(
        survey=survey,
        values={"kind": "multi", "text": "负担", "options": "台账\n检查", "required": True},
        acting_user=personas.street_a_manager,
    )
    issued = services.worker_codes_issue(survey=survey, acting_user=personas.street_a_manager)
    services.worker_survey_set_status(
        survey=survey, status="open", acting_user=personas.street_a_manager
    )
    return [code for _w, code in issued]


ANSWERS = {"1": 0, "2": 3, "3": 0, "4": "太多台账", "5": [0, 1]}


def test_a_worker_answers_through_the_api_with_a_code_only(tree: Tree, personas: Personas) -> None:
    codes = _open_survey(tree, personas)
    anonymous = Client()
    read = anonymous.get(reverse("burden-survey-questionnaire"), {"code": codes[0]})
    assert read.status_code == 200
    questions = read.json()["questions"]
    assert [q["kind"] for q in questions] == ["choice", "choice", "choice", "text", "multi"]
    url = reverse("burden-survey-answer")
    missing = anonymous.post(url, {"code": codes[0], "answers": {"1": 0}}, content_type=JSON)
    assert missing.status_code == 400 and "请回答" in missing.json()["answers"][0]
    made = anonymous.post(url, {"code": codes[0], "answers": ANSWERS}, content_type=JSON)
    assert made.status_code == 201
    replay = anonymous.post(url, {"code": codes[0], "answers": ANSWERS}, content_type=JSON)
    assert replay.status_code == 400 and "已使用" in replay.json()["code"][0]
    assert PooledAnswer.objects.count() == 1
    assert WorkerCode.objects.filter(spent=True).count() == 1
    assert PooledAnswer.objects.get().answers["5"] == [0, 1]


def test_wrong_codes_on_the_api_are_throttled_per_address(tree: Tree, personas: Personas) -> None:
    from shegong.appraisal.services import votes

    codes = _open_survey(tree, personas)
    url = reverse("burden-survey-answer")
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(votes.FAILURE_LIMIT):
        body = {"code": f"AAAA-BBBB-{n:04d}", "answers": ANSWERS}
        assert guesser.post(url, body, content_type=JSON).status_code == 400
    body = {"code": codes[0], "answers": ANSWERS}
    assert guesser.post(url, body, content_type=JSON).status_code == 429
    assert not WorkerCode.objects.filter(spent=True).exists()
    elsewhere = Client(REMOTE_ADDR="198.51.100.3")
    assert elsewhere.post(url, body, content_type=JSON).status_code == 201
