"""Shares of one breakdown as official reports print them: percentages that add up to exactly
100 (largest-remainder rounding, as in essay 5). Pure: no ORM, no request. The one copy every
room uses (reports, resources, the annual report)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)


def largest_remainder_shares(counts: Sequence[int], *, places: int = 1) -> list[Decimal]:
    """Percentages of `counts` rounded to `places` decimals that add up to exactly 100.

    Each share is first cut down to `places`; the units still missing go one each to the
    largest remainders (ties: the larger count, then the earlier row). All zero when the
    total is zero.
    """
    if any(c < 0 for c in counts):
        raise ValueError("counts must not be negative")
    total = sum(counts)
    quantum = Decimal(1).scaleb(-places)
    if total == 0:
        return [Decimal(0).quantize(quantum) for _c in counts]
    units = 100 * 10**places
    floors = [c * units // total for c in counts]
    remainders = [c * units % total for c in counts]
    missing = units - sum(floors)
    order = sorted(range(len(counts)), key=lambda i: (-remainders[i], -counts[i], i))
    for i in order[:missing]:
        floors[i] += 1
    return [(Decimal(f) / 10**places).quantize(quantum) for f in floors]


def share(part: int, whole: int, *, places: int = 1) -> Decimal:
    """One percentage rounded half up (for figures that are not one of a partition)."""
    quantum = Decimal(1).scaleb(-places)
    if whole <= 0:
        return Decimal(0).quantize(quantum)
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(quantum, rounding=ROUND_HALF_UP)
