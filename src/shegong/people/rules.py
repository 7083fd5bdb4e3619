"""Pure rules of the roster: resident ID numbers, masking, pinyin initials, ages.

No ORM, no request. Reasons are Chinese, for people to read.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable

from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin
from stdnum.cn import ric

from shegong.people.models import Gender

ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# A search term that looks like the end of an ID number: four or more digits, maybe a final X.
ID_TAIL = re.compile(r"^\d{3,17}[\dXx]$")
# The characters of an ID number a masked value shows at its end (mask_id_number): the only
# tail a viewer without the personal-data right may search by.
SHOWN_TAIL = 4
EARLIEST_BIRTH = datetime.date(1900, 1, 1)

# Surnames read differently from the common reading of the character (单 is Shàn, not Dān).
SURNAME_INITIALS = {
    "单": "s",
    "解": "x",
    "仇": "q",
    "查": "z",
    "区": "o",
    "乐": "y",
    "翟": "z",
    "尉": "y",
    "种": "c",
    "曾": "z",
    "朴": "p",
    "覃": "q",
    "缪": "m",
    "盖": "g",
    "繁": "p",
    "隗": "w",
    "员": "y",
    "秘": "b",
    "长": "c",
    "万": "w",
}


def normalize_id_number(raw: object) -> str:
    """Full-width to half-width, no spaces, a final x as X."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return "".join(text.split()).upper()


def id_number_error(number: str, *, today: datetime.date | None = None) -> str | None:
    """Why `number` is not a valid 18-digit resident ID number, or None when it is."""
    return check_id_number(number, today=today)[0]


def check_id_number(
    number: str, *, today: datetime.date | None = None
) -> tuple[str | None, datetime.date | None]:
    """(why `number` is not a valid ID number or None, the birth date it encodes when valid).

    One pass for the import's 100,000 rows: stdnum reads the birth date once and the caller
    reuses it for the contradiction checks instead of asking again.
    """
    if not number:
        return _("请填写公民身份号码"), None
    if len(number) != 18:
        return _("公民身份号码应为18位,这里是%(n)d位") % {"n": len(number)}, None
    if not ID_SHAPE.match(number):
        return _("公民身份号码前17位应为数字,最后一位为数字或X"), None
    try:
        born = birth_date_from_id(number)
    except ValueError:
        return _("公民身份号码中的出生日期%(date)s不存在") % {"date": number[6:14]}, None
    if born < EARLIEST_BIRTH or born > (today or datetime.date.today()):
        return _("公民身份号码中的出生日期%(date)s不合理") % {"date": born.isoformat()}, None
    if number[-1] != ric.calc_check_digit(number):
        return _("公民身份号码校验位错误,请核对"), None
    return None, born


def id_check_digit(first17: str) -> str:
    """The 18th character for 17 digits (used to build valid demo and test numbers)."""
    return ric.calc_check_digit(first17 + "0")


def birth_date_from_id(number: str) -> datetime.date:
    """Digits 7-14 as a date (ValueError when there is no such day). stdnum's get_birth_date
    reads the same digits after cleaning the number again, which the import's 100,000 rows
    (already normalised) paid for twice over; the check digit is still stdnum's."""
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender_from_id(number: str) -> str:
    """The 17th digit is odd for men, even for women."""
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def id_contradictions(
    number: str,
    *,
    birth_date: datetime.date | None,
    gender: str | None,
    born: datetime.date | None = None,
) -> list[tuple[str, str]]:
    """(field, reason) for a birth date or gender that the (valid) ID number contradicts;
    `born` is the number's birth date when the caller already has it."""
    problems: list[tuple[str, str]] = []
    if birth_date is not None:
        born = born or birth_date_from_id(number)
        if birth_date != born:
            problems.append(
                (
                    "birth_date",
                    _("出生日期与公民身份号码不一致(号码中为%(date)s)")
                    % {"date": born.isoformat()},
                )
            )
    if gender and gender != gender_from_id(number):
        problems.append(
            (
                "gender",
                _("性别与公民身份号码不一致(号码中为%(gender)s)")
                % {"gender": Gender(gender_from_id(number)).label},
            )
        )
    return problems


def _mask(text: str, head: int, tail: int) -> str:
    if len(text) <= head + tail:
        return "*" * len(text)
    return text[:head] + "*" * (len(text) - head - tail) + text[-tail:]


def mask_id_number(number: str) -> str:
    """110101199003071234 → 110***********1234."""
    return _mask(number, 3, 4)


def mask_birth_date(birth_date: datetime.date | None) -> str:
    """1990-03-07 → "1990年": the year is all a masked ID number's birth date shows."""
    return _("%(year)d年") % {"year": birth_date.year} if birth_date else ""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    return _mask(phone, 3, 4) if phone else ""


# A mainland mobile number: 11 digits from 13x to 19x, maybe written +86 / 86 first.
MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
# A landline: the area code (0 and 2 or 3 digits), 7 or 8 digits, maybe an extension;
# the parts joined by hyphens or written together (0731-84567890-123, 073184567890).
LANDLINE = re.compile(r"0\d{2,3}-?[1-9]\d{6,7}(?:-\d{1,6})?")
PHONE_MAX_LENGTH = 20


def normalize_phone(text: str) -> str:
    """A phone as typed, without the spaces and the hyphens inside a mobile number
    (138 1234 5678 and 138-1234-5678 → 13812345678); a landline keeps its hyphens."""
    phone = "".join(text.split())
    compact = phone.replace("-", "")
    return compact if MOBILE.fullmatch(compact) else phone


def check_phone(phone: str) -> str | None:
    """Why `phone` (normalised) is no Chinese mobile or landline number; None when it is one
    or is empty. The one rule of the form, the API and the imports."""
    if not phone:
        return None
    if len(phone) > PHONE_MAX_LENGTH:
        return _("联系电话过长")
    if MOBILE.fullmatch(phone) or LANDLINE.fullmatch(phone):
        return None
    return _(
        "联系电话“%(phone)s”不是有效的号码:手机号为1开头的11位数字(如13812345678),"
        "固定电话为区号加7至8位号码(如0731-84567890,分机号可写在后面,如0731-84567890-123)"
    ) % {"phone": phone}


def pinyin_initials(name: str) -> str:
    """张三 → "zs"; letters kept, other characters (·, spaces) dropped; lowercase."""
    letters: list[str] = []
    for position, char in enumerate(unicodedata.normalize("NFKC", name.strip())):
        if position == 0 and char in SURNAME_INITIALS:
            letters.append(SURNAME_INITIALS[char])
        elif "\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf":
            letters.append(lazy_pinyin(char, style=Style.FIRST_LETTER)[0][:1])
        elif char.isascii() and char.isalnum():
            letters.append(char)
    return "".join(letters).lower()[:50]


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Full years of age on `day`."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


def age_in_year(birth_date: datetime.date, day: datetime.date) -> int:
    """The age reached within the year of `day` (years since the birth year): what an age is
    for a viewer without the personal-data right, so no chosen day tells the birthday."""
    return day.year - birth_date.year


def born_on_or_before_for_age(age: int, day: datetime.date) -> datetime.date:
    """The latest birth date of someone at least `age` years old on `day`."""
    try:
        return day.replace(year=day.year - age)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - age, day=28)


def is_dual_role(posts: Iterable[tuple[bool, bool]]) -> bool:
    """一肩挑: among the current posts, (is_secretary, is_director), one of each."""
    held = list(posts)
    return any(s for s, _d in held) and any(d for _s, d in held)


def looks_like_id_tail(query: str) -> bool:
    return bool(ID_TAIL.match(query))


def looks_like_shown_tail(query: str) -> bool:
    """Exactly the tail a masked ID number shows (the only one a masked viewer may search)."""
    return len(query) == SHOWN_TAIL and looks_like_id_tail(query)
