"""The data migration that moves pay's own grades (PerformanceGrade) into the one yearly
grade record (people.YearlyGrade): every row arrives, marked as entered by a pay office."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("pay", "0001_initial"), ("people", "0004_prefix_indexes")]
AFTER = [("pay", "0003_grades_move_to_people")]


@pytest.mark.django_db(transaction=True)
def test_pay_s_grades_move_to_the_yearly_grade_record() -> None:
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
        ("110101001001", "甲一社区", 4),
    ):
        path += f"{code}/"
        unit = units.objects.create(code=code, name=name, kind=kind, parent=unit, path=path)
    worker = old.get_model("people", "Worker").objects.create(
        name="王芳",
        name_initials="wf",
        id_number="110101199003070011",
        gender="female",
        birth_date=datetime.date(1990, 3, 7),
        education="bachelor",
        source="hired",
        community=unit,
        unit_path=unit.path,
    )
    grades = old.get_model("pay", "PerformanceGrade")
    grades.objects.create(worker=worker, year=2024, grade="fail")
    grades.objects.create(worker=worker, year=2025, grade="good")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = MigrationExecutor(connection).loader.project_state(AFTER).apps
    moved = new.get_model("people", "YearlyGrade").objects.order_by("year")
    assert [(g.year, g.grade, g.source_label) for g in moved] == [
        (2024, "fail", "待遇录入"),
        (2025, "good", "待遇录入"),
    ]
    MigrationExecutor(connection).migrate(leaves)
