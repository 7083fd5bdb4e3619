"""Venues and bookings: conflicts refused by the service and by the database, approval,
recurring series, headcount, use per venue and the calendar file."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.resources import rules, selectors, services
from shegong.resources.models import Booking, BookingStatus
from shegong.resources.tests.factories import DAY, at, book, make_venue


def test_it_refuses_a_booking_that_overlaps_a_confirmed_one(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager)
    book(venue, manager, at(DAY, 9), at(DAY, 11))
    with pytest.raises(ServiceError) as refused:
        book(venue, manager, at(DAY, 10, 30), at(DAY, 12), title="合唱队排练")
    assert "冲突" in refused.value.message and "太极拳队训练" in refused.value.message
    # Touching ends do not overlap: [9, 11) and [11, 12).
    book(venue, manager, at(DAY, 11), at(DAY, 12), title="合唱队排练")
    assert Booking.objects.filter(venue=venue, status="confirmed").count() == 2


def test_the_database_itself_refuses_overlapping_confirmed_bookings(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager)
    first = book(venue, manager, at(DAY, 9), at(DAY, 11))
    row = {
        "venue": venue,
        "title": "绕过服务",
        "booker": "x",
        "created_by": manager,
        "starts_at": at(DAY, 10),
        "ends_at": at(DAY, 12),
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(status=BookingStatus.CONFIRMED, **row)
    # A pending or cancelled one may overlap; confirming it by an update is refused too.
    pending = Booking.objects.create(status=BookingStatus.PENDING, **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.filter(pk=pending.pk).update(status=BookingStatus.CONFIRMED)
    Booking.objects.filter(pk=first.pk).update(status=BookingStatus.CANCELLED)
    Booking.objects.filter(pk=pending.pk).update(status=BookingStatus.CONFIRMED)


def test_it_refuses_hours_outside_opening_and_more_people_than_the_venue_holds(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager, weekdays="12345", capacity=30)
    with pytest.raises(ServiceError, match="不在场地开放时间内"):
        book(venue, manager, at(DAY, 20), at(DAY, 22))
    saturday = DAY + datetime.timedelta(days=2)
    with pytest.raises(ServiceError, match="不在场地开放时间内"):
        book(venue, manager, at(saturday, 9), at(saturday, 10))
    with pytest.raises(ServiceError, match="超过场地容纳人数30人"):
        book(venue, manager, at(DAY, 9), at(DAY, 10), expected=31)


def test_a_venue_needing_approval_holds_nothing_until_approved(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    school = make_venue(
        tree.community_a1,
        manager,
        name="第一小学操场",
        owner_kind="school",
        owner_name="开福区第一小学",
        requires_approval=True,
    )
    first = book(school, manager, at(DAY, 18), at(DAY, 20))
    second = book(school, manager, at(DAY, 19), at(DAY, 20), title="广场舞")
    assert first.status == second.status == BookingStatus.PENDING
    services.booking_approve(booking=first, acting_user=manager)
    with pytest.raises(ServiceError, match="冲突"):
        services.booking_approve(booking=second, acting_user=manager)
    services.booking_decline(booking=second, acting_user=manager)
    second.refresh_from_db()
    assert second.status == BookingStatus.DECLINED and second.decided_by == manager
    assert AuditEntry.objects.filter(action="resources.booking_approved").count() == 1


def test_a_series_books_every_thursday_of_a_season_or_nothing(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager)
    values = {"title": "腰鼓队训练", "booker": "腰鼓队", "expected": 25}
    series = services.booking_series_create(
        venue=venue,
        weekday=4,
        start_time=datetime.time(15),
        end_time=datetime.time(17),
        first_day=datetime.date(2026, 3, 1),
        last_day=datetime.date(2026, 5, 31),
        values=values,
        acting_user=manager,
    )
    days = [timezone.localtime(b.starts_at).date() for b in series.bookings.order_by("starts_at")]
    assert len(days) == 13 and all(d.isoweekday() == 4 for d in days)
    assert days[0] == datetime.date(2026, 3, 5)
    # A second series meeting one of those Thursdays is refused whole, naming the date.
    with pytest.raises(ServiceError, match="2026-04-02 15:00-17:00 腰鼓队训练"):
        services.booking_series_create(
            venue=venue,
            weekday=4,
            start_time=datetime.time(16),
            end_time=datetime.time(18),
            first_day=datetime.date(2026, 4, 1),
            last_day=datetime.date(2026, 4, 3),
            values=values,
            acting_user=manager,
        )
    assert Booking.objects.filter(venue=venue).count() == 13


def test_a_clerk_of_another_community_cannot_book(tree: Tree, personas: Personas) -> None:
    venue = make_venue(tree.community_a2, personas.street_a_manager)
    with pytest.raises(ServiceError, match="没有权限"):
        book(venue, personas.community_a1_clerk, at(DAY, 9), at(DAY, 10))


def test_headcount_is_recorded_once_the_booking_began(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager)
    past = book(venue, manager, at(DAY, 9), at(DAY, 10))
    booking = services.booking_record_headcount(booking=past, present=18, acting_user=manager)
    assert booking.present == 18
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    future = book(venue, manager, at(tomorrow, 9), at(tomorrow, 10))
    with pytest.raises(ServiceError, match="尚未开始"):
        services.booking_record_headcount(booking=future, present=5, acting_user=manager)


def test_use_per_venue_is_hours_booked_against_hours_open(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    venue = make_venue(
        tree.community_a1,
        manager,
        opens=datetime.time(9),
        closes=datetime.time(19),
        weekdays="1234567",
    )
    book(venue, manager, at(DAY, 9), at(DAY, 11, 30))
    book(venue, manager, at(DAY, 14), at(DAY, 16, 30))
    (row,) = selectors.venue_use(viewer=manager, unit=tree.street_a, first=DAY, last=DAY)
    assert row.open_hours == Decimal(10) and row.booked_hours == Decimal("5.0")
    assert row.share == Decimal("50.0")
    summary = selectors.resources_summary(viewer=manager, unit=tree.street_a, year=2026)
    assert summary["venues"] == 1 and summary["bookings"] == 2
    assert summary["venue_use"]["booked_hours"] == "5.0"
    # Street B sees nothing of street A.
    other = selectors.resources_summary(
        viewer=personas.street_b_manager, unit=tree.street_b, year=2026
    )
    assert other["venues"] == 0


def test_the_calendar_file_holds_confirmed_bookings_escaped(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager)
    book(venue, manager, at(DAY, 9), at(DAY, 11), title="排练;合唱,新年")
    text = selectors.venue_ics(viewer=manager, venue=venue, first=DAY, last=DAY)
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20260305T010000Z" in text  # 09:00 in Beijing
    assert "排练\\;合唱\\,新年" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_series_days_and_open_hours_rules() -> None:
    days = rules.series_days(datetime.date(2026, 3, 1), datetime.date(2026, 3, 31), 4)
    assert days == [datetime.date(2026, 3, d) for d in (5, 12, 19, 26)]
    hours = rules.open_hours(
        opens=datetime.time(8, 30),
        closes=datetime.time(17),
        weekdays="12345",
        first=datetime.date(2026, 3, 2),
        last=datetime.date(2026, 3, 8),
    )
    assert hours == Decimal("42.5")
    assert rules.use_share(Decimal(0), Decimal(0)) is None
