"""Communities against the 五有 standard, from profile, roster, funding and venue data."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.orgs.models import CommunityFunding, CommunityProfile
from shegong.people.tests.factories import register
from shegong.resources import selectors
from shegong.resources.tests.factories import make_venue


def test_who_falls_short_of_the_five_haves_and_by_how_much(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    CommunityProfile.objects.filter(unit=tree.community_a1).update(
        office_area=Decimal(120), activity_area=Decimal(200), premises="owned"
    )
    CommunityProfile.objects.filter(unit=tree.community_a2).update(
        office_area=Decimal(80), activity_area=Decimal(100), premises="rented"
    )
    register(tree.community_a1, manager, name="甲一工作者")
    CommunityFunding.objects.create(
        unit=tree.community_a1, year=2026, source="fiscal", amount=50000
    )
    make_venue(tree.community_a1, manager)
    rows = selectors.standards_check(viewer=manager, unit=tree.street_a, year=2026)
    by_name = {r.community.name: r for r in rows}
    assert by_name["甲一社区"].met
    short = {i.key: i.shortfall for i in by_name["甲二社区"].items if not i.met}
    assert short == {
        "office": "租用或无",
        "space": "差120.0平方米",
        "staff": "无在岗人员",
        "funding": "本年度无经费记录",
        "station": "未登记自有场地",
    }
    assert rows[0].community.name == "甲二社区"  # who falls short first
    summary = selectors.resources_summary(viewer=manager, unit=tree.street_a, year=2026)
    assert summary["standards"]["communities"] == 2 and summary["standards"]["meeting_all"] == 1
    page = (
        client_for(manager)
        .get(reverse("resources:standards"), {"unit": tree.street_a.code, "year": "2026"})
        .content.decode()
    )
    assert "差120.0平方米" in page
    other = selectors.standards_check(
        viewer=personas.street_b_manager, unit=tree.street_a, year=2026
    )
    assert other == []
