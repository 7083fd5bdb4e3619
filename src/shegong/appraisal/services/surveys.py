"""Surveys: a community's residents' vote opened (its ballot fixed) and closed (its pool filed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.appraisal.models import (
    AppraisalEvent,
    CycleStatus,
    Survey,
    SurveyStatus,
    SurveyWorker,
)
from shegong.appraisal.services.votes import file_pool
from shegong.core.access import Permission, require
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.people.models import Worker, WorkerStatus

if TYPE_CHECKING:
    from shegong.core.models import User


def lock_survey(survey: Survey) -> Survey:
    """The survey row, locked for this transaction, with its cycle and community."""
    return Survey.objects.select_for_update().select_related("cycle", "community").get(pk=survey.pk)


def require_manager(acting_user: User, survey: Survey) -> None:
    """Who may open, close and hand out codes of a survey: an editor of its community."""
    require(
        acting_user,
        Permission.EDIT,
        survey.community,
        message=_("您没有权限管理%(unit)s的居民评议"),
    )


@transaction.atomic
def survey_open(*, survey: Survey, acting_user: User) -> Survey:
    """Open for votes; the ballot is the community's active workers at this moment."""
    survey = lock_survey(survey)
    require_manager(acting_user, survey)
    if survey.cycle.status != CycleStatus.OPEN:
        raise ServiceError(_("考核结果已计算,不能再开启评议"))
    if survey.status != SurveyStatus.DRAFT:
        raise ServiceError(_("该评议已开启或已结束"))
    workers = list(
        Worker.objects.filter(community=survey.community, status=WorkerStatus.ACTIVE).order_by(
            "name_initials", "id"
        )
    )
    if not workers:
        raise ServiceError(_("%(unit)s没有在岗社区工作者") % {"unit": survey.community.name})
    if not survey.codes.filter(voided=False).exists():
        raise ServiceError(_("请先按住户名单生成评议码"))
    SurveyWorker.objects.bulk_create(
        SurveyWorker(survey=survey, worker=w, sort_order=i) for i, w in enumerate(workers)
    )
    before = snapshot(survey, ["status"])
    survey.status = SurveyStatus.OPEN
    survey.opened_at = timezone.now()
    survey.save(update_fields=["status", "opened_at"])
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.SURVEY_OPENED,
        target=survey,
        before=before,
        after={**snapshot(survey, ["status"]), "ballot": len(workers)},
    )
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, acting_user: User) -> Survey:
    """No more votes; every ballot still in the pool is filed into the ballot box."""
    survey = lock_survey(survey)
    require_manager(acting_user, survey)
    if survey.status != SurveyStatus.OPEN:
        raise ServiceError(_("只有评议中的评议可以结束"))
    before = snapshot(survey, ["status"])
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    file_pool(survey.pk, leave=0)
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.SURVEY_CLOSED,
        target=survey,
        before=before,
        after=snapshot(survey, ["status"]),
    )
    return survey
