"""Out-of-range years and malformed numbers in query parameters answer a clear 400 (API) or
fall back to a sane default (pages), never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.people.tests.factories import register

BAD_YEARS = ["0", "99999", "-1", "abc", "²", "99999999999999999999999"]


@pytest.mark.parametrize("year", BAD_YEARS)
@pytest.mark.parametrize("route", ["payrun-list", "training-list", "training-exams"])
def test_the_api_refuses_an_out_of_range_year_in_chinese(
    personas: Personas, route: str, year: str
) -> None:
    response = client_for(personas.street_a_manager).get(reverse(route), {"year": year})
    assert response.status_code == 400
    assert response.json() == {"year": ["年度应为2000至2100之间的整数"]}


def test_the_api_refuses_an_exam_registration_for_an_impossible_year(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager)
    response = client_for(personas.street_a_manager).post(
        reverse("training-exams"),
        {"worker": worker.pk, "level": "assistant", "year": 99999},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "year" in response.json()


@pytest.mark.parametrize("year", BAD_YEARS)
@pytest.mark.parametrize(
    "route", ["training:awards", "training:awards-export", "training:list", "training:exams"]
)
def test_pages_with_an_out_of_range_year_do_not_fail(
    personas: Personas, route: str, year: str
) -> None:
    response = client_for(personas.street_a_manager).get(reverse(route), {"year": year})
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_a_roster_as_of_a_date_beyond_the_ages_does_not_fail(
    personas: Personas, as_of: str
) -> None:
    client = client_for(personas.street_a_manager)
    params = {"as_of": as_of, "age_min": "30", "age_max": "40"}
    assert client.get(reverse("people:list"), params).status_code == 200
    assert client.get(reverse("worker-list"), params).status_code == 200


@pytest.mark.parametrize("pk", ["²", "99999999999999999999999"])
def test_an_id_that_is_not_a_number_answers_404(personas: Personas, pk: str) -> None:
    client = client_for(personas.street_a_manager)
    for prefix in ("/api/workers/", "/api/pay-runs/", "/api/training/", "/api/appraisal/cycles/"):
        assert client.get(f"{prefix}{pk}/").status_code == 404


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_reports_and_figures_at_the_edges_of_the_calendar_do_not_fail(
    tree: Tree, personas: Personas, day: str
) -> None:
    register(tree.community_a1, personas.street_a_manager)
    client = client_for(personas.street_a_manager)
    structure = client.get(reverse("reports:structure"), {"as_of": day, "compare": day})
    assert structure.status_code in (200, 400)
    figures = client.get(reverse("training-figures"), {"from": day, "to": "9999-12-31"})
    assert figures.status_code in (200, 400)


@pytest.mark.parametrize("kind", ["²", "99999999999999999999", "-1", "abc"])
def test_a_unit_kind_that_is_not_a_level_lists_every_unit(personas: Personas, kind: str) -> None:
    response = client_for(personas.street_a_manager).get(reverse("unit-list"), {"kind": kind})
    assert response.status_code == 200
    assert response.json()["count"] == 3  # street A and its two communities
