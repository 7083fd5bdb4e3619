"""`shegong report annual` end to end."""

from __future__ import annotations

import io
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shegong.annual.tests.conftest import Essay5
from shegong.conftest import Personas


def test_json_on_stdout_with_every_chapter(essay5: Essay5) -> None:
    out = io.StringIO()
    call_command(
        "report",
        "annual",
        "--unit",
        essay5.tree.street_a.code,
        "--year",
        "2024",
        "--as-of",
        "2024-12-31",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert list(data["chapters"]) == [
        "basic", "pay", "training", "appraisal", "burden", "resources"
    ]  # fmt: skip
    assert data["absent_chapters"] == []
    workforce = data["chapters"]["basic"]["figures"]["workforce"]
    assert workforce["total"] == 651
    assert sum(D(r["share"]) for r in workforce["breakdowns"]["age"]) == D("100.0")


def test_a_file_in_each_format_and_the_users_scope(
    essay5: Essay5, personas: Personas, tmp_path: Path
) -> None:
    for fmt in ("docx", "pdf", "xlsx"):
        out = tmp_path / f"a.{fmt}"
        call_command(
            "report",
            "annual",
            "--unit",
            essay5.tree.street_a.code,
            "--year",
            "2024",
            "--format",
            fmt,
            "--out",
            str(out),
            "--user",
            "street_a_manager",
            stderr=io.StringIO(),
        )
        assert out.stat().st_size > 1000
    with pytest.raises(CommandError, match="不在您的范围内"):
        call_command(
            "report",
            "annual",
            "--unit",
            essay5.tree.street_a.code,
            "--year",
            "2024",
            "--user",
            "street_b_manager",
        )
