"""The resources API: venues, bookings with their conflicts, and the year's summary."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from shegong.conftest import Personas, Tree, client_for
from shegong.resources.tests.factories import DAY, make_standard, make_venue


def test_a_booking_over_the_api_is_refused_when_it_overlaps(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.community_a1_clerk)
    made = client.post(
        reverse("resources-venue-list"),
        {
            "community": tree.community_a1.code,
            "name": "社区书屋",
            "owner_kind": "community",
            "capacity": 20,
            "opens": "08:00",
            "closes": "20:00",
            "weekdays": "12345",
            "area": "80",
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.json()
    url = reverse("resources-venue-bookings", kwargs={"pk": made.json()["id"]})
    body = {
        "title": "读书会",
        "booker": "读书会",
        "starts_at": f"{DAY}T09:00:00+08:00",
        "ends_at": f"{DAY}T10:00:00+08:00",
        "expected": 12,
    }
    first = client.post(url, body, content_type="application/json")
    assert first.status_code == 201 and first.json()["status"] == "confirmed"
    second = client.post(
        url, {**body, "starts_at": f"{DAY}T09:30:00+08:00"}, content_type="application/json"
    )
    assert second.status_code == 400
    assert "冲突" in second.json()["starts_at"][0]
    listed = client.get(url, {"first": str(DAY), "last": str(DAY)}).json()
    assert [b["title"] for b in listed["results"]] == ["读书会"]


def test_the_summary_answers_the_keys_of_the_report(tree: Tree, personas: Personas) -> None:
    make_venue(tree.community_a1, personas.street_a_manager, owner_kind="school", owner_name="一小")
    answer = client_for(personas.street_a_manager).get(
        reverse("resources-summary"), {"unit": tree.street_a.code, "year": "2026"}
    )
    summary = answer.json()
    for key in (
        "teams",
        "team_members",
        "talents",
        "volunteers",
        "volunteer_hours",
        "venues",
        "shared_venues",
        "bookings",
        "venue_use",
        "activities",
        "participants",
        "participants_by_age",
        "awards",
        "standards",
    ):
        assert key in summary
    assert summary["venues"] == 1 and summary["shared_venues"] == 1
    other = client_for(personas.street_b_manager).get(
        reverse("resources-summary"), {"unit": tree.street_a.code}
    )
    assert other.status_code == 404


def test_hours_over_the_api_are_one_record_and_decided_in_bulk(
    tree: Tree, personas: Personas
) -> None:
    from shegong.resources import services
    from shegong.resources.tests.factories import make_activity, make_volunteer

    manager = personas.street_a_manager
    volunteer = make_volunteer(tree.community_a1, manager)
    activity = make_activity(tree.community_a1, manager)
    key = services.volunteer_link_issue(volunteer=volunteer, acting_user=manager)
    reported = services.hours_self_report(key=key, activity=activity, hours="3")
    client = client_for(manager)
    decided = client.post(
        reverse("resources-activity-hours-decide"),
        {"records": [reported.pk], "decision": "decline"},
        content_type="application/json",
    )
    assert decided.status_code == 200 and decided.json()[0]["status"] == "declined"
    url = reverse("resources-activity-hours", kwargs={"pk": activity.pk})
    entered = client.post(
        url, {"volunteer": volunteer.pk, "hours": "2.0"}, content_type="application/json"
    )
    assert entered.json()["id"] == reported.pk and entered.json()["status"] == "confirmed"
    assert len(client.get(url).json()) == 1
    ranking = client.get(
        reverse("resources-volunteer-list"),
        {"unit": tree.street_a.code, "first": str(DAY), "last": str(DAY)},
    ).json()["results"]
    assert ranking[0]["hours"] == "2.0" and "id_number" not in ranking[0]
    teams = client_for(personas.street_b_manager).get(reverse("resources-team-list")).json()
    assert teams["results"] == []


def test_standards_over_the_api_score_and_take_an_inspectors_check(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    make_standard(tree.street_a, manager)
    client = client_for(manager)
    url = reverse("resources-standards")
    scored = client.get(url, {"unit": tree.street_a.code}).json()["standards"]
    assert [s["key"] for s in scored] == ["five-haves", "demo-a"]
    demo = {c["code"]: c for c in scored[1]["communities"]}
    a1 = {i["key"]: i for i in demo[tree.community_a1.code]["items"]}
    assert a1["teams"]["shortfall"] == "差2支" and a1["rules"]["shortfall"] == "未检查"
    check_url = reverse("resources-standard-check", kwargs={"key": "demo-a"})
    body = {"community": tree.community_a1.code, "item": "rules", "met": True,
            "checked_on": timezone.localdate().isoformat()}  # fmt: skip
    posted = client.post(
        f"{check_url}?unit={tree.street_a.code}", body, content_type="application/json"
    )
    assert posted.status_code == 201 and posted.json()["met"] is True
    again = client.get(url, {"unit": tree.street_a.code}).json()["standards"]
    a1 = {i["key"]: i for c in again[1]["communities"] if c["code"] == tree.community_a1.code
          for i in c["items"]}  # fmt: skip
    assert a1["rules"]["met"] and a1["rules"]["checked"].endswith(timezone.localdate().isoformat())
    # Street B neither sees street A's standard nor may check street A's communities.
    outsider = client_for(personas.street_b_manager)
    assert [s["key"] for s in outsider.get(url).json()["standards"]] == ["five-haves"]
    assert outsider.post(check_url, body, content_type="application/json").status_code == 404
    assert outsider.get(url, {"unit": tree.street_a.code}).status_code == 404
