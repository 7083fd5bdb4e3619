"""A pay officer's week in a real browser (issue 14 items 1, 2 and 4): a new worker's missing
grade is fixed from the refused run's link and the first placement corrected; amounts read as
1,234,567.89; a run is computed, reviewed and approved by three people, the approval asking
first and showing what changes against last month."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.models import Membership, Role, User
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    page,
)
from shegong.core.tests.test_browser_daily import _log_out
from shegong.pay import services
from shegong.pay.models import GradeAssignment, PayRun, RunStatus
from shegong.pay.tests.factories import YEAR, approved_run, paid_worker, pay_settings
from shegong.pay.tests.test_money import FLOAT_NOISE, UNGROUPED

pytestmark = pytest.mark.browser

JAN = datetime.date(YEAR, 1, 1)
MONEY = re.compile(r"^-?\d{1,3}(,\d{3})*\.\d{2}$")


@pytest.fixture
def street_a_paid(tree: Tree, personas: Personas) -> Tree:
    """Pay settings on the district and three workers of street A placed from January."""
    pay_settings(tree.district)
    for name in ("甲一甲", "甲一乙", "甲一丙"):
        paid_worker(tree.community_a1, personas.street_a_manager, name=name)
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=personas.street_a_manager)
    return tree


def _compute(tab: Page, base: str, unit_code: str, month: str) -> None:
    tab.goto(f"{base}/pay/")
    tab.get_by_label("单位").select_option(unit_code)
    tab.get_by_label("月份").fill(month)
    tab.get_by_role("button", name="计算工资").click()


def test_a_manager_fixes_a_new_workers_grade_from_the_refused_run_and_corrects_it(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    street_a_paid: Tree,
    personas: Personas,
) -> None:
    tree = street_a_paid
    new = paid_worker(
        tree.community_a1,
        personas.community_a1_clerk,
        name="新来的",
        entry_date=datetime.date(YEAR, 11, 16),
    )
    base = live_server.url
    _submit_login(page, base, personas.street_a_manager.username, PASSWORD)
    _compute(page, base, tree.street_a.code, f"{YEAR}-11")
    expect(page.locator("#faults")).to_contain_text("新来的:未定级")
    expect(page.locator("#ungraded").get_by_role("link", name="新来的")).to_have_attribute(
        "href", f"/pay/workers/{new.pk}/"
    )
    page.locator("#place-link").click()
    expect(page.get_by_label("日期")).to_have_value(f"{YEAR}-11-01")
    expect(page.get_by_label("单位")).to_have_value(tree.street_a.code)
    expect(page.get_by_label("操作")).to_have_value("place")
    page.get_by_role("button", name="执行").click()
    expect(page.get_by_text("已为1人初次定级")).to_be_visible()
    assert GradeAssignment.objects.get(worker=new).start == datetime.date(YEAR, 11, 16)

    _compute(page, base, tree.street_a.code, f"{YEAR}-11")
    expect(page.get_by_text("共4人")).to_be_visible()

    page.goto(f"{base}/pay/workers/{new.pk}/")
    expect(page.get_by_role("cell", name=f"{YEAR}-11-16 –")).to_be_visible()
    track = page.get_by_label("岗位序列")  # pre-filled when there is one (core/forms.Form)
    track.select_option(track.locator("option:not([value=''])").first.get_attribute("value"))
    page.get_by_label("等级").fill("1")
    page.get_by_label("档次").fill("2")
    page.get_by_label("起始日期").fill(f"{YEAR}-11-16")
    page.get_by_label("原因").select_option(label="手工调整")
    page.get_by_label("理由").fill("按学历补定一档")
    page.get_by_role("button", name="保存").first.click()
    expect(page.get_by_text("已保存")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("更正初次定级"))).to_be_visible()
    assert GradeAssignment.objects.filter(worker=new).count() == 1
    assert GradeAssignment.objects.get(worker=new).step == 2


def test_an_admin_reads_every_amount_as_a_decimal_with_thousands_separators(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    street_a_paid: Tree,
    personas: Personas,
) -> None:
    tree = street_a_paid
    for month in range(1, 4):
        approved_run(tree.street_a, personas.street_a_manager, datetime.date(YEAR, month, 1))
    run = PayRun.objects.order_by("pk").last()
    assert run is not None
    base = live_server.url
    _submit_login(page, base, personas.district_admin.username, PASSWORD)
    page.goto(f"{base}/pay/runs/{run.pk}/")
    figures = page.locator(".figures dd").all_inner_texts()
    assert figures[0] == "3" and all(MONEY.match(f) for f in figures[1:]), figures
    for url in (f"/pay/runs/{run.pk}/", "/pay/", f"/pay/budget/?year={YEAR}"):
        page.goto(f"{base}{url}")
        cells = [t for t in page.locator("td.num, th.num").all_inner_texts() if "." in t]
        assert cells and all(MONEY.match(t) for t in cells), (url, cells[:5])
        text = page.locator("main").inner_text()
        assert not FLOAT_NOISE.findall(text) and not UNGROUPED.findall(text), url
    expect(page.locator("main")).to_contain_text(re.compile(r"\d{1,3},\d{3}\.\d{2}"))


def test_three_people_compute_review_and_approve_and_approval_shows_the_changes(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    street_a_paid: Tree,
    personas: Personas,
) -> None:
    tree = street_a_paid
    manager = personas.street_a_manager
    approved_run(tree.street_a, manager, JAN)
    paid_worker(tree.community_a1, manager, name="二月新人", entry_date=datetime.date(YEAR, 2, 3))
    services.grade_place(unit=tree.street_a, day=datetime.date(YEAR, 2, 1), acting_user=manager)
    reviewer = User.objects.create_user(
        username="street_a_reviewer", password=PASSWORD, first_name="复核员"
    )
    Membership.objects.create(user=reviewer, unit=tree.street_a, role=Role.MANAGER)
    base = live_server.url

    _submit_login(page, base, manager.username, PASSWORD)
    _compute(page, base, tree.street_a.code, f"{YEAR}-02")
    expect(page.get_by_text("共4人")).to_be_visible()
    run = PayRun.objects.get(period=datetime.date(YEAR, 2, 1))
    expect(page.locator("#approve-link")).to_have_count(0)
    expect(page.locator("#review-by-other")).to_have_text("您计算了本批次,须由另一人复核")
    expect(page.get_by_role("button", name="复核")).to_have_count(0)
    _log_out(page)

    _submit_login(page, base, reviewer.username, PASSWORD)
    page.goto(f"{base}/pay/runs/{run.pk}/")
    page.get_by_role("button", name="复核").click()
    expect(page.locator("li.success")).to_have_text("已复核")
    expect(page.locator("#approve-link")).to_have_count(0)  # a street does not approve
    _log_out(page)

    _submit_login(page, base, personas.district_admin.username, PASSWORD)
    page.goto(f"{base}/pay/runs/{run.pk}/")
    page.locator("#approve-link").click()
    expect(page.get_by_role("heading", name=re.compile("审批工资"))).to_be_visible()
    changes = page.locator("#changes")
    expect(changes.get_by_role("row", name=re.compile("人数"))).to_contain_text("3")
    expect(changes.get_by_role("row", name=re.compile("人数"))).to_contain_text("4")
    expect(changes.get_by_role("row", name=re.compile("应发"))).to_contain_text(
        re.compile(r"\d{1,3},\d{3}\.\d{2}")
    )
    expect(page.locator("#added")).to_contain_text("二月新人")
    assert PayRun.objects.get(pk=run.pk).status == RunStatus.CHECKED  # nothing yet
    page.get_by_role("button", name="确认审批并锁定").click()
    expect(page.get_by_text("已审批,该批次已锁定")).to_be_visible()
    approved = PayRun.objects.get(pk=run.pk)
    assert approved.status == RunStatus.APPROVED
    assert {approved.created_by_id, approved.checked_by_id, approved.approved_by_id} == {
        manager.pk,
        reviewer.pk,
        personas.district_admin.pk,
    }
