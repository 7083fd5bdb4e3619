"""The audit trail as people read it: field labels in Chinese (the model's verbose_name of each
key), the actor's name, the record as users know it (its kind and its name), local times and
values as text. Pure presentation of rows the selector already scoped."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shegong.core.models import AuditEntry

# Keys written by services that are not fields of the record they are about.
_EXTRA_LABELS = {
    "address": _lazy("客户端地址"),
    "username": _lazy("用户名"),
    "owner": _lazy("令牌所有人"),
    "prefix": _lazy("令牌前缀"),
    "unit": _lazy("所属单位"),
    "role": _lazy("角色"),
    "count": _lazy("条数"),
    "rows": _lazy("行数"),
    "file": _lazy("文件"),
    "reason": _lazy("原因"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class AuditLine:
    at: datetime.datetime
    actor: str
    action: str
    kind: str
    record: str
    changes: list[Change]
    note: str


def model_of(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def kind_label(target_type: str) -> str:
    """What a record of this type is called ("社区工作者"), or the type itself when unknown."""
    model = model_of(target_type)
    return str(model._meta.verbose_name) if model is not None else target_type


def _field(model: type[models.Model] | None, key: str) -> models.Field[Any, Any] | None:
    if model is None:
        return None
    for name in (key, key.removesuffix("_id")):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def field_label(model: type[models.Model] | None, key: str) -> str:
    field = _field(model, key)
    if field is not None and field.verbose_name and str(field.verbose_name) != key:
        return str(field.verbose_name)
    if key in _EXTRA_LABELS:
        return str(_EXTRA_LABELS[key])
    return key.removesuffix("_id").replace("_", " ")


def value_text(value: Any, field: models.Field[Any, Any] | None = None) -> str:
    """A stored value as a person reads it."""
    if value is None or value == "":
        return "—"
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict):
        return ";".join(f"{k}:{value_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(value_text(v) for v in value)
    if isinstance(value, str) and "T" in value and len(value) >= 19:
        moment = parse_datetime(value)
        if moment is not None:
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%Y-%m-%d %H:%M")
    return str(value)


# (related model label, stored id) -> the related record's name, read once per page.
Names = dict[tuple[str, str], str]


def _values(entry: AuditEntry) -> tuple[dict[str, Any], dict[str, Any]]:
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    return before, after


def _related(field: models.Field[Any, Any] | None) -> type[models.Model] | None:
    if field is not None and field.many_to_one and field.related_model is not None:
        related = field.related_model
        return related if isinstance(related, type) else None
    return None


def related_names(entries: Iterable[AuditEntry]) -> Names:
    """The names of the records the page's values point at (a community id as its name), one
    query per kind of record."""
    wanted: dict[type[models.Model], set[str]] = {}
    for entry in entries:
        model = model_of(entry.target_type)
        for values in _values(entry):
            for key, value in values.items():
                related = _related(_field(model, key))
                if related is not None and value not in (None, ""):
                    wanted.setdefault(related, set()).add(str(value))
    names: Names = {}
    for related, ids in wanted.items():
        digits = [i for i in ids if i.isdigit()]
        for obj in related._default_manager.filter(pk__in=digits):
            names[(related._meta.label, str(obj.pk))] = str(obj)
    return names


def changes_of(entry: AuditEntry, names: Names | None = None) -> list[Change]:
    model = model_of(entry.target_type)
    before, after = _values(entry)
    keys = list(dict.fromkeys([*before, *after]))
    lines = []
    for key in keys:
        field = _field(model, key)
        related = _related(field)

        def text(value: Any, field: Any = field, related: Any = related) -> str:
            if related is not None and names is not None and value not in (None, ""):
                return names.get((related._meta.label, str(value)), str(value))
            return value_text(value, field)

        lines.append(
            Change(
                label=field_label(model, key),
                before=text(before.get(key)) if key in before else "",
                after=text(after.get(key)) if key in after else "",
            )
        )
    return lines


def audit_lines(entries: Iterable[AuditEntry]) -> list[AuditLine]:
    entries = list(entries)
    names = related_names(entries)
    return [
        AuditLine(
            at=timezone.localtime(entry.at),
            actor=(
                (entry.actor.get_full_name() or entry.actor.first_name or entry.actor.username)
                if entry.actor is not None
                else _("系统")
            ),
            action=entry.action_label,
            kind=kind_label(entry.target_type),
            record=entry.target_repr,
            changes=changes_of(entry, names),
            note=entry.note,
        )
        for entry in entries
    ]
