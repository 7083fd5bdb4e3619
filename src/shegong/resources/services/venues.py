"""Venues of a community and those units, companies and schools open to residents."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import AuditAction, audit_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit, UnitKind
from shegong.resources.models import (
    OwnerKind,
    Venue,
)
from shegong.resources.services.common import EDIT_REFUSED, VENUE_FIELDS, _decimal, _snapshot, _text

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- venues


def clean_venue_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A venue's own fields, checked; the first problem refused with its field."""
    clean: dict[str, Any] = {
        "name": _text(values, "name", _("场地名称"), 100, required=True),
        "owner_name": _text(values, "owner_name", _("产权单位"), 100, required=False),
        "address": _text(values, "address", _("地址"), 200, required=False),
        "area": _decimal(values, "area", _("面积")).quantize(Decimal("0.1")),
        "price_per_hour": _decimal(values, "price_per_hour", _("每小时收费")),
        "requires_approval": bool(values.get("requires_approval")),
        "active": bool(values.get("active", True)),
    }
    kind = values.get("owner_kind") or ""
    if kind not in OwnerKind.values:
        raise ServiceError(_("请选择产权方"), field="owner_kind")
    clean["owner_kind"] = kind
    if kind != OwnerKind.COMMUNITY and not clean["owner_name"]:
        raise ServiceError(_("共享场地请填写产权单位"), field="owner_name")
    capacity = values.get("capacity")
    if not isinstance(capacity, int) or capacity < 1 or capacity > 100000:
        raise ServiceError(_("容纳人数应为1至100000之间的整数"), field="capacity")
    clean["capacity"] = capacity
    opens, closes = values.get("opens"), values.get("closes")
    if not isinstance(opens, datetime.time) or not isinstance(closes, datetime.time):
        raise ServiceError(_("请填写开放和关闭时间"), field="opens")
    if closes <= opens:
        raise ServiceError(_("关闭时间应晚于开放时间"), field="closes")
    clean["opens"], clean["closes"] = opens, closes
    days = "".join(sorted({d for d in str(values.get("weekdays") or "") if d in "1234567"}))
    if not days:
        raise ServiceError(_("请至少选择一个开放日"), field="weekdays")
    clean["weekdays"] = days
    return clean


def _require_community(unit: Unit | None, acting_user: User) -> Unit:
    if unit is None or unit.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("请选择服务社区"), field="community")
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED, field="community")
    return unit


def _venue_integrity(exc: IntegrityError) -> ServiceError:
    if "venue_name_per_community" in str(exc) or "UNIQUE" in str(exc):
        return ServiceError(_("本社区已有同名场地"), field="name")
    raise exc


@transaction.atomic
def venue_create(*, community: Unit | None, values: Mapping[str, Any], acting_user: User) -> Venue:
    unit = _require_community(community, acting_user)
    clean = clean_venue_values(values)
    try:
        with transaction.atomic():
            venue = Venue.objects.create(community=unit, **clean)
    except IntegrityError as exc:
        raise _venue_integrity(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=venue,
        after=_snapshot(venue, [*VENUE_FIELDS, "community_id"]),
    )
    return venue


@transaction.atomic
def venue_update(*, venue: Venue, values: Mapping[str, Any], acting_user: User) -> Venue:
    access.require(acting_user, Permission.EDIT, venue.community, message=EDIT_REFUSED)
    locked = Venue.objects.select_for_update().get(pk=venue.pk)
    before = _snapshot(locked, VENUE_FIELDS)
    for name, value in clean_venue_values(values).items():
        setattr(locked, name, value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise _venue_integrity(exc) from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=locked,
        before=before,
        after=_snapshot(locked, VENUE_FIELDS),
    )
    return locked
