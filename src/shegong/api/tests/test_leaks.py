"""Smaller leaks of the API (issue 11, class 7): every answer holds only what the caller's
scope covers, and the schema and its docs are for logged-in callers only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.actors import system_actor
from shegong.core.money import money_text
from shegong.pay import services as pay_services
from shegong.pay.models import PayLine
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings
from shegong.people.tests.factories import register
from shegong.training.tests.factories import enrol, make_course

JAN = datetime.date(YEAR, 1, 1)


@pytest.fixture
def street_run(tree: Tree, personas: Personas) -> int:
    """A street-A run paying one worker in 甲一社区 and two in 甲二社区."""
    pay_settings(tree.district)
    paid_worker(tree.community_a1, personas.street_a_manager, name="甲一领薪人")
    paid_worker(tree.community_a2, personas.street_a_manager, name="甲二领薪人")
    paid_worker(tree.community_a2, personas.street_a_manager, name="甲二另一人")
    pay_services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    return pay_services.payrun_create(unit=tree.street_a, period=JAN, acting_user=system_actor()).pk


def test_a_clerk_gets_only_the_totals_of_their_community_from_the_pay_run_api(
    tree: Tree, personas: Personas, street_run: int
) -> None:
    own = PayLine.objects.get(run_id=street_run, unit_path=tree.community_a1.path)
    client = client_for(personas.community_a1_clerk)
    detail = client.get(reverse("payrun-detail", kwargs={"pk": street_run})).json()
    listed = client.get(reverse("payrun-list")).json()["results"]
    for shown in (detail, listed[0]):
        assert shown["headcount"] == 1
        assert shown["partial_totals"] is True
        for field in ("gross", "net", "total_cost", "employer_contributions"):
            assert Decimal(shown[field]) == getattr(own, field)


def test_the_street_manager_gets_the_whole_run_totals_from_the_pay_run_api(
    personas: Personas, street_run: int
) -> None:
    detail = (
        client_for(personas.street_a_manager)
        .get(reverse("payrun-detail", kwargs={"pk": street_run}))
        .json()
    )
    lines = PayLine.objects.filter(run_id=street_run)
    assert detail["headcount"] == 3 and detail["partial_totals"] is False
    assert Decimal(detail["gross"]) == sum(line.gross for line in lines)


def test_an_enrolment_id_of_another_street_does_not_answer_with_the_workers_name(
    tree: Tree, personas: Personas
) -> None:
    course = make_course(tree.district, personas.district_admin)
    theirs = register(tree.community_a1, personas.street_a_manager, name="甲街道学员")
    ours = register(tree.community_b1, personas.street_b_manager, name="乙街道学员")
    their_enrolment, _ours = enrol(course, [theirs, ours], personas.district_admin)
    response = client_for(personas.street_b_manager).post(
        f"/api/training/{course.pk}/attendance/",
        {"day": course.start.isoformat(), "present": [their_enrolment.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "甲街道学员" not in response.content.decode()
    assert not their_enrolment.attendance.exists()


@pytest.mark.parametrize("name", ["api-schema", "api-docs"])
def test_the_api_schema_and_docs_refuse_anonymous_callers(db: None, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code in (401, 403)
    assert b"openapi" not in response.content.lower()


@pytest.mark.parametrize("name", ["api-schema", "api-docs"])
def test_the_api_schema_and_docs_answer_a_logged_in_caller(personas: Personas, name: str) -> None:
    assert client_for(personas.community_a1_clerk).get(reverse(name)).status_code == 200


@pytest.fixture
def moved_away(tree: Tree, personas: Personas) -> dict[str, str]:
    """A worker of 甲一社区 since 2020 who moved to street B's 乙一社区 in 2024, and one who
    moved within street A."""
    from shegong.people import services as people_services

    gone = register(tree.community_a1, personas.street_a_manager, name="调往乙街道者")
    people_services.worker_move(
        worker=gone,
        community=tree.community_b1,
        date=datetime.date(2024, 3, 1),
        acting_user=personas.district_admin,
    )
    stayed = register(tree.community_a1, personas.street_a_manager, name="街道内调动者")
    people_services.worker_move(
        worker=stayed,
        community=tree.community_a2,
        date=datetime.date(2024, 3, 1),
        acting_user=personas.street_a_manager,
    )
    return {"as_of": "2022-06-30"}


def test_a_roster_as_of_a_past_date_withholds_workers_now_outside_the_viewers_scope(
    personas: Personas, moved_away: dict[str, str]
) -> None:
    client = client_for(personas.street_a_manager)
    page = client.get(reverse("people:list"), moved_away).content.decode()
    api = client.get(reverse("worker-list"), moved_away).json()
    names = [row["name"] for row in api["results"]]
    assert "调往乙街道者" not in page and "调往乙街道者" not in names
    # Still in street A (now in 甲二社区): listed, in the community they were in then.
    assert "街道内调动者" in page and names == ["街道内调动者"]
    assert api["results"][0]["community_name"] == "甲一社区"


def test_a_clerk_does_not_see_in_a_past_roster_a_worker_who_moved_to_the_next_community(
    personas: Personas, moved_away: dict[str, str]
) -> None:
    client = client_for(personas.community_a1_clerk)
    page = client.get(reverse("people:list"), moved_away).content.decode()
    assert "街道内调动者" not in page and "调往乙街道者" not in page


def test_the_pay_runs_page_shows_a_clerk_only_their_communitys_totals(
    tree: Tree, personas: Personas, street_run: int
) -> None:
    lines = PayLine.objects.filter(run_id=street_run)
    own = lines.get(unit_path=tree.community_a1.path)
    whole = sum(line.gross for line in lines)
    clerk_page = client_for(personas.community_a1_clerk).get(reverse("pay:runs")).content.decode()
    own_text, whole_text = money_text(own.gross), money_text(whole)
    assert f">{own_text}<" in clerk_page and f">{whole_text}<" not in clerk_page
    manager_page = client_for(personas.street_a_manager).get(reverse("pay:runs")).content.decode()
    assert f">{whole_text}<" in manager_page
