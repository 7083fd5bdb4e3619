"""Daily oversight in a real browser: an admin manages an account (disable, reset, role), the
reset user is sent to change the password, the audit trail reads in Chinese, and a missing
record shows the Chinese error page with a way back (issue 14 items 5, 8, 9)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.models import Role, User
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    page,
)
from shegong.people.tests.factories import register

pytestmark = pytest.mark.browser

RESET_PASSWORD = "Reset-By-Admin-2026"
OWN_PASSWORD = "Mine-From-Now-2027"


def _log_out(tab: Page) -> None:
    tab.get_by_role("button", name="退出").click()
    expect(tab).to_have_url(re.compile(r"/login/$"))


def test_admin_disables_resets_and_the_clerk_must_change_the_password(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    clerk = personas.community_a1_clerk
    clerk.first_name = "赵专干"
    clerk.save()
    _submit_login(page, live_server.url, personas.district_admin.username, PASSWORD)
    page.locator(".main-nav").get_by_role("link", name="账号管理").click()
    page.get_by_role("link", name=clerk.username).click()
    expect(page.get_by_role("heading", name=re.compile("赵专干"))).to_be_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="停用账号").click()
    expect(page.get_by_text("账号赵专干已停用")).to_be_visible()
    expect(page.locator("#account-state")).to_contain_text("停用")
    page.get_by_role("button", name="启用账号").click()
    expect(page.locator("#account-state")).to_contain_text("启用")

    page.get_by_role("link", name="重置密码").click()
    page.get_by_label("新密码", exact=True).fill(RESET_PASSWORD)
    page.get_by_label("再次输入新密码").fill(RESET_PASSWORD)
    page.get_by_role("button", name="重置密码").click()
    expect(page.get_by_text("本人下次登录时须修改密码")).to_be_visible()
    expect(page.locator("#account-state")).to_contain_text("下次登录须修改密码")

    page.get_by_role("link", name="调整").click()
    page.get_by_label("角色").select_option(label="查看")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("任职已调整")).to_be_visible()
    expect(page.get_by_role("cell", name="查看", exact=True)).to_be_visible()
    _log_out(page)

    _submit_login(page, live_server.url, clerk.username, RESET_PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/account/password/")
    expect(page.get_by_text("您的密码已由管理员重置")).to_be_visible()
    page.goto(f"{live_server.url}/workers/")
    expect(page).to_have_url(f"{live_server.url}/account/password/")
    page.get_by_label("旧密码").fill(RESET_PASSWORD)
    page.get_by_label("新密码", exact=True).fill(OWN_PASSWORD)
    page.get_by_label("新密码确认").fill(OWN_PASSWORD)
    page.get_by_role("button", name="修改密码").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_text("密码已修改")).to_be_visible()
    clerk.refresh_from_db()
    assert not clerk.must_change_password
    assert clerk.memberships.get().role == Role.VIEWER


def test_new_login_form_starts_at_the_least_privilege(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    _submit_login(page, live_server.url, personas.district_admin.username, PASSWORD)
    page.goto(f"{live_server.url}/users/new/")
    expect(page.get_by_label("角色")).to_have_value(Role.VIEWER)
    expect(page.get_by_label("所属单位")).to_have_value(tree.community_a1.code)


def test_admin_reads_the_audit_trail_in_chinese_and_filters_it(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    manager: User = personas.street_a_manager
    manager.first_name = "钱主管"
    manager.save()
    register(tree.community_a1, manager, name="孙工作者")
    register(tree.community_b1, personas.street_b_manager, name="周工作者")

    _submit_login(page, live_server.url, personas.district_admin.username, PASSWORD)
    page.locator(".main-nav").get_by_role("link", name="审计记录").click()
    rows = page.locator("table.audit tbody")
    expect(rows).to_contain_text("钱主管")
    expect(rows).to_contain_text("社区工作者 孙工作者")
    expect(rows).to_contain_text("学历")
    expect(rows).not_to_contain_text("people.Worker")
    expect(rows).not_to_contain_text("education")

    page.get_by_label("操作人").select_option(label="钱主管")
    page.get_by_label("记录类型").select_option(label="社区工作者")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_contain_text("孙工作者")
    expect(rows).not_to_contain_text("周工作者")

    page.get_by_role("link", name="清除").click()
    page.get_by_label("单位").select_option(label=tree.street_b.name)
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_contain_text("周工作者")
    expect(rows).not_to_contain_text("孙工作者")


def test_a_missing_record_shows_the_chinese_error_page_with_a_way_back(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    personas: Personas,
) -> None:
    _submit_login(page, live_server.url, personas.community_a1_clerk.username, PASSWORD)
    response = page.goto(f"{live_server.url}/workers/99999999/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_text("Not Found")).to_have_count(0)
    expect(page.locator(".main-nav")).to_be_attached()  # in the app's layout
    page.get_by_role("link", name="返回首页").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
