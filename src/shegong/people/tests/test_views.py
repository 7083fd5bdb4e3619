from __future__ import annotations

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import AuditAction, AuditEntry
from shegong.people import services
from shegong.people.models import PostType, Worker, WorkerStatus
from shegong.people.tests.factories import make_id, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tree: Tree, personas: Personas) -> Worker:
    return register(
        tree.community_a1,
        personas.street_a_manager,
        name="张三",
        id_number="110101199003071233",
        phone="13812345678",
    )


def _worker_routes(worker: Worker) -> list[tuple[str, str]]:
    holding = worker.posts.first()
    routes = [
        ("get", reverse("people:detail", args=[worker.pk])),
        ("get", reverse("people:edit", args=[worker.pk])),
        ("get", reverse("people:move", args=[worker.pk])),
        ("get", reverse("people:exit", args=[worker.pk])),
        ("get", reverse("people:reenter", args=[worker.pk])),
        ("post", reverse("people:post-assign", args=[worker.pk])),
        ("post", reverse("people:certificate-add", args=[worker.pk])),
    ]
    if holding is not None:
        routes.append(("post", reverse("people:post-end", args=[worker.pk, holding.pk])))
    return routes


def test_the_street_b_manager_gets_404_on_every_street_a_worker_page(
    personas: Personas, worker: Worker
) -> None:
    services.post_assign(
        worker=worker,
        post=PostType.objects.get(code="grid"),
        start=datetime.date(2021, 1, 1),
        acting_user=personas.street_a_manager,
    )
    client = client_for(personas.street_b_manager)
    for method, url in _worker_routes(worker):
        response = getattr(client, method)(url, {"end": "2024-01-01", "post": 1})
        assert response.status_code == 404, url
    listing = client.get(reverse("people:list"), {"q": "张三"})
    assert reverse("people:detail", args=[worker.pk]) not in listing.content.decode()
    assert listing.context["page"].paginator.count == 0
    assert not AuditEntry.objects.filter(action=AuditAction.DISCLOSE).exists()


def test_a_clerk_sees_masked_id_and_phone_and_no_disclosure_is_recorded(
    personas: Personas, worker: Worker
) -> None:
    client = client_for(personas.community_a1_clerk)
    for url in (reverse("people:detail", args=[worker.pk]), reverse("people:list")):
        page = client.get(url).content.decode()
        assert "110***********1233" in page
        assert "138****5678" in page
        assert "110101199003071233" not in page
        assert "13812345678" not in page
    assert not AuditEntry.objects.filter(action=AuditAction.DISCLOSE).exists()


def test_a_managers_unmasked_view_writes_a_disclose_audit_row(
    personas: Personas, worker: Worker
) -> None:
    client = client_for(personas.street_a_manager)
    page = client.get(reverse("people:detail", args=[worker.pk])).content.decode()
    assert "110101199003071233" in page and "13812345678" in page
    entry = AuditEntry.objects.get(action=AuditAction.DISCLOSE)
    assert (entry.actor, entry.target_id) == (personas.street_a_manager, str(worker.pk))


def test_the_list_shows_ids_masked_even_to_a_manager(personas: Personas, worker: Worker) -> None:
    page = client_for(personas.street_a_manager).get(reverse("people:list")).content.decode()
    assert "110***********1233" in page
    assert "110101199003071233" not in page
    assert not AuditEntry.objects.filter(action=AuditAction.DISCLOSE).exists()


def test_a_moved_worker_leaves_street_as_list_and_joins_street_bs(
    tree: Tree, personas: Personas, worker: Worker
) -> None:
    services.worker_move(
        worker=worker,
        community=tree.community_b1,
        date=datetime.date(2024, 6, 1),
        acting_user=personas.district_admin,
    )
    a_list = client_for(personas.street_a_manager).get(reverse("people:list")).content.decode()
    b_list = client_for(personas.street_b_manager).get(reverse("people:list")).content.decode()
    assert "张三" not in a_list
    assert "张三" in b_list
    detail = client_for(personas.street_b_manager).get(reverse("people:detail", args=[worker.pk]))
    assert "甲一社区" in detail.content.decode()  # the placement history is kept
    assert (
        client_for(personas.street_a_manager)
        .get(reverse("people:detail", args=[worker.pk]))
        .status_code
        == 404
    )


def test_a_clerk_registers_a_worker_through_the_form(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.community_a1_clerk)
    assert client.get(reverse("people:create")).status_code == 200
    number = make_id(datetime.date(1988, 5, 20), male=False)
    response = client.post(
        reverse("people:create"),
        {
            "name": "王芳",
            "id_number": number,
            "ethnicity": "汉族",
            "political": "masses",
            "education": "college",
            "source": "hired",
            "community": tree.community_a1.pk,
            "entry_date": "2022-03-01",
        },
    )
    worker = Worker.objects.get(id_number=number)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[worker.pk])
    assert (worker.gender, worker.name_initials) == ("female", "wf")


def test_the_form_shows_the_services_reason_for_a_bad_id(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.community_a1_clerk)
    response = client.post(
        reverse("people:create"),
        {
            "name": "王芳",
            "id_number": "110101199003071234",
            "ethnicity": "汉族",
            "political": "masses",
            "education": "college",
            "source": "hired",
            "community": tree.community_a1.pk,
            "entry_date": "2022-03-01",
        },
    )
    assert response.status_code == 200
    assert "校验位错误" in response.content.decode()
    assert not Worker.objects.exists()


def test_the_form_offers_only_communities_the_user_may_edit(tree: Tree, personas: Personas) -> None:
    page = client_for(personas.community_a1_clerk).get(reverse("people:create")).content.decode()
    assert "甲一社区" in page
    assert "甲二社区" not in page and "乙一社区" not in page


def test_exit_and_reenter_through_the_pages(tree: Tree, personas: Personas, worker: Worker) -> None:
    client = client_for(personas.street_a_manager)
    response = client.post(
        reverse("people:exit", args=[worker.pk]), {"date": "2024-12-31", "reason": "retired"}
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.status == WorkerStatus.LEFT
    response = client.post(
        reverse("people:reenter", args=[worker.pk]),
        {"date": "2025-02-01", "community": tree.community_a2.pk},
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert (worker.status, worker.community) == (WorkerStatus.ACTIVE, tree.community_a2)


def test_a_clerk_edits_without_seeing_or_changing_the_id(
    personas: Personas, worker: Worker
) -> None:
    client = client_for(personas.community_a1_clerk)
    page = client.get(reverse("people:edit", args=[worker.pk])).content.decode()
    assert "110101199003071233" not in page
    response = client.post(
        reverse("people:edit", args=[worker.pk]),
        {
            "name": "张叁",
            "id_number": "999",
            "ethnicity": "汉族",
            "political": "masses",
            "education": "college",
            "source": "hired",
        },
    )
    assert response.status_code == 302
    worker.refresh_from_db()
    assert (worker.name, worker.id_number, worker.phone) == (
        "张叁",
        "110101199003071233",
        "13812345678",
    )


def test_the_list_filters_searches_and_sorts(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    register(tree.community_a1, user, name="李明", education="college")
    register(tree.community_a2, user, name="赵丽", education="bachelor")
    client = client_for(user)

    def names(**params: str) -> list[str]:
        response = client.get(reverse("people:list"), params)
        return [w.name for w, _shown, _age in response.context["rows"]]

    assert sorted(names()) == ["李明", "赵丽"]
    assert names(education="college") == ["李明"]
    assert names(unit=tree.community_a2.code) == ["赵丽"]
    assert names(q="zl") == ["赵丽"]
    assert names(sort="name") == ["李明", "赵丽"]
    assert names(unit=tree.community_b1.code) == []


def _route_names(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _route_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


# Every roster route, page and API, and where its street-B walk lives.
WALKED = {
    "people:detail": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:edit": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:move": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:exit": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:reenter": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:post-assign": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:post-end": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:certificate-add": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:list": "test_the_street_b_manager_gets_404_on_every_street_a_worker_page",
    "people:create": "test_the_create_form_does_not_offer_street_a_to_street_b",
    "people:standing": "test_standing.test_street_b_can_neither_see_nor_decide_street_a_proposals",
    "worker-list": "test_api.test_the_street_b_manager_gets_404_on_every_street_a_worker_route",
    "worker-detail": "test_api.test_the_street_b_manager_gets_404_on_every_street_a_worker_route",
    "worker-move": "test_api.test_the_street_b_manager_gets_404_on_every_street_a_worker_route",
    "worker-exit": "test_api.test_the_street_b_manager_gets_404_on_every_street_a_worker_route",
    "worker-record": "test_api.test_the_street_b_manager_gets_404_on_every_street_a_worker_route",
}


def test_every_roster_route_is_walked_as_street_b() -> None:
    ours = {
        name
        for name in _route_names(get_resolver())
        if name.startswith("people:") or name.startswith("worker-")
    }
    assert ours == set(WALKED)


def test_the_create_form_does_not_offer_street_a_to_street_b(
    tree: Tree, personas: Personas
) -> None:
    page = client_for(personas.street_b_manager).get(reverse("people:create")).content.decode()
    assert "乙一社区" in page
    assert "甲一社区" not in page and "街道甲" not in page
