"""The district's own writes.

Departments and their members, the policy, the holiday calendar, admission items and the
stamp lists.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.burden.models import (
    AdmissionItem,
    BurdenEvent,
    CalendarDay,
    Department,
    ItemKind,
    Listing,
    Policy,
    StampEntry,
)
from shegong.burden.services.common import (
    DISTRICT_REFUSED,
    _choice,
    _decimal,
    _item_values,
    _text,
    policy_of,
    today,
)
from shegong.core.access import Permission, require
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.models import Membership, Role
from shegong.orgs.models import Unit, UnitKind

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- the district


def _require_district(unit: Unit, acting_user: User) -> None:
    if unit.kind != UnitKind.DISTRICT:
        raise ServiceError(_("准入清单由区县一级管理"))
    require(acting_user, Permission.EDIT, unit, message=DISTRICT_REFUSED)


@transaction.atomic
def department_create(*, district: Unit, name: str, acting_user: User) -> Department:
    _require_district(district, acting_user)
    clean = _text({"name": name}, "name", _("部门名称"), 60, required=True)
    if Department.objects.filter(district=district, name=clean).exists():
        raise ServiceError(_("%(name)s已登记") % {"name": clean}, field="name")
    department = Department.objects.create(district=district, name=clean)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=department,
        unit_path=district.path,
        after=snapshot(department),
    )
    return department


@transaction.atomic
def department_member_add(*, department: Department, user: User, acting_user: User) -> None:
    """Make `user` an account of the department: the 职能部门 role on its district (and no
    other role there), listed as a member."""
    district = department.district
    require(acting_user, Permission.AUDIT, district, message=DISTRICT_REFUSED)
    held = Membership.objects.filter(user=user).exclude(role=Role.DEPARTMENT)
    if held.exists():
        raise ServiceError(_("该账号已有其他角色,职能部门请使用单独的账号"))
    Membership.objects.get_or_create(user=user, unit=district, defaults={"role": Role.DEPARTMENT})
    department.members.add(user)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=department,
        unit_path=district.path,
        note=_("增加部门账号 %(user)s") % {"user": user.username},
    )


@transaction.atomic
def policy_set(*, district: Unit, values: Mapping[str, Any], acting_user: User) -> Policy:
    _require_district(district, acting_user)
    policy = policy_of(district)
    before = snapshot(policy) if policy.pk else None
    for name, label, top in (
        ("lead_days", _("提前申请工作日"), 365),
        ("review_days", _("审核期限工作日"), 120),
    ):
        number = _decimal(values, name, label, Decimal(top))
        if number != number.to_integral_value() or (name == "review_days" and number < 1):
            raise ServiceError(_("%(field)s应为1到%(top)d的整数") % {"field": label, "top": top})
        setattr(policy, name, int(number))
    policy.lapse_overdue = bool(values.get("lapse_overdue"))
    policy.hours_per_field = _decimal(values, "hours_per_field", _("每个指标节省小时"), Decimal(99))
    policy.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=policy,
        unit_path=district.path,
        before=before,
        after=snapshot(policy),
    )
    return policy


@transaction.atomic
def calendar_day_set(
    *, day: datetime.date, workday: bool, name: str, acting_user: User
) -> CalendarDay:
    """Enter a holiday or a 调休 workday (national data: any admin may keep it)."""
    require(acting_user, Permission.AUDIT, message=_("只有管理员可以维护节假日安排"))
    clean = _text({"name": name}, "name", _("名称"), 40, required=True)
    found = CalendarDay.objects.filter(day=day).first()
    before = snapshot(found) if found else None
    entry, _created = CalendarDay.objects.update_or_create(
        day=day, defaults={"workday": workday, "name": clean}
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=entry,
        before=before,
        after=snapshot(entry),
    )
    return entry


@transaction.atomic
def item_create(
    *, district: Unit, department: Department, values: Mapping[str, Any], acting_user: User
) -> AdmissionItem:
    """Enter an item of the list as it stands (a list adopted before the register)."""
    _require_district(district, acting_user)
    if department.district_id != district.pk:
        raise ServiceError(_("该部门不属于%(unit)s") % {"unit": district.name}, field="department")
    clean = _item_values(values, ItemKind.values)
    if AdmissionItem.objects.filter(
        district=district, category=clean["category"], title=clean["title"]
    ).exists():
        raise ServiceError(_("清单中已有同名事项"), field="title")
    published = values.get("published_on") or today()
    item = AdmissionItem.objects.create(
        district=district, department=department, published_on=published, **clean
    )
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, target=item, after=snapshot(item)
    )
    return item


@transaction.atomic
def stamp_entry_create(
    *, district: Unit, values: Mapping[str, Any], acting_user: User
) -> StampEntry:
    _require_district(district, acting_user)
    name = _text(values, "name", _("证明名称"), 100, required=True)
    listing = _choice(values, "listing", _("清单"), Listing.values)
    basis = _text(values, "basis", _("依据"), 200, required=False)
    if StampEntry.objects.filter(district=district, name=name).exists():
        raise ServiceError(_("清单中已有该证明"), field="name")
    entry = StampEntry.objects.create(district=district, name=name, listing=listing, basis=basis)
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, target=entry, after=snapshot(entry)
    )
    return entry


def _current_item(item: AdmissionItem, acting_user: User) -> AdmissionItem:
    """The item locked for a change by whoever keeps its district's list; a retired item is
    kept as it was."""
    locked = (
        AdmissionItem.objects.select_for_update()
        .select_related("district", "department")
        .get(pk=item.pk)
    )
    _require_district(locked.district, acting_user)
    if locked.retired_on is not None:
        raise ServiceError(
            _("该事项已于%(day)s停止,不能再修改") % {"day": f"{locked.retired_on:%Y-%m-%d}"}
        )
    return locked


@transaction.atomic
def item_update(
    *,
    item: AdmissionItem,
    values: Mapping[str, Any],
    acting_user: User,
    department: Department | None = None,
) -> AdmissionItem:
    """Correct an item of the list (audited with what it was before)."""
    item = _current_item(item, acting_user)
    if department is not None and department.district_id != item.district_id:
        raise ServiceError(
            _("该部门不属于%(unit)s") % {"unit": item.district.name}, field="department"
        )
    clean = _item_values(values, ItemKind.values)
    if (
        AdmissionItem.objects.filter(
            district=item.district, category=clean["category"], title=clean["title"]
        )
        .exclude(pk=item.pk)
        .exists()
    ):
        raise ServiceError(_("清单中已有同名事项"), field="title")
    before = snapshot(item)
    for name, value in clean.items():
        setattr(item, name, value)
    if department is not None:
        item.department = department
    item.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=item,
        before=before,
        after=snapshot(item),
    )
    return item


@transaction.atomic
def item_retire(
    *, item: AdmissionItem, reason: str, acting_user: User, on: datetime.date | None = None
) -> AdmissionItem:
    """Take an item off the list from a day on, with a reason. It is kept (records, the
    application it came from and last years' counts still point at it), not deleted; a
    community's record of it for a later year reads as refusable."""
    item = _current_item(item, acting_user)
    clean = _text({"reason": reason}, "reason", _("停止理由"), 200, required=True)
    before = snapshot(item)
    item.retired_on = on or today()
    item.retired_reason = clean
    item.save(update_fields=["retired_on", "retired_reason"])
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.ITEM_RETIRED,
        target=item,
        before=before,
        after=snapshot(item),
    )
    return item
