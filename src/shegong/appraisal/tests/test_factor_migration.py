"""Migration 0005 retires a scheme's own pay factors (pay's policy holds the one factor per
grade; pay never read the scheme's): a scheme whose factors differ from the defaults leaves
them in the audit trail on its unit, for the pay office to set deliberately; nothing is
moved into a pay policy."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("appraisal", "0004_households_on_record_and_code_requests"),
    ("core", "0006_department_role"),
]
AFTER = [("appraisal", "0005_pay_factors_set_once_in_pay")]


@pytest.mark.django_db(transaction=True)
def test_a_scheme_s_own_factors_are_kept_in_the_audit_trail_not_moved_into_pay() -> None:
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    units = old.get_model("orgs", "Unit")
    unit: Any = None
    path = ""
    for code, name, kind in (
        ("110100000000", "测试市", 1),
        ("110101000000", "测试区", 2),
        ("110101001000", "街道甲", 3),
    ):
        path += f"{code}/"
        unit = units.objects.create(code=code, name=name, kind=kind, parent=unit, path=path)
    schemes = old.get_model("appraisal", "Scheme")
    own = schemes.objects.create(
        unit=unit, unit_path=unit.path, year=2024, name="街道甲2024年度考核", pay_factor_a=D("1.50")
    )
    schemes.objects.create(unit=unit, unit_path=unit.path, year=2025, name="街道甲2025年度考核")
    MigrationExecutor(connection).migrate(AFTER)
    new = MigrationExecutor(connection).loader.project_state(AFTER).apps
    kept = list(new.get_model("core", "AuditEntry").objects.all())
    assert [(e.action, e.target_id, e.unit_path) for e in kept] == [
        ("appraisal.pay_factors_retired", str(own.pk), unit.path)
    ]
    assert kept[0].before == {
        "year": 2024,
        "grade_set": "standard",
        "pay_factor_a": "1.50",
        "pay_factor_b": "1.00",
        "pay_factor_c": "0.80",
        "pay_factor_d": "0.00",
    }
    MigrationExecutor(connection).migrate(leaves)
    from shegong.pay.models import PayPolicy

    assert not PayPolicy.objects.exists()
