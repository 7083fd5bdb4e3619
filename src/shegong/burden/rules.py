"""Pure rules of the burden register: working days and what a community may refuse."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

ONE_DAY = datetime.timedelta(days=1)
# A record of these kinds is checked against an admission item of this category.
CATEGORY_OF_KIND = {
    "ledger": "ledger",
    "signboard": "signboard",
    "inspection": "inspection",
    "appraisal": "inspection",
    "ranking": "inspection",
    "meeting": "task",
}


def is_workday(day: datetime.date, exceptions: Mapping[datetime.date, bool]) -> bool:
    """Monday to Friday, unless the calendar says otherwise (a holiday, or a weekend 调休)."""
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def working_days_between(
    start: datetime.date, end: datetime.date, exceptions: Mapping[datetime.date, bool]
) -> int:
    """Working days after `start` up to and including `end` (0 when end is not later)."""
    count, day = 0, start + ONE_DAY
    while day <= end:
        count += is_workday(day, exceptions)
        day += ONE_DAY
    return count


def add_working_days(
    start: datetime.date, days: int, exceptions: Mapping[datetime.date, bool]
) -> datetime.date:
    """The day on which `days` working days after `start` have passed."""
    day, left = start, days
    while left > 0:
        day += ONE_DAY
        left -= is_workday(day, exceptions)
    return day


def refusable(
    *, kind: str, item_kind: str | None, item_category: str | None, stamp_listing: str | None
) -> bool:
    """Whether a community may refuse what it carries: a stamp not on the positive list, or
    anything else with no admission item of the matching category (or an item the list
    itself refuses)."""
    if kind == "stamp":
        return stamp_listing != "positive"
    if item_kind is None or item_kind == "refused":
        return True
    return CATEGORY_OF_KIND.get(kind) != item_category
