"""Sign-up and attendance of residents at an activity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import audit_record
from shegong.core.errors import ServiceError
from shegong.resources.models import (
    Activity,
    Participation,
    Resident,
    ResourceEvent,
)
from shegong.resources.services.common import EDIT_REFUSED
from shegong.resources.services.teams import _consents_on

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- participation


@transaction.atomic
def participant_sign_up(
    *, activity: Activity, resident: Resident, acting_user: User
) -> Participation:
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    if not resident.community.path.startswith(activity.unit.path):
        raise ServiceError(_("该居民不在主办单位范围内"), field="resident")
    if not _consents_on(resident, activity.day):
        raise ServiceError(_("%(name)s在活动日未同意登记") % {"name": resident.name})
    try:
        with transaction.atomic():
            signed = Participation.objects.create(activity=activity, resident=resident)
    except IntegrityError as exc:
        raise ServiceError(_("%(name)s已报名") % {"name": resident.name}) from exc
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.SIGNED_UP,
        target=signed,
        unit_path=activity.unit.path,
        after={"resident_id": resident.pk},
    )
    return signed


@transaction.atomic
def attendance_mark(*, activity: Activity, present: set[int], acting_user: User) -> int:
    """Who came (participation ids); everyone else signed up is marked absent."""
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    if activity.day > timezone.localdate():
        raise ServiceError(_("活动日期未到,不能签到"))
    rows = list(Participation.objects.select_for_update().filter(activity=activity))
    changed = [r for r in rows if r.attended != (r.pk in present)]
    for r in changed:
        r.attended = r.pk in present
    Participation.objects.bulk_update(changed, ["attended"])
    Activity.objects.filter(pk=activity.pk).update(held=True)
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.ATTENDANCE_MARKED,
        target=activity,
        after={"attended": sum(r.pk in present for r in rows), "signed_up": len(rows)},
    )
    return len(changed)
