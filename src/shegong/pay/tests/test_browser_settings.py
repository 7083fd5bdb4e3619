"""The pay office in a real browser (issue 14 item 3): the pay officer sets new contribution
rates from the month after the last approved one, on the page, and sees them used in the next
run but not in the approved one."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.actors import system_actor
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    page,
)
from shegong.pay import services
from shegong.pay.models import ContributionRates, PayRun
from shegong.pay.tests.factories import YEAR, approved_run, paid_worker, pay_settings

pytestmark = pytest.mark.browser

JAN = datetime.date(YEAR, 1, 1)


def _personal_contributions(tab: Page) -> str:
    return tab.locator("dl.figures div", has_text="个人缴纳").locator("dd").inner_text()


def test_the_pay_officer_raises_a_rate_from_next_month_and_only_the_next_run_uses_it(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    pay_settings(tree.district)
    paid_worker(tree.community_a1, personas.street_a_manager, name="费率调整者")
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    january = approved_run(tree.street_a, system_actor(), JAN)
    admin = personas.district_admin

    _submit_login(page, live_server.url, admin.username, PASSWORD)
    page.goto(f"{live_server.url}/pay/settings/")
    page.get_by_role("link", name="社保公积金费率").click()
    page.locator("#settings-list tr", has_text=f"{YEAR}-01-01").get_by_role(
        "link", name="以此为底建立新版本"
    ).click()
    expect(page.get_by_role("heading", name="新的社保公积金费率")).to_be_visible()
    expect(page.get_by_label("适用单位")).to_have_value(tree.district.code)
    personal = page.get_by_label("养老保险 个人")
    expect(personal).to_have_value("0.0800")  # the version it starts from
    page.get_by_label("生效月份").fill(f"{YEAR}-02")
    personal.fill("0.10")
    page.get_by_role("button", name="保存新版本").click()
    expect(page.get_by_text(f"已保存,自 {YEAR}-02 起生效")).to_be_visible()
    expect(page.locator("#settings-list")).to_contain_text(f"{YEAR}-02-01")

    page.goto(f"{live_server.url}/pay/")
    page.get_by_label("单位").select_option(tree.street_a.code)
    page.get_by_label("月份").fill(f"{YEAR}-02")
    page.get_by_role("button", name="计算工资").click()
    expect(page.get_by_role("heading", name=re.compile(f"{YEAR}年2月"))).to_be_visible()
    # A base of 4,800: 21% personal in January, 23% with the pension at 10% from February.
    assert re.fullmatch(r"1,?104\.00", _personal_contributions(page))

    page.goto(f"{live_server.url}/pay/runs/{january.pk}/")
    expect(page.get_by_role("heading", name=re.compile(f"{YEAR}年1月"))).to_be_visible()
    assert re.fullmatch(r"1,?008\.00", _personal_contributions(page))
    assert ContributionRates.objects.count() == 2
    assert PayRun.objects.get(period=datetime.date(YEAR, 2, 1)).personal_contributions == 1104
