"""The unit import (组织架构导入): a sheet of the org tree in, validated whole, written all or
nothing, parents before children, every change audited (action "import").

Codes stored as numbers are read back exactly up to 15 digits; a code saved as scientific text
(4.30105E+11) has lost digits and is refused with the message every import gives.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from shegong.core.access import Permission, has_permission
from shegong.core.audit import AuditAction, snapshot
from shegong.core.errors import RowError, ServiceError
from shegong.core.imports import ImportPlan, change_text
from shegong.core.models import AuditEntry
from shegong.core.sheets import SheetRow, code_text, digits_lost_message, fold, fold_header
from shegong.core.text import control_character_error
from shegong.orgs import rules
from shegong.orgs.models import AreaType, CommunityProfile, Premises, Unit, UnitKind
from shegong.orgs.services import PROFILE_FIELDS, _reroot_subtree, may_reparent

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- import of the tree

UNIT_SHEET_ALIASES: dict[str, str] = {
    "代码": "code",
    "单位代码": "code",
    "区划代码": "code",
    "统计用区划代码": "code",
    "名称": "name",
    "单位名称": "name",
    "层级": "kind",
    "级别": "kind",
    "类型": "kind",
    "上级代码": "parent_code",
    "上级单位代码": "parent_code",
    "户数": "households",
    "常住户数": "households",
    "常住人口": "residents",
    "居民人数": "residents",
    "人口": "residents",
    "人口数": "residents",
    "城乡类型": "area_type",
    "城乡": "area_type",
    "办公用房面积": "office_area",
    "办公面积": "office_area",
    "办公用房面积(㎡)": "office_area",
    "办公用房面积(平方米)": "office_area",
    "活动用房面积": "activity_area",
    "活动面积": "activity_area",
    "活动用房面积(㎡)": "activity_area",
    "活动用房面积(平方米)": "activity_area",
    "用房产权": "premises",
    "产权": "premises",
}
UNIT_SHEET_ALIASES = {fold_header(k): v for k, v in UNIT_SHEET_ALIASES.items()}
UNIT_COLUMN_LABELS = {
    "code": "代码",
    "name": "名称",
    "kind": "层级",
    "parent_code": "上级代码",
    "households": "户数",
    "residents": "常住人口",
    "area_type": "城乡类型",
    "office_area": "办公用房面积",
    "activity_area": "活动用房面积",
    "premises": "用房产权",
}
AREA_TYPE_LABELS = {
    "城市": AreaType.URBAN,
    "城市社区": AreaType.URBAN,
    "城镇": AreaType.URBAN,
    "农村": AreaType.RURAL,
    "农村社区": AreaType.RURAL,
}
PREMISES_LABELS = {
    "自有": Premises.OWNED,
    "产权": Premises.OWNED,
    "租用": Premises.RENTED,
    "租赁": Premises.RENTED,
}


@dataclass
class PlannedUnit:
    row: int
    code: str
    name: str
    kind: int
    parent_code: str | None
    profile: dict[str, Any] | None
    existing: Unit | None = None


@dataclass(kw_only=True)
class UnitImportPlan(ImportPlan):
    """What a units import would do; `errors` empty means it may be applied."""

    units: list[PlannedUnit] = field(default_factory=list)


def _profile_from_row(row: SheetRow, plan: UnitImportPlan) -> dict[str, Any] | None:
    values = row.values
    present = [c for c in PROFILE_FIELDS if fold(values.get(c))]
    if not present:
        return None
    profile: dict[str, Any] = {
        "households": 0,
        "residents": 0,
        "area_type": AreaType.URBAN,
        "office_area": decimal.Decimal("0.00"),
        "activity_area": decimal.Decimal("0.00"),
        "premises": Premises.OWNED,
    }

    def err(column: str, reason: str) -> None:
        plan.errors.append(
            RowError(row.number, UNIT_COLUMN_LABELS[column], values.get(column), reason)
        )

    for name in ("households", "residents"):
        text = fold(values.get(name))
        if not text:
            continue
        try:
            number = decimal.Decimal(text)
        except decimal.InvalidOperation:
            err(name, _("应为整数"))
            continue
        if number != number.to_integral_value():
            err(name, _("应为整数"))
        elif number < 0:
            err(name, _("不能为负数"))
        else:
            profile[name] = int(number)
    for name in ("office_area", "activity_area"):
        text = fold(values.get(name))
        if not text:
            continue
        try:
            area = decimal.Decimal(text).quantize(decimal.Decimal("0.01"))
        except decimal.InvalidOperation:
            err(name, _("应为数字"))
            continue
        if area < 0:
            err(name, _("面积不能为负数"))
        else:
            profile[name] = area
    text = fold(values.get("area_type"))
    if text:
        if text in AREA_TYPE_LABELS:
            profile["area_type"] = AREA_TYPE_LABELS[text]
        else:
            err("area_type", _("应为“城市”或“农村”"))
    text = fold(values.get("premises"))
    if text:
        if text in PREMISES_LABELS:
            profile["premises"] = PREMISES_LABELS[text]
        else:
            err("premises", _("应为“自有”或“租用”"))
    return profile


def units_import_plan(
    *, rows: list[SheetRow], columns: list[str], acting_user: User
) -> UnitImportPlan:
    """Validate the whole sheet at once and list every error; write nothing."""
    plan = UnitImportPlan(rows=len(rows))
    plan.errors = _file_errors(rows, columns)
    if plan.errors:
        return plan
    seen: dict[str, int] = {}
    for row in rows:
        planned = _read_unit(row, seen, plan)
        if planned is not None:
            plan.units.append(planned)
    tree = _Tree(plan.units)
    for planned in plan.units:
        plan.errors += tree.place_errors(planned, acting_user)
    if plan.errors:
        plan.errors.sort(key=lambda e: (e.row, e.column))
        return plan
    _count(plan)
    return plan


def _file_errors(rows: list[SheetRow], columns: list[str]) -> list[RowError]:
    missing = [
        RowError(
            1,
            UNIT_COLUMN_LABELS[required],
            "",
            _("缺少必填列“%(col)s”") % {"col": UNIT_COLUMN_LABELS[required]},
        )
        for required in ("code", "name", "kind", "parent_code")
        if required not in columns
    ]
    if missing:
        return missing
    if not rows:
        return [RowError(2, "", "", _("文件中没有数据行"))]
    return []


def _code_errors(row: SheetRow, seen: dict[str, int]) -> tuple[str, list[RowError]]:
    """The row's code, and what is wrong with it (lost digits, bad form, repeated)."""
    value = row.values.get("code")
    code, lost = code_text(value)
    error = rules.code_error(code)
    if lost:
        return code, [RowError(row.number, "代码", value, digits_lost_message("代码"))]
    if error:
        return code, [RowError(row.number, "代码", value, error)]
    if code in seen:
        repeated = _("与第%(row)d行代码重复") % {"row": seen[code]}
        return code, [RowError(row.number, "代码", code, repeated)]
    seen[code] = row.number
    return code, []


def _name_errors(row: SheetRow, name: str) -> list[RowError]:
    if not name:
        return [RowError(row.number, "名称", "", _("名称不能为空"))]
    if refused := control_character_error(name, label=_("名称")):
        return [RowError(row.number, "名称", name, refused)]
    return []


def _parent_errors(row: SheetRow, code: str) -> tuple[str | None, list[RowError]]:
    parent_text, lost = code_text(row.values.get("parent_code"))
    parent_code = parent_text or None
    if lost:
        return parent_code, [
            RowError(row.number, "上级代码", parent_text, digits_lost_message("上级代码"))
        ]
    if parent_code and parent_code == code:
        return parent_code, [
            RowError(row.number, "上级代码", parent_code, _("上级代码不能是本单位自己"))
        ]
    return parent_code, []


def _read_unit(row: SheetRow, seen: dict[str, int], plan: UnitImportPlan) -> PlannedUnit | None:
    """One row read and checked on its own; None (its errors in the plan) when it is wrong."""
    v = row.values
    before = len(plan.errors)
    code, errors = _code_errors(row, seen)
    name = fold(v.get("name"))
    errors += _name_errors(row, name)
    kind = rules.parse_kind(fold(v.get("kind")))
    if kind is None:
        errors.append(
            RowError(row.number, "层级", v.get("kind"), _("层级应为 市、区/县、街道/乡镇 或 社区"))
        )
    parent_code, parent_errors = _parent_errors(row, code)
    plan.errors += errors + parent_errors
    profile = _profile_from_row(row, plan)
    if profile is not None and kind is not None and kind != UnitKind.COMMUNITY:
        plan.errors.append(RowError(row.number, "户数", "", _("只有社区才能填写社区概况")))
    if len(plan.errors) > before or kind is None:
        return None
    return PlannedUnit(row.number, code, name, kind, parent_code, profile)


class _Tree:
    """The units of the file over the units already stored: kinds, parents and the unit a
    planned one hangs under."""

    def __init__(self, units: list[PlannedUnit]) -> None:
        self.by_code = {u.code: u for u in units}
        codes = set(self.by_code) | {u.parent_code for u in units if u.parent_code}
        self.existing = {
            u.code: u for u in Unit.objects.filter(code__in=codes).select_related("parent")
        }
        for planned in units:
            planned.existing = self.existing.get(planned.code)

    def kind_of(self, code: str) -> int | None:
        if code in self.by_code:
            return self.by_code[code].kind
        return self.existing[code].kind if code in self.existing else None

    def parent_of(self, code: str) -> str | None:
        if code in self.by_code:
            return self.by_code[code].parent_code
        unit = self.existing.get(code)
        if unit is None or unit.parent_id is None:
            return None
        return unit.path.rstrip("/").split("/")[-2]

    def stored_above(self, code: str | None) -> Unit | None:
        """The stored unit `code` names or, for one this file creates, the nearest stored unit
        above it."""
        found = self.existing.get(code) if code else None
        while found is None and code is not None and code in self.by_code:
            code = self.by_code[code].parent_code
            found = self.existing.get(code) if code else None
        return found

    def makes_cycle(self, planned: PlannedUnit) -> bool:
        # Walk up: a cycle shows as meeting the starting code again.
        chain, cursor = {planned.code}, planned.parent_code
        while cursor is not None:
            if cursor in chain:
                return True
            chain.add(cursor)
            cursor = self.parent_of(cursor)
        return False

    def place_errors(self, planned: PlannedUnit, acting_user: User) -> list[RowError]:
        """Why the unit cannot go where the row puts it: an unknown parent, a parent of the
        wrong level; a cycle, and beside it a place outside the importer's scope or a
        re-parenting they may not make."""
        pc = planned.parent_code
        if pc is not None and pc not in self.by_code and pc not in self.existing:
            return [
                RowError(
                    planned.row,
                    "上级代码",
                    pc,
                    _("上级单位%(code)s既不在文件中,也不在系统中") % {"code": pc},
                )
            ]
        error = rules.parent_kind_error(planned.kind, self.kind_of(pc) if pc else None)
        if error:
            return [RowError(planned.row, "上级代码", pc or "", error)]
        errors = []
        if self.makes_cycle(planned):
            errors.append(RowError(planned.row, "上级代码", pc or "", _("上级关系形成了循环")))
        refused = self._scope_error(planned, acting_user)
        return [*errors, refused] if refused else errors

    def _scope_error(self, planned: PlannedUnit, acting_user: User) -> RowError | None:
        pc = planned.parent_code
        # Scope: the unit's place in the tree must be within what the importer may edit.
        anchor = planned.existing or self.stored_above(pc)
        if not has_permission(acting_user, Permission.IMPORT, anchor) or (
            anchor is None and not acting_user.is_superuser
        ):
            return RowError(planned.row, "上级代码", pc or "", _("该单位不在您的管辖范围内"))
        # A new parent for an existing unit: the edit right on both the old and the new one.
        unit = planned.existing
        if (
            unit is not None
            and parent_of_existing(unit) != pc
            and not may_reparent(acting_user, unit.parent, self.stored_above(pc))
        ):
            return RowError(
                planned.row,
                "上级代码",
                pc or "",
                _("只有同时管理原上级单位和新上级单位的用户才能调整隶属关系"),
            )
        return None


def _count(plan: UnitImportPlan) -> None:
    """How many units the clean plan creates, updates and leaves unchanged, and the first of
    each in the preview with what changes (the org tree holds no personal data)."""
    for planned in plan.units:
        unit = planned.existing
        if unit is None:
            plan.creates += 1
            plan.preview_create(
                planned.row,
                planned.name,
                [
                    f"{UNIT_COLUMN_LABELS['code']}:{planned.code}",
                    f"{UNIT_COLUMN_LABELS['parent_code']}:{planned.parent_code or '—'}",
                ],
            )
            continue
        changes = _unit_changes(unit, planned)
        if changes:
            plan.updates += 1
            plan.preview_update(
                planned.row,
                planned.name,
                [label for label, _b, _a in changes],
                [change_text(*change) for change in changes],
            )
        else:
            plan.unchanged += 1


def _unit_changes(unit: Unit, planned: PlannedUnit) -> list[tuple[str, Any, Any]]:
    """(label, before, after) of every column the row changes on the stored unit."""
    changes: list[tuple[str, Any, Any]] = []
    if unit.name != planned.name:
        changes.append((UNIT_COLUMN_LABELS["name"], unit.name, planned.name))
    if (parent := parent_of_existing(unit)) != planned.parent_code:
        changes.append((UNIT_COLUMN_LABELS["parent_code"], parent, planned.parent_code))
    if planned.profile is not None:
        current = getattr(unit, "profile", None)
        for k in PROFILE_FIELDS:
            before = getattr(current, k) if current is not None else None
            if current is None or before != planned.profile[k]:
                changes.append(
                    (UNIT_COLUMN_LABELS[k], _shown(k, before), _shown(k, planned.profile[k]))
                )
    return changes


_CHOICES: dict[str, type[models.TextChoices]] = {"area_type": AreaType, "premises": Premises}


def _shown(field: str, value: Any) -> Any:
    """A profile value as the preview says it: a choice by its Chinese label."""
    choices = _CHOICES.get(field)
    if choices is not None and value in choices.values:
        return str(choices(value).label)
    return value


def parent_of_existing(unit: Unit) -> str | None:
    parts = unit.path.rstrip("/").split("/")
    return parts[-2] if len(parts) > 1 else None


@transaction.atomic
def units_import_apply(*, plan: UnitImportPlan, acting_user: User) -> UnitImportPlan:
    """Write a validated plan all or nothing, parents before children."""
    if not plan.ok:
        raise ServiceError(_("文件有错误,未导入任何数据"))
    entries: list[AuditEntry] = []
    units: dict[str, Unit] = {}
    for planned in sorted(plan.units, key=lambda p: p.kind):
        parent = None
        if planned.parent_code:
            parent = units.get(planned.parent_code) or Unit.objects.get(code=planned.parent_code)
        unit = planned.existing
        if unit is None:
            unit = Unit.objects.create(
                code=planned.code,
                name=planned.name,
                kind=planned.kind,
                parent=parent,
                path=rules.child_path(parent.path if parent else None, planned.code),
            )
            entries.append(
                AuditEntry(
                    actor=acting_user,
                    action=AuditAction.IMPORT,
                    target_type=Unit._meta.label,
                    target_id=str(unit.pk),
                    target_repr=unit.name,
                    unit_path=unit.path,
                    after=snapshot(unit, ["code", "name", "kind", "parent_id"]),
                )
            )
        else:
            unit.refresh_from_db()
            before = snapshot(unit, ["name", "parent_id", "path"])
            unit.name = planned.name
            if (parent.pk if parent else None) != unit.parent_id:
                unit.parent = parent
                _reroot_subtree(unit, rules.child_path(parent.path if parent else None, unit.code))
            unit.save(update_fields=["name", "parent", "path"])
            after = snapshot(unit, ["name", "parent_id", "path"])
            if before != after:
                entries.append(
                    AuditEntry(
                        actor=acting_user,
                        action=AuditAction.IMPORT,
                        target_type=Unit._meta.label,
                        target_id=str(unit.pk),
                        target_repr=unit.name,
                        unit_path=unit.path,
                        before=before,
                        after=after,
                    )
                )
        units[unit.code] = unit
        if planned.kind == UnitKind.COMMUNITY:
            profile, _created = CommunityProfile.objects.get_or_create(unit=unit)
            if planned.profile is not None:
                before = snapshot(profile, PROFILE_FIELDS)
                for name, value in planned.profile.items():
                    setattr(profile, name, value)
                profile.save()
                after = snapshot(profile, PROFILE_FIELDS)
                if before != after:
                    entries.append(
                        AuditEntry(
                            actor=acting_user,
                            action=AuditAction.IMPORT,
                            target_type=CommunityProfile._meta.label,
                            target_id=str(unit.pk),
                            target_repr=str(profile),
                            unit_path=unit.path,
                            before=before,
                            after=after,
                        )
                    )
    AuditEntry.objects.bulk_create(entries)
    return plan
