from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from shegong.conftest import Personas, Tree
from shegong.people.tests.factories import register
from shegong.training.tests.factories import START, attend, enrol, make_course

pytestmark = pytest.mark.django_db


def _data(tree: Tree, personas: Personas) -> None:
    admin = personas.district_admin
    course = make_course(tree.district, admin)
    trained = register(tree.community_a1, admin, name="受训者")
    register(tree.community_b1, admin, name="未受训者")
    attend(course, START, enrol(course, [trained], admin), admin)


def test_report_training_json_has_the_figures_and_who_is_short(
    tree: Tree, personas: Personas
) -> None:
    _data(tree, personas)
    out = io.StringIO()
    call_command(
        "report",
        "training",
        "--unit",
        tree.district.code,
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert (data["sessions"], data["person_times"], data["people_trained"]) == (1, 1, 1)
    assert data["coverage"] == "50.0"
    assert [(s["name"], s["days_missing"]) for s in data["short"]] == [("未受训者", 1)]


def test_report_training_with_a_user_sees_only_their_scope(tree: Tree, personas: Personas) -> None:
    _data(tree, personas)
    with pytest.raises(CommandError, match="不在您的范围内"):
        call_command(
            "report",
            "training",
            "--unit",
            tree.street_a.code,
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
            "--user",
            personas.street_b_manager.username,
        )


def test_report_training_xlsx_reads_back(tree: Tree, personas: Personas, tmp_path: Path) -> None:
    _data(tree, personas)
    target = tmp_path / "t.xlsx"
    call_command(
        "report",
        "training",
        "--unit",
        tree.street_a.code,
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "xlsx",
        "--out",
        str(target),
        stderr=io.StringIO(),
    )
    book = openpyxl.load_workbook(target)
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["单位"] == "街道甲"
    assert summary["受训面(%)"] == pytest.approx(100.0)
