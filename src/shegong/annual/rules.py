"""Pure rules of the annual report: money as bureaus print it, and how a figure moved.

No ORM. Shares and the 一是……二是…… come from reports.rules (the same rounding as the
structure report, so the figures agree); what is here is what the annual report adds: money
in 万元 and whole yuan ("1,173.19万元", "32,487元"; plain amounts through core.money),
year-over-year phrases for counts of things other than people and
for money, and the chapter numbering of GB/T 9704 (一、 (一) 1.).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from shegong.core.money import money_text
from shegong.reports.rules import chinese_number, plain

FEN = Decimal("0.01")
YUAN = Decimal(1)
WAN = Decimal(10000)


def wan_text(amount: Decimal) -> str:
    """元 → 万元 with two decimals: Decimal("11731900") → "1,173.19万元" (the amount in 万元
    shown as core.money shows money, to the fen half up)."""
    return _("%(n)s万元") % {"n": money_text(amount / WAN)}


def yuan_text(amount: Decimal) -> str:
    """Decimal("32487.40") → "32,487元" (whole yuan half up, as reports print incomes)."""
    return _("%(n)s元") % {"n": f"{amount.quantize(YUAN, rounding=ROUND_HALF_UP):,.0f}"}


def count_change(now: int, before: int | None, *, unit: str, basis: str) -> str:
    """ ",同比增加3个" / ",同比减少12人次" / ",同比持平"; "" without a value last year."""
    if before is None:
        return ""
    if now == before:
        return _(",%(basis)s持平") % {"basis": basis}
    direction = _("增加") if now > before else _("减少")
    return f",{basis}{direction}{abs(now - before)}{unit}"


def points_change(now: Decimal, before: Decimal | None, *, basis: str) -> str:
    """ ",同比上升14个百分点" / ",同比下降0.4个百分点" / ",同比持平"."""
    if before is None:
        return ""
    diff = now - before
    if diff == 0:
        return _(",%(basis)s持平") % {"basis": basis}
    direction = _("上升") if diff > 0 else _("下降")
    return _(",%(basis)s%(direction)s%(points)s个百分点") % {
        "basis": basis,
        "direction": direction,
        "points": plain(abs(diff)),
    }


def growth(now: Decimal, before: Decimal) -> Decimal | None:
    """Percentage growth to one decimal, half up; None when last year was zero."""
    if before == 0:
        return None
    return ((now - before) * 100 / before).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def money_change(now: Decimal, before: Decimal | None, *, basis: str) -> str:
    """ ",同比增长13.6%" / ",同比下降2.0%" / ",同比持平"; "" without last year or from zero."""
    if before is None:
        return ""
    if now == before:
        return _(",%(basis)s持平") % {"basis": basis}
    rate = growth(now, before)
    if rate is None:
        return ""
    direction = _("增长") if rate > 0 else _("下降")
    return f",{basis}{direction}{plain(abs(rate))}%"


def section_number(n: int) -> str:
    """GB/T 9704 second level: 1 → "(一)"."""
    return f"({chinese_number(n)})"


def chapter_number(n: int) -> str:
    """GB/T 9704 first level: 1 → "一、"."""
    return f"{chinese_number(n)}、"


def numbered_items(items: Sequence[str]) -> list[str]:
    """Third level: ["…", "…"] → ["1.…", "2.…"]."""
    return [f"{i}.{text}" for i, text in enumerate(items, start=1)]


def page_number_text(n: int) -> str:
    """GB/T 9704 page numbers: "— 1 —"."""
    return f"— {n} —"


def at_least_share(values: Sequence[Decimal | int], threshold: Decimal | int) -> tuple[int, int]:
    """(how many of `values` reach `threshold`, how many there are)."""
    return sum(1 for v in values if v >= threshold), len(values)


def fen_of(amount: Decimal) -> Decimal:
    """Round money to the fen, half up."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def plain_share(fraction: Decimal) -> str:
    """A share stored as a fraction (0.85) as a percentage: "85"; 1.00 → "100"."""
    return plain(fraction * 100)
