"""Audit rows are written by services inside the same transaction as the change.

The kit: `audit_record` for one row (its unit path derived from the target when not given),
`audit_record_many` for many rows in one statement, and kinds of event that areas declare
as their own TextChoices, registered with `audit_kinds` (Zulip's AuditLogEventType: a kind
says what happened, "pay.run_approved", instead of UPDATE plus a free-text note). Kinds are
not database choices, so an area adds one without a migration of the audit table.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils.functional import Promise

from shegong.core.models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from shegong.core.models import User

K = TypeVar("K", bound=models.TextChoices)
_KIND_LABELS: dict[str, str | Promise] = {}


def audit_kinds(kinds: type[K]) -> type[K]:
    """Register an area's kinds of audit event (a TextChoices; values "area.event", at most
    40 characters). Used as a class decorator; a value registered twice is a mistake."""
    for value, label in kinds.choices:
        if len(value) > AuditEntry._meta.get_field("action").max_length:  # type: ignore[operator]
            raise ValueError(f"audit kind {value!r} is longer than the action column")
        if value in _KIND_LABELS and _KIND_LABELS[value] != label:
            raise ValueError(f"audit kind {value!r} is registered twice")
        _KIND_LABELS[value] = label
    return kinds


audit_kinds(AuditAction)


def audit_kind_label(value: str) -> str:
    """What a person reads for a kind (the value itself for one no longer declared)."""
    return str(_KIND_LABELS.get(value, value))


def audit_kind_choices() -> list[tuple[str, str]]:
    """Every registered kind, for a filter on the trail, in the order they were declared."""
    return [(value, str(label)) for value, label in _KIND_LABELS.items()]


# Relations followed to find the unit a record belongs to, nearest first.
_UNIT_HOLDERS = (
    "unit",
    "community",
    "organiser",
    "worker",
    "run",
    "course",
    "survey",
    "scheme",
    "owner",
)


def audit_unit_path(target: models.Model, _depth: int = 0) -> str:
    """The unit path of the record the row is about: its own unit_path or path (a unit), or
    that of the unit, community, worker … it belongs to; an account files under its highest
    unit. A record of no unit files under "" (only superusers see it)."""
    from shegong.core.models import User

    if isinstance(target, User):
        from shegong.core.access import user_unit_path

        return user_unit_path(target)
    own = getattr(target, "unit_path", None)
    if isinstance(own, str) and own:
        return own
    if target._meta.label == "orgs.Unit":
        return str(target.path)  # type: ignore[attr-defined]
    if _depth < 3:
        for name in _UNIT_HOLDERS:
            try:
                related = getattr(target, name, None)
            except models.ObjectDoesNotExist:
                related = None
            if isinstance(related, models.Model):
                return audit_unit_path(related, _depth + 1)
    return ""


def _plain(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The instance's concrete field values as JSON-safe data (money as strings)."""
    names = fields or [f.attname for f in instance._meta.concrete_fields if f.attname not in {"id"}]
    return {name: _plain(getattr(instance, name)) for name in names}


@dataclass(frozen=True)
class AuditRow:
    """One row of `audit_record_many`: what happened to which record."""

    target: models.Model
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    note: str = ""
    unit_path: str | None = None
    # What a person reads for the target, when the target stands for a set of records (an
    # export of the roster, the demo's workers) rather than one: str(target) otherwise.
    target_repr: str = ""


def _entry(acting_user: User | None, action: str, row: AuditRow) -> AuditEntry:
    before, after = row.before, row.after
    if before is not None and after is not None:
        # Keep only what changed, so the trail reads as a list of changes.
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    return AuditEntry(
        actor=acting_user if acting_user is not None and acting_user.pk else None,
        action=action,
        target_type=row.target._meta.label,
        target_id=str(row.target.pk or ""),
        target_repr=(row.target_repr or str(row.target))[:200],
        unit_path=row.unit_path if row.unit_path is not None else audit_unit_path(row.target),
        before=before,
        after=after,
        note=row.note[:200],
    )


def audit_record(
    *,
    acting_user: User | None,
    action: str,
    target: models.Model,
    unit_path: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    target_repr: str = "",
) -> AuditEntry:
    """One audit row; `unit_path` defaults to the target's (audit_unit_path)."""
    row = AuditRow(
        target=target,
        before=before,
        after=after,
        note=note,
        unit_path=unit_path,
        target_repr=target_repr,
    )
    entry = _entry(acting_user, action, row)
    entry.save(force_insert=True)
    return entry


def audit_record_many(
    *, acting_user: User | None, action: str, rows: Sequence[AuditRow], batch_size: int = 2000
) -> int:
    """Many audit rows of one kind in as few statements as the database allows (a grade step
    that moves 3,000 workers writes one row per worker, not one row for all): through
    core.bulk.insert_rows, COPY on PostgreSQL. The caller holds the transaction."""
    from shegong.core.bulk import insert_rows

    names = ["actor_id", "action", "target_type", "target_id", "target_repr", "unit_path"]
    names += ["before", "after", "note"]
    for start in range(0, len(rows), batch_size):
        entries = [_entry(acting_user, action, row) for row in rows[start : start + batch_size]]
        insert_rows(AuditEntry, names, [tuple(getattr(e, n) for n in names) for e in entries])
    return len(rows)


__all__ = [
    "AuditAction",
    "AuditRow",
    "audit_kind_choices",
    "audit_kind_label",
    "audit_kinds",
    "audit_record",
    "audit_record_many",
    "audit_unit_path",
    "snapshot",
]
