from __future__ import annotations

import random
from decimal import Decimal

import pytest

from shegong.core.models import User
from shegong.orgs import demo as org_demo
from shegong.people import demo as people_demo
from shegong.resources import demo, selectors
from shegong.resources.models import Booking, OwnerKind, Resident, Venue

pytestmark = pytest.mark.django_db


def test_the_demo_year_has_teams_shared_venues_and_weekly_bookings_of_older_residents() -> None:
    tree = org_demo.build_tree(random.Random(2026))
    counts = demo.build_resources(random.Random(2026), tree, people_demo.AS_OF)
    assert counts["venues"] == Venue.objects.count() > len(tree.communities)
    assert Venue.objects.exclude(owner_kind=OwnerKind.COMMUNITY).count() >= 20
    assert counts["teams"] >= 2 * len(tree.communities)
    # Participants skew old (essays 2 and 7): most team members are over 50.
    ages = [people_demo.AS_OF.year - r.birth_date.year for r in Resident.objects.all()]
    assert sum(a > 50 for a in ages) / len(ages) > 0.7
    console = User(username="console", is_active=True, is_superuser=True)
    summary = selectors.resources_summary(viewer=console, unit=tree.district, year=2026)
    assert summary["bookings"] == Booking.objects.count() == counts["bookings"]
    assert 0 < float(summary["venue_use"]["share"]) < 100
    # The demo's confirmed bookings never overlap: the database would have refused them.
    assert summary["team_records"]["award"] > 0
    # A year of activities whose participants skew old: 中青年 a minority.
    by_age = summary["participants_by_age"]
    assert by_age["total"] > 10000 and float(by_age["young_middle_share"]) < 50
    assert summary["volunteers"] >= 5 * len(tree.communities)
    assert float(summary["volunteer_hours"]) > 1000
    assert selectors.pending_hours(viewer=console).exists()
    assert summary["talents"] > len(tree.communities)
    # A year's 以奖代补: the teams' approved (and recorded as funding), the communities'
    # proposed and awaiting approval.
    awards = summary["awards"]
    assert awards["approved"] > 0 and 0 < awards["approved"] < awards["awarded"]
    by_subject = {s["subject"]: s for s in awards["schemes"]}
    assert by_subject["team"]["status"] == "approved"
    assert by_subject["community"]["status"] == "proposed"
    assert Decimal(by_subject["team"]["amount"]) <= Decimal(by_subject["team"]["budget"])
    # The standards: 五有 as seeded and the district's 示范社区, with its checks and gaps.
    five, demonstration = summary["standards"]
    assert (five["name"], demonstration["name"]) == ("五有", "示范社区")
    assert demonstration["communities"] == len(tree.communities) == five["communities"]
    assert 0 < demonstration["meeting_all"] < demonstration["communities"]
    gaps = {i["shortfall"] for r in demonstration["short"] for i in r["items"]}
    assert "未检查" in gaps and any(g.startswith("检查未通过") for g in gaps)
    assert counts["standard_checks"] > len(tree.communities)
