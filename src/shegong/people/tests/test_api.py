from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree
from shegong.core.models import AuditAction, AuditEntry, User
from shegong.people import services
from shegong.people.models import PostType, Worker, WorkerStatus
from shegong.people.tests.factories import make_id, register

pytestmark = pytest.mark.django_db

ID = "110101199003071233"


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def worker(tree: Tree, personas: Personas) -> Worker:
    worker = register(
        tree.community_a1, personas.street_a_manager, name="张三", id_number=ID, phone="13812345678"
    )
    services.post_assign(
        worker=worker,
        post=PostType.objects.get(code="secretary"),
        start=datetime.date(2021, 1, 1),
        acting_user=personas.street_a_manager,
    )
    return worker


def test_the_street_b_manager_gets_404_on_every_street_a_worker_route(
    tree: Tree, personas: Personas, worker: Worker
) -> None:
    client = _api(personas.street_b_manager)
    url = f"/api/workers/{worker.pk}/"
    assert client.get(url).status_code == 404
    assert client.put(url, {"name": "x"}, format="json").status_code == 404
    assert client.patch(url, {"name": "x"}, format="json").status_code == 404
    body = {"community": tree.community_b1.code, "date": "2024-01-01"}
    assert client.post(f"{url}move/", body, format="json").status_code == 404
    body = {"date": "2024-01-01", "reason": "resign"}
    assert client.post(f"{url}exit/", body, format="json").status_code == 404
    assert client.get(f"{url}record/").status_code == 404
    assert client.get("/api/workers/", {"q": "张三"}).json()["count"] == 0
    worker.refresh_from_db()
    assert (worker.name, worker.status) == ("张三", WorkerStatus.ACTIVE)


def test_a_clerk_sees_masked_id_and_phone_in_the_api(personas: Personas, worker: Worker) -> None:
    client = _api(personas.community_a1_clerk)
    detail = client.get(f"/api/workers/{worker.pk}/").json()
    listed = client.get("/api/workers/").json()["results"][0]
    for data in (detail, listed):
        assert data["id_number"] == "110***********1233"
        assert data["phone"] == "138****5678"
    assert detail["posts"][0]["post"] == "secretary"
    assert not AuditEntry.objects.filter(action=AuditAction.DISCLOSE).exists()


def test_a_managers_detail_read_is_unmasked_and_audited(personas: Personas, worker: Worker) -> None:
    client = _api(personas.street_a_manager)
    assert client.get("/api/workers/").json()["results"][0]["id_number"] == "110***********1233"
    assert not AuditEntry.objects.filter(action=AuditAction.DISCLOSE).exists()
    detail = client.get(f"/api/workers/{worker.pk}/").json()
    assert (detail["id_number"], detail["phone"]) == (ID, "13812345678")
    assert AuditEntry.objects.filter(
        action=AuditAction.DISCLOSE, actor=personas.street_a_manager
    ).exists()


def test_a_worker_is_created_through_the_api_with_chinese_errors(
    tree: Tree, personas: Personas
) -> None:
    client = _api(personas.community_a1_clerk)
    body = {
        "name": "王芳",
        "id_number": make_id(datetime.date(1988, 5, 20), male=False),
        "political": "masses",
        "education": "college",
        "source": "hired",
        "community": tree.community_a1.code,
        "entry_date": "2022-03-01",
    }
    created = client.post("/api/workers/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["gender"] == "female"
    duplicate = client.post("/api/workers/", body, format="json")
    assert duplicate.status_code == 400
    assert "已登记" in duplicate.json()["id_number"][0]
    elsewhere = client.post(
        "/api/workers/", {**body, "community": tree.community_b1.code}, format="json"
    )
    assert elsewhere.status_code == 400
    assert "community" in elsewhere.json()
    other = {**body, "id_number": make_id(datetime.date(1989, 6, 1), male=False)}
    short_phone = client.post("/api/workers/", {**other, "phone": "8456789"}, format="json")
    assert short_phone.status_code == 400
    assert "固定电话为区号加7至8位号码" in short_phone.json()["phone"][0]
    landline = client.post("/api/workers/", {**other, "phone": "0731-84567890"}, format="json")
    assert landline.status_code == 201, landline.json()


def test_a_clerk_updates_a_worker_but_not_the_id_number(personas: Personas, worker: Worker) -> None:
    client = _api(personas.community_a1_clerk)
    url = f"/api/workers/{worker.pk}/"
    response = client.patch(url, {"name": "张叁", "id_number": "110***********1233"}, format="json")
    assert response.status_code == 200, response.json()
    refused = client.patch(url, {"id_number": make_id()}, format="json")
    assert refused.status_code == 400
    worker.refresh_from_db()
    assert (worker.name, worker.id_number) == ("张叁", ID)


def test_a_move_through_the_api_changes_who_sees_the_worker(
    tree: Tree, personas: Personas, worker: Worker
) -> None:
    admin = _api(personas.district_admin)
    response = admin.post(
        f"/api/workers/{worker.pk}/move/",
        {"community": tree.community_b1.code, "date": "2024-06-01"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert _api(personas.street_a_manager).get(f"/api/workers/{worker.pk}/").status_code == 404
    detail = _api(personas.street_b_manager).get(f"/api/workers/{worker.pk}/").json()
    assert [p["community"] for p in detail["placements"]] == [
        tree.community_a1.code,
        tree.community_b1.code,
    ]
    assert detail["is_dual_role"] is False


def test_an_exit_through_the_api_refuses_a_date_before_entry(
    personas: Personas, worker: Worker
) -> None:
    client = _api(personas.street_a_manager)
    url = f"/api/workers/{worker.pk}/exit/"
    early = client.post(url, {"date": "2019-01-01", "reason": "resign"}, format="json")
    assert early.status_code == 400
    assert "不能早于入职日期" in early.json()["date"][0]
    done = client.post(url, {"date": "2025-01-01", "reason": "retired"}, format="json")
    assert done.json()["status"] == "left"


def test_the_api_list_filters_like_the_page(tree: Tree, personas: Personas, worker: Worker) -> None:
    client = _api(personas.street_a_manager)
    assert client.get("/api/workers/", {"post": "secretary"}).json()["count"] == 1
    assert client.get("/api/workers/", {"post": "director"}).json()["count"] == 0
    assert client.get("/api/workers/", {"q": "1233"}).json()["count"] == 1
    assert client.get("/api/workers/", {"as_of": "2019-12-31"}).json()["count"] == 0
    assert client.get("/api/workers/", {"as_of": "2020-01-01"}).json()["count"] == 1
