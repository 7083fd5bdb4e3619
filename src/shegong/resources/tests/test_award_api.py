"""以奖代补 over the API: set, propose, adjust, approve, rate; scoped like the pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, _person, client_for
from shegong.core.models import Role
from shegong.orgs.models import CommunityFunding, FundingSource
from shegong.resources.tests.factories import AWARD_YEAR, active_team, make_activity

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_years_awards_go_through_the_api_from_scheme_to_funding(
    tree: Tree, personas: Personas
) -> None:
    active_team(tree.community_a1, personas.street_a_manager)
    admin = client_for(personas.district_admin)
    body = {
        "district": tree.district.code,
        "year": AWARD_YEAR,
        "subject": "team",
        "members_weight": "1",
        "activities_weight": "5",
        "participants_weight": "0.5",
        "participants_cap": "30",
        "quality_weight": "4",
        "awards_won_weight": "10",
        "yuan_per_point": "100",
        "budget": "100000",
    }
    made = admin.post(reverse("resources-scheme-list"), body, content_type=JSON)
    assert made.status_code == 201, made.json()
    pk = made.json()["id"]
    refused = client_for(personas.street_a_manager).post(
        reverse("resources-scheme-list"), body, content_type=JSON
    )
    assert refused.status_code == 400  # only the district sets a scheme
    proposed = admin.post(reverse("resources-scheme-propose", kwargs={"pk": pk})).json()
    (row,) = proposed["awards"]
    assert (row["members"], row["activities"], row["participants"], row["quality"]) == (
        4,
        2,
        52,
        "4.00",
    )
    assert row["points"] == "66.00" and row["amount"] == "6600.00"
    assert "质量评分 4×4.00=16.00" in row["formula"]
    own = admin.post(reverse("resources-scheme-approve", kwargs={"pk": pk}))
    assert own.status_code == 400 and "另一人" in str(own.json())
    manager = client_for(_person("district_manager", tree.district, Role.MANAGER))
    adjusted = manager.post(
        reverse("resources-award-adjust", kwargs={"pk": row["id"]}),
        {"amount": "6000", "reason": "核减"},
        content_type=JSON,
    )
    assert adjusted.json()["awards"][0]["amount"] == "6000.00"
    approved = manager.post(reverse("resources-scheme-approve", kwargs={"pk": pk})).json()
    assert approved["status"] == "approved"
    funding = CommunityFunding.objects.get(unit=tree.community_a1, source=FundingSource.AWARD)
    assert str(funding.amount) == "6000.00"
    assert (
        client_for(personas.street_b_manager)
        .get(reverse("resources-scheme-detail", kwargs={"pk": pk}))
        .json()["awards"]
        == []
    )  # street B sees the scheme, not street A's rows


def test_the_street_rates_over_the_api(tree: Tree, personas: Personas) -> None:
    from shegong.resources import services

    activity = make_activity(tree.community_a1, personas.street_a_manager)
    services.activity_mark_held(activity=activity, acting_user=personas.street_a_manager)
    url = reverse("resources-activity-rate", kwargs={"pk": activity.pk})
    clerk = client_for(personas.community_a1_clerk).post(url, {"score": 5}, content_type=JSON)
    assert clerk.status_code == 400
    answer = client_for(personas.street_a_manager).post(url, {"score": 3}, content_type=JSON)
    assert [r["score"] for r in answer.json()] == [3]
