"""Pure calculations of community resources: no ORM, no request."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DAY = datetime.timedelta(days=1)


def series_days(first: datetime.date, last: datetime.date, weekday: int) -> list[datetime.date]:
    """Every date from `first` to `last` (both included) falling on ISO `weekday` (1 = Monday)."""
    day = first + datetime.timedelta(days=(weekday - first.isoweekday()) % 7)
    days: list[datetime.date] = []
    while day <= last:
        days.append(day)
        day += datetime.timedelta(days=7)
    return days


def opens_on(weekdays: str, day: datetime.date) -> bool:
    return str(day.isoweekday()) in weekdays


def within_opening(
    *,
    opens: datetime.time,
    closes: datetime.time,
    weekdays: str,
    start: datetime.datetime,
    end: datetime.datetime,
) -> bool:
    """Whether a booking from `start` to `end` (local times) lies inside one open day."""
    return (
        start.date() == end.date()
        and opens_on(weekdays, start.date())
        and opens <= start.time()
        and end.time() <= closes
    )


def hours_between(start: datetime.time, end: datetime.time) -> Decimal:
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return Decimal(minutes) / Decimal(60)


def open_hours(
    *,
    opens: datetime.time,
    closes: datetime.time,
    weekdays: str,
    first: datetime.date,
    last: datetime.date,
) -> Decimal:
    """Hours a venue is open from `first` to `last` (both included)."""
    days = sum(1 for n in range((last - first).days + 1) if opens_on(weekdays, first + n * ONE_DAY))
    return hours_between(opens, closes) * days


def use_share(booked: Decimal, open_: Decimal) -> Decimal | None:
    """Hours booked against hours open, as a percentage with one decimal (None when the venue
    was never open in the period)."""
    if open_ <= 0:
        return None
    return (booked * 100 / open_).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def overlaps(
    start: datetime.datetime,
    end: datetime.datetime,
    others: Iterable[tuple[datetime.datetime, datetime.datetime]],
) -> bool:
    """Whether [start, end) meets any of the other half-open ranges."""
    return any(o_start < end and start < o_end for o_start, o_end in others)


# ---------------------------------------------------------------- iCalendar (RFC 5545)


def ics_text(value: object) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped; other control
    characters dropped."""
    text = str(value).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
    return "".join(ch for ch in text if ch >= " " or ch == "\t")


def ics_fold(line: str) -> str:
    """Lines longer than 75 octets folded with CRLF and a space, never inside a character."""
    out: list[str] = []
    current = ""
    size = 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def ics_stamp(moment: datetime.datetime) -> str:
    """A UTC DATE-TIME (the moment must be timezone-aware)."""
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_calendar(
    *,
    name: str,
    events: Iterable[tuple[str, datetime.datetime, datetime.datetime, str, str]],
    stamp: datetime.datetime,
) -> str:
    """A VCALENDAR of (uid, start, end, summary, location) events."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//shegong//resources//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{ics_text(name)}",
    ]
    for uid, start, end, summary, location in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{ics_stamp(stamp)}",
            f"DTSTART:{ics_stamp(start)}",
            f"DTEND:{ics_stamp(end)}",
            f"SUMMARY:{ics_text(summary)}",
            f"LOCATION:{ics_text(location)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


def star_level(
    hours: Decimal, levels: Iterable[tuple[int, str, Decimal]]
) -> tuple[int, str] | None:
    """The highest (stars, name) whose minimum the confirmed hours reach; None below the first."""
    reached = [(stars, name) for stars, name, minimum in levels if hours >= minimum]
    return max(reached) if reached else None


def link_hash(key: str) -> str:
    """What is kept of a volunteer's personal link key (like API tokens: only the hash)."""
    return hashlib.sha256(key.encode()).hexdigest()


# Ages at the event: 中青年 are 18 to 59 (青年 18-44 and 中年 45-59 as the statistics bureau
# bands them; 60 is where 老年人 begin under 老年人权益保障法). The essays' "mostly over 50" is
# read against the same bands.
AGE_BANDS: list[tuple[str, int, int]] = [
    ("18岁以下", 0, 17),
    ("18-44岁", 18, 44),
    ("45-59岁", 45, 59),
    ("60-69岁", 60, 69),
    ("70岁及以上", 70, 200),
]
YOUNG_MIDDLE = (18, 59)


def age_band(age: int) -> str:
    return next(label for label, low, high in AGE_BANDS if low <= age <= high)


# The 五有 standard (essay 8: office, activity space and equipment, staff, funding, a
# service station) as far as the profile and resource data show it; the floor area is the
# city's ≥ 300 m² of office and activity space. Items no record shows (rules on the wall,
# equipment) need an inspector's check, which is not built.
MIN_SPACE = Decimal(300)


@dataclass(frozen=True)
class StandardItem:
    key: str
    label: str
    met: bool
    shortfall: str = ""  # how far short, as people read it


def five_haves(
    *,
    owned_office: bool,
    office_area: Decimal,
    activity_area: Decimal,
    workers: int,
    funding: Decimal,
    own_venues: int,
) -> list[StandardItem]:
    space = office_area + activity_area
    return [
        StandardItem("office", "有自有办公用房", owned_office, "" if owned_office else "租用或无"),
        StandardItem(
            "space",
            "办公和活动用房不少于300平方米",
            space >= MIN_SPACE,
            "" if space >= MIN_SPACE else f"差{(MIN_SPACE - space).quantize(Decimal('0.1'))}平方米",
        ),
        StandardItem(
            "staff", "有人办事(在岗社区工作者)", workers > 0, "" if workers else "无在岗人员"
        ),
        StandardItem(
            "funding",
            "有钱办事(本年度经费)",
            funding > 0,
            "" if funding > 0 else "本年度无经费记录",
        ),
        StandardItem(
            "station",
            "有活动场所(登记的自有场地)",
            own_venues > 0,
            "" if own_venues else "未登记自有场地",
        ),
    ]
