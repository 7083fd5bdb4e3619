"""A worker's page is their whole record: grade of each year with its source, grade positions
and pay by month, training days and awards, appraisal results and standing; the same record in
the API, masked alike."""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import User
from shegong.pay.tests.factories import approved_run
from shegong.pay.tests.test_appraisal_handoff import JAN_2026, appraised
from shegong.people import record
from shegong.training.tests import factories as training


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_every_area_registers_its_part_of_the_record() -> None:
    assert record.section_keys() == [
        "people.grades",
        "pay.grades",
        "pay.lines",
        "training.days",
        "training.awards",
        "appraisal.results",
        "people.standing",
    ]


def test_the_worker_page_shows_the_whole_record_with_links(tree: Tree, personas: Personas) -> None:
    a = appraised(tree, personas)
    manager = personas.street_a_manager
    run = approved_run(tree.street_a, manager, JAN_2026)
    award = training.street_a_award(SimpleNamespace(worker=a.qian, personas=personas))
    name = a.setup.cycle.scheme.name
    page = client_for(manager).get(reverse("people:detail", kwargs={"pk": a.qian.pk}))
    html = page.content.decode()
    for title in (
        "年度考核等次",
        "等级档次",
        "工资(近12个月)",
        "培训天数",
        "一次性奖励",
        "年度考核结果",
    ):
        assert title in html, title
    assert name in html and "不合格" in html and "诫勉提醒" in html  # grade, source, standing
    line = run.lines.get(worker=a.qian)
    assert f"{line.gross:,.2f}" in html  # the manager sees amounts
    assert f"{award.amount:,.2f}" in html and "未发放" in html
    assert reverse("appraisal:results", kwargs={"pk": a.setup.cycle.pk}) in html
    assert reverse("pay:payslip", kwargs={"pk": line.pk}) in html
    assert reverse("pay:worker", kwargs={"pk": a.qian.pk}) in html
    assert reverse("training:worker", kwargs={"pk": a.qian.pk}) in html
    # A clerk sees the same record with every amount masked.
    clerk = client_for(personas.community_a1_clerk)
    masked = clerk.get(reverse("people:detail", kwargs={"pk": a.qian.pk})).content.decode()
    assert "工资(近12个月)" in masked and f"{line.gross:,.2f}" not in masked
    assert f"{award.amount:,.2f}" not in masked and "***" in masked


def test_the_api_serves_the_same_record_masked_alike(tree: Tree, personas: Personas) -> None:
    a = appraised(tree, personas)
    run = approved_run(tree.street_a, personas.street_a_manager, JAN_2026)
    line = run.lines.get(worker=a.qian)
    url = f"/api/workers/{a.qian.pk}/record/"
    data = _api(personas.street_a_manager).get(url).json()
    sections = {s["key"]: s for s in data["sections"]}
    assert data["name"] == "钱进"
    grades = sections["people.grades"]["rows"]
    assert grades[0]["cells"] == ["2025", "不合格", a.setup.cycle.scheme.name]
    pay_row = sections["pay.lines"]["rows"][0]
    assert pay_row["cells"][0] == "2026-01" and pay_row["cells"][4] == f"{line.gross:,.2f}"
    results = sections["appraisal.results"]["rows"][0]
    assert results["cells"][0] == "2025" and results["cells"][5] == "诫勉提醒"
    training.street_a_award(SimpleNamespace(worker=a.qian, personas=personas))
    clerk = _api(personas.community_a1_clerk).get(url).json()
    clerk_sections = {s["key"]: s for s in clerk["sections"]}
    assert clerk_sections["training.awards"]["rows"][0]["cells"][1] == "***"
    # The clerk sees the rows of the street's run for their community's worker, masked.
    clerk_pay = clerk_sections["pay.lines"]["rows"]
    assert clerk_pay and all(r["cells"][4] == "***" for r in clerk_pay)
    assert _api(personas.street_b_manager).get(url).status_code == 404
