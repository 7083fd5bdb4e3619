"""Every write to the org tree: atomic, scoped to the acting user, audited."""

from __future__ import annotations

import decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core import access
from shegong.core.access import Permission, has_permission, sees_everything
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.core.sheets import fold
from shegong.core.text import control_character_error
from shegong.orgs import rules
from shegong.orgs.models import (
    AreaType,
    CommunityFunding,
    CommunityProfile,
    OrgEvent,
    Premises,
    Unit,
    UnitKind,
)

if TYPE_CHECKING:
    from shegong.core.models import User

# Why a change is refused to whoever lacks the edit right on the unit.
EDIT_REFUSED = gettext_lazy("您没有权限修改该单位")

PROFILE_FIELDS = [
    "households",
    "residents",
    "area_type",
    "office_area",
    "activity_area",
    "premises",
]


def may_reparent(acting_user: User, old_parent: Unit | None, new_parent: Unit | None) -> bool:
    """Who may hang a unit under another parent: only whoever holds the edit right on both
    the old and the new parent (the top of the tree is the superuser's). A clerk or manager
    must not carry a community into a street that would then see its workers, nor out of
    the street that answers for it."""
    if sees_everything(acting_user):
        return True
    if old_parent is None or new_parent is None:
        return False
    return has_permission(acting_user, Permission.EDIT, old_parent) and has_permission(
        acting_user, Permission.EDIT, new_parent
    )


def _validate_unit_fields(*, code: str, name: str, kind: int, parent: Unit | None) -> None:
    error = rules.code_error(code)
    if error:
        raise ServiceError(error, field="code")
    if not name.strip():
        raise ServiceError(_("名称不能为空"), field="name")
    refused = control_character_error(name, label=_("名称"))
    if refused:
        raise ServiceError(refused, field="name")
    error = rules.parent_kind_error(kind, parent.kind if parent else None)
    if error:
        raise ServiceError(error, field="parent")


@transaction.atomic
def unit_create(*, code: str, name: str, kind: int, parent: Unit | None, acting_user: User) -> Unit:
    code, name = fold(code), fold(name)
    if parent is None and not access.sees_everything(acting_user):
        # The top of the tree is nobody's unit: only who sees everything may start a tree
        # (access.require with no unit would accept an edit right anywhere).
        raise ServiceError(str(EDIT_REFUSED), field="parent")
    access.require(acting_user, Permission.EDIT, parent, message=EDIT_REFUSED)
    _validate_unit_fields(code=code, name=name, kind=kind, parent=parent)
    if Unit.objects.filter(code=code).exists():
        raise ServiceError(_("代码%(code)s已被使用") % {"code": code}, field="code")
    unit = Unit.objects.create(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path=rules.child_path(parent.path if parent else None, code),
    )
    if kind == UnitKind.COMMUNITY:
        CommunityProfile.objects.create(unit=unit)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=unit,
        unit_path=unit.path,
        after=snapshot(unit, ["code", "name", "kind", "parent_id"]),
    )
    return unit


def _reroot_subtree(unit: Unit, new_path: str) -> None:
    """Rewrite the path of the unit and everything below it, and the copies of those paths
    that other areas keep for one-filter scoping (a `unit_path` field), one UPDATE each.
    Audit rows keep the path the record had when it was written."""
    old_path = unit.path
    Unit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr(F("path"), len(old_path) + 1))
    )
    for model in apps.get_models():
        if model is AuditEntry or "unit_path" not in {f.name for f in model._meta.fields}:
            continue
        model._default_manager.filter(unit_path__startswith=old_path).update(
            unit_path=Concat(Value(new_path), Substr(F("unit_path"), len(old_path) + 1))
        )
    unit.path = new_path


@transaction.atomic
def unit_update(*, unit: Unit, name: str, parent: Unit | None, acting_user: User) -> Unit:
    """Rename a unit or hang it under another parent of the right level (never below itself)."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED)
    if (parent.pk if parent else None) != unit.parent_id and not may_reparent(
        acting_user, unit.parent, parent
    ):
        raise ServiceError(
            _("只有同时管理原上级单位和新上级单位的用户才能调整隶属关系"), field="parent"
        )
    before = snapshot(unit, ["name", "parent_id", "path"])
    name = fold(name)
    _validate_unit_fields(code=unit.code, name=name, kind=unit.kind, parent=parent)
    if parent is not None and rules.is_within(parent.path, unit.path):
        raise ServiceError(_("不能把单位移到它自己或它的下级单位之下"), field="parent")
    unit.name = name
    if (parent.pk if parent else None) != unit.parent_id:
        unit.parent = parent
        _reroot_subtree(unit, rules.child_path(parent.path if parent else None, unit.code))
    moved = before["parent_id"] != unit.parent_id
    unit.save(update_fields=["name", "parent", "path"])
    audit_record(
        acting_user=acting_user,
        action=OrgEvent.UNIT_MOVED if moved else AuditAction.UPDATE,
        target=unit,
        unit_path=unit.path,
        before=before,
        after=snapshot(unit, ["name", "parent_id", "path"]),
    )
    return unit


def _clean_profile(values: dict[str, Any]) -> dict[str, Any]:
    """Check profile values; raise with the field at fault."""
    clean: dict[str, Any] = {}
    for name in ("households", "residents"):
        raw = values.get(name)
        try:
            number = int(str(raw))
        except (TypeError, ValueError) as exc:
            raise ServiceError(_("请填写整数"), field=name) from exc
        if number < 0:
            raise ServiceError(_("不能为负数"), field=name)
        clean[name] = number
    for name in ("office_area", "activity_area"):
        raw = values.get(name)
        try:
            area = decimal.Decimal(str(raw)).quantize(decimal.Decimal("0.01"))
        except (decimal.InvalidOperation, ValueError) as exc:
            raise ServiceError(_("请填写数字"), field=name) from exc
        if area < 0:
            raise ServiceError(_("面积不能为负数"), field=name)
        clean[name] = area
    if values.get("area_type") not in AreaType.values:
        raise ServiceError(_("请选择城市社区或农村社区"), field="area_type")
    clean["area_type"] = values["area_type"]
    if values.get("premises") not in Premises.values:
        raise ServiceError(_("请选择自有或租用"), field="premises")
    clean["premises"] = values["premises"]
    if clean["households"] > clean["residents"] > 0:
        raise ServiceError(_("户数不能多于常住人口"), field="households")
    return clean


@transaction.atomic
def community_profile_update(
    *, unit: Unit, values: dict[str, Any], acting_user: User
) -> CommunityProfile:
    if unit.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("只有社区才有社区概况"))
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED)
    clean = _clean_profile(values)
    profile, _created = CommunityProfile.objects.select_for_update().get_or_create(unit=unit)
    before = snapshot(profile, PROFILE_FIELDS)
    for name, value in clean.items():
        setattr(profile, name, value)
    profile.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=profile,
        unit_path=unit.path,
        before=before,
        after=snapshot(profile, PROFILE_FIELDS),
    )
    return profile


@transaction.atomic
def community_funding_set(
    *, unit: Unit, year: int, source: str, amount: decimal.Decimal, acting_user: User
) -> CommunityFunding:
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED)
    if unit.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("只有社区才登记经费"))
    if not 1990 <= year <= 2100:
        raise ServiceError(_("年度应在1990至2100之间"), field="year")
    if amount < 0:
        raise ServiceError(_("金额不能为负数"), field="amount")
    funding = CommunityFunding.objects.filter(unit=unit, year=year, source=source).first()
    before = snapshot(funding, ["amount"]) if funding else None
    if funding is None:
        funding = CommunityFunding.objects.create(
            unit=unit, year=year, source=source, amount=amount
        )
    else:
        funding.amount = amount
        funding.save(update_fields=["amount"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=funding,
        unit_path=unit.path,
        before=before,
        after=snapshot(funding, ["year", "source", "amount"]),
    )
    return funding
