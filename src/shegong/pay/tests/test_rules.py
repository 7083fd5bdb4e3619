"""The pay rules, table by table: contributions, tax, calibers, placement and steps."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from shegong.pay import rules

# Essay 1 (苏州三城区, 2010): 35,293 元 a year with everything, 24,767 without the employer's
# contributions, 19,566 in hand. Rates that give it: employer 20 + 9 + 2 + 0.5 + 1 + 10 = 42.5%,
# personal 8 + 2 + 1 + 10 = 21% (pension, medical, unemployment, injury, maternity, housing
# fund), on a base equal to the monthly pay, which lies between 60% and 300% of the average.
ESSAY1_RATES = rules.Rates(
    employer={
        "pension": D("0.20"),
        "medical": D("0.09"),
        "unemployment": D("0.02"),
        "injury": D("0.005"),
        "maternity": D("0.01"),
        "housing_fund": D("0.10"),
    },
    personal={
        "pension": D("0.08"),
        "medical": D("0.02"),
        "unemployment": D("0.01"),
        "housing_fund": D("0.10"),
    },
)
ESSAY1_AVERAGE_WAGE = D("36000")  # 3,000 a month: floor 1,800, ceiling 9,000


def essay1_month(ytd: rules.YearToDate) -> rules.Line:
    return rules.compute_line(
        rules.LineInput(
            post_pay=D("1200.00"),
            grade_pay=D("451.14"),
            seniority_pay=D("0"),
            certificate_allowance=D("0"),
            dual_role_allowance=D("0"),
            other_allowance=D("0"),
            award=D("0"),
            performance_share=D("0.20"),
            performance_factor=D("1"),
            average_wage_yearly=ESSAY1_AVERAGE_WAGE,
            rates=ESSAY1_RATES,
            ytd=ytd,
        )
    )


def test_essay_1_three_calibers_are_reproduced_from_rates_and_bases() -> None:
    ytd = rules.YearToDate()
    totals = {"total_cost": D(0), "gross": D(0), "net": D(0)}
    for _month in range(12):
        line = essay1_month(ytd)
        totals["total_cost"] += line.calibers.total_cost
        totals["gross"] += line.calibers.gross
        totals["net"] += line.calibers.net
        ytd = rules.YearToDate(
            months=ytd.months + 1,
            income=ytd.income + line.gross,
            personal_contributions=ytd.personal_contributions + line.contributions.personal_total,
            tax=ytd.tax + line.income_tax,
        )
    # Monthly: fixed 1,651.14 + performance 412.79 (20% of the total) = 2,063.93 gross.
    assert line.gross == D("2063.93")
    assert line.contributions.employer_total == D("877.17")
    assert line.contributions.personal_total == D("433.42")
    assert line.income_tax == D("0")  # far below 5,000 a month
    # The essay prints whole yuan.
    assert rules.yuan(totals["total_cost"]) == D("35293")
    assert rules.yuan(totals["gross"]) == D("24767")
    assert rules.yuan(totals["net"]) == D("19566")


@pytest.mark.parametrize(
    ("pay", "average", "expected"),
    [
        (D("2063.93"), D("36000"), D("2063.93")),  # between floor and ceiling
        (D("1000.00"), D("36000"), D("1800.00")),  # below the floor: 60% of 3,000
        (D("12000.00"), D("36000"), D("9000.00")),  # above the ceiling: 300%
        (D("1800.00"), D("36000"), D("1800.00")),  # exactly the floor
        (D("1500.00"), D("50000"), D("2500.00")),  # 50,000 / 12 × 60% = 2,500.00
        (D("1500.00"), D("50001"), D("2500.05")),  # 4,166.75 × 0.6 = 2,500.05
    ],
)
def test_contribution_base_is_held_between_floor_and_ceiling(
    pay: D, average: D, expected: D
) -> None:
    assert rules.contribution_base(pay, average, D("0.60"), D("3.00")) == expected


def test_each_contribution_is_rounded_to_the_fen_on_its_own() -> None:
    c = rules.contributions(D("2063.93"), ESSAY1_RATES)
    assert c.employer == {
        "pension": D("412.79"),
        "medical": D("185.75"),
        "unemployment": D("41.28"),
        "injury": D("10.32"),
        "maternity": D("20.64"),
        "housing_fund": D("206.39"),
    }
    assert c.personal["injury"] == D("0") and c.personal["maternity"] == D("0")
    assert c.personal_total == D("433.42")


def test_a_worker_not_enrolled_in_the_housing_fund_pays_none() -> None:
    enrolled = {"pension", "medical", "unemployment", "injury", "maternity"}
    c = rules.contributions(D("3000"), ESSAY1_RATES, enrolled)
    assert c.employer["housing_fund"] == D("0") and c.personal["housing_fund"] == D("0")
    assert c.personal_total == D("330.00")


@pytest.mark.parametrize(
    ("taxable", "tax"),
    [
        (D("-100"), D("0")),
        (D("0"), D("0")),
        (D("36000"), D("1080.00")),  # 3%
        (D("36001"), D("1080.10")),  # 10% − 2,520
        (D("144000"), D("11880.00")),
        (D("300000"), D("43080.00")),
        (D("1000000"), D("268080.00")),  # 45% − 181,920
    ],
)
def test_tax_on_cumulative_taxable_income_follows_the_brackets(taxable: D, tax: D) -> None:
    assert rules.tax_on_cumulative(taxable) == tax


def test_cumulative_withholding_over_a_year_of_10000_a_month() -> None:
    """10,000 gross, 1,000 personal contributions: taxable 4,000 a month. Months 1–9 stay in
    the 3% bracket (120 a month); month 10 crosses 36,000 (cumulative 40,000: 1,480 − 1,080 =
    400 due); after that 10% (400 a month)."""
    ytd = rules.YearToDate()
    withheld = []
    for _month in range(12):
        tax = rules.income_tax_this_month(
            ytd=ytd, income=D("10000"), personal_contributions=D("1000")
        )
        withheld.append(tax)
        ytd = rules.YearToDate(
            months=ytd.months + 1,
            income=ytd.income + D("10000"),
            personal_contributions=ytd.personal_contributions + D("1000"),
            tax=ytd.tax + tax,
        )
    assert withheld[:9] == [D("120.00")] * 9
    assert withheld[9] == D("400.00")
    assert withheld[10:] == [D("400.00")] * 2
    assert sum(withheld) == rules.tax_on_cumulative(D("48000"))


def test_a_month_below_the_deduction_after_high_months_withholds_nothing() -> None:
    ytd = rules.YearToDate(months=1, income=D("20000"), tax=D("450"))
    assert rules.income_tax_this_month(ytd=ytd, income=D("0"), personal_contributions=D(0)) == 0


@pytest.mark.parametrize(
    ("fixed", "share", "factor", "expected"),
    [
        (D("4000"), D("0.20"), D("1"), D("1000.00")),  # 1,000 is 20% of 5,000
        (D("4000"), D("0.20"), D("1.2"), D("1200.00")),
        (D("4000"), D("0.20"), D("0"), D("0")),  # 不合格: no performance pay
        (D("4000"), D("0"), D("1"), D("0")),
        (D("1651.14"), D("0.20"), D("1"), D("412.79")),  # 412.785 rounds half up
    ],
)
def test_performance_pay_is_a_share_of_total_pay_scaled_by_the_grade(
    fixed: D, share: D, factor: D, expected: D
) -> None:
    assert rules.performance_pay(fixed, share, factor) == expected


def test_calibers_are_gross_plus_employer_and_gross_less_personal_and_tax() -> None:
    c = rules.calibers(gross=D("5000"), employer=D("2000"), personal=D("1000"), tax=D("30"))
    assert (c.total_cost, c.gross, c.net) == (D("7000"), D("5000"), D("3970"))


THREE_POSTS_CHIEF = [(level, 1) for level in range(7, 19)]
NINE_STEPS = [(level, step) for level in (1, 2, 3) for step in (1, 2, 3)]


@pytest.mark.parametrize(
    ("cells", "entry", "years", "cross", "expected"),
    [
        (THREE_POSTS_CHIEF, (7, 1), 0, True, (7, 1)),
        (THREE_POSTS_CHIEF, (7, 1), 7, True, (9, 1)),  # two steps of three years
        (THREE_POSTS_CHIEF, (7, 1), 60, True, (18, 1)),  # capped at the top level
        (NINE_STEPS, (1, 1), 4, False, (1, 2)),
        (NINE_STEPS, (1, 1), 30, False, (1, 3)),  # steps stay in the level
        (NINE_STEPS, (2, 1), 3, False, (2, 2)),
    ],
)
def test_initial_position_moves_one_step_for_every_step_years(
    cells: list[rules.Position],
    entry: rules.Position,
    years: int,
    cross: bool,
    expected: rules.Position,
) -> None:
    assert rules.initial_position(cells, entry, years, 3, cross_levels=cross) == expected


@pytest.mark.parametrize(
    ("start", "education", "failed", "expected"),
    [
        (datetime.date(2020, 7, 1), "bachelor", 0, 8),  # 5 years worked + 3 for 本科
        (datetime.date(2020, 7, 1), "postgraduate", 0, 10),
        (datetime.date(2020, 7, 1), "college", 0, 5),
        (datetime.date(2020, 7, 1), "bachelor", 2, 6),  # two years rated 不合格
        (None, "bachelor", 0, 3),
    ],
)
def test_credited_years_count_degrees_and_skip_failed_years(
    start: datetime.date | None, education: str, failed: int, expected: int
) -> None:
    credits = {"bachelor": 3, "postgraduate": 5}
    day = datetime.date(2025, 7, 1)
    assert rules.credited_years(start, day, education, credits, failed) == expected


@pytest.mark.parametrize(
    ("since", "failed", "step_years", "expected"),
    [
        (datetime.date(2022, 1, 1), 0, 3, 1),
        (datetime.date(2022, 1, 2), 0, 3, 0),  # one day short of three years
        (datetime.date(2022, 1, 1), 1, 3, 0),  # a year rated 不合格 does not count
        (datetime.date(2021, 1, 1), 0, 2, 2),
    ],
)
def test_steps_due_count_whole_years_except_failed_ones(
    since: datetime.date, failed: int, step_years: int, expected: int
) -> None:
    assert rules.steps_due(since, datetime.date(2025, 1, 1), failed, step_years) == expected


def test_the_cost_of_raising_everyone_to_a_target_includes_employer_contributions() -> None:
    extra, count = rules.raise_cost([D("30000"), D("40000"), D("50000")], D("45000"), D("0.4"))
    assert (extra, count) == (D("28000.00"), 2)  # (15,000 + 5,000) × 1.4


def test_indexing_to_wage_growth() -> None:
    assert rules.index_cost(D("1000000"), D("0.1362"), D("0.425")) == D("194085.00")


@pytest.mark.parametrize(
    ("part", "whole", "text"), [(9, 11, "81.8"), (0, 5, "0.0"), (1, 0, "—"), (2, 3, "66.7")]
)
def test_share_text_has_one_decimal(part: int, whole: int, text: str) -> None:
    assert rules.share_text(part, whole) == text
