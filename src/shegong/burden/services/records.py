"""What each community carries.

Ledgers, signboards, stamps, inspections, appraisals, rankings and meetings, recorded by the
community's clerk.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.burden import rules
from shegong.burden.models import (
    EVENT_KINDS,
    AdmissionItem,
    BurdenRecord,
    Department,
    Frequency,
    RecordKind,
    StampEntry,
)
from shegong.burden.services.common import (
    RECORD_REFUSED,
    _choice,
    _date,
    _decimal,
    _text,
    district_of,
)
from shegong.core.access import Permission, require
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.params import parse_id
from shegong.orgs.models import Unit, UnitKind

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- what communities carry


def _record_links(community: Unit, kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The department, admission item and stamp entry a record names, all of the community's
    district."""
    district = district_of(community)
    links: dict[str, Any] = {"department": None, "item": None, "stamp": None}
    for name, model, label in (
        ("department", Department, _("要求部门")),
        ("item", AdmissionItem, _("准入事项")),
        ("stamp", StampEntry, _("证明事项")),
    ):
        raw: Any = values.get(name)
        if raw in (None, ""):
            continue
        pk = parse_id(raw.pk if hasattr(raw, "pk") else raw)
        found = model.objects.filter(pk=pk, district=district).first() if district and pk else None
        if found is None:
            raise ServiceError(_("%(field)s不在本区清单中") % {"field": label}, field=name)
        links[name] = found
    item = links["item"]
    if item is not None and item.retired_on is not None:
        raise ServiceError(
            _("所选准入事项已于%(day)s停止,不在清单中") % {"day": f"{item.retired_on:%Y-%m-%d}"},
            field="item",
        )
    if item is not None and rules.CATEGORY_OF_KIND.get(kind) != item.category:
        raise ServiceError(_("所选准入事项的类别与该记录不符"), field="item")
    if links["stamp"] is not None and kind != RecordKind.STAMP:
        raise ServiceError(_("只有盖章证明可以对应证明事项"), field="stamp")
    return links


def clean_record_values(community: Unit, values: Mapping[str, Any]) -> dict[str, Any]:
    kind = _choice(values, "kind", _("类别"), RecordKind.values)
    clean: dict[str, Any] = {
        "kind": kind,
        "title": _text(values, "title", _("名称"), 100, required=True),
        "imposed_by": _text(values, "imposed_by", _("其他要求单位"), 60, required=False),
        "note": _text(values, "note", _("说明"), 200, required=False),
        "frequency": "",
        "day": None,
        "hours": _decimal(values, "hours", _("耗时(小时)"), Decimal(10000)).quantize(
            Decimal("0.1")
        ),
        "staff": int(_decimal(values, "staff", _("参与人数"), Decimal(1000))),
    }
    clean.update(_record_links(community, kind, values))
    if clean["department"] is None and not clean["imposed_by"]:
        raise ServiceError(_("请选择要求部门或填写其他要求单位"), field="department")
    if kind == RecordKind.LEDGER:
        clean["frequency"] = _choice(values, "frequency", _("更新频次"), Frequency.values)
    if kind in EVENT_KINDS:
        clean["day"] = _date(values, "day", _("日期"))
        clean["year"] = clean["day"].year
    else:
        year = _decimal(values, "year", _("年度"), Decimal(2100))
        if year < 2000 or year != year.to_integral_value():
            raise ServiceError(_("请填写年度"), field="year")
        clean["year"] = int(year)
    return clean


@transaction.atomic
def record_create(*, community: Unit, values: Mapping[str, Any], acting_user: User) -> BurdenRecord:
    """Record what a community carries; only whoever may edit that community."""
    require(acting_user, Permission.EDIT, community, message=RECORD_REFUSED)
    if community.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("请选择一个社区"), field="community")
    record = BurdenRecord.objects.create(
        community=community, **clean_record_values(community, values)
    )
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, target=record, after=snapshot(record)
    )
    return record


@transaction.atomic
def record_delete(*, record: BurdenRecord, acting_user: User) -> None:
    require(acting_user, Permission.EDIT, record.community, message=RECORD_REFUSED)
    before = snapshot(record)
    audit_record(acting_user=acting_user, action=AuditAction.DELETE, target=record, before=before)
    record.delete()
