"""Pure rules of training and certification: no ORM, no request.

Days are whole days attended; shares are Decimal percentages with one decimal, half up
(coverage is one figure, not a partition).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ONE_PLACE = Decimal("0.1")
PASS_MARK = Decimal(60)  # national social-work exam: 60 of 100 in each subject

# The subjects of the national exam at each level.
EXAM_SUBJECTS: dict[str, tuple[str, ...]] = {
    "assistant": ("comprehensive", "practice"),
    "social_worker": ("comprehensive", "practice"),
    "senior": ("senior_practice",),
}


@dataclass(frozen=True)
class Rule:
    """A yearly minimum: `min_days` within a window of `every_years` years."""

    min_days: int
    every_years: int = 1

    @property
    def days_per_year(self) -> Decimal:
        return Decimal(self.min_days) / Decimal(self.every_years)


def strictness(rule: Rule) -> tuple[Decimal, int, int]:
    """Sort key, strictest first: most days per year, then the shorter window."""
    return (-rule.days_per_year, rule.every_years, -rule.min_days)


def strictest(rules: Iterable[Rule], default: Rule | None) -> Rule | None:
    """The rule a worker must meet: the strictest of their posts' rules, else the default."""
    found = sorted(rules, key=strictness)
    return found[0] if found else default


def window(year: int, every_years: int) -> tuple[datetime.date, datetime.date]:
    """The dates counted toward a requirement checked for `year`: the `every_years` calendar
    years ending with `year`."""
    if every_years < 1:
        raise ValueError("every_years must be at least 1")
    return datetime.date(year - every_years + 1, 1, 1), datetime.date(year, 12, 31)


def shortfall(required: int, attended: int) -> int:
    """Days still missing (never negative)."""
    return max(0, required - attended)


def share(part: int, whole: int) -> Decimal:
    if whole <= 0:
        return Decimal("0.0")
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def per_person(total: int | Decimal, people: int) -> Decimal | None:
    if people <= 0:
        return None
    return (Decimal(total) / Decimal(people)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def course_days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """Every day of a course, first to last."""
    return [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]


def missing_subjects(level: str, scores: Mapping[str, Decimal]) -> list[str]:
    """The subjects of `level` not yet passed (absent or under the pass mark)."""
    return [s for s in EXAM_SUBJECTS[level] if scores.get(s) is None or scores[s] < PASS_MARK]


def passed(level: str, scores: Mapping[str, Decimal]) -> bool:
    return not missing_subjects(level, scores)


def on_roster(
    placements: Sequence[tuple[datetime.date, datetime.date | None]], day: datetime.date
) -> bool:
    """Whether any placement (start, end) covers `day` (`end` itself is the first day off)."""
    return any(start <= day and (end is None or end > day) for start, end in placements)


def narrative(
    *,
    unit_name: str,
    sessions: int,
    person_times: int,
    people_trained: int,
    coverage: Decimal,
    leaders: int,
    leaders_met: int,
    minimum_days: int | None,
) -> str:
    """The paragraph an essay-5 style report prints about training, from the figures:
    "共举办各级各类培训班18期,培训社区工作者1349人次(648人),受训面达到99.5%;…"."""
    text = (
        f"{unit_name}共举办各级各类培训班{sessions}期,培训社区工作者{person_times}人次"
        f"({people_trained}人),受训面达到{coverage}%"
    )
    if leaders and minimum_days:
        if leaders_met == leaders:
            text += f";社区书记、主任{leaders}人全部参加了不少于{minimum_days}天的培训"
        else:
            text += (
                f";社区书记、主任{leaders}人中{leaders_met}人参加了不少于{minimum_days}天的培训,"
                f"{leaders - leaders_met}人尚未达到"
            )
    return text + "。"


def completed(attended_days: int, course_days: int, min_days: int | None) -> bool:
    """A worker completes a course (结业) by attending `min_days` of its days, or every day
    when the course names no minimum."""
    return attended_days >= (min_days or course_days)
