"""What a pay office sets, through the services the pages and the configuration file share:
each kind of setting valid, refused with its reason, a new version from a month (the months
before keep their values), its own kind of audit row, and refused to anyone but the pay
office (the unit's admin)."""

from __future__ import annotations

import datetime
from decimal import Decimal as D
from typing import Any

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.pay import config, services
from shegong.pay.errors import SettingsInvalid
from shegong.pay.events import PayEvent
from shegong.pay.models import (
    AverageWage,
    ContributionRates,
    GradeAssignment,
    GradeCell,
    GradeScheme,
    PayLine,
    PayPolicy,
)
from shegong.pay.selectors.in_force import settings_in_force
from shegong.pay.tests.factories import (
    ESSAY1_RATES,
    YEAR,
    approved_run,
    paid_worker,
    pay_settings,
)

JAN = datetime.date(YEAR, 1, 1)
JUL = datetime.date(YEAR, 7, 1)


@pytest.fixture
def settled(tree: Tree) -> Tree:
    pay_settings(tree.district)
    return tree


def _faults(exc: pytest.ExceptionInfo[SettingsInvalid]) -> dict[str, str]:
    return dict(exc.value.faults)


def _j(value: Any) -> dict[str, Any]:
    assert isinstance(value, dict)
    return value


def _events(kind: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=kind).order_by("id"))


# ---------------------------------------------------------------- rates


def test_new_rates_from_july_leave_january_to_june_as_they_were(
    settled: Tree, personas: Personas
) -> None:
    admin = personas.district_admin
    services.rates_set(
        unit=settled.district,
        effective_from=JUL,
        values={**ESSAY1_RATES, "pension_employer": D("0.16")},
        acting_user=admin,
    )
    path = settled.community_a1.path
    assert settings_in_force([path], JUL)[path].rates.pension_employer == D("0.16")  # type: ignore[union-attr]
    assert settings_in_force([path], JUL - datetime.timedelta(days=1))[
        path
    ].rates.pension_employer == D("0.20")  # type: ignore[union-attr]
    row = _events(PayEvent.RATES_SET)[-1]
    assert row.actor == admin and _j(row.after)["pension_employer"] == "0.1600"
    assert _j(row.after)["effective_from"] == "2025-07-01"
    assert row.target_repr == "测试区 社保公积金费率 2025-07-01起"


def test_it_refuses_rates_that_are_negative_whole_or_with_the_floor_above_the_ceiling(
    settled: Tree, personas: Personas
) -> None:
    bad = {
        **ESSAY1_RATES,
        "medical_personal": D("-0.02"),
        "injury_employer": D("1"),
        "base_floor_share": D("3.5"),
    }
    with pytest.raises(SettingsInvalid) as refused:
        services.rates_set(
            unit=settled.district,
            effective_from=JUL,
            values=bad,
            acting_user=personas.district_admin,
        )
    faults = _faults(refused)
    assert faults["medical_personal"] == "不能为负数"
    assert faults["injury_employer"] == "应小于 1"
    assert faults["base_floor_share"] == "下限不能高于上限"
    assert not ContributionRates.objects.filter(effective_from=JUL).exists()


def test_a_rates_version_starts_on_the_first_of_a_month(settled: Tree, personas: Personas) -> None:
    with pytest.raises(SettingsInvalid, match="生效日期应为某月1日"):
        services.rates_set(
            unit=settled.district,
            effective_from=datetime.date(YEAR, 7, 15),
            values=ESSAY1_RATES,
            acting_user=personas.district_admin,
        )


@pytest.mark.parametrize("who", ["street_a_manager", "community_a1_clerk", "street_b_manager"])
def test_only_the_pay_office_sets_rates(settled: Tree, personas: Personas, who: str) -> None:
    unit = settled.community_a1 if who == "community_a1_clerk" else settled.street_a
    with pytest.raises(ServiceError, match=r"只有.*的单位管理员"):
        services.rates_set(
            unit=unit, effective_from=JUL, values=ESSAY1_RATES, acting_user=getattr(personas, who)
        )
    assert not ContributionRates.objects.filter(effective_from=JUL).exists()
    assert not _events(PayEvent.RATES_SET)[1:]  # only the factory's own


# ---------------------------------------------------------------- average wage


def test_a_new_average_wage_is_a_version_of_its_year(settled: Tree, personas: Personas) -> None:
    admin = personas.district_admin
    services.average_wage_set(
        unit=settled.district,
        effective_from=JUL,
        amount=D("102000"),
        benchmark_share=D("1.00"),
        acting_user=admin,
    )
    path = settled.community_a1.path
    assert settings_in_force([path], JUL)[path].wage.amount == D("102000")  # type: ignore[union-attr]
    assert settings_in_force([path], JAN)[path].wage.amount == D("96000")  # type: ignore[union-attr]
    assert settings_in_force([path], datetime.date(YEAR + 1, 1, 1))[path].wage is None
    row = _events(PayEvent.WAGE_SET)[-1]
    assert (row.actor, row.before, _j(row.after)["amount"]) == (admin, None, "102000.00")


def test_it_refuses_an_average_wage_of_nothing(settled: Tree, personas: Personas) -> None:
    with pytest.raises(SettingsInvalid) as refused:
        services.average_wage_set(
            unit=settled.district,
            effective_from=JUL,
            amount=D("0"),
            benchmark_share=D("-1"),
            acting_user=personas.district_admin,
        )
    assert _faults(refused) == {"amount": "平均工资须大于零", "benchmark_share": "待遇标准须大于零"}
    assert AverageWage.objects.count() == 1


def test_a_clerk_cannot_set_the_average_wage(settled: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="单位管理员"):
        services.average_wage_set(
            unit=settled.community_a1,
            effective_from=JUL,
            amount=D("1"),
            benchmark_share=D("1"),
            acting_user=personas.community_a1_clerk,
        )


# ---------------------------------------------------------------- policy


def test_a_new_policy_keeps_what_it_does_not_change_and_leaves_earlier_months_alone(
    settled: Tree, personas: Personas
) -> None:
    admin = personas.district_admin
    services.policy_set(
        unit=settled.district,
        effective_from=JUL,
        values={"dual_role_allowance": D("800")},
        acting_user=admin,
    )
    july, january = (
        PayPolicy.objects.get(effective_from=JUL),
        PayPolicy.objects.get(effective_from=JAN),
    )
    assert (july.dual_role_allowance, january.dual_role_allowance) == (D("800"), D("500"))
    assert july.seniority_per_year == D("20") and july.factor_excellent == D("1.20")
    row = _events(PayEvent.POLICY_SET)[-1]
    assert row.before is None and _j(row.after)["dual_role_allowance"] == "800.00"
    # Changing it again writes over the same version, with what it was before.
    services.policy_set(
        unit=settled.district,
        effective_from=JUL,
        values={"dual_role_allowance": D("850")},
        acting_user=admin,
    )
    row = _events(PayEvent.POLICY_SET)[-1]
    assert (_j(row.before)["dual_role_allowance"], _j(row.after)["dual_role_allowance"]) == (
        "800.00",
        "850.00",
    )
    assert PayPolicy.objects.count() == 2


def test_it_refuses_a_performance_share_of_one_and_negative_allowances(
    settled: Tree, personas: Personas
) -> None:
    with pytest.raises(SettingsInvalid) as refused:
        services.policy_set(
            unit=settled.district,
            effective_from=JUL,
            values={"performance_share": D("1"), "certificate_senior": D("-600")},
            acting_user=personas.district_admin,
        )
    assert _faults(refused) == {"performance_share": "应小于 1", "certificate_senior": "不能为负数"}
    assert not PayPolicy.objects.filter(effective_from=JUL).exists()


def test_a_street_manager_cannot_set_the_policy(settled: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="单位管理员"):
        services.policy_set(
            unit=settled.street_a,
            effective_from=JUL,
            values={},
            acting_user=personas.street_a_manager,
        )


# ---------------------------------------------------------------- approved months


def test_an_approved_month_keeps_its_settings(settled: Tree, personas: Personas) -> None:
    admin, manager = personas.district_admin, personas.street_a_manager
    paid_worker(settled.community_a1, manager)
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    approved_run(settled.street_a, admin, JAN)
    with pytest.raises(ServiceError, match=r"2025-01的工资.*已审批"):
        services.rates_set(
            unit=settled.district,
            effective_from=JAN,
            values={**ESSAY1_RATES, "pension_employer": D("0.18")},
            acting_user=admin,
        )
    with pytest.raises(ServiceError, match="已审批"):
        services.policy_set(
            unit=settled.community_a1,
            effective_from=JAN,
            values={"dual_role_allowance": D("1")},
            acting_user=admin,
        )
    # From February on is free; the same values again change nothing and record nothing.
    services.rates_set(
        unit=settled.district,
        effective_from=datetime.date(YEAR, 2, 1),
        values=ESSAY1_RATES,
        acting_user=admin,
    )
    before = AuditEntry.objects.count()
    services.rates_set(unit=settled.district, year=YEAR, values=ESSAY1_RATES, acting_user=admin)
    assert AuditEntry.objects.count() == before


# ---------------------------------------------------------------- grade schemes


def _cell(scheme: GradeScheme, level: int, step: int) -> GradeCell:
    return GradeCell.objects.get(track__scheme=scheme, level=level, step=step)


def test_a_scheme_revised_from_july_pays_the_new_amount_from_july_only(
    settled: Tree, personas: Personas
) -> None:
    admin, manager = personas.district_admin, personas.street_a_manager
    worker = paid_worker(settled.community_a1, manager)
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=manager)
    old = GradeScheme.objects.get()
    placed = GradeAssignment.objects.get(worker=worker)
    track = placed.track
    new = services.scheme_revise(
        scheme=old,
        effective_from=JUL,
        post_pays={track.code: D("1600")},
        cells={(track.code, placed.level, placed.step): D("1900")},
        acting_user=admin,
    )
    assert _cell(new, placed.level, placed.step).amount == D("1900")
    assert _cell(old, placed.level, placed.step).amount == D("1840")
    moved = GradeAssignment.objects.get(worker=worker, end__isnull=True)
    assert (moved.scheme, moved.level, moved.step, moved.start) == (
        new,
        placed.level,
        placed.step,
        JUL,
    )
    june = services.payrun_create(
        unit=settled.street_a, period=datetime.date(YEAR, 6, 1), acting_user=manager
    )
    july = services.payrun_create(unit=settled.street_a, period=JUL, acting_user=manager)
    june_line, july_line = PayLine.objects.get(run=june), PayLine.objects.get(run=july)
    assert (june_line.post_pay, june_line.grade_pay) == (D("1500"), D("1840"))
    assert (july_line.post_pay, july_line.grade_pay) == (D("1600"), D("1900"))
    row = _events(PayEvent.SCHEME_REVISED)[-1]
    assert row.actor == admin and "1人的定级延续到新版本" in row.note
    post = f"{track.name} 岗位工资"
    assert (_j(row.before)[post], _j(row.after)[post]) == ("1500.00", "1600.00")
    cell = f"{track.name} {placed.level}级{placed.step}档"
    assert (_j(row.before)[cell], _j(row.after)[cell]) == ("1840.00", "1900.00")


def test_it_refuses_a_revision_with_a_negative_amount_or_not_later(
    settled: Tree, personas: Personas
) -> None:
    old = GradeScheme.objects.get()
    code = old.tracks.first().code  # type: ignore[union-attr]
    with pytest.raises(SettingsInvalid, match="不能为负数"):
        services.scheme_revise(
            scheme=old,
            effective_from=JUL,
            cells={(code, 1, 1): D("-1")},
            acting_user=personas.district_admin,
        )
    with pytest.raises(ServiceError, match="须晚于"):
        services.scheme_revise(scheme=old, effective_from=JAN, acting_user=personas.district_admin)
    assert GradeScheme.objects.count() == 1


def test_a_manager_cannot_revise_a_scheme(settled: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="单位管理员"):
        services.scheme_revise(
            scheme=GradeScheme.objects.get(),
            effective_from=JUL,
            acting_user=personas.street_a_manager,
        )


def test_the_file_and_the_services_refuse_with_the_same_rule(
    settled: Tree, personas: Personas
) -> None:
    data: dict[str, Any] = config.export_data(viewer=personas.district_admin)
    data["rates"][0]["employer"]["injury"] = "1.5"
    data["policies"][0]["performance_share"] = "1"
    data["schemes"][0]["name"] = "三级\x07九档"
    with pytest.raises(config.ConfigErrors) as refused:
        config.load(data=data, acting_user=personas.district_admin)
    assert "rates[0].employer.injury: 应小于 1" in refused.value.errors
    assert "policies[0].performance_share: 应小于 1" in refused.value.errors
    assert any(
        e.startswith("schemes[0].name: 方案名称含有不可见的控制字符") for e in refused.value.errors
    )
    data = config.export_data(viewer=personas.district_admin)
    data["rates"][0]["effective_from"] = f"{YEAR}-07-01"
    config.load(data=data, acting_user=personas.district_admin)
    assert ContributionRates.objects.filter(effective_from=JUL).exists()
    assert _events(PayEvent.RATES_SET)[-1].actor == personas.district_admin


def test_a_scheme_loaded_from_the_file_is_audited_as_a_scheme_set_with_its_cells(
    settled: Tree, personas: Personas
) -> None:
    data: dict[str, Any] = config.export_data(viewer=personas.district_admin)
    data["schemes"][0]["effective_from"] = f"{YEAR + 1}-01-01"
    data["schemes"][0]["tracks"][0]["cells"][0] = {"level": 1, "step": 1, "amount": "1650"}
    counts = config.load(data=data, acting_user=personas.district_admin)
    assert counts["schemes"] == 1
    new = GradeScheme.objects.get(effective_from=datetime.date(YEAR + 1, 1, 1))
    assert _cell(new, 1, 1).amount == D("1650")
    row = _events(PayEvent.SCHEME_SET)[-1]
    assert row.actor == personas.district_admin and row.before is None
    track = new.tracks.get()
    assert _j(row.after)[f"{track.name} 1级1档"] == "1650.00"
    assert _events(PayEvent.CONFIG_LOADED)[-1].actor == personas.district_admin


def test_the_file_is_refused_to_a_street_manager_as_the_page_is(
    settled: Tree, personas: Personas
) -> None:
    services.rates_set(
        unit=settled.street_a, year=YEAR, values=ESSAY1_RATES, acting_user=personas.district_admin
    )
    data: dict[str, Any] = config.export_data(viewer=personas.street_a_manager)
    data["rates"] = [r for r in data["rates"] if r["unit"] == settled.street_a.code]
    data["rates"][0]["employer"]["pension"] = "0.18"
    data["schemes"] = data["policies"] = data["average_wages"] = []
    with pytest.raises(config.ConfigErrors) as refused:
        config.load(data=data, acting_user=personas.street_a_manager)
    assert refused.value.errors == ["rates[0].unit: 您没有权限设置街道甲的待遇"]
    assert ContributionRates.objects.get(unit=settled.street_a).pension_employer == D("0.20")
