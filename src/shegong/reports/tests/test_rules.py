"""The pure rules, table by table."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from shegong.reports import rules

D = Decimal


@pytest.mark.parametrize(
    ("bounds", "labels"),
    [
        ((30, 35, 45, 54), ["30岁及以下", "31至35岁", "36至45岁", "46至54岁", "55岁及以上"]),
        ((35,), ["35岁及以下", "36岁及以上"]),
    ],
)
def test_age_band_labels(bounds: tuple[int, ...], labels: list[str]) -> None:
    assert [b.label for b in rules.age_bands(bounds)] == labels


def test_tenure_band_labels() -> None:
    bands = rules.tenure_bands((4, 10))
    assert [b.label for b in bands] == ["4年以下", "4至10年", "10年以上"]
    assert [bands[i].contains(y) for i, y in [(0, 3), (1, 4), (1, 9), (2, 10)]] == [True] * 4


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        (datetime.date(1993, 12, 31), 0),  # turns 30 on the day: 30岁及以下
        (datetime.date(1992, 12, 31), 1),  # turns 31 on the day
        (datetime.date(1994, 1, 2), 0),
        (datetime.date(1989, 1, 1), 1),  # 35
        (datetime.date(1987, 12, 31), 2),  # turns 36 on the day
        (datetime.date(1969, 1, 1), 3),  # 54
        (datetime.date(1968, 12, 31), 4),  # 55
        (datetime.date(1950, 6, 1), 4),
    ],
)
def test_age_band_cutoffs(birth: datetime.date, band: int) -> None:
    as_of = datetime.date(2023, 12, 31)
    bands = rules.age_bands()
    assert rules.band_index(birth, bands, as_of) == band
    assert bands[band].contains(rules.full_years(birth, as_of))


def test_leap_day_birthdays() -> None:
    born = datetime.date(2000, 2, 29)
    assert rules.full_years(born, datetime.date(2031, 2, 28)) == 30
    assert rules.full_years(born, datetime.date(2031, 3, 1)) == 31
    bands = rules.age_bands()
    assert rules.band_index(born, bands, datetime.date(2031, 2, 28)) == 0
    assert rules.band_index(born, bands, datetime.date(2031, 3, 1)) == 1


@pytest.mark.parametrize(
    ("raw", "bounds"),
    [
        ("30,35,45,54", (30, 35, 45, 54)),
        ("", (30, 35, 45, 54)),
        ("35,50", (35, 50)),
        ("4,10", (4, 10)),
    ],
)
def test_parse_bounds(raw: str, bounds: tuple[int, ...]) -> None:
    assert rules.parse_bounds(raw, rules.DEFAULT_AGE_BOUNDS) == bounds


@pytest.mark.parametrize("raw", ["35,30", "a,b", "0,5", "5,5"])
def test_parse_bounds_refuses(raw: str) -> None:
    with pytest.raises(ValueError):
        rules.parse_bounds(raw, rules.DEFAULT_AGE_BOUNDS)


@pytest.mark.parametrize(
    ("now", "before", "phrase"),
    [
        ("47.6", "49.6", "平均年龄47.6岁,同比下降约2岁"),
        ("47.6", "47.2", "平均年龄47.6岁,同比上升0.4岁"),
        ("47.6", "47.6", "平均年龄47.6岁,同比持平"),
        ("40.0", "38.4", "平均年龄40岁,同比上升约2岁"),
    ],
)
def test_age_change_phrase(now: str, before: str, phrase: str) -> None:
    assert rules.age_change_phrase(D(now), D(before), basis="同比") == phrase


@pytest.mark.parametrize(
    ("now", "before", "phrase"),
    [
        ("40.2", "26.2", "大专以上文化程度占40.2%,同比上升14个百分点"),
        ("40.2", "41.5", "大专以上文化程度占40.2%,同比下降1.3个百分点"),
        ("40.2", "40.2", "大专以上文化程度占40.2%,同比持平"),
    ],
)
def test_share_change_phrase(now: str, before: str, phrase: str) -> None:
    assert rules.share_change_phrase("大专以上文化程度", D(now), D(before), basis="同比") == phrase


def test_compare_basis() -> None:
    assert rules.compare_basis(datetime.date(2024, 12, 31), datetime.date(2023, 12, 31)) == "同比"
    assert (
        rules.compare_basis(datetime.date(2024, 12, 31), datetime.date(2024, 6, 30))
        == "较2024年6月30日"
    )


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (5, "五"), (10, "十"), (12, "十二"), (20, "二十"), (99, "九十九")]
)
def test_chinese_number(n: int, text: str) -> None:
    assert rules.chinese_number(n) == text


def test_ordinal_points() -> None:
    assert rules.ordinal_points(["从性别结构来看,甲。", "从年龄结构来看,乙;"]) == (
        "一是从性别结构来看,甲。二是从年龄结构来看,乙。"
    )


def test_per_10k_and_needed() -> None:
    assert rules.per_10k(21, 20000) == D("10.5")
    assert rules.per_10k(5, 0) is None
    assert rules.needed_for_standard(20000, D(18)) == 36
    assert rules.needed_for_standard(3100, D(18)) == 6  # 5.58 → 6


def test_share_rounds_half_up() -> None:
    assert rules.share(1, 8) == D("12.5")
    assert rules.share(1, 16) == D("6.3")
    assert rules.share(1, 0) == D("0.0")


def test_a_breakdown_without_categories_draws_an_empty_chart() -> None:
    from shegong.reports.charts import bar_chart_svg

    svg = bar_chart_svg(rules.Breakdown("posts", "岗位", [], partition=False))
    assert svg.startswith("<svg") and "岗位" in svg
