"""The resources pages as a clerk and a manager use them."""

from __future__ import annotations

import datetime

from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.resources.models import Booking, BookingStatus, Venue
from shegong.resources.tests.factories import DAY, at, book, make_venue


def test_a_clerk_registers_a_venue_and_books_it_on_the_page(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.community_a1_clerk)
    response = client.post(
        reverse("resources:venue-create"),
        {
            "community": tree.community_a1.pk,
            "name": "第一小学操场",
            "owner_kind": "school",
            "owner_name": "第一小学",
            "area": "1200",
            "capacity": "200",
            "price_per_hour": "0",
            "opens": "17:00",
            "closes": "21:00",
            "weekdays": ["1", "2", "3", "4", "5"],
            "active": "on",
        },
        follow=True,
    )
    venue = Venue.objects.get(name="第一小学操场")
    assert venue.weekdays == "12345" and venue.is_shared
    assert "第一小学操场" in response.content.decode()
    booked = client.post(
        reverse("resources:book", kwargs={"pk": venue.pk}),
        {
            "title": "广场舞队",
            "booker": "夕阳红广场舞队",
            "starts_at": f"{DAY}T18:00",
            "ends_at": f"{DAY}T20:00",
            "expected": "40",
        },
        follow=True,
    )
    page = booked.content.decode()
    assert "已预约" in page and "18:00–20:00 广场舞队" in page
    clash = client.post(
        reverse("resources:book", kwargs={"pk": venue.pk}),
        {
            "title": "篮球",
            "booker": "青年篮球队",
            "starts_at": f"{DAY}T19:00",
            "ends_at": f"{DAY}T21:00",
            "expected": "10",
        },
    )
    assert "与已确认的预约冲突" in clash.content.decode()
    assert Booking.objects.filter(venue=venue).count() == 1


def test_the_calendar_downloads_as_ics(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager)
    today = datetime.date.today()
    book(venue, manager, at(today, 9), at(today, 10), title="书法班")
    response = client_for(manager).get(reverse("resources:venue-ics", kwargs={"pk": venue.pk}))
    assert response["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:书法班(太极拳队)" in response.content.decode()


def test_a_pending_booking_is_approved_and_its_headcount_recorded(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    venue = make_venue(
        tree.community_a1,
        manager,
        owner_kind="company",
        owner_name="某物业",
        requires_approval=True,
    )
    booking = book(venue, manager, at(DAY, 9), at(DAY, 10))
    client = client_for(manager)
    listed = client.get(reverse("resources:venues")).content.decode()
    assert "待审批的预约" in listed
    client.post(reverse("resources:booking-approve", kwargs={"pk": booking.pk}))
    client.post(reverse("resources:booking-headcount", kwargs={"pk": booking.pk}), {"present": 17})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED and booking.present == 17
    page = client.get(reverse("resources:booking", kwargs={"pk": booking.pk})).content.decode()
    assert 'id="present">17<' in page


def test_the_use_page_shows_hours_booked_against_hours_open(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager)
    book(venue, manager, at(DAY, 9), at(DAY, 12))
    response = client_for(manager).get(
        reverse("resources:use"),
        {"unit": tree.street_a.code, "first": str(DAY), "last": str(DAY)},
    )
    page = response.content.decode()
    assert "社区文化活动室" in page and "23.1%" in page  # 3 of 13 hours


def test_the_dashboard_shows_the_years_figures_and_charts(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager)
    book(venue, manager, at(DAY, 9), at(DAY, 12))
    client = client_for(manager)
    page = client.get(
        reverse("resources:dashboard"), {"unit": tree.street_a.code, "year": "2026"}
    ).content.decode()
    assert "场地(处)</dt><dd>1<" in page and "以奖代补</dt><dd>未登记<" in page
    assert page.count("<svg") == 2 and "社区文化活动室(甲一社区)" in page
    # Each standard that applies: its communities, how many meet all of it, linking to them.
    assert '<a href="/resources/standards/?unit=' in page
    assert "五有</a></td><td>2</td><td>0</td><td>2</td>" in page
    other = client.get(reverse("resources:dashboard"), {"unit": tree.street_b.code})
    assert other.status_code == 404
