"""Pure calculations of community resources: no ORM, no request."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

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


# Standards (五有, 办公和活动用房≥300㎡, 示范社区 …) are data (models.Standard); what the code
# knows is the list of measures an item may be scored on, each a figure of a community as of
# a date from its profile, roster, funding and resources. An item is met when the figure is
# at or above the item's threshold. Items no record shows (rules on the wall, equipment) are
# checked by an inspector instead.


@dataclass(frozen=True)
class Measure:
    key: str
    label: str | Promise
    unit: str | Promise  # what the shortfall is counted in ("平方米", "人"); "" for a yes-or-no
    places: int = 0
    none: str | Promise = ""  # how a figure of nothing reads ("无在岗人员"), rather than "差N人"


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in [
        Measure("owned_office", _lazy("自有办公用房(是为1)"), "", none=_lazy("租用或无")),
        Measure("space_area", _lazy("办公和活动用房面积"), _lazy("平方米"), places=1),
        Measure("office_area", _lazy("办公用房面积"), _lazy("平方米"), places=1),
        Measure("activity_area", _lazy("活动用房面积"), _lazy("平方米"), places=1),
        Measure("active_workers", _lazy("在岗社区工作者"), _lazy("人"), none=_lazy("无在岗人员")),
        Measure("workers_per_10k", _lazy("每万名常住人口社区工作者"), _lazy("人"), places=1),
        Measure(
            "year_funding",
            _lazy("本年度经费"),
            _lazy("元"),
            places=2,
            none=_lazy("本年度无经费记录"),
        ),
        Measure("own_venues", _lazy("登记的自有场地"), _lazy("处"), none=_lazy("未登记自有场地")),
        Measure("shared_venues", _lazy("单位、学校共享场地"), _lazy("处")),
        Measure("teams", _lazy("活跃文体队伍"), _lazy("支")),
        Measure("volunteers", _lazy("注册志愿者"), _lazy("人")),
        Measure("volunteer_hours", _lazy("本年度志愿服务时长"), _lazy("小时"), places=1),
        Measure("activities_held", _lazy("本年度已举办活动"), _lazy("场")),
    ]
}


@dataclass(frozen=True)
class ItemResult:
    key: str
    label: str
    met: bool
    shortfall: str = ""  # how far short, as people read it
    checked: str = ""  # for an inspector's item: who checked when ("张三 2026-05-01")


def measured_item(
    *, key: str, label: str, measure: str, threshold: Decimal, value: Decimal
) -> ItemResult:
    """A measured item: met at or above the threshold, else short by the difference (or in
    the measure's own words when there is nothing at all)."""
    m = MEASURES[measure]
    if value >= threshold:
        return ItemResult(key, label, True)
    if not m.unit or (value == 0 and m.none):
        return ItemResult(key, label, False, str(m.none or _("未达到")))
    gap = (threshold - value).quantize(Decimal(1).scaleb(-m.places))
    return ItemResult(key, label, False, _("差%(gap)s%(unit)s") % {"gap": gap, "unit": m.unit})


def checked_item(
    *, key: str, label: str, met: bool | None, by: str = "", on: str = "", note: str = ""
) -> ItemResult:
    """An inspector's item: met by the latest check; missing when there is none."""
    if met is None:
        return ItemResult(key, label, False, _("未检查"))
    checked = f"{by} {on}".strip()
    if met:
        return ItemResult(key, label, True, "", checked)
    short = _("检查未通过") + (f":{note}" if note else "")
    return ItemResult(key, label, False, short, checked)


def workers_per_10k(workers: int, residents: int) -> Decimal:
    """Community workers per 10,000 residents, one decimal (0 for a community of nobody)."""
    if residents <= 0:
        return Decimal(0)
    return (Decimal(workers) * 10000 / Decimal(residents)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
