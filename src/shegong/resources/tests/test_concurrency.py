"""Clerks booking the same hours of one venue at the same instant, each on their own
connection as two server processes would: exactly one booking is confirmed, the others are
refused with the conflict, and the database holds no overlap. Runs on SQLite (a file copy of
the test database, BEGIN IMMEDIATE) and on PostgreSQL (DATABASE_URL=postgres://…, the
exclusion constraint)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from shegong.conftest import Personas, Tree
from shegong.core.db import is_conflict
from shegong.core.errors import ServiceError
from shegong.core.tests.concurrency import own_database_file, run_together
from shegong.resources import services
from shegong.resources.models import Booking, BookingStatus, Venue
from shegong.resources.tests.factories import DAY, at, book, make_venue

CLIENTS = 4
ROUNDS = 5


@pytest.fixture
def shared_venues(
    transactional_db: None, tmp_path: Path, tree: Tree, personas: Personas
) -> Iterator[tuple[Venue, Venue]]:
    with own_database_file(tmp_path):
        manager = personas.street_a_manager
        hall = make_venue(tree.community_a1, manager)
        school = make_venue(
            tree.community_a1,
            manager,
            name="第一中学体育馆",
            owner_kind="school",
            owner_name="第一中学",
            requires_approval=True,
        )
        yield hall, school


def _overlapping_pairs(venue: Venue) -> int:
    confirmed = list(Booking.objects.filter(venue=venue, status=BookingStatus.CONFIRMED))
    return sum(
        1
        for a in confirmed
        for b in confirmed
        if a.pk < b.pk and a.starts_at < b.ends_at and b.starts_at < a.ends_at
    )


def _booker(venue: Venue, user: Any, n: int, hour: int) -> Callable[[], Booking]:
    # Each client asks for a slightly different window, every one meeting the others.
    return lambda: book(venue, user, at(DAY, hour, n * 5), at(DAY, hour + 1, n * 5), title=f"队{n}")


def test_parallel_bookings_of_the_same_hours_confirm_exactly_one(
    shared_venues: tuple[Venue, Venue], personas: Personas
) -> None:
    hall, _school = shared_venues
    for round_ in range(ROUNDS):
        hour = 8 + 2 * round_
        outcomes = run_together(
            *(_booker(hall, personas.street_a_manager, n, hour) for n in range(CLIENTS))
        )
        made = [o.value for o in outcomes if o.error is None]
        refused = [o.error for o in outcomes if o.error is not None]
        assert len(made) == 1, f"round {round_}: {refused}"
        assert all(isinstance(e, ServiceError) and "冲突" in e.message for e in refused)
    assert _overlapping_pairs(hall) == 0
    assert Booking.objects.filter(venue=hall).count() == ROUNDS


def test_parallel_approvals_of_overlapping_requests_confirm_exactly_one(
    shared_venues: tuple[Venue, Venue], personas: Personas, tree: Tree
) -> None:
    _hall, school = shared_venues
    manager = personas.street_a_manager
    requests = [
        book(school, manager, at(DAY, 18, n * 10), at(DAY, 19, n * 10), title=f"请求{n}")
        for n in range(CLIENTS)
    ]
    outcomes = run_together(
        *((lambda r=r: services.booking_approve(booking=r, acting_user=manager)) for r in requests)
    )
    assert sum(o.error is None for o in outcomes) == 1
    assert _overlapping_pairs(school) == 0
    assert Booking.objects.filter(venue=school, status=BookingStatus.PENDING).count() == 3


def test_parallel_raw_inserts_past_the_service_still_leave_no_overlap(
    shared_venues: tuple[Venue, Venue], personas: Personas
) -> None:
    """The database alone (no service, no lock): only one of the overlapping rows gets in."""
    hall, _school = shared_venues
    manager = personas.street_a_manager

    def insert(n: int) -> Callable[[], Booking]:
        def run() -> Booking:
            with transaction.atomic():
                return Booking.objects.create(
                    venue=hall,
                    title=f"直接写入{n}",
                    booker="x",
                    starts_at=at(DAY, 18, n * 5),
                    ends_at=at(DAY, 19, n * 5),
                    status=BookingStatus.CONFIRMED,
                    created_by=manager,
                )

        return run

    outcomes = run_together(*(insert(n) for n in range(CLIENTS)))
    assert sum(o.error is None for o in outcomes) == 1
    # PostgreSQL refuses the others by the exclusion constraint, or (two inserts waiting on
    # each other's rows) as a deadlock; both write nothing (CI saw the deadlock once).
    assert all(
        isinstance(o.error, IntegrityError) or is_conflict(o.error)
        for o in outcomes
        if o.error is not None
    )
    assert _overlapping_pairs(hall) == 0
