"""Standards communities are held to (五有, 示范社区 …) and inspectors' checks of them.

A standard belongs to the unit that set it and applies to the communities under it; whoever may
edit that unit configures it. The seeded 五有 (migration 0008) belongs to no unit: only a system
administrator changes it. An item is measured (one of rules.MEASURES, with a threshold) or
checked by an inspector; a check is recorded, never changed, and a later one supersedes it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import audit_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit, UnitKind
from shegong.resources import rules
from shegong.resources.models import (
    ItemKind,
    ResourceEvent,
    Standard,
    StandardCheck,
    StandardItem,
)
from shegong.resources.services.common import _decimal, _snapshot, _text

if TYPE_CHECKING:
    from shegong.core.models import User

STANDARD_FIELDS = ["key", "name", "unit_id", "note", "position", "active"]
ITEM_FIELDS = ["standard_id", "key", "label", "kind", "measure", "threshold", "position"]
CHECK_FIELDS = ["item_id", "community_id", "checked_on", "met", "note", "inspector_id"]
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def _key(values: Mapping[str, Any]) -> str:
    key = str(values.get("key") or "").strip().lower()
    if not KEY.match(key):
        raise ServiceError(_("代码只能用小写字母、数字和连字符,最多40个字符"), field="key")
    return key


def _require_standard_editor(standard: Standard, acting_user: User) -> None:
    if standard.unit is None:
        if not access.sees_everything(acting_user):
            raise ServiceError(_("系统预置的标准只能由系统管理员修改"))
        return
    access.require(acting_user, Permission.EDIT, standard.unit)


@transaction.atomic
def standard_create(*, unit: Unit | None, values: Mapping[str, Any], acting_user: User) -> Standard:
    """A standard set by `unit` for the communities under it (items are added after)."""
    if unit is None:
        raise ServiceError(_("请选择制定标准的单位"), field="unit")
    access.require(acting_user, Permission.EDIT, unit, field="unit")
    clean = {
        "key": _key(values),
        "name": _text(values, "name", _("标准名称"), 100, required=True),
        "note": _text(values, "note", _("说明"), 300, required=False),
    }
    if Standard.objects.filter(key=clean["key"]).exists():
        raise ServiceError(_("已有代码相同的标准"), field="key")
    position = Standard.objects.count()
    try:
        with transaction.atomic():
            standard = Standard.objects.create(unit=unit, position=position, **clean)
    except IntegrityError:
        raise ServiceError(_("已有代码相同的标准"), field="key") from None
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.STANDARD_CREATED,
        target=standard,
        unit_path=unit.path,
        after=_snapshot(standard, STANDARD_FIELDS),
    )
    return standard


def _clean_item(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = values.get("kind") or ""
    if kind not in ItemKind.values:
        raise ServiceError(_("请选择核对方式"), field="kind")
    clean: dict[str, Any] = {
        "key": _key(values),
        "label": _text(values, "label", _("项目名称"), 100, required=True),
        "kind": kind,
        "measure": "",
        "threshold": None,
    }
    if kind == ItemKind.MEASURED:
        measure = values.get("measure") or ""
        if measure not in rules.MEASURES:
            raise ServiceError(_("请从列表中选择指标"), field="measure")
        if values.get("threshold") in (None, ""):
            raise ServiceError(_("请填写达标值"), field="threshold")
        clean["measure"] = measure
        clean["threshold"] = _decimal(values, "threshold", _("达标值"))
    return clean


@transaction.atomic
def standard_item_add(
    *, standard: Standard, values: Mapping[str, Any], acting_user: User
) -> StandardItem:
    """An item of `standard`: a measure with a threshold, or a check by an inspector."""
    _require_standard_editor(standard, acting_user)
    clean = _clean_item(values)
    if standard.items.filter(key=clean["key"]).exists():
        raise ServiceError(_("本标准已有代码相同的项目"), field="key")
    position = standard.items.count()
    item = StandardItem.objects.create(standard=standard, position=position, **clean)
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.STANDARD_ITEM_ADDED,
        target=item,
        unit_path=standard.unit.path if standard.unit else None,
        after=_snapshot(item, ITEM_FIELDS),
    )
    return item


def _check_date(raw: Any) -> datetime.date:
    if not isinstance(raw, datetime.date):
        raise ServiceError(_("请填写检查日期"), field="checked_on")
    if raw > timezone.localdate():
        raise ServiceError(_("检查日期不能晚于今天"), field="checked_on")
    return raw


@transaction.atomic
def standard_check_record(
    *,
    item: StandardItem,
    community: Unit | None,
    values: Mapping[str, Any],
    acting_user: User,
) -> StandardCheck:
    """An inspector's check of `item` at `community`: when, met or not, a note; the inspector
    is the acting user. A check of a measured item is refused: the data decide those."""
    if item.kind != ItemKind.CHECKED:
        raise ServiceError(_("该项目按数据核对,不需要现场检查"), field="item")
    if community is None or community.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("请选择社区"), field="community")
    access.require(acting_user, Permission.EDIT, community, field="community")
    owner = item.standard.unit
    if owner is not None and not community.path.startswith(owner.path):
        raise ServiceError(_("该标准不适用于%(c)s") % {"c": community.name}, field="community")
    met = values.get("met")
    if not isinstance(met, bool):
        raise ServiceError(_("请选择是否达标"), field="met")
    check = StandardCheck.objects.create(
        item=item,
        community=community,
        checked_on=_check_date(values.get("checked_on")),
        met=met,
        note=_text(values, "note", _("检查意见"), 300, required=not met),
        inspector=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.STANDARD_CHECKED,
        target=check,
        unit_path=community.path,
        after=_snapshot(check, CHECK_FIELDS),
    )
    return check
