"""The roster import's plan: every row read and checked, matched against the roster by ID
number, and what would be created, updated (changed fields only) and left unchanged. Nothing
is written."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.bulk import gc_paused
from shegong.core.errors import RowError
from shegong.core.imports import ImportPlan, change_text, chunked
from shegong.core.sheets import SheetRow, fold
from shegong.people.imports.cells import (
    COLUMNS,
    COMPARED,
    LABELS,
    REQUIRED,
    VOCABULARIES,
    CellError,
    _Communities,
    _id_text,
    _Posts,
    _vocabulary_value,
    parse_date,
)
from shegong.people.models import (
    Education,
    Gender,
    Political,
    PostHolding,
    Source,
    Worker,
    WorkerStatus,
)
from shegong.people.services import PERSONAL_FIELDS, clean_worker_values, personal_data_keeper

if TYPE_CHECKING:
    from shegong.core.models import User


# Files with more rows than this are written by a background job from the web pages.
BACKGROUND_THRESHOLD = 2000
# The most rows one import may hold unless settings say otherwise (SHEGONG_IMPORT_MAX_ROWS):
# the write holds SQLite's one write lock for its whole length.
DEFAULT_MAX_ROWS = 200_000
CHUNK = 2000

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


@dataclass(kw_only=True)
class WorkerImportPlan(ImportPlan):
    """What a roster import would do; `errors` empty means it may be applied."""

    workers: list[PlannedWorker] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    return chunked(items, size)


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
    plan.errors = _file_errors(rows, columns)
    if plan.errors:
        return plan
    communities = _Communities(acting_user)
    reader = _RowReader(communities, _Posts(), plan.errors, today)
    for index, row in enumerate(rows):
        if progress is not None and index % CHUNK == 0:
            progress(index)
        planned = reader.read(row)
        if planned is not None:
            plan.workers.append(planned)
    if progress is not None:
        progress(len(rows))
    _compare_with_roster(plan, communities, set(columns), acting_user)
    if plan.errors:
        plan.errors.sort(key=lambda e: (e.row, _column_order(e.column)))
    return plan


def _file_errors(rows: list[SheetRow], columns: list[str]) -> list[RowError]:
    """What is wrong with the file as a whole: missing columns, no rows, too many rows."""
    missing = [
        RowError(1, LABELS[c], "", _("缺少必填列“%(col)s”") % {"col": LABELS[c]})
        for c in REQUIRED
        if c not in columns
    ]
    if missing:
        return missing
    if not rows:
        return [RowError(2, "", "", _("文件中没有数据行"))]
    if len(rows) > max_rows():
        return [RowError(rows[max_rows()].number, "", "", too_many_rows(len(rows)))]
    return []


class _RowReader:
    """Reads and checks one row at a time, appending its problems to `errors`; keeps the ID
    numbers seen so far to report a repeated one."""

    def __init__(
        self,
        communities: _Communities,
        posts: _Posts,
        errors: list[RowError],
        today: datetime.date,
    ) -> None:
        self.communities = communities
        self.posts = posts
        self.errors = errors
        self.today = today
        self.seen: dict[str, int] = {}

    def _err(self, row: SheetRow, column: str, reason: str) -> None:
        self.errors.append(RowError(row.number, LABELS[column], row.values.get(column), reason))

    def read(self, row: SheetRow) -> PlannedWorker | None:
        """The row as a planned worker, or None when it has an error (reported)."""
        before = len(self.errors)
        clean = self._values(row)
        if clean is None:
            return None
        resolved = self._community(row)
        post_ids = self._posts(row)
        if len(self.errors) > before or isinstance(resolved, str):
            return None
        return PlannedWorker(
            row=row.number,
            values=clean,
            community_id=resolved[0],
            community_path=resolved[1],
            posts=post_ids,
            raw=row.values,
        )

    def _values(self, row: SheetRow) -> dict[str, Any] | None:
        """The worker's own fields, cleaned; None when the ID number lost its digits."""
        v = row.values
        id_number, id_problem = _id_text(v.get("id_number"))
        if id_problem:
            self._err(row, "id_number", id_problem)
            return None
        raw: dict[str, Any] = {"name": v.get("name"), "id_number": id_number}
        for column in VOCABULARIES:
            value = _vocabulary_value(column, v.get(column))
            if value is None:
                self._err(row, column, _(VOCABULARIES[column][1]))
            elif value:
                raw[column] = value
        for column in ("birth_date", "work_start_date"):
            try:
                raw[column] = parse_date(v.get(column))
            except CellError as exc:
                self._err(row, column, str(exc))
        for column in ("ethnicity", "phone", "major"):
            raw[column] = v.get(column)
        clean, problems = clean_worker_values(raw, today=self.today)
        for column, reason in problems:
            if column in {"political", "education", "source"}:
                if column in raw:
                    continue  # already reported as an unknown word
                reason = _("请填写%(col)s") % {"col": LABELS[column]}
            self._err(row, column, reason)
        if "id_number" not in {c for c, _r in problems}:
            self._id_seen(row, id_number)
        return clean

    def _id_seen(self, row: SheetRow, id_number: str) -> None:
        if id_number in self.seen:
            self._err(
                row,
                "id_number",
                _("与第%(row)d行的公民身份号码重复") % {"row": self.seen[id_number]},
            )
        else:
            self.seen[id_number] = row.number

    def _community(self, row: SheetRow) -> tuple[int, str] | str:
        text = fold(row.values.get("community"))
        resolved = self.communities.resolve(text) if text else _("请填写所属社区")
        if isinstance(resolved, str):
            self._err(row, "community", resolved)
        return resolved

    def _posts(self, row: SheetRow) -> list[int] | None:
        text = fold(row.values.get("post"))
        if not text:
            return None
        parsed = self.posts.parse(text)
        if isinstance(parsed, str):
            self._err(row, "post", parsed)
            return None
        return parsed


_WANTED = [*COMPARED, "id", "id_number", "community_id", "unit_path", "status"]


def _roster_of(id_numbers: list[str]) -> dict[str, dict[str, Any]]:
    """The registered workers of these ID numbers (what the preview compares against), each
    with the set of post ids they hold now; a chunk at a time."""
    existing: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(id_numbers):
        for found in Worker.objects.filter(id_number__in=chunk).values(*_WANTED):
            found["posts"] = set()
            existing[found["id_number"]] = found
    by_pk = {w["id"]: w for w in existing.values()}
    for chunk in _chunks(list(by_pk)):
        for worker_id, post_id in PostHolding.objects.filter(
            worker_id__in=chunk, end__isnull=True
        ).values_list("worker_id", "post_id"):
            by_pk[worker_id]["posts"].add(post_id)
    return existing


def _compare_with_roster(
    plan: WorkerImportPlan, communities: _Communities, present: set[str], acting_user: User
) -> None:
    """Match every planned worker against the roster by ID number and count what changes.

    Without the personal-data right on a worker's community, the ID number (the match key),
    phone and birth date of an existing worker are neither compared nor changed
    (services.keeps_personal_data): "unchanged" must not confirm a guess of a hidden value.
    Matching by ID number itself tells the importer only that the number they typed is
    registered for a worker in their scope, which a registration would tell them too."""
    existing = _roster_of([p.values["id_number"] for p in plan.workers])
    keeps = personal_data_keeper(acting_user)
    kept_any = False
    for planned in plan.workers:
        found = existing.get(planned.values["id_number"])
        if found is None:
            plan.creates += 1
            plan.preview_create(
                planned.row,
                str(planned.values["name"]),
                [
                    change
                    for change in (
                        _said("community", communities.names_by_id.get(planned.community_id)),
                        _said("education", planned.values.get("education")),
                        _said("source", planned.values.get("source")),
                    )
                    if change
                ],
            )
            continue
        if found["community_id"] not in communities.allowed_ids:
            # Registered outside the importer's scope: say neither that nor where.
            plan.errors.append(
                RowError(
                    planned.row,
                    LABELS["id_number"],
                    planned.values["id_number"],
                    _("该公民身份号码无法由您导入,请联系区级管理员核实处理"),
                )
            )
            continue
        kept = keeps(found["unit_path"])
        kept_any = kept_any or kept
        _compare_one(planned, found, present, kept=kept)
        if planned.moved and found["status"] != WorkerStatus.ACTIVE:
            plan.errors.append(
                RowError(
                    planned.row,
                    LABELS["community"],
                    planned.raw.get("community"),
                    _("该人员已离岗,请在系统中办理重新入职"),
                )
            )
            continue
        if planned.changes or planned.moved or planned.posts_changed:
            plan.updates += 1
            plan.preview_update(
                planned.row,
                str(planned.values["name"]),
                _changed(planned),
                _change_details(planned, communities.names_by_id),
            )
        else:
            plan.unchanged += 1
    if kept_any:
        plan.notices.append(
            _(
                "您没有个人信息权限:已登记人员的公民身份号码、联系电话和出生日期"
                "不作比对,也不会被修改"
            )
        )


def _compare_one(
    planned: PlannedWorker, found: dict[str, Any], present: set[str], *, kept: bool
) -> None:
    """What the row changes on the registered worker `found`; blank optional cells (or absent
    columns) keep what the roster holds, and so do personal fields the importer may not see."""
    planned.existing = found
    for name in COMPARED:
        if kept and name in PERSONAL_FIELDS:
            planned.values[name] = found[name]
            continue
        column_given = name in {"gender", "birth_date"} or (  # these follow the ID number
            name in present and fold(planned.raw.get(name)) != ""
        )
        if not column_given:
            planned.values[name] = found[name]
        elif planned.values.get(name) != found[name]:
            planned.changes.append(name)
    planned.moved = planned.community_id != found["community_id"]
    if found["status"] == WorkerStatus.ACTIVE:
        # A move ends the current posts (as worker_move does) and opens the listed ones.
        planned.posts_changed = planned.moved or (
            planned.posts is not None and set(planned.posts) != found["posts"]
        )


def _changed(planned: PlannedWorker) -> list[str]:
    labels = [LABELS[name] for name in planned.changes]
    if planned.moved:
        labels.append(LABELS["community"])
    if planned.posts_changed:
        labels.append(LABELS["post"])
    return labels


# The roster's coded fields, said in Chinese in the preview.
_CHOICES: dict[str, type[models.TextChoices]] = {
    "gender": Gender,
    "political": Political,
    "education": Education,
    "source": Source,
}


def _shown(name: str, value: Any) -> str:
    if value in (None, ""):
        return ""
    choices = _CHOICES.get(name)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _said(name: str, value: Any) -> str:
    shown = _shown(name, value)
    return f"{LABELS[name]}:{shown}" if shown else ""


def _change_details(planned: PlannedWorker, community_names: dict[int, str]) -> list[str]:
    """What the row changes, in words. The ID number, phone and birth date are said to
    change without their values (only those who may see them get here, and the preview is
    no place to disclose them); the posts are named as a column."""
    found = planned.existing or {}
    details = []
    for name in planned.changes:
        if name in PERSONAL_FIELDS:
            details.append(_("%(column)s:已更改") % {"column": LABELS[name]})
        else:
            details.append(
                change_text(
                    LABELS[name], _shown(name, found.get(name)), _shown(name, planned.values[name])
                )
            )
    if planned.moved:
        details.append(
            change_text(
                LABELS["community"],
                community_names.get(found.get("community_id", 0), ""),
                community_names.get(planned.community_id, ""),
            )
        )
    if planned.posts_changed:
        details.append(_("%(column)s:按表中所列重新任职") % {"column": LABELS["post"]})
    return details


_ORDER = {label: i for i, (_n, label) in enumerate(COLUMNS)}


def _column_order(label: str) -> int:
    return _ORDER.get(label, len(_ORDER))


def max_rows() -> int:
    """The most data rows one import may hold (setting SHEGONG_IMPORT_MAX_ROWS)."""
    return int(getattr(settings, "SHEGONG_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def too_many_rows(rows: int) -> str:
    return _(
        "文件共有%(rows)d行数据,超过单次导入上限%(limit)d行,未导入任何数据。"
        "请按街道或社区把文件拆分成每个不超过%(limit)d行的几个文件,逐个上传导入。"
    ) % {"rows": rows, "limit": max_rows()}
