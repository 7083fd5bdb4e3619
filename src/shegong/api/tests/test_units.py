from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_unit_list_is_scoped(tree: Tree, personas: Personas) -> None:
    codes = {
        u["code"] for u in _api(personas.street_b_manager).get("/api/units/").json()["results"]
    }
    assert codes == {tree.street_b.code, tree.community_b1.code}


def test_a_profile_is_updated_through_the_api_with_chinese_errors(
    tree: Tree, personas: Personas
) -> None:
    url = f"/api/units/{tree.community_a1.code}/profile/"
    client = _api(personas.community_a1_clerk)
    body = {
        "households": 1300,
        "residents": 3300,
        "area_type": "urban",
        "office_area": "100.00",
        "activity_area": "200.00",
        "premises": "owned",
    }
    assert client.put(url, body, format="json").json()["households"] == 1300
    bad = client.put(url, {**body, "households": 5000}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"households": ["户数不能多于常住人口"]}


def test_anonymous_callers_are_refused(tree: Tree) -> None:
    assert APIClient().get("/api/units/").status_code in {401, 403}


def test_the_openapi_schema_describes_the_units(tree: Tree, personas: Personas) -> None:
    schema = _api(personas.district_admin).get("/api/schema/?format=json").json()
    assert "/api/units/{code}/profile/" in schema["paths"]
