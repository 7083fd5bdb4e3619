"""Departments file through the API; the district decides; records and the summary, scoped."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from shegong.burden.models import Application, BurdenRecord, Status
from shegong.burden.tests import factories as f
from shegong.conftest import Personas, Tree, client_for


@pytest.fixture
def b(tree: Tree, personas: Personas) -> f.Burden:
    return f.burden(tree, personas)


def _body(b: f.Burden, **overrides: object) -> dict[str, object]:
    body = {**f.application_values(), "department": b.health.pk}
    body["starts_on"] = (datetime.date.today() + datetime.timedelta(days=120)).isoformat()
    body.update(overrides)
    return body


def test_a_department_files_through_the_api_and_sees_only_its_own(b: f.Burden) -> None:
    client = client_for(b.health_account)
    url = reverse("burden-application-list")
    soon = (datetime.date.today() + datetime.timedelta(days=5)).isoformat()
    refused = client.post(url, _body(b, starts_on=soon), content_type="application/json")
    assert refused.status_code == 400
    assert "至少30个工作日" in refused.json()["starts_on"][0]
    made = client.post(url, _body(b), content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "filed"
    other = client.post(url, _body(b, department=b.civil.pk), content_type="application/json")
    assert other.status_code == 400 and "本账号所属部门" in other.json()["department"][0]
    assert [a["id"] for a in client.get(url).json()["results"]] == [made.json()["id"]]
    assert client_for(b.civil_account).get(url).json()["results"] == []


def test_the_district_decides_through_the_api(b: f.Burden, personas: Personas) -> None:
    client = client_for(b.health_account)
    made = client.post(
        reverse("burden-application-list"), _body(b), content_type="application/json"
    ).json()
    decide = reverse("burden-application-decide", kwargs={"pk": made["id"]})
    assert (
        client.post(decide, {"approve": True}, content_type="application/json").status_code == 400
    )
    admin = client_for(personas.district_admin)
    answer = admin.post(decide, {"approve": False}, content_type="application/json")
    assert answer.status_code == 400 and "不予准入理由" in str(answer.json())
    answer = admin.post(decide, {"approve": True}, content_type="application/json")
    assert answer.json()["status"] == "approved"
    publish = reverse("burden-application-publish", kwargs={"pk": made["id"]})
    assert admin.post(publish).json()["status"] == "published"
    assert Application.objects.get().status == Status.PUBLISHED


def test_a_clerk_records_through_the_api_and_not_for_another_community(
    b: f.Burden, tree: Tree, personas: Personas
) -> None:
    client = client_for(personas.community_a1_clerk)
    url = reverse("burden-record-list")
    body = {
        "community": tree.community_a1.code,
        "kind": "inspection",
        "title": "创文检查",
        "department": b.health.pk,
        "day": "2026-05-10",
        "hours": "4.0",
        "staff": 3,
    }
    made = client.post(url, body, content_type="application/json")
    assert made.status_code == 201 and made.json()["refusable"] is True
    body["community"] = tree.community_a2.code
    assert client.post(url, body, content_type="application/json").status_code == 400
    assert BurdenRecord.objects.count() == 1
    summary = client.get(reverse("burden-summary"), {"year": "2026"}).json()
    assert summary["inspections"] == 1 and summary["hours"] == "4.0"
    other = client_for(personas.street_b_manager).get(reverse("burden-record-list")).json()
    assert other["results"] == []


def test_a_form_is_filled_through_the_api(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: object
) -> None:
    from pathlib import Path

    from shegong.burden.tests.test_one_form import define

    form = define(Path(str(tmp_path)), b.health, b.health_account)
    client = client_for(personas.community_a1_clerk)
    url = reverse("burden-form-fill", kwargs={"pk": form.pk})
    rows = client.get(url, {"unit": tree.community_a1.code, "period": "2026-06-30"}).json()
    households = next(r for r in rows if r["data_source"] == "profile.households")
    assert households["value"] == "1200" and households["from_data"] is True
    assert client.get(url, {"unit": tree.community_b1.code}).status_code == 404
    assert client.get(url, {"unit": tree.community_a1.code, "period": "x"}).status_code == 400


def test_a_roster_list_column_is_filled_through_the_api_row_by_row(
    b: f.Burden, tree: Tree, personas: Personas, tmp_path: object
) -> None:
    from pathlib import Path

    from shegong.burden.tests.test_sources import LIST, _form
    from shegong.people.tests.factories import register

    for name in ("王芳", "李强"):
        register(tree.community_a1, personas.street_a_manager, name=name, phone="13912345678")
    form = _form(Path(str(tmp_path)), b.health, b.health_account, LIST)
    client = client_for(personas.community_a1_clerk)
    url = reverse("burden-form-fill", kwargs={"pk": form.pk})
    rows = client.get(url, {"unit": tree.community_a1.code, "period": "2026-06-30"}).json()
    phones = next(r for r in rows if r["data_source"] == "roster.list.phone")
    assert phones["sheet"] == "名单" and phones["cell"] == "D4"
    assert phones["value"] is None and phones["rows"] == ["139****5678"] * 2
    cells = client.get(reverse("burden-form-detail", kwargs={"pk": form.pk})).json()["cells"]
    assert {c["sheet"] for c in cells} == {"名单"}
