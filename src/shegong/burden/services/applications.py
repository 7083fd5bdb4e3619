"""A department's applications and their decision.

Filing an item, ledger, signboard, form or inspection ahead with the lead time; the district's
decision, publication, and lapse when overdue.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.burden import rules
from shegong.burden.models import (
    AdmissionItem,
    Application,
    BurdenEvent,
    Department,
    ItemKind,
    Policy,
    Status,
)
from shegong.burden.services.common import (
    LAPSE_REASON,
    _date,
    _item_values,
    _text,
    calendar_exceptions,
    policy_of,
    today,
)
from shegong.burden.services.district import _require_district
from shegong.core.access import Permission, require
from shegong.core.audit import AuditRow, audit_record, audit_record_many, snapshot
from shegong.core.errors import ServiceError

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- applications


def _member_of(user: User, department: Department) -> bool:
    return department.members.filter(pk=user.pk).exists()


@transaction.atomic
def application_file(
    *,
    department: Department,
    values: Mapping[str, Any],
    acting_user: User,
    on: datetime.date | None = None,
) -> Application:
    """File an application; refused inside the district's lead time (working days)."""
    district = department.district
    refused = _("只有%(name)s的账号可以提交本部门的准入申请") % {"name": department.name}
    require(acting_user, Permission.FILE_APPLICATIONS, district, message=refused)
    if not _member_of(acting_user, department):
        raise ServiceError(refused)
    filed_on = on or today()
    clean = _application_values(values)
    policy = policy_of(district)
    exceptions = _check_lead(policy, filed_on, clean["starts_on"])
    application = Application.objects.create(
        department=department,
        filed_on=filed_on,
        due_on=rules.add_working_days(filed_on, policy.review_days, exceptions),
        filed_by=acting_user,
        status=Status.FILED,
        **clean,
    )
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_FILED,
        target=application,
        after=snapshot(application),
    )
    return application


def _application_values(values: Mapping[str, Any]) -> dict[str, Any]:
    clean = _item_values(values, [ItemKind.DUTY, ItemKind.ASSIST])
    clean["legal_basis"] = _text(values, "legal_basis", _("依据"), 200, required=True)
    clean["purpose"] = _text(values, "purpose", _("事由"), 500, required=False)
    clean["starts_on"] = _date(values, "starts_on", _("拟实施日期"))
    return clean


def _check_lead(
    policy: Policy, day: datetime.date, starts_on: datetime.date
) -> dict[datetime.date, bool]:
    """Refuse a start inside the district's lead time counted from `day` (working days);
    the calendar's exceptions over the span, for the deadline."""
    horizon = max(starts_on, day) + datetime.timedelta(days=4 * 366 // 3)
    exceptions = calendar_exceptions(day, horizon)
    lead = rules.working_days_between(day, starts_on, exceptions)
    if lead < policy.lead_days:
        earliest = rules.add_working_days(day, policy.lead_days, exceptions)
        raise ServiceError(
            _(
                "须在实施前至少%(days)d个工作日提出申请:拟实施日期距今仅%(lead)d个工作日,"
                "最早可定于%(earliest)s"
            )
            % {"days": policy.lead_days, "lead": lead, "earliest": f"{earliest:%Y-%m-%d}"},
            field="starts_on",
        )
    return exceptions


def _own_pending(application: Application, acting_user: User, day: datetime.date) -> Application:
    """The application locked, if the acting account files for its department and it still
    waits for the district's decision (not decided, withdrawn or lapsed)."""
    application = _locked(application)
    department = application.department
    refused = _("只有%(name)s的账号可以修改或撤回本部门的准入申请") % {"name": department.name}
    require(acting_user, Permission.FILE_APPLICATIONS, department.district, message=refused)
    if not _member_of(acting_user, department):
        raise ServiceError(refused)
    overdue = day > application.due_on and policy_of(department.district).lapse_overdue
    if application.status != Status.FILED or overdue:
        shown = Status.LAPSED if application.status == Status.FILED else application.status
        raise ServiceError(
            _("该申请已%(status)s,只有待审核的申请可以修改或撤回") % {"status": Status(shown).label}
        )
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    values: Mapping[str, Any],
    acting_user: User,
    on: datetime.date | None = None,
) -> Application:
    """The department corrects its own application while it waits: the lead time is counted
    again from the day of the change; the district's deadline stays as it was filed."""
    day = on or today()
    application = _own_pending(application, acting_user, day)
    clean = _application_values(values)
    _check_lead(policy_of(application.department.district), day, clean["starts_on"])
    before = snapshot(application)
    for name, value in clean.items():
        setattr(application, name, value)
    application.save()
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_EDITED,
        target=application,
        before=before,
        after=snapshot(application),
    )
    return application


@transaction.atomic
def application_withdraw(
    *, application: Application, acting_user: User, on: datetime.date | None = None
) -> Application:
    """The department takes back its own application before the district decides; it stays
    on record as withdrawn."""
    application = _own_pending(application, acting_user, on or today())
    before = snapshot(application)
    application.status = Status.WITHDRAWN
    application.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_WITHDRAWN,
        target=application,
        before=before,
        after=snapshot(application),
    )
    return application


def _locked(application: Application) -> Application:
    return (
        Application.objects.select_for_update()
        .select_related("department__district")
        .get(pk=application.pk)
    )


@transaction.atomic
def application_decide(
    *,
    application: Application,
    approve: bool,
    reason: str = "",
    acting_user: User,
    on: datetime.date | None = None,
) -> Application:
    """The district approves, or refuses with a reason, within its deadline."""
    application = _locked(application)
    district = application.department.district
    _require_district(district, acting_user)
    day = on or today()
    if application.status != Status.FILED:
        raise ServiceError(
            _("该申请已处理(%(status)s)") % {"status": application.get_status_display()}
        )
    if day > application.due_on and policy_of(district).lapse_overdue:
        raise ServiceError(
            _("该申请已超过批复期限(%(due)s),按本区规定已视为不予准入")
            % {"due": f"{application.due_on:%Y-%m-%d}"}
        )
    clean = _text({"reason": reason}, "reason", _("不予准入理由"), 300, required=not approve)
    before = snapshot(application)
    application.status = Status.APPROVED if approve else Status.REFUSED
    application.reason = "" if approve else clean
    application.decided_on = day
    application.decided_by = acting_user
    application.save()
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_APPROVED if approve else BurdenEvent.APPLICATION_REFUSED,
        target=application,
        before=before,
        after=snapshot(application),
    )
    return application


@transaction.atomic
def application_publish(
    *, application: Application, acting_user: User, on: datetime.date | None = None
) -> AdmissionItem:
    """An approved application becomes an item of the published list."""
    application = _locked(application)
    district = application.department.district
    _require_district(district, acting_user)
    if application.status != Status.APPROVED:
        raise ServiceError(_("只有已批准的申请可以公布"))
    if AdmissionItem.objects.filter(
        district=district, category=application.category, title=application.title
    ).exists():
        raise ServiceError(_("清单中已有同名事项"))
    item = AdmissionItem.objects.create(
        district=district,
        department=application.department,
        category=application.category,
        kind=application.kind,
        title=application.title,
        legal_basis=application.legal_basis,
        funded=application.funded,
        funding=application.funding,
        published_on=on or today(),
        application=application,
    )
    application.status = Status.PUBLISHED
    application.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_PUBLISHED,
        target=application,
        after=snapshot(item),
    )
    return item


@transaction.atomic
def applications_lapse(*, acting_user: User, on: datetime.date | None = None) -> int:
    """Turn every application left unanswered past its deadline into a refusal, where the
    district has set it so (`shegong burden lapse`, run daily)."""
    day = on or today()
    overdue = list(
        Application.objects.select_for_update()
        .select_related("department__district")
        .filter(status=Status.FILED, due_on__lt=day)
    )
    keep = {p.district_id for p in Policy.objects.filter(lapse_overdue=False)}
    lapsed = [a for a in overdue if a.department.district_id not in keep]
    for application in lapsed:
        application.status = Status.LAPSED
        application.decided_on = day
        application.reason = str(LAPSE_REASON)
    Application.objects.bulk_update(lapsed, ["status", "decided_on", "reason"])
    audit_record_many(
        acting_user=acting_user,
        action=BurdenEvent.APPLICATION_LAPSED,
        rows=[_lapse_row(a) for a in lapsed],
    )
    return len(lapsed)


def _lapse_row(application: Application) -> AuditRow:
    return AuditRow(
        target=application,
        after={"status": application.status, "due_on": f"{application.due_on:%Y-%m-%d}"},
        unit_path=application.department.district.path,
    )
