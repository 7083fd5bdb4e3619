"""The roster import's cells: the template's columns and the words offices write, and how one
cell is read and checked (dates, ID numbers, vocabularies, communities, posts). No writes."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.core.access import Permission, path_q, sees_everything
from shegong.core.sheets import code_text, digits_lost_message, fold, fold_header
from shegong.orgs.models import Unit, UnitKind
from shegong.people import rules
from shegong.people.models import Education, Gender, Political, PostType, Source

if TYPE_CHECKING:
    from shegong.core.models import User

COLUMNS: list[tuple[str, str]] = [
    ("name", "姓名"),
    ("id_number", "公民身份号码"),
    ("gender", "性别"),
    ("birth_date", "出生日期"),
    ("ethnicity", "民族"),
    ("phone", "联系电话"),
    ("education", "学历"),
    ("major", "所学专业"),
    ("political", "政治面貌"),
    ("source", "来源方式"),
    ("community", "所属社区"),
    ("post", "职务"),
    ("work_start_date", "参加社区工作时间"),
]
LABELS = dict(COLUMNS)
REQUIRED = ["name", "id_number", "community", "education", "political", "source"]

_ALIASES: dict[str, list[str]] = {
    "name": ["姓名", "名字", "工作者姓名"],
    "id_number": [
        "公民身份号码",
        "身份证号",
        "身份证号码",
        "身份证",
        "公民身份证号码",
        "公民身份证号",
        "证件号码",
    ],
    "gender": ["性别"],
    "birth_date": ["出生日期", "出生年月", "出生年月日", "生日"],
    "ethnicity": ["民族"],
    "phone": ["联系电话", "手机", "手机号", "手机号码", "电话", "联系方式", "电话号码"],
    "education": ["学历", "文化程度", "最高学历", "全日制学历"],
    "major": ["所学专业", "专业"],
    "political": ["政治面貌", "政治身份"],
    "source": ["来源方式", "来源", "产生方式", "人员来源"],
    "community": ["所属社区", "社区", "所在社区", "社区名称", "社区代码", "工作单位"],
    "post": ["职务", "现任职务", "岗位", "职务岗位", "现任岗位"],
    "work_start_date": [
        "参加社区工作时间",
        "参加社区工作日期",
        "从事社区工作时间",
        "入职时间",
        "入职日期",
        "参加工作时间",
    ],
}
WORKER_SHEET_ALIASES: dict[str, str] = {
    fold_header(alias): name for name, aliases in _ALIASES.items() for alias in aliases
}

# Vocabularies: the words offices write, folded, to the stored value.
GENDER_WORDS: dict[str, str] = {
    "男": Gender.MALE,
    "男性": Gender.MALE,
    "女": Gender.FEMALE,
    "女性": Gender.FEMALE,
}
POLITICAL_WORDS: dict[str, str] = {
    **{str(label): value for value, label in Political.choices},
    "党员": Political.PARTY_MEMBER,
    "中国共产党党员": Political.PARTY_MEMBER,
    "中共党员": Political.PARTY_MEMBER,
    "预备党员": Political.PROBATIONARY,
    "中国共产党预备党员": Political.PROBATIONARY,
    "团员": Political.LEAGUE,
    "共青团员": Political.LEAGUE,
    "中国共产主义青年团团员": Political.LEAGUE,
    "群众": Political.MASSES,
    "民主党派": Political.DEMOCRATIC,
    "民革党员": Political.DEMOCRATIC,
    "民盟盟员": Political.DEMOCRATIC,
    "民建会员": Political.DEMOCRATIC,
    "民进会员": Political.DEMOCRATIC,
    "农工党党员": Political.DEMOCRATIC,
    "致公党党员": Political.DEMOCRATIC,
    "九三学社社员": Political.DEMOCRATIC,
    "台盟盟员": Political.DEMOCRATIC,
}
EDUCATION_WORDS: dict[str, str] = {
    **{str(label): value for value, label in Education.choices},
    "研究生": Education.POSTGRADUATE,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
    "研究生及以上": Education.POSTGRADUATE,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "学士": Education.BACHELOR,
    "大专": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "大学专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "中专": Education.SECONDARY,
    "中技": Education.SECONDARY,
    "技校": Education.SECONDARY,
    "职高": Education.SECONDARY,
    "高中": Education.HIGH_SCHOOL,
    "初中": Education.HIGH_SCHOOL,
    "小学": Education.HIGH_SCHOOL,
    "高中及以下": Education.HIGH_SCHOOL,
    "初中及以下": Education.HIGH_SCHOOL,
}
SOURCE_WORDS: dict[str, str] = {
    **{str(label): value for value, label in Source.choices},
    "选举": Source.ELECTED,
    "选举产生": Source.ELECTED,
    "选任": Source.ELECTED,
    "聘用": Source.HIRED,
    "招聘": Source.HIRED,
    "公开招聘": Source.HIRED,
    "社会招聘": Source.HIRED,
    "聘任": Source.HIRED,
    "下派": Source.SECONDED,
    "街道下派": Source.SECONDED,
    "选派": Source.SECONDED,
    "其他": Source.OTHER,
}
VOCABULARIES: dict[str, tuple[dict[str, str], str]] = {
    "gender": (GENDER_WORDS, gettext_noop("性别应为“男”或“女”")),
    "political": (
        POLITICAL_WORDS,
        gettext_noop("政治面貌应为中共党员、中共预备党员、共青团员、民主党派或群众"),
    ),
    "education": (EDUCATION_WORDS, gettext_noop("学历应为研究生、本科、大专、中专或高中及以下")),
    "source": (SOURCE_WORDS, gettext_noop("来源方式应为选举产生、聘用、街道下派或其他")),
}
POST_SEPARATORS = re.compile(r"[、,，;；/\\\s]+")
POST_PREFIXES = re.compile(r"^(社区)?(党组织|党委|党总支|党支部|居委会|居民委员会)?")
DUAL_ROLE_WORDS = {"一肩挑", "书记主任一肩挑", "书记、主任一肩挑"}

EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_TEXT = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月)?(?:\s+\d{1,2}:\d{2}(:\d{2})?)?$"
)
DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")

# Fields compared and written on an update, in the order of the audit trail.
COMPARED = [
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "phone",
    "political",
    "education",
    "major",
    "source",
    "work_start_date",
]


# ---------------------------------------------------------------- cell parsing


class CellError(ValueError):
    pass


def parse_date(value: Any) -> datetime.date | None:
    """A date as offices type it: a date cell, an Excel serial number, 1985-03-02, 1985/3/2,
    1985.3.2, 1985年3月2日, 19850302, 198503 or 1985年3月 (year-month → the 1st)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and 190001 <= value <= 21001231:
            return parse_date(str(int(value)))
        if 1 <= value < 80000:  # an Excel serial number
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_("无法识别的日期"))
    return _date_from_text(fold(value))


@functools.lru_cache(maxsize=65536)
def _date_from_text(text: str) -> datetime.date | None:
    # Cached: a roster repeats its dates (birthdays, the days a cohort started) many times.
    if not text:
        return None
    match = DATE_TEXT.match(text) or DATE_DIGITS.match(text)
    if match is None:
        if text.isdigit() and 1 <= int(text) < 80000:
            return EXCEL_EPOCH + datetime.timedelta(days=int(text))
        raise CellError(_("无法识别的日期,请填写如1985-03-02"))
    year, month = int(match.group(1)), int(match.group(2))
    day = int(match.group(3)) if match.group(3) else 1
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("日期%(text)s不存在") % {"text": text}) from exc


def _id_text(value: Any) -> tuple[str, str | None]:
    """The ID number as text, or why it was spoiled by being stored as a number (a spreadsheet
    keeps 15 significant digits, so an 18-digit number has lost its last ones). A leading
    apostrophe (Excel's text mark typed into a CSV) is dropped."""
    text, lost = code_text(value)
    if lost:
        return text, _number_lost_message()
    return rules.normalize_id_number(text), None


def _number_lost_message() -> str:  # translated only when shown: gettext per row is slow
    return digits_lost_message(LABELS["id_number"])


@functools.lru_cache(maxsize=4096)
def _vocabulary_value(column: str, cell: Any) -> str | None:
    """The stored value for a cell of a vocabulary column: "" when blank, None when unknown."""
    text = fold_header(cell)
    if not text:
        return ""
    return VOCABULARIES[column][0].get(text)


def _post_key(name: str) -> str:
    return POST_PREFIXES.sub("", fold_header(name)) or fold_header(name)


@functools.lru_cache(maxsize=20000)
def _initial(char: str, first: bool) -> str:
    # rules.pinyin_initials applied to one character (a surname reading when first).
    return rules.pinyin_initials(char) if first else rules.pinyin_initials("x" + char)[1:]


def name_initials(name: str) -> str:
    """rules.pinyin_initials, cached per character: the same letters, 100,000 names fast."""
    text = unicodedata.normalize("NFKC", name.strip())
    return "".join(_initial(c, i == 0) for i, c in enumerate(text)).lower()[:50]


class _Communities:
    """Communities by code and by (folded, suffix-free) name, split by the importer's scope."""

    def __init__(self, acting_user: User) -> None:
        everything = sees_everything(acting_user)
        every = Unit.objects.filter(kind=UnitKind.COMMUNITY)
        allowed = every
        if not everything:
            allowed = every.filter(path_q(acting_user, "path", Permission.IMPORT))
        allowed_ids = set(allowed.values_list("id", flat=True))
        self.by_code: dict[str, tuple[int, str, bool]] = {}
        self.by_name: dict[str, list[tuple[int, str, bool]]] = {}
        self.names_by_id: dict[int, str] = {}
        for pk, code, name, path in every.values_list("id", "code", "name", "path"):
            entry = (pk, path, pk in allowed_ids)
            self.names_by_id[pk] = name
            self.by_code[code] = entry
            self.by_name.setdefault(self.name_key(name), []).append(entry)
        self.allowed_ids = allowed_ids
        self.paths_by_id = {pk: path for pk, path, _ok in self.by_code.values()}

    @staticmethod
    def name_key(name: str) -> str:
        key = fold_header(name)
        for suffix in ("居民委员会", "居委会"):
            key = key.removesuffix(suffix)
        return key.removesuffix("社区")

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one instance per plan
    def resolve(self, text: str) -> tuple[int, str] | str:
        """(id, path), or why not."""
        found = self.by_code.get(text)
        if found is None:
            matches = self.by_name.get(self.name_key(text), [])
            mine = [m for m in matches if m[2]]
            if len(mine) > 1:
                return _("有多个社区名为“%(name)s”,请改填社区代码") % {"name": text}
            found = mine[0] if mine else (matches[0] if matches else None)
        if found is None:
            return _("找不到社区“%(name)s”,请填写社区名称或12位社区代码") % {"name": text}
        if not found[2]:
            return _("社区“%(name)s”不在您的管辖范围内") % {"name": text}
        return found[0], found[1]


class _Posts:
    def __init__(self) -> None:
        self.flags: dict[int, tuple[bool, bool]] = {}
        self.names: dict[int, str] = {}
        self.by_key: dict[str, int] = {}
        for post in PostType.objects.all():
            self.flags[post.pk] = (post.is_secretary, post.is_director)
            self.names[post.pk] = post.name
            for key in (fold_header(post.name), _post_key(post.name), post.code.lower()):
                self.by_key.setdefault(key, post.pk)
        secretary = next((pk for pk, (s, _d) in self.flags.items() if s), None)
        director = next((pk for pk, (_s, d) in self.flags.items() if d), None)
        self.dual = [pk for pk in (secretary, director) if pk is not None]
        self.order = {pk: position for position, pk in enumerate(self.names)}

    @functools.lru_cache(maxsize=1024)  # noqa: B019 - one instance per plan
    def parse(self, text: str) -> list[int] | str:
        if fold_header(text) in DUAL_ROLE_WORDS:
            return list(self.dual)
        found: list[int] = []
        for part in POST_SEPARATORS.split(text):
            if not part:
                continue
            pk = self.by_key.get(fold_header(part)) or self.by_key.get(_post_key(part))
            if pk is None:
                return _("职务“%(post)s”不在岗位列表中") % {"post": part}
            if pk not in found:
                found.append(pk)
        return found

    def label(self, pks: Iterable[int]) -> str:
        return "、".join(self.names[pk] for pk in sorted(pks, key=self.order.__getitem__))
