"""Pure appraisal calculations: no ORM, no request. Decimal throughout, two places, half up.

Documented rules
----------------
- A scorer's sheet is the sum of the indicator points scaled to 100. A figure indicator (e.g.
  a participation rate) earns its points in proportion to the figure, full marks at
  `figure_full` and above.
- Residents' satisfaction: 满意 100, 基本满意 60, 不满意 0 points; the part score is the mean.
- Trimming: with trimming on and at least TRIM_MIN_SCORES sheets, the single highest and the
  single lowest sheet are dropped before the mean; with fewer, nothing is dropped.
- Weighted score (`weigh_residents_vote`: how the residents' vote is weighted): each part's
  score times its weight. A part with no scores is left out and the remaining weights are
  scaled back up to 100%; the result says which part was missing.
- Ranking: by score, highest first. Equal scores (to 0.01) share a rank ("1, 2, 2, 4").
  Within equal scores the list is ordered by the residents' score, then the leaders' score.
- Grades (`grades_from_scores`: the grade from the scores): a score at or above a threshold
  earns that grade. The top grade is capped at floor(n × quota%) workers of the unit.
  Candidates are taken in the order above (score, then residents' score, then leaders'
  score); a group still tied on all three at the cap is not split: the whole group drops to
  the next grade, so the quota is never exceeded.
- Consequences: 不合格 twice running → exit list, once → warning list,
  otherwise renewal. 十佳: up to `ten_best` workers of the top grade in the same order, a tie at
  the boundary again not split.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)
TRIM_MIN_SCORES = 5

SCALE_POINTS: dict[str, Decimal] = {
    "satisfied": Decimal(100),
    "fairly": Decimal(60),
    "unsatisfied": Decimal(0),
}
GRADES = ("A", "B", "C", "D")
RESIDENTS = "residents"  # the part the residents' vote fills (PartKind.RESIDENTS)


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def plain_number(value: Decimal) -> str:
    """30.00 → "30", 12.50 → "12.5"."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def figure_points(figure: Decimal, figure_full: Decimal, max_points: Decimal) -> Decimal:
    """Points for a figure such as a participation rate: proportional, capped at full marks."""
    if figure <= 0:
        return Decimal(0)
    return q2(min(figure / figure_full, Decimal(1)) * max_points)


def sheet_total(points: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """(points, max points) per indicator → the sheet out of 100."""
    pairs = list(points)
    full = sum((m for _p, m in pairs), Decimal(0))
    if full <= 0:
        raise ValueError("no indicators")
    got = sum((p for p, _m in pairs), Decimal(0))
    if any(p < 0 or p > m for p, m in pairs):
        raise ValueError("points out of range")
    return q2(got / full * HUNDRED)


def resident_score(counts: Mapping[str, int]) -> Decimal | None:
    """The mean satisfaction points from the count of each rating; None without ratings."""
    total = sum(counts.values())
    if total == 0:
        return None
    points = sum((SCALE_POINTS[r] * n for r, n in counts.items()), Decimal(0))
    return q2(points / total)


def trimmed_mean(
    *, total: Decimal, highest: Decimal, lowest: Decimal, count: int, trim: bool
) -> Decimal | None:
    """The mean of `count` sheets from their sum, maximum and minimum (as the database
    aggregates them), dropping one highest and one lowest when trimming applies."""
    if count == 0:
        return None
    if trim and count >= TRIM_MIN_SCORES:
        return q2((total - highest - lowest) / (count - 2))
    return q2(total / count)


def weighted_score(
    parts: Mapping[str, Decimal | None], weights: Mapping[str, Decimal]
) -> tuple[Decimal, list[str]]:
    """The weighted score and the parts left out for having no scores."""
    present = {k: w for k, w in weights.items() if parts.get(k) is not None}
    missing = [k for k in weights if k not in present]
    weight_sum = sum(present.values(), Decimal(0))
    if weight_sum == 0:
        return Decimal(0), missing
    raw = sum((parts[k] * w for k, w in present.items()), Decimal(0))  # type: ignore[operator]
    return q2(raw / weight_sum), missing


@dataclass(frozen=True)
class Weighted:
    """A worker's weighted score, the score of each part, and the parts left out."""

    score: Decimal
    parts: dict[str, Decimal | None]
    missing: list[str]


def weigh_residents_vote(
    *,
    ratings: Mapping[str, int],
    other_parts: Mapping[str, Decimal | None],
    weights: Mapping[str, Decimal],
) -> Weighted:
    """How the residents' vote is weighted into a worker's score.

    `ratings` counts the worker's 满意 / 基本满意 / 不满意 on the ballots of the surveys that
    count: a survey counts when it has at least the scheme's minimum of raters and at least
    its share of them ordinary residents (`survey_valid`); the ballots of any other survey are
    left out before this is called.

    1. The residents' part is the mean satisfaction points (`resident_score`: 100 / 60 / 0),
       or no score when nobody rated the worker (every resident answered 不了解, or no survey
       counts).
    2. It weighs the scheme's residents' weight (60% in the default scheme) beside the
       leaders' and the peers' parts (`other_parts`: trimmed means of their sheets).
    3. A part with no score is left out and the remaining weights are scaled back up to 100%
       (`weighted_score`); `missing` names it so the result can say so.
    """
    parts: dict[str, Decimal | None] = {RESIDENTS: resident_score(ratings), **other_parts}
    score, missing = weighted_score(parts, weights)
    return Weighted(score=score, parts=parts, missing=missing)


def survey_valid(
    *, votes: int, residents: int, min_raters: int, min_resident_share: Decimal
) -> bool:
    """Enough raters, and enough of them ordinary residents."""
    if votes < min_raters or votes == 0:
        return False
    return Decimal(residents) * HUNDRED >= min_resident_share * votes


@dataclass(frozen=True)
class Entry:
    key: int  # the worker's id
    score: Decimal
    resident: Decimal | None = None
    leader: Decimal | None = None


def _order_key(e: Entry) -> tuple[Decimal, Decimal, Decimal]:
    none = Decimal(-1)
    return (
        e.score,
        e.resident if e.resident is not None else none,
        e.leader if e.leader is not None else none,
    )


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    """Best first: score, then residents' score, then leaders' score, then id (stable)."""
    return sorted(entries, key=lambda e: (_neg(_order_key(e)), e.key))


def _neg(key: tuple[Decimal, Decimal, Decimal]) -> tuple[Decimal, Decimal, Decimal]:
    return (-key[0], -key[1], -key[2])


def ranks(entries: Sequence[Entry]) -> dict[int, int]:
    """Competition ranking by score: equal scores share a rank, the next rank skips."""
    result: dict[int, int] = {}
    previous: Decimal | None = None
    current = 0
    for position, e in enumerate(ordered(entries), start=1):
        if e.score != previous:
            current = position
            previous = e.score
        result[e.key] = current
    return result


def quota_count(n: int, quota_percent: Decimal) -> int:
    """At most this many top grades among n workers (rounded down)."""
    return int((Decimal(n) * quota_percent / HUNDRED).to_integral_value(rounding=ROUND_FLOOR))


def _take_without_splitting_ties(candidates: list[Entry], limit: int) -> list[Entry]:
    """The first `limit` candidates, less any group tied (on the order key) across the cut."""
    if len(candidates) <= limit:
        return candidates
    taken = candidates[:limit]
    boundary = _order_key(candidates[limit])
    return [e for e in taken if _order_key(e) != boundary]


@dataclass
class Grading:
    grades: dict[int, str] = field(default_factory=dict)
    capped: set[int] = field(default_factory=set)  # would have been A but for the quota
    quota: int = 0


def grade_of(score: Decimal, thresholds: tuple[Decimal, Decimal, Decimal]) -> str:
    a, b, c = thresholds
    if score >= a:
        return "A"
    if score >= b:
        return "B"
    if score >= c:
        return "C"
    return "D"


def assign_grades(
    entries: Sequence[Entry],
    *,
    thresholds: tuple[Decimal, Decimal, Decimal],
    quota_percent: Decimal,
) -> Grading:
    """Grades by threshold, the top grade capped by the quota (see the module notes)."""
    grading = Grading(quota=quota_count(len(entries), quota_percent))
    for e in entries:
        grading.grades[e.key] = grade_of(e.score, thresholds)
    candidates = [e for e in ordered(entries) if grading.grades[e.key] == "A"]
    kept = {e.key for e in _take_without_splitting_ties(candidates, grading.quota)}
    for e in candidates:
        if e.key not in kept:
            grading.grades[e.key] = "B"
            grading.capped.add(e.key)
    return grading


def standing_of(grade: str, previous_grade: str | None) -> str:
    """renew / warn / exit: 不合格 twice running → exit, once → warn. (What a grade means for
    pay, its factor and whether the year counts toward a step, is pay's: pay/rules.py.)"""
    return ("exit" if previous_grade == "D" else "warn") if grade == "D" else "renew"


def ten_best(entries: Sequence[Entry], grades: Mapping[int, str], n: int) -> set[int]:
    """Up to n of the top grade, best first, a tie at the boundary not split."""
    candidates = [e for e in ordered(entries) if grades.get(e.key) == "A"]
    return {e.key for e in _take_without_splitting_ties(candidates, n)}


@dataclass(frozen=True)
class Outcome:
    """Where a worker stands once every score is in."""

    rank: int
    grade: str
    capped: bool  # reached the top grade's threshold, but its quota was full
    standing: str  # renew / warn / exit
    ten_best: bool


def grades_from_scores(
    entries: Sequence[Entry],
    *,
    thresholds: tuple[Decimal, Decimal, Decimal],
    quota_percent: Decimal,
    ten_best_count: int,
    previous_grades: Mapping[int, str],
) -> dict[int, Outcome]:
    """The grade from the weighted scores, and what follows from it, per worker.

    Ranks by score (`ranks`); the grade by threshold, the top grade capped at
    floor(n × quota%) without splitting a tie (`assign_grades`); 十佳 among the top grade
    (`ten_best`); renewal, warning or exit against last year's grade (`standing_of`).
    """
    grading = assign_grades(entries, thresholds=thresholds, quota_percent=quota_percent)
    ranking = ranks(entries)
    best = ten_best(entries, grading.grades, ten_best_count)
    outcomes: dict[int, Outcome] = {}
    for e in entries:
        grade = grading.grades[e.key]
        outcomes[e.key] = Outcome(
            rank=ranking[e.key],
            grade=grade,
            capped=e.key in grading.capped,
            standing=standing_of(grade, previous_grades.get(e.key)),
            ten_best=e.key in best,
        )
    return outcomes


def grade_counts(grades: Iterable[str]) -> dict[str, int]:
    counts = dict.fromkeys(GRADES, 0)
    for g in grades:
        counts[g] += 1
    return counts


def turnout_percent(spent: int, issued: int) -> Decimal:
    if issued == 0:
        return Decimal("0.0")
    return (Decimal(spent) * HUNDRED / issued).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def mean_or_none(total: Decimal | None, count: int, minimum: int) -> Decimal | None:
    """The mean to two places, or None (withheld) for fewer than `minimum` values."""
    if total is None or count < max(minimum, 1):
        return None
    return (total / count).quantize(CENT, rounding=ROUND_HALF_UP)


def share_text(part: int, whole: int) -> str:
    """81.8 (one decimal, half up), or "—" when there is nothing to share."""
    if whole == 0:
        return "—"
    return str((Decimal(part) * HUNDRED / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def ten_best_of_period(
    results: Mapping[int, Mapping[int, tuple[Decimal, str]]], years: Sequence[int], size: int
) -> list[tuple[int, Decimal]]:
    """十佳 of a period (essay 5: elected every two years): the workers with a result in
    every year of the period and none 不合格 ("D"), by their mean score over the period, best
    first, up to `size`, a tie at the boundary not split (the whole tied group drops out).
    `results`: worker → year → (score, grade)."""
    entries = [
        Entry(
            key=worker,
            score=(sum((s for s, _g in by_year.values()), Decimal(0)) / len(years)).quantize(
                CENT, rounding=ROUND_HALF_UP
            ),
        )
        for worker, by_year in results.items()
        if all(y in by_year for y in years) and all(g != "D" for _s, g in by_year.values())
    ]
    chosen = _take_without_splitting_ties(ordered(entries), size)
    return [(e.key, e.score) for e in chosen]
