"""Workers' names in the pay files are only text: a formula is a string cell in the register
and the yearly report, and a control character left in old data does not stop Excel or Word."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import openpyxl
from django.core.management import call_command

from shegong.conftest import Personas, Tree
from shegong.orgs.models import Unit
from shegong.pay import exports
from shegong.pay.tests.factories import YEAR, paid_worker, street_a_pay
from shegong.people.models import Worker

FORMULA = '=HYPERLINK("http://x","y")'


def _report(tree: Tree, fmt: str, tmp_path: Path) -> Path:
    out = tmp_path / f"pay.{fmt}"
    call_command(
        "report", "pay", "--unit", tree.district.code, "--year", str(YEAR),
        "--format", fmt, "--out", str(out), stderr=io.StringIO(),
    )  # fmt: skip
    return out


def test_a_formula_name_is_a_string_cell_in_the_register_and_the_report(
    tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    worker = paid_worker(tree.community_a1, personas.street_a_manager, name=FORMULA)
    run = street_a_pay(tree, personas.street_a_manager, worker)
    register = openpyxl.load_workbook(
        io.BytesIO(exports.register_xlsx(viewer=personas.district_admin, run=run))
    )["工资表"]
    assert (register["C3"].value, register["C3"].data_type) == (FORMULA, "s")
    report = openpyxl.load_workbook(_report(tree, "xlsx", tmp_path))["年度待遇"]
    assert (report["A3"].value, report["A3"].data_type) == (FORMULA, "s")


def test_a_control_character_left_in_a_name_does_not_stop_the_pay_files(
    tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    worker = paid_worker(tree.community_a1, personas.street_a_manager, name="苏州社工")
    run = street_a_pay(tree, personas.street_a_manager, worker)
    Worker.objects.filter(pk=worker.pk).update(name="苏州\x07社工")
    Unit.objects.filter(pk=tree.community_a1.pk).update(name="甲一\x1b社区")
    Unit.objects.filter(pk=tree.district.pk).update(name="测试\x02区")
    register = openpyxl.load_workbook(
        io.BytesIO(exports.register_xlsx(viewer=personas.district_admin, run=run))
    )["工资表"]
    assert [register["B3"].value, register["C3"].value] == ["甲一社区", "苏州社工"]
    report = openpyxl.load_workbook(_report(tree, "xlsx", tmp_path))["年度待遇"]
    assert [c.value for c in report[3]][:2] == ["苏州社工", "甲一社区"]
    word = docx.Document(str(_report(tree, "docx", tmp_path)))
    assert word.paragraphs[0].text.startswith("测试区")
