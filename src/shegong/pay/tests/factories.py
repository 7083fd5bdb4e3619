"""Builders for pay tests: the settings of a locality and workers ready to be paid."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal as D
from typing import Any, cast

from shegong.conftest import Tree
from shegong.core.actors import system_actor
from shegong.core.models import Membership, Role, User
from shegong.orgs.models import Unit
from shegong.pay import services
from shegong.pay.models import GradeScheme, PayLine, PayRun
from shegong.people import services as people_services
from shegong.people.models import InsuranceKind, Worker
from shegong.people.tests.factories import register

YEAR = 2025
ESSAY1_RATES: dict[str, Any] = {
    "pension_employer": D("0.20"),
    "pension_personal": D("0.08"),
    "medical_employer": D("0.09"),
    "medical_personal": D("0.02"),
    "unemployment_employer": D("0.02"),
    "unemployment_personal": D("0.01"),
    "injury_employer": D("0.005"),
    "maternity_employer": D("0.01"),
    "housing_fund_employer": D("0.10"),
    "housing_fund_personal": D("0.10"),
    "base_floor_share": D("0.60"),
    "base_ceiling_share": D("3.00"),
}


def pay_settings(
    unit: Unit,
    *,
    year: int = YEAR,
    preset: str = "3x3",
    average_wage: D = D("96000"),
    benchmark_share: D = D("1.00"),
    policy: dict[str, Any] | None = None,
) -> GradeScheme:
    """A scheme from a preset in force from 1 January, a policy, rates and the average wage,
    all set on `unit` by the console (the system actor)."""
    scheme = services.scheme_from_preset(
        preset=preset,
        unit=unit,
        effective_from=datetime.date(year, 1, 1),
        acting_user=system_actor(),
    )
    services.policy_set(
        unit=unit,
        effective_from=datetime.date(year, 1, 1),
        values={
            "performance_share": D("0.20"),
            "seniority_per_year": D("20"),
            "certificate_assistant": D("200"),
            "certificate_social_worker": D("400"),
            "certificate_senior": D("600"),
            "dual_role_allowance": D("500"),
            **(policy or {}),
        },
        acting_user=system_actor(),
    )
    services.rates_set(unit=unit, year=year, values=ESSAY1_RATES, acting_user=system_actor())
    services.average_wage_set(
        unit=unit,
        year=year,
        amount=average_wage,
        benchmark_share=benchmark_share,
        acting_user=system_actor(),
    )
    return scheme


def paid_worker(community: Unit, user: User, **overrides: Any) -> Worker:
    """A worker registered in 2020 (or on `entry_date`), enrolled in the five insurances and
    the housing fund."""
    overrides.setdefault("entry_date", datetime.date(2020, 1, 1))
    worker = register(community, user, **overrides)
    for kind in InsuranceKind.values:
        people_services.insurance_set(
            worker=worker,
            kind=kind,
            enrolled=True,
            date=datetime.date(2020, 1, 1),
            acting_user=user,
        )
    return worker


def second_admin(tree: Tree, username: str = "district_approver") -> User:
    """Another admin of the district: the third person a run needs (compute, review, approve)."""
    user = User.objects.create_user(username=username, password="x", first_name="审批人")
    Membership.objects.create(user=user, unit=tree.district, role=Role.ADMIN)
    return user


def approved_run(unit: Unit, user: User, period: datetime.date) -> PayRun:
    """A run computed by `user`, reviewed and approved by others (the console here: four eyes
    hold one person to one step, pay/services/runs._four_eyes)."""
    run = services.payrun_create(unit=unit, period=period, acting_user=user)
    run = services.payrun_check(run=run, acting_user=system_actor())
    return services.payrun_approve(run=run, acting_user=system_actor())


def street_a_pay(tree: Tree, user: User, worker: Worker) -> PayRun:
    """Settings on the district, `worker` placed, and an approved run of January for street A."""
    if not GradeScheme.objects.filter(unit=tree.district).exists():
        pay_settings(tree.district)
    services.grade_place(
        unit=tree.street_a, day=datetime.date(YEAR, 1, 1), acting_user=system_actor()
    )
    return approved_run(tree.street_a, user, datetime.date(YEAR, 1, 1))


@dataclass
class PayObjects:
    run: PayRun
    line: PayLine
    scheme: GradeScheme


def street_a_objects(o: Any) -> PayObjects:
    """Pay objects of street A for the scoping walk (built once per StreetAObjects): settings
    set on street A itself, its worker placed and paid for January, a background job."""
    cached = getattr(o, "_pay_objects", None)
    if cached is not None:
        return cast(PayObjects, cached)
    manager = o.personas.street_a_manager
    scheme = pay_settings(o.tree.street_a)
    for kind in InsuranceKind.values:
        people_services.insurance_set(
            worker=o.worker,
            kind=kind,
            enrolled=True,
            date=datetime.date(2021, 1, 1),
            acting_user=manager,
        )
    services.grade_place(
        unit=o.tree.street_a, day=datetime.date(YEAR, 1, 1), acting_user=system_actor()
    )
    run = approved_run(o.tree.street_a, manager, datetime.date(YEAR, 1, 1))
    made = PayObjects(run=run, line=run.lines.get(), scheme=scheme)
    o._pay_objects = made
    return made
