"""Walks every URL pattern and API route as the street-B manager against street-A objects.

A record out of scope must answer exactly like a missing one (404); a route that is not about
one object must not show street A's data. A route added without an entry here fails the test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from shegong.conftest import Personas, Tree, client_for

# Routes a logged-out or any user may open; they show nothing of a unit.
PUBLIC_OR_UNSCOPED = {
    "login",
    "logout",
    "set_language",
    "api-schema",
    "api-docs",
    "api-token",
    "api-root",
}

# Object routes: how to point each at a street-A object.
OBJECT_ROUTES: dict[str, Callable[[Tree], dict[str, Any]]] = {
    "orgs:unit": lambda t: {"code": t.community_a1.code},
    "orgs:profile-edit": lambda t: {"code": t.community_a1.code},
    "orgs:funding-add": lambda t: {"code": t.community_a1.code},
    "unit-detail": lambda t: {"code": t.street_a.code},
    "unit-profile": lambda t: {"code": t.community_a1.code},
}

# Routes about no single object: they answer, but must not show street A.
LIST_ROUTES = {"dashboard", "orgs:tree", "orgs:import", "audit", "unit-list"}
# Routes that only take POST and act on the caller's own session.
POST_ONLY_ROUTES = {"orgs:import-confirm"}


def _walk(resolver: URLResolver, namespace: str = "") -> Iterator[URLPattern | tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, ns)
        elif entry.name:
            yield (f"{namespace}{entry.name}", entry)


def all_route_names() -> set[str]:
    return {name for name, _ in _walk(get_resolver())}  # type: ignore[misc]


def test_every_route_is_covered_by_the_scoping_walk() -> None:
    covered = PUBLIC_OR_UNSCOPED | set(OBJECT_ROUTES) | LIST_ROUTES | POST_ONLY_ROUTES
    missing = all_route_names() - covered
    assert not missing, f"routes with no scoping check: {sorted(missing)}"


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_street_b_gets_404_for_street_a_objects(route: str, tree: Tree, personas: Personas) -> None:
    url = reverse(route, kwargs=OBJECT_ROUTES[route](tree))
    client = client_for(personas.street_b_manager)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code in {404, 405}
    # The same route with a code that does not exist answers the same way.
    missing = reverse(route, kwargs={"code": "999999999999"})
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("route", sorted(OBJECT_ROUTES))
def test_street_a_manager_reaches_the_same_objects(
    route: str, tree: Tree, personas: Personas
) -> None:
    """The walk above is only meaningful if the owner does get through."""
    url = reverse(route, kwargs=OBJECT_ROUTES[route](tree))
    assert client_for(personas.street_a_manager).get(url).status_code == 200


@pytest.mark.parametrize("route", sorted(LIST_ROUTES))
def test_list_routes_do_not_show_street_a_to_street_b(
    route: str, tree: Tree, personas: Personas
) -> None:
    client_for(personas.street_a_manager).post(
        reverse("orgs:profile-edit", kwargs={"code": tree.community_a1.code}),
        {
            "households": 1500,
            "residents": 4000,
            "area_type": "urban",
            "office_area": "300",
            "activity_area": "500",
            "premises": "owned",
        },
    )
    response = client_for(personas.street_b_manager).get(reverse(route), follow=True)
    assert response.status_code in {200, 404}
    body = response.content.decode()
    for name in (tree.street_a.name, tree.community_a1.name, tree.community_a1.code):
        assert name not in body


def test_post_only_routes_refuse_get(personas: Personas) -> None:
    for route in POST_ONLY_ROUTES:
        assert client_for(personas.street_b_manager).get(reverse(route)).status_code == 405
