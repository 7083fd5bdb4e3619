"""A resident casts a vote on a phone-sized screen in Chromium: types the code from the notice,
rates each worker with a thumb, submits, and the vote is stored once, unlinked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from shegong.appraisal.models import HouseholdCode, PooledBallot
from shegong.appraisal.tests.factories import recorded, street_a_cycle
from shegong.conftest import Personas, Tree
from shegong.core.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, PHONE

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session", autouse=True)
def _live_server_on_plain_http(request: pytest.FixtureRequest, django_db_setup: None) -> None:
    """As in core's browser tests: the live server speaks plain http, so no https redirect."""
    with override_settings(SECURE_SSL_REDIRECT=False):
        request.getfixturevalue("live_server")


@pytest.fixture
def phone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make browser-deps`"
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser: Browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        browser.close()


def _fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_resident_votes_on_a_phone(
    phone: Page, live_server: LiveServer, tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    code = setup.codes[0]

    phone.goto(f"{live_server.url}/appraisal/vote/")
    expect(phone.get_by_role("heading", name="请输入评议码")).to_be_visible()
    assert _fits_the_screen(phone)
    phone.get_by_label("评议码").fill(code.lower())  # as typed on a phone keyboard
    phone.get_by_role("button", name="下一步").click()

    expect(phone.get_by_role("heading", name="甲一社区社区工作者满意度评议")).to_be_visible()
    assert _fits_the_screen(phone)
    for worker, choice in zip(setup.workers, ("满意", "基本满意", "不了解"), strict=True):
        phone.get_by_role("group", name=worker.name).get_by_label(choice, exact=True).check()
    phone.get_by_role("button", name="提交评议").click()

    expect(phone.get_by_role("heading", name="投票成功,感谢您的参与!")).to_be_visible()
    assert recorded() == 1
    assert sorted(PooledBallot.objects.get().ratings.values()) == ["fairly", "satisfied"]
    assert HouseholdCode.objects.filter(spent=True).count() == 1

    # The same code again, from the link on the notice: refused, nothing counted twice.
    phone.goto(f"{live_server.url}/appraisal/vote/?c={code}")
    expect(phone.get_by_role("alert")).to_have_text("该评议码已经使用过,每户只能投一次票")
    assert recorded() == 1
