import datetime

from shegong.burden import rules

NATIONAL_DAY_2026 = {
    **{datetime.date(2026, 10, d): False for d in range(1, 8)},
    datetime.date(2026, 9, 20): True,
    datetime.date(2026, 10, 10): True,
}


def test_a_weekend_day_worked_instead_counts_and_a_holiday_does_not() -> None:
    # 2026-09-18 (Fri) to 2026-10-12 (Mon): 19 weekdays in between, 5 of them holidays,
    # plus two Saturdays/Sundays worked (9-20, 10-10).
    start, end = datetime.date(2026, 9, 18), datetime.date(2026, 10, 12)
    assert rules.working_days_between(start, end, {}) == 16
    assert rules.working_days_between(start, end, NATIONAL_DAY_2026) == 13


def test_adding_working_days_skips_the_holiday() -> None:
    assert rules.add_working_days(datetime.date(2026, 9, 30), 1, NATIONAL_DAY_2026) == (
        datetime.date(2026, 10, 8)
    )
    assert rules.add_working_days(datetime.date(2026, 10, 9), 1, NATIONAL_DAY_2026) == (
        datetime.date(2026, 10, 10)
    )


def test_it_counts_nothing_when_the_end_is_not_later() -> None:
    day = datetime.date(2026, 3, 2)
    assert rules.working_days_between(day, day, {}) == 0
    assert rules.add_working_days(day, 0, {}) == day


def test_a_record_is_refusable_without_a_matching_item() -> None:
    assert rules.refusable(kind="ledger", item_kind=None, item_category=None, stamp_listing=None)
    assert not rules.refusable(
        kind="ledger", item_kind="assist", item_category="ledger", stamp_listing=None
    )
    assert rules.refusable(
        kind="ledger", item_kind="refused", item_category="ledger", stamp_listing=None
    )
    assert not rules.refusable(
        kind="ranking", item_kind="duty", item_category="inspection", stamp_listing=None
    )


def test_a_stamp_is_refusable_unless_on_the_positive_list() -> None:
    assert rules.refusable(kind="stamp", item_kind=None, item_category=None, stamp_listing=None)
    assert rules.refusable(
        kind="stamp", item_kind=None, item_category=None, stamp_listing="negative"
    )
    assert not rules.refusable(
        kind="stamp", item_kind=None, item_category=None, stamp_listing="positive"
    )
