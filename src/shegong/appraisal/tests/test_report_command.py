"""`shegong report appraisal`: JSON, Excel and Word, read back as a person would."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import openpyxl
import pytest
from django.core.management import CommandError, call_command

from shegong.appraisal.models import Result
from shegong.appraisal.tests.factories import published, street_a_cycle
from shegong.conftest import Personas, Tree


def test_json_lists_workers_with_score_and_grade_and_counts_per_grade(
    tree: Tree, personas: Personas
) -> None:
    setup = published(street_a_cycle(tree, personas))
    out = io.StringIO()
    call_command("report", "appraisal", "--unit", tree.street_a.code, "--year", "2025", stdout=out)
    data = json.loads(out.getvalue())
    stored = {r.worker_id: r for r in Result.objects.filter(cycle=setup.cycle)}
    assert {w["id"] for w in data["workers"]} == set(stored)
    for w in data["workers"]:
        assert w["score"] == str(stored[w["id"]].score)
        assert w["grade"] in {"优秀", "良好", "合格", "不合格"}
    assert [g["grade"] for g in data["grades"]] == ["优秀", "良好", "合格", "不合格"]
    assert sum(g["count"] for g in data["grades"]) == 3


def test_xlsx_and_docx_files_hold_the_results(
    tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    setup = published(street_a_cycle(tree, personas))
    xlsx = tmp_path / "a.xlsx"
    word = tmp_path / "a.docx"
    args = ["report", "appraisal", "--unit", tree.street_a.code, "--year", "2025"]
    call_command(*args, "--format", "xlsx", "--out", str(xlsx), stderr=io.StringIO())
    call_command(*args, "--format", "docx", "--out", str(word), stderr=io.StringIO())
    sheet = openpyxl.load_workbook(xlsx)["考核结果"]
    assert sheet["A1"].value == "街道甲2025年度社区工作者考核结果"
    names = {row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert names == {w.name for w in setup.workers}
    text = "\n".join(p.text for p in docx.Document(str(word)).paragraphs)
    assert "参加考核3人" in text
    cells = {c.text for t in docx.Document(str(word)).tables for r in t.rows for c in r.cells}
    assert {w.name for w in setup.workers} <= cells


def test_a_user_out_of_scope_gets_no_report(tree: Tree, personas: Personas) -> None:
    published(street_a_cycle(tree, personas))
    with pytest.raises(CommandError, match="不在您的范围内"):
        call_command(
            "report",
            "appraisal",
            "--unit",
            tree.street_a.code,
            "--year",
            "2025",
            "--user",
            personas.street_b_manager.username,
            stdout=io.StringIO(),
        )
