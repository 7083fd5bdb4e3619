"""Activities, volunteers and their service hours: entered or self-reported, then confirmed or
declined."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import AuditAction, AuditRow, audit_record, audit_record_many
from shegong.core.codes import CodeRefused, code_guarded
from shegong.core.errors import ServiceError
from shegong.core.sheets import fold
from shegong.orgs.models import Unit
from shegong.people.rules import id_number_error
from shegong.resources import rules
from shegong.resources.models import (
    Activity,
    ActivityKind,
    RecordSource,
    RecordStatus,
    Resident,
    ResourceEvent,
    ServiceRecord,
    Team,
    Venue,
    Volunteer,
)
from shegong.resources.services.common import EDIT_REFUSED, _snapshot, _text
from shegong.resources.services.teams import _consents_on, _require_unit

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- activities and volunteers


def _clean_activity(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = values.get("kind") or ""
    if kind not in ActivityKind.values:
        raise ServiceError(_("请选择活动类别"), field="kind")
    day = values.get("day")
    if not isinstance(day, datetime.date):
        raise ServiceError(_("请填写活动日期"), field="day")
    return {
        "title": _text(values, "title", _("活动名称"), 100, required=True),
        "organiser": _text(values, "organiser", _("组织者"), 100, required=False),
        "kind": kind,
        "day": day,
    }


@transaction.atomic
def activity_create(
    *,
    unit: Unit | None,
    values: Mapping[str, Any],
    venue: Venue | None = None,
    team: Team | None = None,
    acting_user: User,
) -> Activity:
    owner = _require_unit(unit, acting_user)
    for linked in (venue, team):
        if linked is not None:
            home = linked.community if isinstance(linked, Venue) else linked.unit
            if not home.path.startswith(owner.path) and not owner.path.startswith(home.path):
                raise ServiceError(_("场地或队伍不属于该单位"), field="venue")
    activity = Activity.objects.create(
        unit=owner, venue=venue, team=team, **_clean_activity(values)
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=activity,
        after=_snapshot(activity, ["title", "kind", "day", "organiser", "unit_id"]),
    )
    return activity


@transaction.atomic
def activity_mark_held(*, activity: Activity, acting_user: User) -> Activity:
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    if activity.day > timezone.localdate():
        raise ServiceError(_("活动日期未到,不能标记为已举办"))
    Activity.objects.filter(pk=activity.pk).update(held=True)
    activity.held = True
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=activity,
        before={"held": False},
        after={"held": True},
    )
    return activity


@transaction.atomic
def volunteer_register(
    *,
    resident: Resident,
    values: Mapping[str, Any],
    acting_user: User,
) -> Volunteer:
    access.require(acting_user, Permission.EDIT, resident.community, message=EDIT_REFUSED)
    today = timezone.localdate()
    if not _consents_on(resident, today):
        raise ServiceError(_("%(name)s的同意登记已到期") % {"name": resident.name})
    number = fold(values.get("id_number")).upper()
    if number and (refused := id_number_error(number)):
        raise ServiceError(refused, field="id_number")
    registered = values.get("registered_on") or today
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                resident=resident,
                id_number=number,
                skills=_text(values, "skills", _("技能特长"), 200, required=False),
                registered_on=registered,
            )
    except IntegrityError as exc:
        raise ServiceError(_("%(name)s已注册为志愿者") % {"name": resident.name}) from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=volunteer,
        unit_path=resident.community.path,
        after={"resident_id": resident.pk, "registered_on": registered.isoformat()},
    )
    return volunteer


@transaction.atomic
def volunteer_link_issue(*, volunteer: Volunteer, acting_user: User) -> str:
    """A new personal link key for self-reported hours (shown once; the old one stops)."""
    access.require(acting_user, Permission.EDIT, volunteer.resident.community, message=EDIT_REFUSED)
    key = secrets.token_urlsafe(24)
    Volunteer.objects.filter(pk=volunteer.pk).update(link_hash=rules.link_hash(key))
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.LINK_ISSUED,
        target=volunteer,
        unit_path=volunteer.resident.community.path,
    )
    return key


def _clean_hours(hours: Any, content: Any) -> tuple[Decimal, str]:
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ServiceError(_("服务时长应为数字"), field="hours") from None
    if not Decimal(0) < value <= Decimal(24):
        raise ServiceError(_("服务时长应大于0且不超过24小时"), field="hours")
    return value, _text({"content": content}, "content", _("服务内容"), 200, required=False)


def _hours_snapshot(record: ServiceRecord) -> dict[str, Any]:
    return _snapshot(record, ["hours", "status", "source", "content"])


@transaction.atomic
def hours_enter(
    *,
    volunteer: Volunteer,
    activity: Activity,
    hours: Any,
    content: str = "",
    acting_user: User,
) -> ServiceRecord:
    """The clerk's entry of a volunteer's hours at an activity, confirmed at once. If the
    volunteer already reported hours for it, the clerk's entry is that same record (hours as
    the clerk entered them, confirmed): an hour is never counted twice."""
    access.require(acting_user, Permission.EDIT, activity.unit, message=EDIT_REFUSED)
    value, text = _clean_hours(hours, content)
    now = timezone.now()
    record = (
        ServiceRecord.objects.select_for_update()
        .filter(volunteer=volunteer, activity=activity)
        .first()
    )
    before = _hours_snapshot(record) if record else None
    if record is None:
        try:
            with transaction.atomic():
                record = ServiceRecord.objects.create(
                    volunteer=volunteer,
                    activity=activity,
                    hours=value,
                    content=text,
                    source=RecordSource.CLERK,
                    status=RecordStatus.CONFIRMED,
                    entered_by=acting_user,
                    decided_by=acting_user,
                    decided_at=now,
                )
        except IntegrityError:
            # The volunteer's own report landed a moment ago: it is the same record.
            record = ServiceRecord.objects.select_for_update().get(
                volunteer=volunteer, activity=activity
            )
            before = _hours_snapshot(record)
    if before is not None:
        record.hours, record.status = value, RecordStatus.CONFIRMED
        record.content = text or record.content
        record.entered_by, record.decided_by, record.decided_at = acting_user, acting_user, now
        record.save()
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.HOURS_ENTERED,
        target=record,
        unit_path=activity.unit.path,
        before=before,
        after=_hours_snapshot(record),
    )
    return record


def volunteer_for_link(*, key: str, address: str) -> Volunteer:
    """The volunteer whose personal link `key` is, for the public self-report page, throttled
    like the residents' vote and the workers' questionnaire (core/codes.py): an unknown key
    counts against the client's address (CodeRefused), and an address that tried too many is
    refused before its next key is looked at (CodeThrottled). Call it outside a transaction:
    the refusal it remembers must stay written when the refusal is raised."""

    def work() -> Volunteer:
        found = (
            Volunteer.objects.select_related("resident__community")
            .filter(link_hash=rules.link_hash(key))
            .exclude(link_hash="")
            .first()
            if key and len(key) <= 100
            else None
        )
        if found is None:
            raise CodeRefused(_("链接无效或已失效,请向社区索取新的链接"), counts=True)
        return found

    return code_guarded(address, key, work)


@transaction.atomic
def hours_self_report(
    *, key: str, activity: Activity, hours: Any, content: str = ""
) -> ServiceRecord:
    """A volunteer's own report through their personal link: pending until a clerk confirms.
    A second report, or one for an activity the clerk already entered, is refused."""
    volunteer = (
        Volunteer.objects.select_related("resident__community")
        .filter(link_hash=rules.link_hash(key))
        .exclude(link_hash="")
        .first()
    )
    if volunteer is None:
        raise ServiceError(_("链接无效或已失效,请向社区索取新的链接"))
    community = volunteer.resident.community
    if not community.path.startswith(activity.unit.path) or activity.day > timezone.localdate():
        raise ServiceError(_("不能申报这项活动"), field="activity")
    value, text = _clean_hours(hours, content)
    try:
        with transaction.atomic():
            record = ServiceRecord.objects.create(
                volunteer=volunteer,
                activity=activity,
                hours=value,
                content=text,
                source=RecordSource.SELF,
                status=RecordStatus.PENDING,
            )
    except IntegrityError as exc:
        raise ServiceError(_("这项活动的服务时长已有记录,无需重复申报"), field="activity") from exc
    audit_record(
        acting_user=None,
        action=ResourceEvent.HOURS_REPORTED,
        target=record,
        unit_path=community.path,
        after=_hours_snapshot(record),
    )
    return record


def _decide_hours(records: list[ServiceRecord], status: str, event: str, acting_user: User) -> int:
    ids = [r.pk for r in records]
    locked = list(
        ServiceRecord.objects.select_for_update()
        .select_related("activity__unit")
        .filter(pk__in=ids, status=RecordStatus.PENDING)
    )
    if len(locked) != len(set(ids)):
        raise ServiceError(_("所选记录中有已处理的,请刷新后重试"))
    for record in locked:
        access.require(acting_user, Permission.EDIT, record.activity.unit, message=EDIT_REFUSED)
    now = timezone.now()
    ServiceRecord.objects.filter(pk__in=ids).update(
        status=status, decided_by=acting_user, decided_at=now
    )
    audit_record_many(
        acting_user=acting_user,
        action=event,
        rows=[
            AuditRow(
                target=r,
                unit_path=r.activity.unit.path,
                before={"status": r.status},
                after={"status": status},
            )
            for r in locked
        ],
    )
    return len(locked)


@transaction.atomic
def hours_confirm(*, records: list[ServiceRecord], acting_user: User) -> int:
    """Confirm reported hours, one or many at once (all or none)."""
    return _decide_hours(
        records, RecordStatus.CONFIRMED, ResourceEvent.HOURS_CONFIRMED, acting_user
    )


@transaction.atomic
def hours_decline(*, records: list[ServiceRecord], acting_user: User) -> int:
    """Decline reported hours: the rows stay, marked 未确认, and never count."""
    return _decide_hours(records, RecordStatus.DECLINED, ResourceEvent.HOURS_DECLINED, acting_user)
