"""`shegong pay …` and `shegong report pay`, end to end: essay 1's three calibers come out of
twelve approved monthly runs computed from rates and bases."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from shegong.conftest import Personas, Tree
from shegong.core.actors import system_actor
from shegong.pay import rules, services
from shegong.pay.models import GradeAssignment, GradeCell, PayRun, RunStatus
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings
from shegong.people.models import PostType
from shegong.people.services import post_assign


def _essay1_district(tree: Tree, personas: Personas) -> None:
    """Rates of essay 1, an average wage of 36,000, and a worker whose fixed pay is 1,651.14 a
    month (performance pay makes it 20% of 2,063.93)."""
    pay_settings(
        tree.district,
        average_wage=D("36000"),
        policy={"seniority_per_year": D("0"), "certificate_assistant": D("0")},
    )
    worker = paid_worker(tree.community_a1, personas.street_a_manager, name="苏州社工")
    post_assign(
        worker=worker,
        post=PostType.objects.get(code="director"),
        start=datetime.date(2020, 1, 1),
        acting_user=personas.street_a_manager,
    )
    call_command("pay", "place", "--unit", tree.street_a.code, "--date", f"{YEAR}-01-01")
    a = GradeAssignment.objects.get(worker=worker)
    a.track.post_pay = D("1200.00")
    a.track.save()
    GradeCell.objects.filter(track=a.track, level=a.level, step=a.step).update(amount=D("451.14"))


def test_twelve_approved_runs_reproduce_essay_1s_three_calibers(
    tree: Tree, personas: Personas
) -> None:
    _essay1_district(tree, personas)
    for month in range(1, 13):
        call_command(
            "pay",
            "run",
            "--unit",
            tree.street_a.code,
            "--period",
            f"{YEAR}-{month:02d}",
            "--approve",
            stdout=io.StringIO(),
        )
    assert PayRun.objects.filter(status=RunStatus.APPROVED).count() == 12
    out = io.StringIO()
    call_command("report", "pay", "--unit", tree.district.code, "--year", str(YEAR), stdout=out)
    data = json.loads(out.getvalue())
    (worker,) = data["workers"]
    assert worker["months"] == 12
    assert worker["gross"] == "24767.16"
    assert worker["employer_contributions"] == "10526.04"
    assert worker["personal_contributions"] == "5201.04"
    assert worker["income_tax"] == "0.00"
    # Essay 1: 35,293 with everything, 24,767 without the employer's part, 19,566 in hand.
    assert rules.yuan(D(worker["total_cost"])) == D("35293")
    assert rules.yuan(D(worker["gross"])) == D("24767")
    assert rules.yuan(D(worker["net"])) == D("19566")
    net = next(f for f in data["benchmark_findings"] if f["caliber"] == "net")
    assert [w["name"] for w in net["workers_below"]] == ["苏州社工"]
    # The one director earns less than the 36,000 average wage under every caliber.
    assert (net["leaders"], net["leaders_at_average_wage"], net["leaders_share"]) == (1, 0, "0.0")


def test_a_run_with_a_worker_without_a_grade_prints_every_fault_and_writes_nothing(
    tree: Tree, personas: Personas
) -> None:
    pay_settings(tree.district)
    paid_worker(tree.community_a1, personas.street_a_manager, name="无等级者")
    err = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command(
            "pay", "run", "--unit", tree.street_a.code, "--period", f"{YEAR}-03", stderr=err
        )
    assert "无等级者:未定级" in err.getvalue()
    assert not PayRun.objects.exists()


def test_the_report_as_excel_and_word_and_the_config_file_round_trip(
    tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    _essay1_district(tree, personas)
    run = services.payrun_create(
        unit=tree.street_a, period=datetime.date(YEAR, 1, 1), acting_user=system_actor()
    )
    services.payrun_approve(
        run=services.payrun_check(run=run, acting_user=system_actor()), acting_user=system_actor()
    )
    xlsx = tmp_path / "pay.xlsx"
    call_command(
        "report",
        "pay",
        "--unit",
        tree.district.code,
        "--year",
        str(YEAR),
        "--format",
        "xlsx",
        "--out",
        str(xlsx),
        stderr=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(xlsx)["年度待遇"]
    assert [c.value for c in sheet[3]][:2] == ["苏州社工", "甲一社区"]
    docx = tmp_path / "pay.docx"
    call_command(
        "report",
        "pay",
        "--unit",
        tree.district.code,
        "--year",
        str(YEAR),
        "--format",
        "docx",
        "--out",
        str(docx),
        stderr=io.StringIO(),
    )
    from docx import Document

    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "实发 1,630.51 元" in text
    conf = tmp_path / "pay.yaml"
    call_command("pay", "config", "export", str(conf), stdout=io.StringIO())
    assert "451.14" in conf.read_text(encoding="utf-8")
    call_command("pay", "config", "load", str(conf), stdout=io.StringIO())  # unchanged: fine
    # January is approved: the version it was paid with is not changed behind its back.
    conf.write_text(conf.read_text(encoding="utf-8").replace("451.14", "500"), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="配置文件有 1 处错误"):
        call_command("pay", "config", "load", str(conf), stdout=io.StringIO(), stderr=err)
    assert "schemes[0]: 2025-01的工资" in err.getvalue() and "已审批" in err.getvalue()
    assert not GradeCell.objects.filter(amount=D("500")).exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\naverage_wages:\n  - {unit: '999', year: 2025}\n", "utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="配置文件有 3 处错误"):
        call_command("pay", "config", "load", str(bad), stderr=err)
    assert "average_wages[0].unit: 单位代码 999 不存在" in err.getvalue()
