"""Shared pieces of the burden services.

Today, the working-day calendar, the district of a unit, and the cleaning of submitted values.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.burden.models import (
    CalendarDay,
    Category,
    Policy,
)
from shegong.core.errors import ServiceError
from shegong.core.sheets import fold
from shegong.core.text import control_character_error
from shegong.orgs.models import Unit, UnitKind

if TYPE_CHECKING:
    pass


DISTRICT_REFUSED = gettext_lazy("您没有权限管理%(unit)s的准入清单")
RECORD_REFUSED = gettext_lazy("您没有权限登记%(unit)s的社区负担")
LAPSE_REASON = gettext_lazy("逾期未批复,按本区规定视为不予准入")
_SHUFFLE = secrets.SystemRandom()


def today() -> datetime.date:
    return timezone.localdate()


def calendar_exceptions(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    rows = CalendarDay.objects.filter(day__gte=start, day__lte=end)
    return dict(rows.values_list("day", "workday"))


def policy_of(district: Unit) -> Policy:
    """The district's rules (the defaults of the anchors until it sets its own)."""
    found = Policy.objects.filter(district=district).first()
    return found if found is not None else Policy(district=district)


def district_of(unit: Unit) -> Unit | None:
    parts = unit.path.strip("/").split("/")
    paths = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return Unit.objects.filter(path__in=paths, kind=UnitKind.DISTRICT).first()


# ---------------------------------------------------------------- cleaning


def _text(values: Mapping[str, Any], name: str, label: str, limit: int, *, required: bool) -> str:
    text = fold(values.get(name))
    if required and not text:
        raise ServiceError(_("请填写%(field)s") % {"field": label}, field=name)
    if len(text) > limit:
        raise ServiceError(
            _("%(field)s不能超过%(limit)d个字") % {"field": label, "limit": limit}, field=name
        )
    error = control_character_error(text, label=label)
    if error:
        raise ServiceError(error, field=name)
    return text


def _choice(values: Mapping[str, Any], name: str, label: str, allowed: list[str]) -> str:
    value = str(values.get(name) or "")
    if value not in allowed:
        raise ServiceError(_("请选择%(field)s") % {"field": label}, field=name)
    return value


def _decimal(values: Mapping[str, Any], name: str, label: str, limit: Decimal) -> Decimal:
    raw = values.get(name)
    try:
        number = Decimal(str(raw if raw not in (None, "") else 0))
    except InvalidOperation:
        raise ServiceError(_("%(field)s应为数字") % {"field": label}, field=name) from None
    if not number.is_finite() or number < 0 or number > limit:
        raise ServiceError(
            _("%(field)s应在0到%(limit)s之间") % {"field": label, "limit": limit}, field=name
        )
    return number.quantize(Decimal("0.01"))


def _date(values: Mapping[str, Any], name: str, label: str) -> datetime.date:
    raw = values.get(name)
    if isinstance(raw, datetime.date):
        return raw
    try:
        return datetime.date.fromisoformat(str(raw or ""))
    except ValueError:
        raise ServiceError(
            _("请填写%(field)s(YYYY-MM-DD)") % {"field": label}, field=name
        ) from None


def _item_values(values: Mapping[str, Any], kinds: list[str]) -> dict[str, Any]:
    clean = {
        "category": _choice(values, "category", _("类别"), Category.values),
        "kind": _choice(values, "kind", _("性质"), kinds),
        "title": _text(values, "title", _("名称"), 100, required=True),
        "legal_basis": _text(values, "legal_basis", _("依据"), 200, required=False),
        "funded": bool(values.get("funded")),
        "funding": _decimal(values, "funding", _("每社区每年经费"), Decimal("9999999999")),
    }
    if not clean["funded"]:
        clean["funding"] = Decimal("0.00")
    return clean
