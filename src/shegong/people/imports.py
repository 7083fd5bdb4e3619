"""The roster import (登记造册导入): a sheet of workers in, validated whole, written all or nothing.

`workers_import_plan` reads every row, reports every problem as a RowError and, when there is
none, says what would be created, updated (matched by ID number, changed fields only) and left
unchanged; nothing is written. `workers_import_apply` writes a clean plan in one transaction
with bulk inserts and updates, and one audit row per worker touched (action "import").
"""

from __future__ import annotations

import datetime
import functools
import io
import json
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from shegong.core.access import Permission, path_q, sees_everything
from shegong.core.audit import _plain
from shegong.core.bulk import JsonText, bulk_writing, gc_paused, insert_rows, reserve_ids
from shegong.core.db import exclusive_lock, retrying_atomic
from shegong.core.errors import RowError, ServiceError
from shegong.core.models import AuditAction, AuditEntry
from shegong.core.sheets import SheetRow, code_text, digits_lost_message, fold, fold_header
from shegong.core.text import xlsx_put, xlsx_row, xml_text
from shegong.orgs.models import Unit, UnitKind
from shegong.people import rules
from shegong.people.models import (
    ETHNICITIES,
    Education,
    EndReason,
    Gender,
    Placement,
    Political,
    PostHolding,
    PostType,
    Source,
    Worker,
    WorkerStatus,
)
from shegong.people.services import (
    PERSONAL_FIELDS,
    WORKER_FIELDS,
    clean_worker_values,
    personal_data_keeper,
)

if TYPE_CHECKING:
    from shegong.core.models import User

# Files with more rows than this are written by a background job from the web pages.
BACKGROUND_THRESHOLD = 2000
# The most rows one import may hold unless settings say otherwise (SHEGONG_IMPORT_MAX_ROWS):
# the write holds SQLite's one write lock for its whole length.
DEFAULT_MAX_ROWS = 200_000
CHUNK = 2000

# The template's columns, in order: (canonical name, header).
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


# ---------------------------------------------------------------- the plan


@dataclass
class PlannedWorker:
    row: int
    values: dict[str, Any]  # clean WORKER_FIELDS values
    community_id: int
    community_path: str
    posts: list[int] | None  # post type ids, None when the row names none
    raw: dict[str, Any]  # the row's cells as read
    existing: dict[str, Any] | None = None
    changes: list[str] = field(default_factory=list)
    moved: bool = False
    posts_changed: bool = False


@dataclass
class WorkerImportPlan:
    """What an import would do; `errors` empty means it may be applied."""

    errors: list[RowError] = field(default_factory=list)
    workers: list[PlannedWorker] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    rows: int = 0
    notices: list[str] = field(default_factory=list)  # said once, above the preview

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


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
        for pk, code, name, path in every.values_list("id", "code", "name", "path"):
            entry = (pk, path, pk in allowed_ids)
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


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@gc_paused()
def workers_import_plan(
    *,
    rows: list[SheetRow],
    columns: list[str],
    acting_user: User,
    today: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> WorkerImportPlan:
    """Validate the whole sheet at once and list every error; write nothing."""
    today = today or timezone.localdate()
    plan = WorkerImportPlan(columns=[c for c in columns if c in LABELS], rows=len(rows))
    for required in REQUIRED:
        if required not in columns:
            label = LABELS[required]
            plan.errors.append(RowError(1, label, "", _("缺少必填列“%(col)s”") % {"col": label}))
    if plan.errors:
        return plan
    if not rows:
        plan.errors.append(RowError(2, "", "", _("文件中没有数据行")))
        return plan
    if len(rows) > max_rows():
        plan.errors.append(RowError(rows[max_rows()].number, "", "", too_many_rows(len(rows))))
        return plan

    communities = _Communities(acting_user)
    posts = _Posts()
    present = set(columns)
    seen: dict[str, int] = {}
    errors = plan.errors

    for index, row in enumerate(rows):
        if progress is not None and index % CHUNK == 0:
            progress(index)
        v = row.values
        number = row.number
        raw: dict[str, Any] = {}

        def err(column: str, reason: str, *, _n: int = number, _v: dict[str, Any] = v) -> None:
            errors.append(RowError(_n, LABELS[column], _v.get(column), reason))

        raw["name"] = v.get("name")
        id_number, id_problem = _id_text(v.get("id_number"))
        if id_problem:
            err("id_number", id_problem)
            continue
        raw["id_number"] = id_number
        for column in VOCABULARIES:
            value = _vocabulary_value(column, v.get(column))
            if value is None:
                err(column, _(VOCABULARIES[column][1]))
            elif value:
                raw[column] = value
        for column in ("birth_date", "work_start_date"):
            try:
                raw[column] = parse_date(v.get(column))
            except CellError as exc:
                err(column, str(exc))
        for column in ("ethnicity", "phone", "major"):
            raw[column] = v.get(column)
        clean, problems = clean_worker_values(raw, today=today)
        for column, reason in problems:
            if column in {"political", "education", "source"} and column in raw:
                continue  # already reported as an unknown word
            if column in {"political", "education", "source"}:
                reason = _("请填写%(col)s") % {"col": LABELS[column]}
            err(column, reason)
        if "id_number" not in {c for c, _r in problems}:
            if id_number in seen:
                err(
                    "id_number",
                    _("与第%(row)d行的公民身份号码重复") % {"row": seen[id_number]},
                )
            else:
                seen[id_number] = number
        community_text = fold(v.get("community"))
        resolved: tuple[int, str] | str
        if not community_text:
            resolved = _("请填写所属社区")
        else:
            resolved = communities.resolve(community_text)
        if isinstance(resolved, str):
            err("community", resolved)
        post_ids: list[int] | None = None
        post_text = fold(v.get("post"))
        if post_text:
            parsed = posts.parse(post_text)
            if isinstance(parsed, str):
                err("post", parsed)
            else:
                post_ids = parsed
        if errors and errors[-1].row == number:
            continue
        assert not isinstance(resolved, str)
        plan.workers.append(
            PlannedWorker(
                row=number,
                values=clean,
                community_id=resolved[0],
                community_path=resolved[1],
                posts=post_ids,
                raw=v,
            )
        )
    if progress is not None:
        progress(len(rows))

    # Match against the roster by ID number, a chunk at a time.
    by_id = {p.values["id_number"]: p for p in plan.workers}
    wanted = [*COMPARED, "id", "id_number", "community_id", "unit_path", "status"]
    existing: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(list(by_id)):
        for found in Worker.objects.filter(id_number__in=chunk).values(*wanted):
            existing[found["id_number"]] = found
    holdings: dict[int, set[int]] = {}
    worker_ids = [w["id"] for w in existing.values()]
    for chunk in _chunks(worker_ids):
        for worker_id, post_id in PostHolding.objects.filter(
            worker_id__in=chunk, end__isnull=True
        ).values_list("worker_id", "post_id"):
            holdings.setdefault(worker_id, set()).add(post_id)

    # Without the personal-data right on a worker's community, the ID number (the match key),
    # phone and birth date of an existing worker are neither compared nor changed
    # (services.keeps_personal_data): "unchanged" must not confirm a guess of a hidden value.
    # Matching by ID number itself tells the importer only that the number they typed is
    # registered for a worker in their scope, which a registration would tell them too.
    kept_any = False
    keeps = personal_data_keeper(acting_user)
    for planned in plan.workers:
        found = existing.get(planned.values["id_number"])
        if found is None:
            plan.creates += 1
            continue
        # Registered outside the importer's scope: say neither that nor where.
        if found["community_id"] not in communities.allowed_ids:
            errors.append(
                RowError(
                    planned.row,
                    LABELS["id_number"],
                    planned.values["id_number"],
                    _("该公民身份号码无法由您导入,请联系区级管理员核实处理"),
                )
            )
            continue
        found["posts"] = holdings.get(found["id"], set())
        planned.existing = found
        kept = keeps(found["unit_path"])
        kept_any = kept_any or kept
        # Blank optional cells (or absent columns) keep what the roster holds.
        for name in COMPARED:
            if kept and name in PERSONAL_FIELDS:
                planned.values[name] = found[name]
                continue
            new = planned.values.get(name)
            column_given = name in present and fold(planned.raw.get(name)) != ""
            if name in {"gender", "birth_date"}:
                column_given = True  # always follow the ID number
            if not column_given:
                planned.values[name] = found[name]
            elif new != found[name]:
                planned.changes.append(name)
        planned.moved = planned.community_id != found["community_id"]
        if planned.moved and found["status"] != WorkerStatus.ACTIVE:
            errors.append(
                RowError(
                    planned.row,
                    LABELS["community"],
                    planned.raw.get("community"),
                    _("该人员已离岗,请在系统中办理重新入职"),
                )
            )
            continue
        if found["status"] == WorkerStatus.ACTIVE:
            # A move ends the current posts (as worker_move does) and opens the listed ones.
            planned.posts_changed = planned.moved or (
                planned.posts is not None and set(planned.posts) != found["posts"]
            )
        if planned.changes or planned.moved or planned.posts_changed:
            plan.updates += 1
        else:
            plan.unchanged += 1
    if kept_any:
        plan.notices.append(
            _(
                "您没有个人信息权限:已登记人员的公民身份号码、联系电话和出生日期"
                "不作比对,也不会被修改"
            )
        )
    if errors:
        errors.sort(key=lambda e: (e.row, _column_order(e.column)))
    return plan


_ORDER = {label: i for i, (_n, label) in enumerate(COLUMNS)}


def _column_order(label: str) -> int:
    return _ORDER.get(label, len(_ORDER))


# ---------------------------------------------------------------- applying a plan


def _mask_personal(data: dict[str, Any]) -> dict[str, Any]:
    if "id_number" in data:
        data["id_number"] = rules.mask_id_number(str(data["id_number"]))
    if data.get("phone"):
        data["phone"] = rules.mask_phone(str(data["phone"]))
    return data


def _masked(values: dict[str, Any]) -> dict[str, Any]:
    return _mask_personal({k: _plain(v) for k, v in values.items()})


def _masked_json(values: dict[str, Any], **extra: Any) -> JsonText:
    """_masked(values) with `extra`, encoded: what a created worker's audit row holds, made
    for 100,000 rows (the encoder turns dates into text only where it meets one)."""
    return JsonText(_encode_json(_mask_personal({**values, **extra})))


# One encoder for every row (json.dumps with a `default` builds a new one per call).
_encode_json = json.JSONEncoder(default=_plain).encode


def workers_import_apply(
    *,
    plan: WorkerImportPlan,
    acting_user: User,
    today: datetime.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> WorkerImportPlan:
    """Write a validated plan all or nothing, in one transaction."""
    if not plan.ok:
        raise ServiceError(_("文件有错误,未导入任何数据"))
    if plan.rows > max_rows():
        raise ServiceError(too_many_rows(plan.rows))
    today = today or timezone.localdate()
    try:
        with bulk_writing():
            _apply_locked(plan, acting_user, today, progress or (lambda _n: None))
    except IntegrityError as exc:
        raise ServiceError(
            _("导入时数据已被他人修改(例如同一身份证号刚被登记),未导入任何数据,请重新上传校验")
        ) from exc
    return plan


@retrying_atomic
def _apply_locked(
    plan: WorkerImportPlan,
    acting_user: User,
    today: datetime.date,
    progress: Callable[[int], None],
) -> None:
    # One roster import writes at a time (on SQLite every writer does): two imports of the
    # same new ID numbers would otherwise deadlock on the unique index.
    exclusive_lock("people.workers_import")
    _check_still_as_previewed(plan)
    _apply(plan, acting_user, today, progress)


# What an update compares and the preview recorded (`PlannedWorker.existing`).
_CHECKED = [*COMPARED, "id", "id_number", "community_id", "unit_path", "status"]


def _check_still_as_previewed(plan: WorkerImportPlan) -> None:
    """Under the write lock, before anything is written: every worker the plan updates still
    holds what the preview compared the sheet against. Otherwise someone (another import, a
    page) changed them since, and writing the plan would silently undo that change and record
    a "before" that never was: refuse, nothing written."""
    updates = [p for p in plan.workers if p.existing and (p.changes or p.moved or p.posts_changed)]
    if not updates:
        return
    ids = sorted(p.existing["id"] for p in updates if p.existing)
    now: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):  # rows locked in id order (PostgreSQL; SQLite holds them all)
        query = Worker.objects.filter(id__in=chunk).order_by("id").select_for_update()
        now.update((row["id"], row) for row in query.values(*_CHECKED))
    held: dict[int, set[int]] = {}
    for chunk in _chunks(ids):
        for worker_id, post_id in PostHolding.objects.filter(
            worker_id__in=chunk, end__isnull=True
        ).values_list("worker_id", "post_id"):
            held.setdefault(worker_id, set()).add(post_id)
    stale: list[int] = []
    for p in updates:
        was = p.existing
        assert was is not None
        current = now.get(was["id"])
        if (
            current is None
            or any(current[name] != was[name] for name in _CHECKED)
            or held.get(was["id"], set()) != was["posts"]
        ):
            stale.append(p.row)
    if stale:
        raise ServiceError(
            _("名单在预览后已被修改(%(n)d人,如第%(rows)s行),未导入任何数据,请重新上传校验")
            % {"n": len(stale), "rows": "、".join(str(row) for row in sorted(stale)[:5])}
        )


def max_rows() -> int:
    """The most data rows one import may hold (setting SHEGONG_IMPORT_MAX_ROWS)."""
    return int(getattr(settings, "SHEGONG_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def too_many_rows(rows: int) -> str:
    return _(
        "文件共有%(rows)d行数据,超过单次导入上限%(limit)d行,未导入任何数据。"
        "请按街道或社区把文件拆分成每个不超过%(limit)d行的几个文件,逐个上传导入。"
    ) % {"rows": rows, "limit": max_rows()}


def _apply(
    plan: WorkerImportPlan,
    acting_user: User,
    today: datetime.date,
    progress: Callable[[int], None],
) -> None:
    posts = _Posts()
    now = timezone.now()
    actor = acting_user if acting_user.pk else None
    actor_id = actor.pk if actor else None
    label = Worker._meta.label
    note = _("表格导入")
    done = 0

    creates = [p for p in plan.workers if p.existing is None]
    worker_fields = [
        *WORKER_FIELDS,
        "name_initials",
        "community_id",
        "unit_path",
        "status",
        "is_dual_role",
    ]
    own_values = operator.itemgetter(*WORKER_FIELDS)
    for chunk in _chunks(creates):
        ids = reserve_ids(Worker, len(chunk))
        insert_rows(
            Worker,
            ["id", *worker_fields],
            [
                (
                    pk,
                    *own_values(p.values),
                    name_initials(p.values["name"]),
                    p.community_id,
                    p.community_path,
                    WorkerStatus.ACTIVE.value,
                    rules.is_dual_role(posts.flags[post] for post in p.posts or []),
                )
                for pk, p in zip(ids, chunk, strict=True)
            ],
        )
        placements: list[tuple[Any, ...]] = []
        holdings: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        for pk, p in zip(ids, chunk, strict=True):
            start = p.values["work_start_date"] or today
            placements.append((pk, p.community_id, p.community_path, start))
            holdings += [(pk, post_id, start) for post_id in p.posts or []]
            after = _masked_json(
                p.values,
                community_id=p.community_id,
                **({"posts": posts.label(p.posts)} if p.posts else {}),
            )
            entries.append((actor_id, str(pk), p.values["name"][:200], p.community_path, after))
        insert_rows(Placement, ["worker_id", "unit_id", "unit_path", "start"], placements)
        insert_rows(PostHolding, ["worker_id", "post_id", "start"], holdings)
        insert_rows(
            AuditEntry,
            ["actor_id", "target_id", "target_repr", "unit_path", "after", "action",
             "target_type", "note"],
            [(*entry, AuditAction.IMPORT.value, label, note) for entry in entries],
        )  # fmt: skip
        done += len(chunk)
        progress(done)

    updates = [p for p in plan.workers if p.existing and (p.changes or p.moved or p.posts_changed)]
    for chunk in _chunks(updates):
        _apply_updates(chunk, posts, actor, today, now, note)
        done += len(chunk)
        progress(done)


def _apply_updates(
    chunk: Sequence[PlannedWorker],
    posts: _Posts,
    actor: User | None,
    today: datetime.date,
    now: datetime.datetime,
    note: str,
) -> None:
    groups: dict[tuple[str, ...], list[Worker]] = {}
    entries: list[AuditEntry] = []
    moved = [p for p in chunk if p.moved]
    posts_changed = [p for p in chunk if p.posts_changed]
    for p in chunk:
        found = p.existing
        assert found is not None
        fields = list(p.changes)
        worker = Worker(pk=found["id"], updated_at=now)
        before: dict[str, Any] = {name: found[name] for name in p.changes}
        after: dict[str, Any] = {name: p.values[name] for name in p.changes}
        for name in p.changes:
            setattr(worker, name, p.values[name])
        if "name" in p.changes:
            worker.name_initials = name_initials(p.values["name"])
            fields.append("name_initials")
        if p.moved:
            worker.community_id, worker.unit_path = p.community_id, p.community_path
            fields += ["community", "unit_path"]
            before["community_id"], after["community_id"] = found["community_id"], p.community_id
        if p.posts_changed:
            final = set(p.posts or [])
            worker.is_dual_role = rules.is_dual_role(posts.flags[pk] for pk in final)
            fields.append("is_dual_role")
            before["posts"] = posts.label(found["posts"])
            after["posts"] = posts.label(final)
        fields.append("updated_at")
        groups.setdefault(tuple(fields), []).append(worker)
        entries.append(
            AuditEntry(
                actor=actor,
                action=AuditAction.IMPORT,
                target_type=Worker._meta.label,
                target_id=str(found["id"]),
                target_repr=str(p.values["name"])[:200],
                unit_path=p.community_path,
                before=_masked(before),
                after=_masked(after),
                note=note,
            )
        )
    for field_names, workers in groups.items():
        Worker.objects.bulk_update(workers, list(field_names))

    if moved:
        moved_ids = [p.existing["id"] for p in moved if p.existing]
        Placement.objects.filter(worker_id__in=moved_ids, end__isnull=True).update(
            end=today, end_reason=EndReason.TRANSFER
        )
        Placement.objects.bulk_create(
            Placement(
                worker_id=p.existing["id"],
                unit_id=p.community_id,
                unit_path=p.community_path,
                start=today,
            )
            for p in moved
            if p.existing
        )
    # Posts: a move ends every current post; otherwise the posts no longer listed end.
    ending: list[tuple[int, list[int]]] = []
    opening: list[PostHolding] = []
    for p in posts_changed:
        found = p.existing
        assert found is not None
        held: set[int] = found["posts"]
        wanted = set(p.posts or [])
        stop = held if p.moved else held - wanted
        start = wanted if p.moved else wanted - held
        if stop:
            ending.append((found["id"], sorted(stop)))
        opening += [PostHolding(worker_id=found["id"], post_id=pk, start=today) for pk in start]
    for worker_id, post_ids in ending:
        PostHolding.objects.filter(
            worker_id=worker_id, post_id__in=post_ids, end__isnull=True
        ).update(end=today)
    PostHolding.objects.bulk_create(opening)
    AuditEntry.objects.bulk_create(entries)


# ---------------------------------------------------------------- the sheets handed out


def _vocabulary_lists() -> dict[str, list[str]]:
    return {
        "gender": [str(label) for label in Gender.labels],
        "ethnicity": list(ETHNICITIES),
        "education": [str(label) for label in Education.labels],
        "political": [str(label) for label in Political.labels],
        "source": [str(label) for label in Source.labels],
        "post": list(PostType.objects.values_list("name", flat=True)),
    }


INSTRUCTIONS = [
    "社区工作者花名册导入说明",
    "",
    "1. 第一行为表头,请勿修改列名;可删去不需要的非必填列,列的顺序不限。",
    "2. 必填列:姓名、公民身份号码、所属社区、学历、政治面貌、来源方式。",
    "3. 公民身份号码为18位,最后一位可为X;请把该列设为“文本”格式,以免被Excel改成科学计数法。",
    "4. 性别和出生日期可不填,将按公民身份号码自动取得;填写的须与号码一致。",
    "5. 日期可写作 1985-03-02、1985/3/2、1985.3.2、1985年3月2日;只写年月(如198503)按当月1日。",
    "6. 所属社区填写社区名称或12位社区代码,只能是您管辖范围内的社区。",
    "7. 性别、民族、学历、政治面貌、来源方式、职务请从下拉列表中选择;兼任多个职务用顿号分隔,"
    "如“党组织书记、居委会主任”。",
    "8. 已登记的人员按公民身份号码匹配,只更新有变化的内容;空白单元格表示保持原值。"
    "所属社区变化视为调动,原任职务同时结束。",
    "9. 整个文件先全部校验,有任何错误都不会导入;可下载标注了错误的表格,改正后重新上传。",
    "10. 新登记人员的入职日期取“参加社区工作时间”,未填则为导入当天。",
]


def template_workbook(*, viewer: User) -> bytes:
    """The blank import template: headers, drop-down lists for every fixed vocabulary and a
    填写说明 sheet. The community drop-down lists the communities the viewer may import into."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "社区工作者"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for col, (name, header) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = bold
        if name in REQUIRED:
            cell.fill = required_fill
        letter = get_column_letter(col)
        sheet.column_dimensions[letter].width = 22 if name in {"id_number", "community"} else 14
        if name in {"id_number", "phone"}:
            for row in range(2, 1002):
                sheet.cell(row=row, column=col).number_format = "@"
    sheet.freeze_panes = "A2"

    options = book.create_sheet("选项")
    lists = _vocabulary_lists()
    communities = Unit.objects.filter(kind=UnitKind.COMMUNITY).order_by("path")
    if not sees_everything(viewer):
        communities = communities.filter(path_q(viewer, "path", Permission.IMPORT))
    lists["community"] = list(communities.values_list("name", flat=True)[:5000])
    for index, (name, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=LABELS[name])
        for row, value in enumerate(values, start=2):
            xlsx_put(options, row, index, value)  # a community name is never a formula
        if not values:
            continue
        target = get_column_letter([n for n, _h in COLUMNS].index(name) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"'选项'!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=name != "post",  # several posts may be typed, 、-separated
            errorTitle=_("请从列表中选择"),
            error=_("请从下拉列表中选择"),
        )
        validation.add(f"{target}2:{target}5000")
        sheet.add_data_validation(validation)
    options.sheet_state = "hidden"

    notes = book.create_sheet("填写说明")
    notes.column_dimensions["A"].width = 110
    for row, line in enumerate(INSTRUCTIONS, start=1):
        cell = notes.cell(row=row, column=1, value=line)
        if row == 1:
            cell.font = Font(bold=True, size=14)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def errors_workbook(*, rows: list[SheetRow], columns: list[str], errors: list[RowError]) -> bytes:
    """The uploaded rows as .xlsx with the bad cells highlighted and a 错误说明 column.

    Columns are written under the template's headers; the 原行号 column gives each row's
    number in the uploaded file (the number the error list uses)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    headers = [LABELS.get(c, c) for c in columns]
    by_row: dict[int, list[RowError]] = {}
    for error in errors:
        by_row.setdefault(error.row, []).append(error)
    bad = PatternFill("solid", fgColor="FFC7CE")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "错误标注"
    sheet.append([*headers, "错误说明", "原行号"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    note_column = len(headers) + 1
    for row in rows:
        values = [_cell_out(row.values.get(c)) for c in columns]
        row_errors = by_row.get(row.number, [])
        # The uploaded values go back as text: a hostile cell is never a formula here.
        note = ";".join(f"{e.column}:{e.reason}" for e in row_errors)
        sheet.append(xlsx_row(sheet, [*values, note, row.number]))
        out_row = sheet.max_row
        for error in row_errors:
            if error.column in headers:
                cell = sheet.cell(row=out_row, column=headers.index(error.column) + 1)
                cell.fill = bad
                cell.comment = Comment(xml_text(error.reason), "shegong")
        if row_errors:
            sheet.cell(row=out_row, column=note_column).font = Font(color="9C0006")
    file_errors = [e for e in errors if e.row not in {r.number for r in rows}]
    for error in file_errors:
        sheet.append(
            xlsx_row(sheet, [*[""] * len(headers), f"{error.column}:{error.reason}", error.row])
        )
    sheet.column_dimensions["B"].width = 22
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_out(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | int | float) or value is None:
        return value
    return str(value)
