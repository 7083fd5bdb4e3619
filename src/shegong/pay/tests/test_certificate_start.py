"""When a certificate's monthly allowance starts: in the month of issue by default, the
month after or N months after as the district's pay policy says."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.actors import system_actor
from shegong.core.errors import ServiceError
from shegong.pay import rules, services
from shegong.pay.models import PayLine, PayPolicy
from shegong.pay.tests.test_awards import FEB, JAN, MAR, _passed, _street_a


def test_the_allowance_starts_the_given_number_of_months_after_issue() -> None:
    issued = datetime.date(2025, 1, 10)
    assert rules.allowance_started(issued, datetime.date(2025, 1, 1), 0)
    assert not rules.allowance_started(issued, datetime.date(2025, 1, 1), 1)
    assert rules.allowance_started(issued, datetime.date(2025, 2, 1), 1)
    assert not rules.allowance_started(issued, datetime.date(2025, 3, 1), 3)
    assert rules.allowance_started(issued, datetime.date(2026, 4, 1), 3)


def _allowance(tree: Tree, personas: Personas, month: datetime.date, worker_pk: int) -> D:
    run = services.payrun_create(
        unit=tree.street_a, period=month, acting_user=personas.street_a_manager
    )
    amount: D = PayLine.objects.get(run=run, worker_id=worker_pk).certificate_allowance
    return amount


def test_the_allowance_waits_for_the_month_the_policy_says(tree: Tree, personas: Personas) -> None:
    wang = _street_a(tree, personas)
    assert PayPolicy.objects.get().certificate_start_months == 0  # the month of issue
    services.policy_set(
        unit=tree.district,
        effective_from=JAN,
        values={"certificate_start_months": 2},
        acting_user=system_actor(),
    )
    _passed(wang, personas.street_a_manager)  # 助理社会工作师, issued 10 January
    paid = [_allowance(tree, personas, m, wang.pk) for m in (JAN, FEB, MAR)]
    assert paid == [D("0"), D("0"), D("200")]


def test_the_policy_refuses_a_start_beyond_two_years(tree: Tree, personas: Personas) -> None:
    _street_a(tree, personas)
    with pytest.raises(ServiceError):
        services.policy_set(
            unit=tree.district,
            effective_from=JAN,
            values={"certificate_start_months": 25},
            acting_user=system_actor(),
        )
    assert PayPolicy.objects.get().certificate_start_months == 0
