from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from shegong.training import rules
from shegong.training.rules import Rule


@pytest.mark.parametrize(
    ("posts", "default", "expected"),
    [
        ([], Rule(1, 2), Rule(1, 2)),
        ([Rule(7, 1)], Rule(1, 2), Rule(7, 1)),
        ([Rule(3, 1), Rule(7, 1)], Rule(1, 2), Rule(7, 1)),
        ([Rule(10, 2), Rule(6, 1)], None, Rule(6, 1)),  # 6 a year beats 5 a year
        ([Rule(2, 2), Rule(1, 1)], None, Rule(1, 1)),  # equal rate: the shorter window
        ([], None, None),
    ],
)
def test_strictest_rule(posts: list[Rule], default: Rule | None, expected: Rule | None) -> None:
    assert rules.strictest(posts, default) == expected


@pytest.mark.parametrize(
    ("year", "years", "expected"),
    [
        (2026, 1, (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))),
        (2026, 2, (datetime.date(2025, 1, 1), datetime.date(2026, 12, 31))),
    ],
)
def test_window(year: int, years: int, expected: tuple[datetime.date, datetime.date]) -> None:
    assert rules.window(year, years) == expected


def test_window_refuses_zero_years() -> None:
    with pytest.raises(ValueError):
        rules.window(2026, 0)


@pytest.mark.parametrize(
    ("required", "attended", "missing"), [(7, 0, 7), (7, 5, 2), (7, 7, 0), (7, 9, 0)]
)
def test_shortfall(required: int, attended: int, missing: int) -> None:
    assert rules.shortfall(required, attended) == missing


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(0, 0, "0.0"), (1, 3, "33.3"), (2, 3, "66.7"), (651, 651, "100.0"), (1, 8, "12.5")],
)
def test_coverage_share(part: int, whole: int, expected: str) -> None:
    assert rules.share(part, whole) == Decimal(expected)


@pytest.mark.parametrize(
    ("level", "scores", "ok", "missing"),
    [
        ("assistant", {"comprehensive": Decimal(60), "practice": Decimal("60.0")}, True, []),
        ("assistant", {"comprehensive": Decimal(75)}, False, ["practice"]),
        (
            "social_worker",
            {"comprehensive": Decimal("59.9"), "practice": Decimal(88)},
            False,
            ["comprehensive"],
        ),
        ("senior", {"senior_practice": Decimal(61)}, True, []),
    ],
)
def test_exam_pass(level: str, scores: dict[str, Decimal], ok: bool, missing: list[str]) -> None:
    assert rules.passed(level, scores) is ok
    assert rules.missing_subjects(level, scores) == missing


def test_on_roster_treats_the_end_day_as_the_first_day_off() -> None:
    spells = [(datetime.date(2020, 1, 1), datetime.date(2026, 3, 3))]
    assert rules.on_roster(spells, datetime.date(2026, 3, 2))
    assert not rules.on_roster(spells, datetime.date(2026, 3, 3))
    assert not rules.on_roster(spells, datetime.date(2019, 12, 31))
    assert rules.on_roster([(datetime.date(2020, 1, 1), None)], datetime.date(2030, 1, 1))


def test_course_days_lists_every_day() -> None:
    days = rules.course_days(datetime.date(2026, 2, 27), datetime.date(2026, 3, 2))
    assert [d.day for d in days] == [27, 28, 1, 2]


@pytest.mark.parametrize(
    ("leaders", "met", "expected_tail"),
    [
        (172, 172, ";社区书记、主任172人全部参加了不少于7天的培训。"),
        (172, 160, ";社区书记、主任172人中160人参加了不少于7天的培训,12人尚未达到。"),
        (0, 0, "。"),
    ],
)
def test_narrative_reads_like_the_essay(leaders: int, met: int, expected_tail: str) -> None:
    text = rules.narrative(
        unit_name="开福区",
        sessions=30,
        person_times=1800,
        people_trained=651,
        coverage=Decimal("100.0"),
        leaders=leaders,
        leaders_met=met,
        minimum_days=7,
    )
    assert (
        text
        == "开福区共举办各级各类培训班30期,培训社区工作者1800人次(651人),受训面达到100.0%"
        + expected_tail
    )
