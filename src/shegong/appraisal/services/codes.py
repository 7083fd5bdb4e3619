"""Household codes: made and returned once (only a keyed hash is kept), a first code per
household on record before the survey opens, anything later a request a second person approves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.appraisal.models import (
    AppraisalEvent,
    CodeRequest,
    CodeRequestStatus,
    Household,
    HouseholdCode,
    Survey,
    SurveyStatus,
)
from shegong.appraisal.services.code_hash import hash_code, new_code
from shegong.appraisal.services.households import on_record, unique_names
from shegong.appraisal.services.surveys import lock_survey, require_manager
from shegong.core.access import Permission, require
from shegong.core.audit import audit_record
from shegong.core.errors import ServiceError

if TYPE_CHECKING:
    from shegong.core.models import User


@dataclass(frozen=True)
class IssuedCode:
    household: str
    category: str
    code: str


@dataclass(frozen=True)
class CodeIssue:
    issued: list[IssuedCode]
    voided: int


def _issue(survey: Survey, households: list[Household]) -> list[IssuedCode]:
    issued = [
        IssuedCode(household=h.label, category=h.category, code=new_code()) for h in households
    ]
    HouseholdCode.objects.bulk_create(
        HouseholdCode(
            survey=survey,
            code_hash=hash_code(i.code),
            household_record=h,
            household=h.label,
            category=h.category,
        )
        for i, h in zip(issued, households, strict=True)
    )
    return issued


def _refuse_voted(survey: Survey, households: list[Household]) -> None:
    voted = sorted(
        survey.codes.filter(household_record__in=households, spent=True).values_list(
            "household", flat=True
        )
    )
    if voted:
        raise ServiceError(
            _("以下住户已投票,不能补发:%(names)s") % {"names": "、".join(voted[:5])},
            field="households",
        )


@transaction.atomic
def codes_issue(
    *, survey: Survey, households: Iterable[str] | None = None, acting_user: User
) -> list[IssuedCode]:
    """A first code for households on record, before the survey opens: the named ones, or
    (None) every household on record that holds no code yet. The codes are returned once, to
    be printed; only their hashes are kept. Anything else — codes after the survey opened, a
    new code for a household that holds one — is a request another person approves."""
    survey = lock_survey(survey)
    require_manager(acting_user, survey)
    if survey.status != SurveyStatus.DRAFT:
        raise ServiceError(_("评议已开启,补发评议码须提交申请,由另一位有权限的人员审批"))
    names = None if households is None else unique_names(households)
    chosen = on_record(survey, names)
    holding = set(
        survey.codes.filter(household_record__in=chosen, voided=False).values_list(
            "household", flat=True
        )
    )
    if names is None:
        chosen = [h for h in chosen if h.label not in holding]
    elif holding:
        raise ServiceError(
            _("以下住户已有评议码,重新发放须提交申请,由另一位有权限的人员审批:%(names)s")
            % {"names": "、".join(sorted(holding)[:5])},
            field="households",
        )
    if not chosen:
        raise ServiceError(_("住户名册上没有尚未领码的住户"), field="households")
    issued = _issue(survey, chosen)
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.CODES_ISSUED,
        target=survey,
        after={"codes_issued": len(issued), "codes_voided": 0},
    )
    return issued


@transaction.atomic
def code_request_create(
    *, survey: Survey, households: Iterable[str], acting_user: User
) -> CodeRequest:
    """Ask for codes for the named households on record: after the survey opened, or again
    for households whose code was lost. Nothing is issued or voided until another person
    approves (`code_request_approve`)."""
    survey = lock_survey(survey)
    require_manager(acting_user, survey)
    if survey.status == SurveyStatus.CLOSED:
        raise ServiceError(_("评议已结束,不能再发放评议码"))
    names = unique_names(households)
    if not names:
        raise ServiceError(_("请填写需要补发评议码的住户,每行一户"), field="households")
    chosen = on_record(survey, names)
    _refuse_voted(survey, chosen)
    holding = survey.codes.filter(household_record__in=chosen, voided=False).count()
    request = CodeRequest.objects.create(
        survey=survey, unit_path=survey.unit_path, count=len(chosen), requested_by=acting_user
    )
    request.households.set(chosen)
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.CODES_REQUESTED,
        target=request,
        after={"households": len(chosen), "holding_codes": holding, "status": request.status},
    )
    return request


@transaction.atomic
def code_request_approve(*, code_request: CodeRequest, acting_user: User) -> CodeIssue:
    """The second person's approval: the unspent codes of the named households (and only
    theirs) are voided and new ones issued. Returns the codes, once, and how many were voided."""
    code_request = CodeRequest.objects.select_for_update().get(pk=code_request.pk)
    survey = lock_survey(code_request.survey)
    require(
        acting_user,
        Permission.EDIT,
        survey.community,
        message=_("您没有权限审批%(unit)s的评议码申请"),
    )
    if code_request.status != CodeRequestStatus.PENDING:
        raise ServiceError(_("该申请已审批"))
    if code_request.requested_by_id == acting_user.pk:
        raise ServiceError(_("申请人不能审批自己的申请,请由另一位有权限的人员审批"))
    if survey.status == SurveyStatus.CLOSED:
        raise ServiceError(_("评议已结束,不能再发放评议码"))
    chosen = list(code_request.households.order_by("label"))
    _refuse_voted(survey, chosen)
    voided = survey.codes.filter(household_record__in=chosen, voided=False, spent=False).update(
        voided=True
    )
    issued = _issue(survey, chosen)
    code_request.status = CodeRequestStatus.APPROVED
    code_request.approved_by = acting_user
    code_request.approved_at = timezone.now()
    code_request.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.CODE_REQUEST_APPROVED,
        target=code_request,
        before={"status": CodeRequestStatus.PENDING},
        after={
            "status": code_request.status,
            "requested_by": code_request.requested_by_id,
            "codes_issued": len(issued),
            "codes_voided": voided,
        },
    )
    return CodeIssue(issued=issued, voided=voided)
