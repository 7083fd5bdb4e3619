from __future__ import annotations

from decimal import Decimal as D

from shegong.annual import rules
from shegong.core.money import money_text


def test_money_is_printed_with_thousands_and_two_decimals_the_one_way() -> None:
    # The annual report prints plain amounts through core.money, the one money format.
    assert money_text(D("1234567.891")) == "1,234,567.89"
    assert rules.yuan_text(D("32487.5")) == "32,488元"


def test_money_in_wan_and_yuan_as_the_essays_print_it() -> None:
    assert rules.wan_text(D("11731900")) == "1,173.19万元"
    assert rules.yuan_text(D("32487.00")) == "32,487元"


def test_counts_that_moved_say_how_and_by_how_much() -> None:
    assert rules.count_change(12, 9, unit="个", basis="同比") == ",同比增加3个"
    assert rules.count_change(9, 12, unit="人次", basis="同比") == ",同比减少3人次"
    assert rules.count_change(9, 9, unit="个", basis="同比") == ",同比持平"
    assert rules.count_change(9, None, unit="个", basis="同比") == ""


def test_shares_that_moved_are_in_percentage_points() -> None:
    assert rules.points_change(D("54.0"), D("40.0"), basis="同比") == ",同比上升14个百分点"
    assert rules.points_change(D("40.2"), D("40.6"), basis="同比") == ",同比下降0.4个百分点"
    assert rules.points_change(D("40.2"), None, basis="同比") == ""


def test_money_that_moved_is_a_growth_rate() -> None:
    assert rules.money_change(D("31775"), D("27968"), basis="同比") == ",同比增长13.6%"
    assert rules.money_change(D("90"), D("100"), basis="同比") == ",同比下降10%"
    assert rules.money_change(D("90"), D("0"), basis="同比") == ""


def test_numbering_and_page_numbers_follow_gb_t_9704() -> None:
    assert rules.chapter_number(3) == "三、"
    assert rules.section_number(2) == "(二)"
    assert rules.numbered_items(["甲", "乙"]) == ["1.甲", "2.乙"]
    assert rules.page_number_text(7) == "— 7 —"


def test_a_benchmark_share_is_printed_as_a_percentage() -> None:
    assert rules.plain_share(D("0.85")) == "85"
    assert rules.plain_share(D("1.00")) == "100"


def test_a_table_goes_on_a_landscape_page_when_too_wide_for_a_portrait_one() -> None:
    from shegong.annual.chapters import Table

    narrow = Table("性别", ["类别", "人数", "占比(%)"], [["男", "170", "26.1"]])
    many = Table("标准", [f"列{i}" for i in range(7)], [["1"] * 7])
    long_cells = Table("长", ["单位", "说明"], [["甲" * 20, "乙" * 25]])
    assert not narrow.wide and many.wide and long_cells.wide
