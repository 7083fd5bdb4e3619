"""Shared pieces of the resources services: field lists, limits and the cleaning of values."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.audit import snapshot
from shegong.core.errors import ServiceError
from shegong.core.sheets import fold
from shegong.core.text import control_character_error

if TYPE_CHECKING:
    pass


EDIT_REFUSED = gettext_lazy("您没有权限管理%(unit)s的社区资源")
VENUE_FIELDS = [
    "name",
    "owner_kind",
    "owner_name",
    "address",
    "area",
    "capacity",
    "price_per_hour",
    "opens",
    "closes",
    "weekdays",
    "requires_approval",
    "active",
]
BOOKING_FIELDS = ["title", "booker", "starts_at", "ends_at", "expected", "present", "status"]
# A series longer than this is refused: a season, not a standing reservation for ever.
SERIES_MAX_DAYS = 366
OVERLAP = "booking_no_overlap"


def _snapshot(instance: Any, fields: list[str] | None = None) -> dict[str, Any]:
    """core.audit.snapshot, with times of day as text (opening hours, a series' hours)."""
    data = snapshot(instance, fields)
    return {k: v.isoformat() if isinstance(v, datetime.time) else v for k, v in data.items()}


def _text(values: Mapping[str, Any], name: str, label: str, limit: int, *, required: bool) -> str:
    text = fold(values.get(name))
    if required and not text:
        raise ServiceError(_("请填写%(label)s") % {"label": label}, field=name)
    if len(text) > limit:
        raise ServiceError(_("%(label)s最多%(n)d个字") % {"label": label, "n": limit}, field=name)
    if refused := control_character_error(text, label=label):
        raise ServiceError(refused, field=name)
    return text


def _decimal(values: Mapping[str, Any], name: str, label: str) -> Decimal:
    raw = values.get(name)
    try:
        number = Decimal(str(raw if raw not in (None, "") else 0))
    except InvalidOperation:
        raise ServiceError(_("%(label)s应为数字") % {"label": label}, field=name) from None
    if number < 0 or not number.is_finite() or number >= Decimal("1e8"):
        raise ServiceError(_("%(label)s应为不小于0的数字") % {"label": label}, field=name)
    return number.quantize(Decimal("0.01"))
