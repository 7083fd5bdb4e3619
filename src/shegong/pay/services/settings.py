"""Writes of what a pay office sets: grade schemes (from a preset), the pay policy, the
contribution rates and the average wage. Each is set on a unit and applies to the units
below it (selectors.in_force reads which applies where)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.pay.errors import MANAGE_PAY
from shegong.pay.events import PayEvent
from shegong.pay.models import (
    AverageWage,
    ContributionRates,
    GradeCell,
    GradeScheme,
    GradeTrack,
    PayPolicy,
)
from shegong.pay.presets import DEGREE_CREDITS, PRESETS

if TYPE_CHECKING:
    from shegong.core.models import User

SetOnUnit = TypeVar("SetOnUnit", ContributionRates, AverageWage, PayPolicy)


@transaction.atomic
def scheme_from_preset(
    *,
    preset: str,
    unit: Unit,
    effective_from: datetime.date,
    acting_user: User,
    name: str = "",
) -> GradeScheme:
    """Copy a preset (三级九档, 三岗十八级) into a scheme of `unit`, to be edited."""
    access.require(acting_user, Permission.EDIT, unit, message=str(MANAGE_PAY))
    chosen = PRESETS.get(preset)
    if chosen is None:
        raise ServiceError(_("没有这个方案模板"), field="preset")
    if GradeScheme.objects.filter(unit=unit, effective_from=effective_from).exists():
        raise ServiceError(
            _("%(unit)s在%(day)s已有生效的方案") % {"unit": unit.name, "day": effective_from},
            field="effective_from",
        )
    scheme = GradeScheme.objects.create(
        name=name or chosen.name,
        kind=chosen.kind,
        unit=unit,
        unit_path=unit.path,
        effective_from=effective_from,
        base_amount=chosen.base_amount,
        step_years=chosen.step_years,
        degree_credits=dict(DEGREE_CREDITS),
        steps_cross_levels=chosen.steps_cross_levels,
    )
    for order, t in enumerate(chosen.tracks):
        track = GradeTrack.objects.create(
            scheme=scheme,
            code=t.code,
            name=t.name,
            sort_order=order,
            post_codes=t.post_codes,
            post_pay=t.post_pay,
            entry_level=t.entry[0],
            entry_step=t.entry[1],
        )
        GradeCell.objects.bulk_create(
            GradeCell(
                track=track,
                level=level,
                step=step,
                amount=None if chosen.uses_coefficients else value,
                coefficient=value if chosen.uses_coefficients else None,
            )
            for (level, step), value in sorted(t.cells.items())
        )
    audit_record(
        acting_user=acting_user,
        action=PayEvent.SCHEME_CREATED,
        target=scheme,
        after=snapshot(scheme),
        note=_("由模板%(name)s建立") % {"name": chosen.name},
    )
    return scheme


def _upsert(
    model: type[SetOnUnit],
    *,
    unit: Unit,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    acting_user: User,
) -> SetOnUnit:
    access.require(acting_user, Permission.EDIT, unit, message=str(MANAGE_PAY))
    manager: models.Manager[SetOnUnit] = model._default_manager
    row = manager.filter(unit=unit, **key).first()
    before = snapshot(row) if row else None
    if row is None:
        row = model(unit=unit, unit_path=unit.path, **key)
    for name, value in values.items():
        setattr(row, name, value)
    row.unit_path = unit.path
    row.save()
    audit_record(
        acting_user=acting_user,
        action=PayEvent.SETTINGS_CHANGED,
        target=row,
        before=before,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def rates_set(
    *, unit: Unit, year: int, values: Mapping[str, Any], acting_user: User
) -> ContributionRates:
    if any(Decimal(str(v)) < 0 for v in values.values()):
        raise ServiceError(_("费率不能为负数"))
    return _upsert(
        ContributionRates, unit=unit, key={"year": year}, values=values, acting_user=acting_user
    )


@transaction.atomic
def average_wage_set(
    *,
    unit: Unit,
    year: int,
    amount: Decimal,
    benchmark_share: Decimal,
    acting_user: User,
) -> AverageWage:
    if amount <= 0:
        raise ServiceError(_("平均工资须大于零"), field="amount")
    if benchmark_share <= 0:
        raise ServiceError(_("待遇标准须大于零"), field="benchmark_share")
    return _upsert(
        AverageWage,
        unit=unit,
        key={"year": year},
        values={"amount": amount, "benchmark_share": benchmark_share},
        acting_user=acting_user,
    )


@transaction.atomic
def policy_set(
    *,
    unit: Unit,
    effective_from: datetime.date,
    values: Mapping[str, Any],
    acting_user: User,
) -> PayPolicy:
    share = Decimal(str(values.get("performance_share", "0.20")))
    if not Decimal(0) <= share < 1:
        raise ServiceError(_("绩效工资占比须在0到1之间"), field="performance_share")
    return _upsert(
        PayPolicy,
        unit=unit,
        key={"effective_from": effective_from},
        values=values,
        acting_user=acting_user,
    )
