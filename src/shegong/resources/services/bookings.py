"""Bookings of a venue, single or as a recurring series, and their decision.

Only confirmed bookings hold the venue, and the database refuses two confirmed bookings of
one venue that overlap (migration 0001): the look at the calendar here is only for a helpful
message, the constraint has the last word and its refusal becomes the same message.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import AuditRow, audit_record, audit_record_many
from shegong.core.errors import ServiceError
from shegong.resources import rules
from shegong.resources.models import (
    Booking,
    BookingSeries,
    BookingStatus,
    ResourceEvent,
    Venue,
)
from shegong.resources.services.common import (
    BOOKING_FIELDS,
    EDIT_REFUSED,
    OVERLAP,
    SERIES_MAX_DAYS,
    _snapshot,
    _text,
)

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- bookings


def _local(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).replace(second=0, microsecond=0)


def _check_slot(venue: Venue, start: datetime.datetime, end: datetime.datetime) -> None:
    if end <= start:
        raise ServiceError(_("结束时间应晚于开始时间"), field="ends_at")
    if not rules.within_opening(
        opens=venue.opens, closes=venue.closes, weekdays=venue.weekdays, start=start, end=end
    ):
        raise ServiceError(
            _("%(day)s %(start)s至%(end)s不在场地开放时间内(%(opens)s至%(closes)s)")
            % {
                "day": start.date(),
                "start": f"{start:%H:%M}",
                "end": f"{end:%H:%M}",
                "opens": f"{venue.opens:%H:%M}",
                "closes": f"{venue.closes:%H:%M}",
            },
            field="starts_at",
        )


def _clashes(venue: Venue, slots: list[tuple[datetime.datetime, datetime.datetime]]) -> list[str]:
    """The confirmed bookings of the venue that meet any of the slots, as people read them."""
    if not slots:
        return []
    held = Booking.objects.filter(
        venue=venue,
        status=BookingStatus.CONFIRMED,
        starts_at__lt=max(end for _s, end in slots),
        ends_at__gt=min(start for start, _e in slots),
    ).only("title", "starts_at", "ends_at")
    found = []
    for booking in held:
        if rules.overlaps(booking.starts_at, booking.ends_at, slots):
            start = timezone.localtime(booking.starts_at)
            end = timezone.localtime(booking.ends_at)
            found.append(f"{start:%Y-%m-%d %H:%M}-{end:%H:%M} {booking.title}")
    return found


def _clash_error(clashes: list[str]) -> ServiceError:
    shown = "、".join(clashes[:5])
    more = _("等%(n)d项") % {"n": len(clashes)} if len(clashes) > 5 else ""
    return ServiceError(
        _("与已确认的预约冲突:%(clashes)s%(more)s") % {"clashes": shown, "more": more},
        field="starts_at",
    )


def _overlap_refused(exc: IntegrityError) -> ServiceError:
    """The database's own refusal (another clerk confirmed the same hours a moment ago)."""
    if OVERLAP not in str(exc) and getattr(exc.__cause__, "sqlstate", None) != "23P01":
        raise exc
    return ServiceError(
        _("与已确认的预约冲突:该时段刚被其他预约占用,请刷新后重选"), field="starts_at"
    )


def _booking_values(venue: Venue, values: Mapping[str, Any]) -> dict[str, Any]:
    expected = values.get("expected") or 0
    if not isinstance(expected, int) or expected < 0:
        raise ServiceError(_("预计人数应为不小于0的整数"), field="expected")
    if expected > venue.capacity:
        raise ServiceError(
            _("预计%(n)d人,超过场地容纳人数%(cap)d人") % {"n": expected, "cap": venue.capacity},
            field="expected",
        )
    return {
        "title": _text(values, "title", _("用途"), 100, required=True),
        "booker": _text(values, "booker", _("预约方"), 100, required=True),
        "expected": expected,
    }


def _hold_venue(venue: Venue) -> None:
    """Writers booking one venue go one at a time (a row lock until the transaction ends), so
    the second sees the first's booking and gets the conflict in words, and two waiting on
    the exclusion constraint cannot deadlock. The constraint still has the last word."""
    Venue.objects.select_for_update().filter(pk=venue.pk).exists()


def _require_bookable(venue: Venue, acting_user: User) -> None:
    access.require(acting_user, Permission.EDIT, venue.community, message=EDIT_REFUSED)
    _hold_venue(venue)
    if not venue.active:
        raise ServiceError(_("场地%(name)s已停用,不能预约") % {"name": venue.name})


def _first_status(venue: Venue) -> str:
    return BookingStatus.PENDING if venue.requires_approval else BookingStatus.CONFIRMED


@transaction.atomic
def booking_create(
    *,
    venue: Venue,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    values: Mapping[str, Any],
    acting_user: User,
) -> Booking:
    """One booking: confirmed at once, or pending where the venue's owner must approve."""
    _require_bookable(venue, acting_user)
    clean = _booking_values(venue, values)
    start, end = _local(starts_at), _local(ends_at)
    _check_slot(venue, start, end)
    if clashes := _clashes(venue, [(start, end)]):
        raise _clash_error(clashes)
    booking = Booking(
        venue=venue,
        starts_at=start,
        ends_at=end,
        status=_first_status(venue),
        created_by=acting_user,
        **clean,
    )
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError as exc:
        raise _overlap_refused(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.BOOKED,
        target=booking,
        unit_path=venue.community.path,
        after=_snapshot(booking, BOOKING_FIELDS),
    )
    return booking


@transaction.atomic
def booking_series_create(
    *,
    venue: Venue,
    weekday: int,
    start_time: datetime.time,
    end_time: datetime.time,
    first_day: datetime.date,
    last_day: datetime.date,
    values: Mapping[str, Any],
    acting_user: User,
) -> BookingSeries:
    """A team every Thursday for a season: one booking per date, all or none. A date that
    meets a confirmed booking refuses the whole series, naming the dates."""
    _require_bookable(venue, acting_user)
    clean = _booking_values(venue, values)
    if not 1 <= weekday <= 7:
        raise ServiceError(_("请选择每周几"), field="weekday")
    if last_day < first_day or (last_day - first_day).days > SERIES_MAX_DAYS:
        raise ServiceError(_("周期应在一年之内,末日不早于首日"), field="last_day")
    days = rules.series_days(first_day, last_day, weekday)
    if not days:
        raise ServiceError(_("这段日期内没有所选的星期几"), field="weekday")
    slots = [
        (
            _local(datetime.datetime.combine(day, start_time)),
            _local(datetime.datetime.combine(day, end_time)),
        )
        for day in days
    ]
    for start, end in slots:
        _check_slot(venue, start, end)
    if clashes := _clashes(venue, slots):
        raise _clash_error(clashes)
    series = BookingSeries.objects.create(
        venue=venue,
        title=clean["title"],
        booker=clean["booker"],
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        first_day=first_day,
        last_day=last_day,
        created_by=acting_user,
    )
    bookings = [
        Booking(
            venue=venue,
            series=series,
            starts_at=start,
            ends_at=end,
            status=_first_status(venue),
            created_by=acting_user,
            **clean,
        )
        for start, end in slots
    ]
    try:
        with transaction.atomic():
            Booking.objects.bulk_create(bookings)
    except IntegrityError as exc:
        raise _overlap_refused(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.SERIES_BOOKED,
        target=series,
        unit_path=venue.community.path,
        after={**_snapshot(series), "bookings": len(bookings)},
    )
    return series


def _locked_booking(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("venue__community").get(pk=booking.pk)


def _decide(booking: Booking, status: str, event: str, acting_user: User) -> Booking:
    access.require(acting_user, Permission.EDIT, booking.venue.community, message=EDIT_REFUSED)
    locked = _locked_booking(booking)
    if locked.status != BookingStatus.PENDING:
        raise ServiceError(
            _("该预约已是%(status)s,不能再审批") % {"status": locked.get_status_display()}
        )
    before = _snapshot(locked, ["status"])
    if status == BookingStatus.CONFIRMED:
        _hold_venue(locked.venue)
    if status == BookingStatus.CONFIRMED and (
        clashes := _clashes(locked.venue, [(locked.starts_at, locked.ends_at)])
    ):
        raise _clash_error(clashes)
    locked.status = status
    locked.decided_by = acting_user
    locked.decided_at = timezone.now()
    try:
        with transaction.atomic():
            locked.save(update_fields=["status", "decided_by", "decided_at"])
    except IntegrityError as exc:
        raise _overlap_refused(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=event,
        target=locked,
        unit_path=locked.venue.community.path,
        before=before,
        after=_snapshot(locked, ["status"]),
    )
    return locked


@transaction.atomic
def booking_approve(*, booking: Booking, acting_user: User) -> Booking:
    """The owner's approval, recorded by a clerk of the venue's community."""
    return _decide(booking, BookingStatus.CONFIRMED, ResourceEvent.BOOKING_APPROVED, acting_user)


@transaction.atomic
def booking_decline(*, booking: Booking, acting_user: User) -> Booking:
    return _decide(booking, BookingStatus.DECLINED, ResourceEvent.BOOKING_DECLINED, acting_user)


@transaction.atomic
def bookings_approve(*, bookings: list[Booking], acting_user: User) -> int:
    """Approve many pending bookings (a series) at once; all or none."""
    for booking in bookings:
        _decide(booking, BookingStatus.CONFIRMED, ResourceEvent.BOOKING_APPROVED, acting_user)
    return len(bookings)


@transaction.atomic
def booking_cancel(*, booking: Booking, acting_user: User) -> Booking:
    access.require(acting_user, Permission.EDIT, booking.venue.community, message=EDIT_REFUSED)
    locked = _locked_booking(booking)
    if locked.status not in {BookingStatus.PENDING, BookingStatus.CONFIRMED}:
        raise ServiceError(_("该预约已是%(status)s") % {"status": locked.get_status_display()})
    if locked.present is not None:
        raise ServiceError(_("已登记实到人数的预约不能取消"))
    before = _snapshot(locked, ["status"])
    locked.status = BookingStatus.CANCELLED
    locked.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.BOOKING_CANCELLED,
        target=locked,
        unit_path=locked.venue.community.path,
        before=before,
        after=_snapshot(locked, ["status"]),
    )
    return locked


@transaction.atomic
def series_cancel(*, series: BookingSeries, after: datetime.datetime, acting_user: User) -> int:
    """Cancel the series' bookings that start after `after` (the past stays as it was)."""
    venue = series.venue
    access.require(acting_user, Permission.EDIT, venue.community, message=EDIT_REFUSED)
    bookings = list(
        Booking.objects.select_for_update().filter(
            series=series,
            starts_at__gt=after,
            status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED],
        )
    )
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(status=BookingStatus.CANCELLED)
    audit_record_many(
        acting_user=acting_user,
        action=ResourceEvent.BOOKING_CANCELLED,
        rows=[
            AuditRow(
                target=b,
                unit_path=venue.community.path,
                before={"status": b.status},
                after={"status": BookingStatus.CANCELLED.value},
            )
            for b in bookings
        ],
    )
    return len(bookings)


@transaction.atomic
def booking_record_headcount(*, booking: Booking, present: int, acting_user: User) -> Booking:
    """How many actually came, once the booking has begun."""
    access.require(acting_user, Permission.EDIT, booking.venue.community, message=EDIT_REFUSED)
    locked = _locked_booking(booking)
    if locked.status != BookingStatus.CONFIRMED:
        raise ServiceError(_("只有已确认的预约可以登记实到人数"))
    if locked.starts_at > timezone.now():
        raise ServiceError(_("预约尚未开始,不能登记实到人数"))
    if present < 0 or present > 100000:
        raise ServiceError(_("实到人数应为不小于0的整数"), field="present")
    before = _snapshot(locked, ["present"])
    locked.present = present
    locked.save(update_fields=["present"])
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.HEADCOUNT_RECORDED,
        target=locked,
        unit_path=locked.venue.community.path,
        before=before,
        after=_snapshot(locked, ["present"]),
    )
    return locked
