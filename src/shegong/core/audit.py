"""Audit rows are written by services inside the same transaction as the change."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models

from shegong.core.models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from shegong.core.models import User


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


def audit_record(
    *,
    acting_user: User | None,
    action: str,
    target: models.Model,
    unit_path: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> AuditEntry:
    if before is not None and after is not None:
        # Keep only what changed, so the trail reads as a list of changes.
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in sorted(changed)}
        after = {k: after.get(k) for k in sorted(changed)}
    return AuditEntry.objects.create(
        actor=acting_user if acting_user is not None and acting_user.pk else None,
        action=action,
        target_type=target._meta.label,
        target_id=str(target.pk or ""),
        target_repr=str(target)[:200],
        unit_path=unit_path,
        before=before,
        after=after,
        note=note[:200],
    )


__all__ = ["AuditAction", "audit_record", "snapshot"]
