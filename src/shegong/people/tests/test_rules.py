from __future__ import annotations

import datetime

import pytest
from stdnum.cn import ric

from shegong.people import rules
from shegong.people.tests.factories import make_id

TODAY = datetime.date(2026, 11, 29)
GOOD = make_id(datetime.date(1990, 3, 7), male=True, serial=61)


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("", "请填写"),
        ("11010119900307123", "18位"),
        ("1101011990030712345", "18位"),
        ("11010119900307A234", "前17位应为数字"),
        (GOOD[:-1] + ("0" if GOOD[-1] != "0" else "1"), "校验位错误"),
        (
            "110101199002301" + "23" + rules.id_check_digit("11010119900230123"),
            "出生日期19900230不存在",
        ),
        (
            "110101202712010" + "12" + rules.id_check_digit("11010120271201012"),
            "不合理",
        ),
        (
            "110101189912010" + "12" + rules.id_check_digit("11010118991201012"),
            "不合理",
        ),
    ],
)
def test_it_explains_why_an_id_number_is_refused(number: str, reason: str) -> None:
    error = rules.id_number_error(number, today=TODAY)
    assert error is not None
    assert reason in error


@pytest.mark.parametrize(
    "number", [GOOD, make_id(datetime.date(2000, 2, 29), male=False), "11010519491231002X"]
)
def test_it_accepts_valid_id_numbers(number: str) -> None:
    assert rules.id_number_error(number, today=TODAY) is None


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        (" 11010519491231002x ", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
    ],
)
def test_it_normalises_full_width_and_lowercase_x(raw: str, normal: str) -> None:
    assert rules.normalize_id_number(raw) == normal


@pytest.mark.parametrize(
    ("birth", "male"),
    [(datetime.date(1990, 3, 7), True), (datetime.date(1985, 12, 31), False)],
)
def test_it_reads_birth_date_and_gender_from_the_id(birth: datetime.date, male: bool) -> None:
    number = make_id(birth, male=male)
    assert rules.birth_date_from_id(number) == birth
    assert rules.gender_from_id(number) == ("male" if male else "female")


def test_it_reads_the_birth_date_as_stdnum_does() -> None:
    for day in range(0, 40_000, 997):
        number = make_id(datetime.date(1920, 1, 1) + datetime.timedelta(days=day))
        assert rules.birth_date_from_id(number) == ric.get_birth_date(number)
    assert ric.is_valid(GOOD) and rules.id_number_error(GOOD, today=TODAY) is None


def test_it_reports_a_birth_date_and_gender_contradicting_the_id() -> None:
    problems = rules.id_contradictions(GOOD, birth_date=datetime.date(1990, 3, 8), gender="female")
    assert [field for field, _reason in problems] == ["birth_date", "gender"]
    assert "1990-03-07" in problems[0][1]
    assert rules.id_contradictions(GOOD, birth_date=datetime.date(1990, 3, 7), gender="male") == []
    assert rules.id_contradictions(GOOD, birth_date=None, gender=None) == []


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("110101199003071234", "110***********1234"),
        ("11010519491231002X", "110***********002X"),
        ("1234567", "*******"),
        ("", ""),
    ],
)
def test_it_masks_id_numbers_keeping_three_then_four(value: str, masked: str) -> None:
    assert rules.mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13812345678", "138****5678"), ("0731-84512345", "073******2345"), ("", "")],
)
def test_it_masks_phones(value: str, masked: str) -> None:
    assert rules.mask_phone(value) == masked


@pytest.mark.parametrize(
    ("name", "initials"),
    [
        ("张三", "zs"),
        ("欧阳娜娜", "oynn"),
        ("单雄信", "sxx"),
        ("曾国藩", "zgf"),
        ("买买提·艾力", "mmtal"),
        ("Anna 李", "annal"),
        ("  王 五 ", "ww"),
    ],
)
def test_it_takes_pinyin_initials_lowercase(name: str, initials: str) -> None:
    assert rules.pinyin_initials(name) == initials


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (datetime.date(1990, 3, 7), datetime.date(2026, 3, 6), 35),
        (datetime.date(1990, 3, 7), datetime.date(2026, 3, 7), 36),
        (datetime.date(2000, 2, 29), datetime.date(2026, 2, 28), 25),
        (datetime.date(2000, 2, 29), datetime.date(2026, 3, 1), 26),
    ],
)
def test_it_counts_full_years_of_age(birth: datetime.date, day: datetime.date, age: int) -> None:
    assert rules.age_on(birth, day) == age


@pytest.mark.parametrize(
    ("posts", "dual"),
    [
        ([], False),
        ([(True, False)], False),
        ([(False, True)], False),
        ([(True, False), (False, True)], True),
        ([(True, True)], True),
        ([(False, False), (True, False)], False),
    ],
)
def test_dual_role_needs_a_secretary_and_a_director_post(
    posts: list[tuple[bool, bool]], dual: bool
) -> None:
    assert rules.is_dual_role(posts) is dual


@pytest.mark.parametrize(
    ("query", "tail"),
    [("1234", True), ("002X", True), ("002x", True), ("123", False), ("zs", False)],
)
def test_it_recognises_an_id_tail_search(query: str, tail: bool) -> None:
    assert rules.looks_like_id_tail(query) is tail


# ---------------------------------------------------------------- phones


@pytest.mark.parametrize(
    "typed",
    [
        "13812345678",
        "199 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "0731-84567890",
        "073184567890",
        "010-6543210",
        "0731-84567890-123",
        "",
    ],
)
def test_it_accepts_chinese_mobile_and_landline_numbers(typed: str) -> None:
    assert rules.check_phone(rules.normalize_phone(typed)) is None


@pytest.mark.parametrize(
    "typed",
    [
        "123456",
        "8456789",
        "1234567",
        "12812345678",
        "1381234567",
        "138123456789",
        "0731-123",
        "138-1234-abcd",
    ],
)
def test_it_refuses_phones_that_are_no_chinese_number(typed: str) -> None:
    refused = rules.check_phone(rules.normalize_phone(typed))
    assert refused is not None and "联系电话" in refused and "手机号" in refused


def test_a_mobile_number_is_kept_without_its_spaces_and_hyphens() -> None:
    assert rules.normalize_phone("138 1234-5678") == "13812345678"
    assert rules.normalize_phone("0731 - 84567890") == "0731-84567890"
