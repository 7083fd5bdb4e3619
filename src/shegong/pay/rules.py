"""Pure pay calculations: no ORM, no request. Money is Decimal, rounded to the fen
(ROUND_HALF_UP) at the points the rules name: each component, each contribution, the tax.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from shegong.core import money

ZERO = Decimal("0")
FEN = Decimal("0.01")
YUAN = Decimal("1")

# 个人所得税 by the cumulative withholding method (累计预扣法), national since 2019: the
# standard deduction is 5,000 元 a month; brackets on the cumulative taxable income of the
# year: (upper bound, rate, quick deduction).
MONTHLY_STANDARD_DEDUCTION = Decimal("5000")
TAX_BRACKETS: tuple[tuple[Decimal | None, Decimal, Decimal], ...] = (
    (Decimal("36000"), Decimal("0.03"), Decimal("0")),
    (Decimal("144000"), Decimal("0.10"), Decimal("2520")),
    (Decimal("300000"), Decimal("0.20"), Decimal("16920")),
    (Decimal("420000"), Decimal("0.25"), Decimal("31920")),
    (Decimal("660000"), Decimal("0.30"), Decimal("52920")),
    (Decimal("960000"), Decimal("0.35"), Decimal("85920")),
    (None, Decimal("0.45"), Decimal("181920")),
)

KINDS = ("pension", "medical", "unemployment", "injury", "maternity", "housing_fund")
KIND_LABELS = {
    "pension": "养老保险",
    "medical": "医疗保险",
    "unemployment": "失业保险",
    "injury": "工伤保险",
    "maternity": "生育保险",
    "housing_fund": "住房公积金",
}


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def last_of_month(day: datetime.date) -> datetime.date:
    nxt = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return nxt - datetime.timedelta(days=1)


def ancestors(path: str) -> list[str]:
    """'a/b/c/' → ['a/', 'a/b/', 'a/b/c/']."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def fen(value: Decimal) -> Decimal:
    """Round to the fen, half up (the way payslips are printed): core.money's one rule."""
    return money.fen(value)


def yuan(value: Decimal) -> Decimal:
    return value.quantize(YUAN, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- contributions


@dataclass(frozen=True)
class Rates:
    """Employer and personal rates by kind (fractions), and the base's floor and ceiling as
    shares of the local average wage."""

    employer: Mapping[str, Decimal]
    personal: Mapping[str, Decimal]
    floor_share: Decimal = Decimal("0.60")
    ceiling_share: Decimal = Decimal("3.00")


def base_bounds(
    average_wage_yearly: Decimal, floor_share: Decimal, ceiling_share: Decimal
) -> tuple[Decimal, Decimal]:
    """The contribution base's floor and ceiling: shares of the average monthly wage, to the
    fen."""
    average_monthly = average_wage_yearly / 12
    return fen(average_monthly * floor_share), fen(average_monthly * ceiling_share)


def contribution_base(
    monthly_pay: Decimal, average_wage_yearly: Decimal, floor_share: Decimal, ceiling_share: Decimal
) -> Decimal:
    """The worker's monthly pay held between floor and ceiling shares of the average monthly
    wage, to the fen."""
    floor, ceiling = base_bounds(average_wage_yearly, floor_share, ceiling_share)
    return min(max(fen(monthly_pay), floor), ceiling)


@dataclass(slots=True)
class Contributions:
    employer: dict[str, Decimal]
    personal: dict[str, Decimal]

    @property
    def employer_total(self) -> Decimal:
        return sum(self.employer.values(), ZERO)

    @property
    def personal_total(self) -> Decimal:
        return sum(self.personal.values(), ZERO)


def contributions(
    base: Decimal, rates: Rates, enrolled: Iterable[str] | None = None
) -> Contributions:
    """Each kind's employer and personal contribution on `base`, each rounded to the fen;
    kinds the worker is not enrolled in (when `enrolled` is given) pay nothing."""
    employer = dict.fromkeys(KINDS, ZERO)
    personal = dict.fromkeys(KINDS, ZERO)
    # Inlined fen(): a pay run computes ten of these per worker.
    for kind, share in rates.employer.items():
        if share and (enrolled is None or kind in enrolled):
            employer[kind] = (base * share).quantize(FEN, rounding=ROUND_HALF_UP)
    for kind, share in rates.personal.items():
        if share and (enrolled is None or kind in enrolled):
            personal[kind] = (base * share).quantize(FEN, rounding=ROUND_HALF_UP)
    return Contributions(employer, personal)


# ---------------------------------------------------------------- income tax


def tax_on_cumulative(taxable: Decimal) -> Decimal:
    """The tax due on a year's cumulative taxable income so far."""
    if taxable <= 0:
        return ZERO
    for upper, tax_rate, quick in TAX_BRACKETS:
        if upper is None or taxable <= upper:
            return fen(taxable * tax_rate - quick)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class YearToDate:
    """A worker's earlier months of the same tax year with this employer."""

    months: int = 0
    income: Decimal = ZERO
    personal_contributions: Decimal = ZERO
    tax: Decimal = ZERO


def income_tax_this_month(
    *, ytd: YearToDate, income: Decimal, personal_contributions: Decimal
) -> Decimal:
    """累计预扣法: tax on (cumulative income − 5,000 × months − cumulative personal
    contributions), less the tax already withheld this year; never negative."""
    months = ytd.months + 1
    taxable = (
        ytd.income
        + income
        - MONTHLY_STANDARD_DEDUCTION * months
        - ytd.personal_contributions
        - personal_contributions
    )
    return fen(max(tax_on_cumulative(taxable) - ytd.tax, ZERO))


# ---------------------------------------------------------------- the three calibers


@dataclass(slots=True)
class Calibers:
    """总成本 (gross + employer contributions), 应发 (gross), 实发 (gross − personal − tax)."""

    total_cost: Decimal
    gross: Decimal
    net: Decimal


def calibers(*, gross: Decimal, employer: Decimal, personal: Decimal, tax: Decimal) -> Calibers:
    return Calibers(total_cost=gross + employer, gross=gross, net=gross - personal - tax)


# ---------------------------------------------------------------- components


def performance_pay(fixed: Decimal, share: Decimal, factor: Decimal) -> Decimal:
    """Performance pay is `share` of total pay (fixed + performance) at factor 1, scaled by the
    appraisal factor (不合格 → 0)."""
    if share <= 0 or factor <= 0:
        return ZERO
    return fen(fixed * share / (1 - share) * factor)


def full_years(start: datetime.date, day: datetime.date) -> int:
    """Whole years from start to day (0 before start)."""
    if day < start:
        return 0
    years = day.year - start.year
    if (day.month, day.day) < (start.month, start.day):
        years -= 1
    return years


def seniority_pay(
    work_start: datetime.date | None, day: datetime.date, per_year: Decimal, cap_years: int
) -> Decimal:
    if work_start is None or per_year <= 0:
        return ZERO
    return fen(per_year * min(full_years(work_start, day), cap_years))


@dataclass(slots=True)
class LineInput:
    """What one worker's month of pay is computed from."""

    post_pay: Decimal
    grade_pay: Decimal
    seniority_pay: Decimal
    certificate_allowance: Decimal
    dual_role_allowance: Decimal
    other_allowance: Decimal
    award: Decimal
    performance_share: Decimal
    performance_factor: Decimal
    average_wage_yearly: Decimal
    rates: Rates
    enrolled: frozenset[str] | None = None
    ytd: YearToDate = field(default_factory=YearToDate)
    # The base's floor and ceiling when the caller has them already (base_bounds).
    bounds: tuple[Decimal, Decimal] | None = None


@dataclass(slots=True)
class Line:
    post_pay: Decimal
    grade_pay: Decimal
    seniority_pay: Decimal
    certificate_allowance: Decimal
    dual_role_allowance: Decimal
    performance_pay: Decimal
    other_allowance: Decimal
    award: Decimal
    gross: Decimal
    contribution_base: Decimal
    contributions: Contributions
    income_tax: Decimal
    calibers: Calibers


def compute_line(i: LineInput) -> Line:
    """A worker's month: components → gross → base → contributions → tax → calibers.

    The contribution base is the month's regular pay (everything but one-off awards) held
    between the floor and the ceiling."""
    fixed = i.post_pay + i.grade_pay + i.seniority_pay
    perf = performance_pay(fixed, i.performance_share, i.performance_factor)
    regular = fixed + i.certificate_allowance + i.dual_role_allowance + i.other_allowance + perf
    gross = regular + i.award
    floor, ceiling = i.bounds or base_bounds(
        i.average_wage_yearly, i.rates.floor_share, i.rates.ceiling_share
    )
    base = min(max(fen(regular), floor), ceiling)
    contrib = contributions(base, i.rates, i.enrolled)
    tax = income_tax_this_month(
        ytd=i.ytd, income=gross, personal_contributions=contrib.personal_total
    )
    return Line(
        post_pay=i.post_pay,
        grade_pay=i.grade_pay,
        seniority_pay=i.seniority_pay,
        certificate_allowance=i.certificate_allowance,
        dual_role_allowance=i.dual_role_allowance,
        performance_pay=perf,
        other_allowance=i.other_allowance,
        award=i.award,
        gross=gross,
        contribution_base=base,
        contributions=contrib,
        income_tax=tax,
        calibers=calibers(
            gross=gross,
            employer=contrib.employer_total,
            personal=contrib.personal_total,
            tax=tax,
        ),
    )


def months_between(earlier: datetime.date, later: datetime.date) -> int:
    """Whole calendar months from the month of `earlier` to the month of `later`."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def allowance_started(issued_on: datetime.date, month: datetime.date, after_months: int) -> bool:
    """Whether a certificate issued on `issued_on` brings its monthly allowance in `month`,
    when the policy starts it `after_months` months after the month of issue (0: that month)."""
    return months_between(issued_on, month) >= after_months


def award_line(award: Decimal, ytd: YearToDate) -> Line:
    """A line of awards only (a run of its own, 奖励发放): the award is the month's gross,
    outside the contribution base (no contributions), taxed on the year's cumulative income
    with what was paid before (`ytd`: earlier months and this month's other runs)."""
    tax = income_tax_this_month(ytd=ytd, income=award, personal_contributions=ZERO)
    return Line(
        post_pay=ZERO,
        grade_pay=ZERO,
        seniority_pay=ZERO,
        certificate_allowance=ZERO,
        dual_role_allowance=ZERO,
        performance_pay=ZERO,
        other_allowance=ZERO,
        award=award,
        gross=award,
        contribution_base=ZERO,
        contributions=contributions(ZERO, Rates(employer={}, personal={})),
        income_tax=tax,
        calibers=calibers(gross=award, employer=ZERO, personal=ZERO, tax=tax),
    )


def cell_pay(amount: Decimal | None, coefficient: Decimal | None, base: Decimal) -> Decimal:
    if amount is not None:
        return amount
    if coefficient is not None:
        return fen(coefficient * base)
    raise ValueError("a cell needs an amount or a coefficient")


# ---------------------------------------------------------------- placement and steps


Position = tuple[int, int]  # (level, step)


def credited_years(
    work_start: datetime.date | None,
    day: datetime.date,
    education: str,
    degree_credits: Mapping[str, int],
    failed_years: int = 0,
) -> int:
    """Years of community work on `day`, plus the years credited for the degree, less the
    years rated 不合格."""
    worked = full_years(work_start, day) if work_start else 0
    return max(0, worked + int(degree_credits.get(education, 0)) - failed_years)


def move_up(
    cells: Sequence[Position], start: Position, steps: int, *, cross_levels: bool
) -> Position:
    """`steps` positions up the track's ordered cells from `start`; without `cross_levels`
    the move stops at the top step of the start's level. A start that is not a cell of the
    track raises ValueError."""
    ordered = sorted(cells)
    index = ordered.index(start)
    top = len(ordered) - 1
    if not cross_levels:
        top = max(i for i, cell in enumerate(ordered) if cell[0] == start[0])
    return ordered[min(index + max(steps, 0), top)]


def initial_position(
    cells: Sequence[Position],
    entry: Position,
    years: int,
    step_years: int,
    *,
    cross_levels: bool,
) -> Position:
    """初次定级: the track's entry cell, one step up for every `step_years` credited years."""
    return move_up(cells, entry, years // step_years, cross_levels=cross_levels)


def steps_due(since: datetime.date, day: datetime.date, failed_years: int, step_years: int) -> int:
    """How many steps up are due on `day` for a worker in the same cell since `since`: one
    for every `step_years` whole years, a year rated 不合格 not counting."""
    return max(0, full_years(since, day) - failed_years) // step_years


# ---------------------------------------------------------------- benchmark and what-if


def annualised(total: Decimal, months: int) -> Decimal:
    """A year's pay from `months` paid months (12 → unchanged)."""
    if months <= 0:
        return ZERO
    return fen(total * 12 / months)


def benchmark_amount(average_wage: Decimal, share: Decimal) -> Decimal:
    return fen(average_wage * share)


def share_text(part: int, whole: int) -> str:
    """81.8 (one decimal, half up) or "—" when there is nothing to share."""
    if whole == 0:
        return "—"
    return str((Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def raise_cost(
    yearly_gross: Iterable[Decimal], target: Decimal, employer_rate: Decimal
) -> tuple[Decimal, int]:
    """The extra yearly cost (gross plus employer contributions at `employer_rate`) of
    raising everyone below `target` to it, and how many workers that is."""
    extra = ZERO
    count = 0
    for amount in yearly_gross:
        if amount < target:
            extra += target - amount
            count += 1
    return fen(extra * (1 + employer_rate)), count


def index_cost(total_gross: Decimal, growth: Decimal, employer_rate: Decimal) -> Decimal:
    """The extra yearly cost of raising all pay by `growth` (0.1362 = +13.62%)."""
    return fen(total_gross * growth * (1 + employer_rate))


def withheld(sizes: Sequence[int], minimum: int) -> tuple[set[int], bool]:
    """Which groups of `sizes` people a figure per group must withhold, and whether their
    total must go too, so that no figure describes fewer than `minimum` people.

    A group under the minimum is withheld; when that leaves a single withheld group (or
    withheld groups of fewer than `minimum` people together), the smallest other group
    goes with it, since the total minus the groups shown would give it away. The total
    itself is withheld only when it covers fewer than `minimum` people."""
    hidden = {i for i, n in enumerate(sizes) if n < minimum}
    while (
        hidden
        and len(hidden) < len(sizes)
        and (len(hidden) < 2 or sum(sizes[i] for i in hidden) < minimum)
    ):
        _size, smallest = min((n, i) for i, n in enumerate(sizes) if i not in hidden)
        hidden.add(smallest)
    return hidden, 0 < sum(sizes) < minimum
