"""The roster import's write: a clean plan, re-checked under the import lock against what the
preview compared, written in one transaction with bulk inserts and updates and one audit row
per worker touched (action "import")."""

from __future__ import annotations

import datetime
import json
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.audit import _plain
from shegong.core.bulk import JsonText, bulk_writing, insert_rows, reserve_ids
from shegong.core.db import exclusive_lock, retrying_atomic
from shegong.core.errors import ServiceError
from shegong.core.models import AuditAction, AuditEntry
from shegong.people import rules
from shegong.people.imports.cells import COMPARED, _Posts, name_initials
from shegong.people.imports.plan import (
    PlannedWorker,
    WorkerImportPlan,
    _chunks,
    max_rows,
    too_many_rows,
)
from shegong.people.models import EndReason, Placement, PostHolding, Worker, WorkerStatus
from shegong.people.services import WORKER_FIELDS

if TYPE_CHECKING:
    from shegong.core.models import User

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

    _move_and_repost(moved, posts_changed, today)
    AuditEntry.objects.bulk_create(entries)


def _move_and_repost(
    moved: Sequence[PlannedWorker], posts_changed: Sequence[PlannedWorker], today: datetime.date
) -> None:
    """Placements of the moved workers end today and new ones start; posts: a move ends every
    current post, otherwise the posts no longer listed end; the listed new ones open."""
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
