"""Writes of what a month's pay reads about one worker besides their grade: their appraisal
grade of a year and one-off awards or allowances."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.pay import rules
from shegong.pay.errors import MANAGE_PAY
from shegong.pay.events import PayEvent
from shegong.pay.models import AdjustmentKind, PayAdjustment
from shegong.people import services as people_services
from shegong.people.models import Worker, YearlyGrade

if TYPE_CHECKING:
    from shegong.core.models import User


@transaction.atomic
def performance_grade_set(
    *, worker: Worker, year: int, grade: str, acting_user: User
) -> YearlyGrade:
    """The grade of a year no appraisal recorded, entered by a pay office on the worker's pay
    page from a paper record (the one record is people's YearlyGrade; an appraisal's
    published grade is not overwritten here)."""
    access.require(acting_user, Permission.EDIT, worker.community, message=str(MANAGE_PAY))
    return people_services.yearly_grade_set(
        worker=worker, year=year, grade=grade, source_label=_("待遇录入"), acting_user=acting_user
    )


@transaction.atomic
def adjustment_add(
    *,
    worker: Worker,
    period: datetime.date,
    kind: str,
    amount: Decimal,
    note: str,
    acting_user: User,
) -> PayAdjustment:
    """A one-off award or allowance for one worker in one month; it is paid by the run of that
    month (or by a correction, when the month's run is already approved)."""
    access.require(acting_user, Permission.EDIT, worker.community, message=str(MANAGE_PAY))
    if kind not in AdjustmentKind.values:
        raise ServiceError(_("请选择类别"), field="kind")
    if amount <= 0:
        raise ServiceError(_("金额须大于零"), field="amount")
    if not note.strip():
        raise ServiceError(_("请写明发放事由"), field="note")
    row = PayAdjustment.objects.create(
        worker=worker,
        period=rules.first_of_month(period),
        kind=kind,
        amount=amount,
        note=note.strip(),
    )
    audit_record(
        acting_user=acting_user,
        action=PayEvent.ADJUSTMENT_ADDED,
        target=worker,
        unit_path=worker.unit_path,
        after=snapshot(row, ["period", "kind", "amount", "note"]),
    )
    return row
