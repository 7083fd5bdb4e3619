"""以奖代补 scoring: pure calculations, no ORM.

A team (or a community) earns points on five factors: members, activities held, participants,
average quality rating, awards won. Each factor gives `value × weight` points, at most its
cap when one is set. A subject below a threshold (fewer members or activities, a lower
average rating, or no rating at all when a minimum rating is set) is not eligible and gets
nothing. The money is `points × yuan per point`, or the amount of the highest tier its points
reach; when the year's total exceeds the budget, every amount is cut by the same ratio (down
to the fen, so the total never exceeds the budget).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

FEN = Decimal("0.01")
FACTORS = ("members", "activities", "participants", "quality", "awards_won")


def factor_labels() -> dict[str, str]:
    return {
        "members": _("成员"),
        "activities": _("活动"),
        "participants": _("参与人次"),
        "quality": _("质量评分"),
        "awards_won": _("获奖"),
    }


@dataclass(frozen=True)
class Factor:
    weight: Decimal
    cap: Decimal | None


@dataclass(frozen=True)
class Scoring:
    """A scheme's numbers: factors by name, thresholds, and how points become money."""

    factors: Mapping[str, Factor]
    min_members: int
    min_activities: int
    min_quality: Decimal | None
    per_point: bool
    yuan_per_point: Decimal
    tiers: Sequence[tuple[Decimal, Decimal]]  # (points at least, amount), any order


@dataclass(frozen=True)
class Inputs:
    members: int
    activities: int
    participants: int
    ratings: int
    quality: Decimal | None  # the average rating, None when nobody rated


def average(ratings: int, total: int) -> Decimal | None:
    """The average rating to the hundredth, None when nobody rated."""
    if not ratings:
        return None
    return (Decimal(total) / ratings).quantize(FEN, ROUND_HALF_UP)


@dataclass(frozen=True)
class Part:
    factor: str
    value: Decimal
    weight: Decimal
    cap: Decimal | None
    points: Decimal

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.value * self.weight > self.cap


@dataclass(frozen=True)
class Score:
    parts: tuple[Part, ...]
    points: Decimal
    shortfalls: tuple[str, ...]
    amount: Decimal

    @property
    def eligible(self) -> bool:
        return not self.shortfalls


def factor_points(value: Decimal, factor: Factor) -> Decimal:
    points = (value * factor.weight).quantize(FEN, ROUND_HALF_UP)
    return min(points, factor.cap) if factor.cap is not None else points


def shortfalls(inputs: Inputs, scoring: Scoring) -> tuple[str, ...]:
    found: list[str] = []
    if inputs.members < scoring.min_members:
        found.append(
            _("成员%(n)d人,少于%(min)d人") % {"n": inputs.members, "min": scoring.min_members}
        )
    if inputs.activities < scoring.min_activities:
        found.append(
            _("活动%(n)d场,少于%(min)d场") % {"n": inputs.activities, "min": scoring.min_activities}
        )
    if scoring.min_quality is not None:
        quality = inputs.quality
        if quality is None:
            found.append(_("活动未经评分"))
        elif quality < scoring.min_quality:
            found.append(
                _("平均评分%(q)s,低于%(min)s") % {"q": quality, "min": scoring.min_quality}
            )
    return tuple(found)


def amount_for(points: Decimal, scoring: Scoring) -> Decimal:
    if scoring.per_point:
        return (points * scoring.yuan_per_point).quantize(FEN, ROUND_HALF_UP)
    reached = [amount for least, amount in scoring.tiers if points >= least]
    return max(reached, default=Decimal(0)).quantize(FEN)


def score(inputs: Inputs, awards_won: int, scoring: Scoring) -> Score:
    values = {
        "members": Decimal(inputs.members),
        "activities": Decimal(inputs.activities),
        "participants": Decimal(inputs.participants),
        "quality": inputs.quality or Decimal(0),
        "awards_won": Decimal(awards_won),
    }
    parts = tuple(
        Part(name, values[name], f.weight, f.cap, factor_points(values[name], f))
        for name, f in ((n, scoring.factors[n]) for n in FACTORS)
    )
    points = sum((p.points for p in parts), Decimal(0))
    short = shortfalls(inputs, scoring)
    return Score(parts, points, short, Decimal(0) if short else amount_for(points, scoring))


def fit_budget(amounts: Sequence[Decimal], budget: Decimal) -> tuple[list[Decimal], Decimal]:
    """The amounts, cut by one ratio (rounded down to the fen) when their sum exceeds the
    budget; and that ratio (1 when nothing was cut)."""
    total = sum(amounts, Decimal(0))
    if total <= budget or total == 0:
        return list(amounts), Decimal(1)
    ratio = budget / total
    return [(a * ratio).quantize(FEN, ROUND_DOWN) for a in amounts], ratio.quantize(
        Decimal("0.0001"), ROUND_DOWN
    )


def formula(parts: Sequence[Part]) -> str:
    """ "成员 32×0.50=16.00 + 活动 12×2.00=20.00(上限 15.00)+ …" for the page and the sheet."""
    labels = factor_labels()
    shown = []
    for p in parts:
        text = f"{labels[p.factor]} {p.value.normalize():f}×{p.weight}"
        text += f"={p.points}"
        if p.capped:
            text += _("(封顶 %(cap)s)") % {"cap": p.cap}
        shown.append(text)
    return " + ".join(shown)


def parse_tiers(raw: str) -> list[tuple[Decimal, Decimal]]:
    """Tiers typed as lines "80=8000" (points at least = amount); ValueError on a bad line."""
    tiers: list[tuple[Decimal, Decimal]] = []
    for line in raw.replace(",", "\n").replace(",", "\n").splitlines():
        line = line.strip()
        if not line:
            continue
        least, sep, amount = line.partition("=")
        try:
            pair = (Decimal(least.strip()), Decimal(amount.strip()).quantize(FEN))
        except InvalidOperation:
            raise ValueError(line) from None
        if not sep or not all(v.is_finite() and 0 <= v < Decimal("1e9") for v in pair):
            raise ValueError(line)
        tiers.append(pair)
    return sorted(tiers)
