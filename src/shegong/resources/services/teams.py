"""Residents (with consent and its end) and the culture and sports teams they belong to."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import AuditAction, audit_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit, UnitKind
from shegong.people.models import Gender
from shegong.resources.models import (
    AwardLevel,
    Resident,
    ResourceEvent,
    Team,
    TeamKind,
    TeamMember,
    TeamRecord,
    TeamRecordKind,
)
from shegong.resources.services.common import EDIT_REFUSED, _snapshot, _text
from shegong.resources.services.venues import _require_community

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- residents and teams

RESIDENT_FIELDS = ["name", "gender", "birth_date", "phone", "consent_on", "consent_until"]
TEAM_FIELDS = ["name", "kind", "practice_place", "practice_time", "founded_on", "active"]


def _require_unit(unit: Unit | None, acting_user: User, field: str = "unit") -> Unit:
    if unit is None or unit.kind < UnitKind.STREET:
        raise ServiceError(_("请选择街道或社区"), field=field)
    access.require(acting_user, Permission.EDIT, unit, message=EDIT_REFUSED, field=field)
    return unit


def _clean_resident(values: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "name": _text(values, "name", _("姓名"), 50, required=True),
        "phone": _text(values, "phone", _("联系电话"), 20, required=False),
    }
    gender = values.get("gender") or ""
    if gender not in Gender.values:
        raise ServiceError(_("请选择性别"), field="gender")
    clean["gender"] = gender
    born = values.get("birth_date")
    today = timezone.localdate()
    if not isinstance(born, datetime.date) or not datetime.date(1900, 1, 1) <= born <= today:
        raise ServiceError(_("请填写出生日期"), field="birth_date")
    clean["birth_date"] = born
    consent_on = values.get("consent_on")
    if not isinstance(consent_on, datetime.date):
        raise ServiceError(_("登记居民须经本人同意,请填写同意登记日期"), field="consent_on")
    until = values.get("consent_until")
    if until is not None and until < consent_on:
        raise ServiceError(_("同意有效期不能早于同意日期"), field="consent_until")
    clean["consent_on"], clean["consent_until"] = consent_on, until
    return clean


@transaction.atomic
def resident_register(
    *, community: Unit | None, values: Mapping[str, Any], acting_user: User
) -> Resident:
    """A resident recorded with their consent (a team member, talent or volunteer)."""
    unit = _require_community(community, acting_user)
    resident = Resident.objects.create(community=unit, **_clean_resident(values))
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=resident,
        after=_snapshot(resident, ["name", "gender", "consent_on", "consent_until"]),
    )
    return resident


@transaction.atomic
def resident_consent_end(*, resident: Resident, day: datetime.date, acting_user: User) -> Resident:
    """The resident withdrew their consent: from `day` on they are no longer named."""
    access.require(acting_user, Permission.EDIT, resident.community, message=EDIT_REFUSED)
    locked = Resident.objects.select_for_update().get(pk=resident.pk)
    if day < locked.consent_on:
        raise ServiceError(_("同意有效期不能早于同意日期"), field="consent_until")
    before = _snapshot(locked, ["consent_until"])
    locked.consent_until = day
    locked.save(update_fields=["consent_until"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=locked,
        before=before,
        after=_snapshot(locked, ["consent_until"]),
    )
    return locked


def _clean_team(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = values.get("kind") or ""
    if kind not in TeamKind.values:
        raise ServiceError(_("请选择队伍类别"), field="kind")
    founded = values.get("founded_on")
    if founded is not None and founded > timezone.localdate():
        raise ServiceError(_("成立日期不能晚于今天"), field="founded_on")
    return {
        "name": _text(values, "name", _("队伍名称"), 100, required=True),
        "kind": kind,
        "practice_place": _text(values, "practice_place", _("活动地点"), 100, required=False),
        "practice_time": _text(values, "practice_time", _("活动时间"), 100, required=False),
        "founded_on": founded,
        "active": bool(values.get("active", True)),
    }


@transaction.atomic
def team_create(*, unit: Unit | None, values: Mapping[str, Any], acting_user: User) -> Team:
    owner = _require_unit(unit, acting_user)
    clean = _clean_team(values)
    try:
        with transaction.atomic():
            team = Team.objects.create(unit=owner, **clean)
    except IntegrityError as exc:
        raise ServiceError(_("已有同名队伍"), field="name") from exc
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=team,
        after=_snapshot(team, [*TEAM_FIELDS, "unit_id"]),
    )
    return team


def _consents_on(resident: Resident, day: datetime.date) -> bool:
    return resident.consent_on <= day and (
        resident.consent_until is None or day <= resident.consent_until
    )


@transaction.atomic
def team_member_add(
    *,
    team: Team,
    resident: Resident,
    joined_on: datetime.date,
    acting_user: User,
    leader: bool = False,
) -> TeamMember:
    access.require(acting_user, Permission.EDIT, team.unit, message=EDIT_REFUSED)
    if not resident.community.path.startswith(team.unit.path) and not access.has_permission(
        acting_user, Permission.EDIT, resident.community
    ):
        raise ServiceError(_("该居民不在您的管辖范围内"), field="resident")
    if not _consents_on(resident, joined_on):
        raise ServiceError(
            _("%(name)s在该日未同意登记") % {"name": resident.name}, field="resident"
        )
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(team=team, resident=resident, joined_on=joined_on)
    except IntegrityError as exc:
        raise ServiceError(_("%(name)s已是队员") % {"name": resident.name}) from exc
    if leader:
        Team.objects.filter(pk=team.pk).update(leader=resident)
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.MEMBER_JOINED,
        target=member,
        unit_path=team.unit.path,
        after={"resident_id": resident.pk, "joined_on": joined_on.isoformat(), "leader": leader},
    )
    return member


@transaction.atomic
def team_member_leave(
    *, member: TeamMember, left_on: datetime.date, acting_user: User
) -> TeamMember:
    team = member.team
    access.require(acting_user, Permission.EDIT, team.unit, message=EDIT_REFUSED)
    locked = TeamMember.objects.select_for_update().get(pk=member.pk)
    if locked.left_on is not None:
        raise ServiceError(_("该队员已退出"))
    if left_on < locked.joined_on:
        raise ServiceError(_("退出日期不能早于加入日期"), field="left_on")
    locked.left_on = left_on
    locked.save(update_fields=["left_on"])
    if team.leader_id == locked.resident_id:
        Team.objects.filter(pk=team.pk).update(leader=None)
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.MEMBER_LEFT,
        target=locked,
        unit_path=team.unit.path,
        after={"left_on": left_on.isoformat()},
    )
    return locked


@transaction.atomic
def team_record_add(*, team: Team, values: Mapping[str, Any], acting_user: User) -> TeamRecord:
    """A practice, performance or award of the team on a day."""
    access.require(acting_user, Permission.EDIT, team.unit, message=EDIT_REFUSED)
    kind = values.get("kind") or ""
    if kind not in TeamRecordKind.values:
        raise ServiceError(_("请选择记录类别"), field="kind")
    level = values.get("level") or ""
    if kind == TeamRecordKind.AWARD and level not in AwardLevel.values:
        raise ServiceError(_("获奖记录请选择级别"), field="level")
    day = values.get("day")
    if not isinstance(day, datetime.date) or day > timezone.localdate():
        raise ServiceError(_("请填写不晚于今天的日期"), field="day")
    participants = values.get("participants") or 0
    if not isinstance(participants, int) or not 0 <= participants <= 100000:
        raise ServiceError(_("参与人数应为不小于0的整数"), field="participants")
    record = TeamRecord.objects.create(
        team=team,
        kind=kind,
        day=day,
        title=_text(values, "title", _("内容"), 100, required=True),
        level=level if kind == TeamRecordKind.AWARD else "",
        participants=participants,
    )
    audit_record(
        acting_user=acting_user,
        action=ResourceEvent.TEAM_RECORDED,
        target=record,
        unit_path=team.unit.path,
        after=_snapshot(record, ["kind", "day", "title", "level", "participants"]),
    )
    return record
