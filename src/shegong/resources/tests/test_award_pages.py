"""以奖代补 pages: the proposal with every input and the formula, its .xlsx, adjusting and
approving through the pages, a street seeing only its own communities' rows, and the
street's rating form on a held activity."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, _person, client_for
from shegong.core.models import Role
from shegong.orgs.models import CommunityFunding, FundingSource
from shegong.resources import services
from shegong.resources.models import IncentiveAward, SchemeStatus
from shegong.resources.tests.factories import (
    AWARD_YEAR,
    active_team,
    make_activity,
    make_scheme,
    make_team,
)

pytestmark = pytest.mark.django_db


def _proposed(tree: Tree, personas: Personas) -> object:
    active_team(tree.community_a1, personas.street_a_manager)
    make_team(tree.community_b1, personas.street_b_manager, name="乙一舞蹈队")
    scheme = make_scheme(tree.district, personas.district_admin)
    return services.awards_propose(scheme=scheme, acting_user=personas.district_admin)


def test_the_district_sets_a_scheme_on_the_page(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.district_admin)
    body = {
        "district": tree.district.pk,
        "year": AWARD_YEAR,
        "subject": "community",
        "min_members": 0,
        "min_activities": 2,
        "pay_mode": "tiers",
        "yuan_per_point": "0",
        "tiers": "30=3000\n60=6000",
        "budget": "50000",
    }
    for name in ("members", "activities", "participants", "quality", "awards_won"):
        body[f"{name}_weight"] = "1"
    response = client.post(reverse("resources:award-scheme-create"), body)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "按档次计奖" in page and "60分→6,000.00元" in page and "50,000.00" in page


def test_the_proposal_page_and_export_show_every_input_and_the_formula(
    tree: Tree, personas: Personas
) -> None:
    scheme = _proposed(tree, personas)
    client = client_for(personas.district_admin)
    page = client.get(reverse("resources:award-scheme", kwargs={"pk": scheme.pk})).content.decode()  # type: ignore[attr-defined]
    assert "甲一腰鼓队(甲一社区)" in page
    assert "参与人次 52×0.50=26.00" in page and "6,600.00" in page
    assert "成员0人,少于3人" in page  # 乙一舞蹈队 has no members yet
    export = client.get(reverse("resources:award-scheme-export", kwargs={"pk": scheme.pk}))  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    first = next(r for r in rows if r[0] == "甲一腰鼓队(甲一社区)")
    assert first[2:8] == (4, 2, 52, 1, 4, 1)
    assert "获奖 1×10.00=10.00" in str(first[8]) and first[13] == 6600


def test_a_street_sees_only_its_own_communities_rows(tree: Tree, personas: Personas) -> None:
    scheme = _proposed(tree, personas)
    url = reverse("resources:award-scheme", kwargs={"pk": scheme.pk})  # type: ignore[attr-defined]
    page = client_for(personas.street_b_manager).get(url).content.decode()
    assert "乙一舞蹈队" in page and "甲一腰鼓队" not in page
    award = IncentiveAward.objects.get(team__name="甲一腰鼓队")
    adjust = reverse("resources:award-adjust", kwargs={"pk": award.pk})
    response = client_for(personas.street_b_manager).post(adjust, {"amount": "1", "reason": "x"})
    assert response.status_code == 404


def test_a_manager_adjusts_and_another_approves_on_the_pages(
    tree: Tree, personas: Personas
) -> None:
    scheme = _proposed(tree, personas)
    manager = _person("district_manager", tree.district, Role.MANAGER)
    award = IncentiveAward.objects.get(team__name="甲一腰鼓队")
    client = client_for(manager)
    client.post(
        reverse("resources:award-adjust", kwargs={"pk": award.pk}),
        {"amount": "6000", "reason": "一场演出未报备"},
    )
    approve = reverse("resources:award-scheme-approve", kwargs={"pk": scheme.pk})  # type: ignore[attr-defined]
    proposer_page = client_for(personas.district_admin).get(
        reverse("resources:award-scheme", kwargs={"pk": scheme.pk})  # type: ignore[attr-defined]
    )
    assert approve not in proposer_page.content.decode()  # four eyes: not offered
    client_for(personas.district_admin).post(approve)
    assert not CommunityFunding.objects.filter(source=FundingSource.AWARD).exists()
    page = client.post(approve, follow=True).content.decode()
    assert "已计入社区经费" in page and "一场演出未报备" in page
    funding = CommunityFunding.objects.get(unit=tree.community_a1, source=FundingSource.AWARD)
    assert (funding.year, str(funding.amount)) == (AWARD_YEAR, "6000.00")
    scheme.refresh_from_db()  # type: ignore[attr-defined]
    assert scheme.status == SchemeStatus.APPROVED  # type: ignore[attr-defined]


def test_the_street_rates_a_held_activity_on_its_page(tree: Tree, personas: Personas) -> None:
    activity = make_activity(tree.community_a1, personas.street_a_manager)
    services.activity_mark_held(activity=activity, acting_user=personas.street_a_manager)
    url = reverse("resources:activity", kwargs={"pk": activity.pk})
    rate = reverse("resources:activity-rate", kwargs={"pk": activity.pk})
    assert rate not in client_for(personas.community_a1_clerk).get(url).content.decode()
    client = client_for(personas.street_a_manager)
    assert rate in client.get(url).content.decode()
    client.post(rate, {"score": "4", "note": "组织有序"})
    page = client.get(url).content.decode()
    assert "组织有序" in page and activity.ratings.get().score == 4


def test_the_dashboard_shows_the_years_awards(tree: Tree, personas: Personas) -> None:
    _proposed(tree, personas)
    url = reverse("resources:dashboard") + f"?unit={tree.street_a.code}&year={AWARD_YEAR}"
    page = client_for(personas.street_a_manager).get(url).content.decode()
    assert (
        'id="awards"' in page and "甲一腰鼓队" in page and "6,600.00" in page and "待审批" in page
    )
