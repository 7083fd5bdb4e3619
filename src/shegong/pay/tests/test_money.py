"""Money is a Decimal shown as 1,234,567.89 everywhere: the demo's pay pages and exports carry
no float noise and no amount without its thousands separators, and the workbooks hold numbers."""

from __future__ import annotations

import io
import re
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from shegong.conftest import client_for
from shegong.core.models import User
from shegong.core.money import XLSX_FORMAT, fen, money_text
from shegong.pay.models import PayRun, RunStatus

# 70539316.620000003, 63511.0200000000: a sum the database added as floats.
FLOAT_NOISE = re.compile(r"\d\.\d{2}0{3,}\d*|\d\.\d*0{4,}\d|\d\.\d{5,}")
# 63511.02 where 63,511.02 belongs (ids and dates have no two decimals).
UNGROUPED = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}(?!\d)")


def test_the_one_money_format_rounds_half_up_and_groups_thousands() -> None:
    assert money_text(D("70539316.620000003")) == "70,539,316.62"
    assert money_text(D("63511.0200000000")) == "63,511.02"
    assert money_text(D("-1234.565")) == "-1,234.57"
    assert money_text(0) == "0.00"
    assert (money_text(None), money_text("***")) == ("—", "***")
    assert fen(D("0.005")) == D("0.01")


def _scan(where: str, text: str) -> None:
    noise = FLOAT_NOISE.findall(text)
    assert not noise, f"{where}: float noise {noise[:5]}"
    bare = UNGROUPED.findall(text)
    assert not bare, f"{where}: amounts without thousands separators {bare[:5]}"


@pytest.mark.django_db
def test_the_demo_pay_pages_and_exports_show_money_as_decimals_with_separators(
    tmp_path: Path,
) -> None:
    call_command("demo", stdout=io.StringIO())
    admin = User.objects.get(username="kaifu_admin")
    client = client_for(admin)
    run = PayRun.objects.filter(unit__name="东风路街道", status=RunStatus.APPROVED).last()
    assert run is not None
    line = run.lines.select_related("worker").first()
    assert line is not None
    draft = PayRun.objects.get(status=RunStatus.DRAFT)
    pages = [
        reverse("pay:runs"),
        reverse("pay:run", kwargs={"pk": run.pk}),
        reverse("pay:run", kwargs={"pk": draft.pk}),
        reverse("pay:payslip", kwargs={"pk": line.pk}),
        reverse("pay:worker", kwargs={"pk": line.worker_id}),
        reverse("pay:schemes"),
        reverse("pay:benchmark") + "?year=2025",
        reverse("pay:equal-pay") + "?year=2025",
        reverse("pay:budget") + "?year=2025&raise_to=1.00&growth=0.1362",
        reverse("pay:budget") + "?year=2025",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        # The form fields echo what was typed (growth=0.1362): only the page's text counts.
        text = re.sub(r"<input[^>]*>", "", response.content.decode())
        _scan(url, text)
    budget = client.get(reverse("pay:budget") + "?year=2025").content.decode()
    assert re.search(r">\d{1,3}(,\d{3})+\.\d{2}<", budget)  # e.g. 70,539,316.62

    register = client.get(reverse("pay:run-register", kwargs={"pk": run.pk})).content
    sheet = openpyxl.load_workbook(io.BytesIO(register)).active
    assert sheet is not None
    money_cells = [
        c for row in sheet.iter_rows(min_row=3, min_col=7) for c in row if c.value is not None
    ]
    bad = [(c.coordinate, c.value) for c in money_cells if not isinstance(c.value, int | float)]
    assert money_cells and not bad
    assert {c.number_format for c in money_cells} == {XLSX_FORMAT}

    out = tmp_path / "pay.xlsx"
    call_command(
        "report", "pay", "--unit", run.unit.code, "--year", "2025", "--format", "xlsx",
        "--out", str(out), stderr=io.StringIO(),
    )  # fmt: skip
    report = openpyxl.load_workbook(out)["年度待遇"]
    totals = [c for c in report[report.max_row]][3:]
    assert all(isinstance(c.value, int | float) for c in totals)
    assert {c.number_format for c in totals} == {XLSX_FORMAT}
    docx_file = tmp_path / "pay.docx"
    call_command(
        "report", "pay", "--unit", run.unit.code, "--year", "2025", "--format", "docx",
        "--out", str(docx_file), stderr=io.StringIO(),
    )  # fmt: skip
    from docx import Document

    _scan("pay.docx", "\n".join(p.text for p in Document(str(docx_file)).paragraphs))
