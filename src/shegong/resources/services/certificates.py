"""A volunteer's service certificate, numbered."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import audit_record
from shegong.core.db import exclusive_lock
from shegong.core.errors import ServiceError
from shegong.resources.models import (
    RecordStatus,
    ResourceEvent,
    ServiceRecord,
    Volunteer,
    VolunteerCertificate,
)
from shegong.resources.services.common import EDIT_REFUSED, _snapshot

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- certificates


@transaction.atomic
def certificate_issue(
    *, volunteer: Volunteer, first: datetime.date, last: datetime.date, acting_user: User
) -> VolunteerCertificate:
    """A numbered certificate of the volunteer's confirmed hours from `first` to `last`,
    issued by their community: number = community code, year, a serial of that year."""
    community = volunteer.resident.community
    access.require(acting_user, Permission.EDIT, community, message=EDIT_REFUSED)
    if last < first:
        raise ServiceError(_("截止日期不能早于起始日期"), field="last")
    hours = ServiceRecord.objects.filter(
        volunteer=volunteer,
        status=RecordStatus.CONFIRMED,
        activity__day__gte=first,
        activity__day__lte=last,
    ).aggregate(total=Sum("hours"))["total"]
    if not hours:
        raise ServiceError(_("这段时间没有已确认的服务时长"))
    today = timezone.localdate()
    exclusive_lock(f"resources.certificate.{community.code}.{today.year}")
    prefix = f"{community.code}{today.year}"
    serial = VolunteerCertificate.objects.filter(number__startswith=prefix).count() + 1
    certificate = VolunteerCertificate.objects.create(
        volunteer=volunteer,
        number=f"{prefix}{serial:05d}",
        issuer=community,
        first=first,
        last=last,
        hours=Decimal(hours).quantize(Decimal("0.1")),
        issued_on=today,
        issued_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.CERTIFICATE_ISSUED,
        target=certificate,
        unit_path=community.path,
        after=_snapshot(certificate, ["number", "first", "last", "hours", "volunteer_id"]),
    )
    return certificate
