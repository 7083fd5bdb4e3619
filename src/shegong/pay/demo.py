"""The demo district's pay: 三岗十八级 from 1 January of last year, 长沙-like contribution
rates, average wages with the benchmark share (85% the year before, 100% from last year),
the grades of the year before last (from paper records), everyone placed, a year of approved
monthly runs per street and (build_draft, after the first street's appraisal of last year is
published) a draft for January of this year there, so every pay page shows something.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal as D

from shegong.core.actors import system_actor
from shegong.orgs.demo import DemoTree
from shegong.pay import services
from shegong.pay.models import AdjustmentKind, GradeScheme, PayAdjustment
from shegong.people.models import Worker, YearGrade, YearlyGrade

RATES = {
    "pension_employer": D("0.16"),
    "pension_personal": D("0.08"),
    "medical_employer": D("0.08"),
    "medical_personal": D("0.02"),
    "unemployment_employer": D("0.007"),
    "unemployment_personal": D("0.003"),
    "injury_employer": D("0.004"),
    "maternity_employer": D("0.007"),
    "housing_fund_employer": D("0.08"),
    "housing_fund_personal": D("0.08"),
    "base_floor_share": D("0.60"),
    "base_ceiling_share": D("3.00"),
}
# 长沙-like average wages (元/年) and the benchmark share of each year.
WAGES = {
    2024: (D("98000"), D("0.85")),
    2025: (D("103000"), D("1.00")),
    2026: (D("108000"), D("1.00")),
}


def build_pay(rng: random.Random, tree: DemoTree, as_of: datetime.date) -> int:
    """Returns how many runs were written."""
    year = as_of.year - 1
    start = datetime.date(year, 1, 1)
    district = tree.district
    scheme = services.scheme_from_preset(
        preset="3x18", unit=district, effective_from=start, acting_user=system_actor()
    )
    # The district's own amounts (a bureau edits the copied preset the same way, in the
    # configuration file).
    GradeScheme.objects.filter(pk=scheme.pk).update(base_amount=D("2600.00"))
    for code, post_pay in (("chief", D("3000.00")), ("deputy", D("1500.00"))):
        scheme.tracks.filter(code=code).update(post_pay=post_pay)
    services.policy_set(
        unit=district,
        effective_from=start,
        values={
            "performance_share": D("0.20"),
            "seniority_per_year": D("30"),
            "certificate_assistant": D("200"),
            "certificate_social_worker": D("400"),
            "certificate_senior": D("600"),
            "dual_role_allowance": D("500"),
        },
        acting_user=system_actor(),
    )
    for y, (amount, share) in WAGES.items():
        services.rates_set(unit=district, year=y, values=RATES, acting_user=system_actor())
        services.average_wage_set(
            unit=district, year=y, amount=amount, benchmark_share=share, acting_user=system_actor()
        )
    ids = list(
        Worker.objects.filter(unit_path__startswith=district.path).values_list("pk", flat=True)
    )
    grades = [YearGrade.EXCELLENT] * 15 + [YearGrade.GOOD] * 35 + [YearGrade.PASS] * 47
    grades += [YearGrade.FAIL] * 3
    source = f"{year - 1}年度考核(纸质记录录入)"
    YearlyGrade.objects.bulk_create(
        YearlyGrade(worker_id=pk, year=year - 1, grade=rng.choice(grades), source_label=source)
        for pk in ids
    )
    services.grade_place(unit=district, day=start, acting_user=system_actor())
    december = datetime.date(year, 12, 1)
    PayAdjustment.objects.bulk_create(
        PayAdjustment(
            worker_id=pk,
            period=december,
            kind=AdjustmentKind.AWARD,
            amount=D("2000"),
            note="年度考核优秀奖励",
        )
        for pk in YearlyGrade.objects.filter(year=year - 1, grade=YearGrade.EXCELLENT).values_list(
            "worker_id", flat=True
        )
    )
    runs = 0
    for month in range(1, 13):
        for street in tree.streets:
            run = services.payrun_create(
                unit=street, period=datetime.date(year, month, 1), acting_user=system_actor()
            )
            services.payrun_approve(
                run=services.payrun_check(run=run, acting_user=system_actor()),
                acting_user=system_actor(),
            )
            runs += 1
    return runs


def build_draft(tree: DemoTree, as_of: datetime.date) -> None:
    """A draft for January of this year in the first street, computed once the appraisal of
    last year is published (its lines carry the grades from it)."""
    services.payrun_create(
        unit=tree.streets[0], period=datetime.date(as_of.year, 1, 1), acting_user=system_actor()
    )
