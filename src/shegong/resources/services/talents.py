"""The talent bank: residents who offer a skill, and activity advisors named from it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import AuditAction, audit_record
from shegong.core.errors import ServiceError
from shegong.resources.models import (
    Activity,
    Resident,
    ResourceEvent,
    Talent,
    TalentCategory,
    TalentLevel,
)
from shegong.resources.services.common import EDIT_REFUSED, _snapshot, _text
from shegong.resources.services.teams import _consents_on

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- talent bank


@transaction.atomic
def talent_register(*, resident: Resident, values: Mapping[str, Any], acting_user: User) -> Talent:
    """A resident's skill in the talent bank, with their consent to be contacted (until when)."""
    access.require(acting_user, Permission.EDIT, resident.community, message=EDIT_REFUSED)
    today = timezone.localdate()
    if not _consents_on(resident, today):
        raise ServiceError(_("%(name)s的同意登记已到期") % {"name": resident.name})
    category, level = values.get("category") or "", values.get("level") or ""
    if category not in TalentCategory.values:
        raise ServiceError(_("请选择人才类别"), field="category")
    if level not in TalentLevel.values:
        raise ServiceError(_("请选择水平"), field="level")
    until = values.get("contact_until")
    if until is not None and until < today:
        raise ServiceError(_("同意联系的期限已过"), field="contact_until")
    try:
        with transaction.atomic():
            talent = Talent.objects.create(
                resident=resident,
                category=category,
                level=level,
                skill=_text(values, "skill", _("特长"), 100, required=True),
                availability=_text(values, "availability", _("可服务时间"), 100, required=False),
                contact_until=until,
            )
    except IntegrityError as exc:
        raise ServiceError(_("已登记过这项特长"), field="skill") from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=talent,
        unit_path=resident.community.path,
        after=_snapshot(talent, ["resident_id", "category", "skill", "level", "contact_until"]),
    )
    return talent


@transaction.atomic
def activity_advisor_name(*, activity: Activity, talent: Talent, acting_user: User) -> Activity:
    """Name a talent the activity's advisor (辅导员); only while they may be contacted."""
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    today = timezone.localdate()
    if talent.contact_until is not None and talent.contact_until < today:
        raise ServiceError(_("%(name)s同意联系的期限已过") % {"name": talent.resident.name})
    before = {"advisor_id": activity.advisor_id}
    Activity.objects.filter(pk=activity.pk).update(advisor=talent)
    activity.advisor = talent
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.ADVISOR_NAMED,
        target=activity,
        before=before,
        after={"advisor_id": talent.pk},
    )
    return activity
