"""The dashboard and its downloads, as the personas."""

from __future__ import annotations

import json

from django.urls import reverse

from shegong.conftest import Personas, client_for
from shegong.reports.tests.conftest import TOTAL, Essay5

URL = reverse("reports:structure")
DOWNLOAD = reverse("reports:structure-download")


def test_dashboard_shows_the_viewers_street(essay5: Essay5, personas: Personas) -> None:
    response = client_for(personas.street_a_manager).get(URL, {"as_of": "2024-12-31"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "街道甲" in body and "街道乙" not in body and "乙一社区" not in body
    assert '<dd id="total">651</dd>' in body
    assert "一是从性别结构来看,男性170名,占26.1%" in body
    assert body.count("<svg") >= 8 and "30岁及以下" in body
    assert "cdn" not in body.lower()
    # Drill-down links to the communities below.
    assert f"unit={essay5.tree.community_a1.code}" in body


def test_drill_down_and_compare(essay5: Essay5, personas: Personas) -> None:
    client = client_for(personas.district_admin)
    response = client.get(
        URL,
        {"unit": essay5.tree.community_a1.code, "as_of": "2024-12-31", "compare": "2023-12-31"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert '<dd id="total">400</dd>' in body
    assert "同比" in body and "变化(百分点)" in body


def test_other_street_is_not_found(essay5: Essay5, personas: Personas) -> None:
    client = client_for(personas.street_b_manager)
    for url in (URL, DOWNLOAD):
        for code in (essay5.tree.street_a.code, essay5.tree.district.code, "999999999999"):
            assert client.get(url, {"unit": code}).status_code == 404
    body = client.get(URL, {"as_of": "2024-12-31"}).content.decode()
    assert '<dd id="total">21</dd>' in body


def test_bad_bands_are_explained(essay5: Essay5, personas: Personas) -> None:
    response = client_for(personas.street_a_manager).get(URL, {"age_bands": "35,30"})
    assert response.status_code == 200
    assert "从小到大" in response.content.decode()


def test_json_download(essay5: Essay5, personas: Personas) -> None:
    response = client_for(personas.street_a_manager).get(
        DOWNLOAD, {"format": "json", "as_of": "2024-12-31"}
    )
    data = json.loads(response.content)
    assert data["total"] == TOTAL and data["unit"]["name"] == "街道甲"


def test_unknown_format_is_not_found(essay5: Essay5, personas: Personas) -> None:
    response = client_for(personas.street_a_manager).get(DOWNLOAD, {"format": "exe"})
    assert response.status_code == 404
