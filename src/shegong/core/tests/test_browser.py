"""What people do in a real browser: log in, open their community, correct its profile, use the
menu on a phone, and get locked out after too many wrong passwords.

Drives Debian's Chromium through Playwright against the live test server. A missing browser
is a failure, not a skip: `make browser-deps` installs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, ViewportSize, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.models import AuditAction, AuditEntry, User
from shegong.orgs.models import CommunityProfile

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE: ViewportSize = {"width": 375, "height": 740}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


@pytest.fixture(scope="session", autouse=True)
def _live_server_on_plain_http(request: pytest.FixtureRequest, django_db_setup: None) -> None:
    """Start the live server with the https redirect off.

    Without DEBUG the settings redirect every plain-http request to https, and the middleware
    reads that setting once, when the server starts; the live test server only speaks http.
    Autouse fixtures run before the others of their scope, so this starts the server first.
    """
    with override_settings(SECURE_SSL_REDIRECT=False):
        request.getfixturevalue("live_server")


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make browser-deps`"
    # Playwright's sync API keeps an event loop running in this thread; the checks on the
    # database made while it runs are ordinary synchronous ORM calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open_page(browser: Browser, viewport: ViewportSize) -> Page:
    # A Chinese-speaking user's browser; the language would otherwise follow Chromium's default.
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def page(browser: Browser) -> Page:
    return _open_page(browser, DESKTOP)


@pytest.fixture
def phone(browser: Browser) -> Page:
    return _open_page(browser, PHONE)


def _submit_login(page: Page, base_url: str, username: str, password: str) -> None:
    if not page.url.endswith("/login/"):
        page.goto(f"{base_url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_clerk_logs_in_and_corrects_household_count(
    page: Page, live_server: LiveServer, tree: Tree, personas: Personas
) -> None:
    clerk = personas.community_a1_clerk
    community = tree.community_a1

    _submit_login(page, live_server.url, clerk.username, PASSWORD)

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    community_link = page.get_by_role("link", name=community.name)
    expect(community_link).to_be_visible()
    # The clerk sees their own community only, not the neighbouring one.
    expect(page.get_by_text(tree.community_a2.name)).to_have_count(0)

    community_link.click()
    expect(page).to_have_url(f"{live_server.url}/units/{community.code}/")
    expect(page.locator("#households")).to_have_text(re.compile(r"^1,?200$"))

    page.get_by_role("link", name="编辑社区概况").click()
    households = page.get_by_label("户数", exact=True)
    expect(households).to_have_value(re.compile(r"^1,?200$"))
    households.fill("987")
    page.get_by_role("button", name="保存").click()

    expect(page).to_have_url(f"{live_server.url}/units/{community.code}/")
    expect(page.get_by_text("社区概况已保存")).to_be_visible()
    expect(page.locator("#households")).to_have_text("987")
    # Only the household count changed.
    expect(page.locator("#residents")).to_have_text(re.compile(r"^3,?100$"))

    profile = CommunityProfile.objects.get(unit=community)
    assert (profile.households, profile.residents) == (987, 3100)
    entry = AuditEntry.objects.get(
        actor=clerk,
        action=AuditAction.UPDATE,
        target_type="orgs.CommunityProfile",
        target_id=str(profile.pk),
    )
    assert entry.unit_path == community.path
    assert entry.before == {"households": 1200}
    assert entry.after == {"households": 987}


def test_menu_button_opens_navigation_on_a_phone(
    phone: Page, live_server: LiveServer, tree: Tree, personas: Personas
) -> None:
    _submit_login(phone, live_server.url, personas.street_a_manager.username, PASSWORD)
    expect(phone).to_have_url(f"{live_server.url}/")

    org_link = phone.locator(".main-nav").get_by_role("link", name="组织架构")
    menu_button = phone.locator(".nav-button")
    expect(menu_button).to_be_visible()
    expect(org_link).to_be_hidden()

    menu_button.click()
    expect(org_link).to_be_visible()
    box = org_link.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"], "link off screen"

    org_link.click()
    expect(phone).to_have_url(f"{live_server.url}/units/{tree.street_a.code}/")


def test_five_wrong_passwords_lock_the_account_from_that_browser(
    page: Page, live_server: LiveServer, personas: Personas
) -> None:
    clerk: User = personas.community_a1_clerk

    for _attempt in range(4):
        _submit_login(page, live_server.url, clerk.username, "not-the-password")
        expect(page.get_by_text("用户名或密码不正确")).to_be_visible()
        expect(page.get_by_text("登录失败次数过多")).to_have_count(0)

    _submit_login(page, live_server.url, clerk.username, "not-the-password")
    expect(page.get_by_text("登录失败次数过多")).to_be_visible()

    # While locked, even the right password does not let the clerk in.
    _submit_login(page, live_server.url, clerk.username, PASSWORD)
    expect(page.get_by_text("登录失败次数过多")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/login/?next=/")
