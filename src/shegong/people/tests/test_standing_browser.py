"""In a real browser: a manager ticks every proposal with the one box in the header (wired by
app.js under the Content-Security-Policy) and decides them together."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    page,
)
from shegong.pay.tests.test_appraisal_handoff import appraised
from shegong.people.models import StandingProposal

pytestmark = pytest.mark.browser


def test_a_manager_ticks_every_proposal_at_once_and_decides_them(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    appraised(tree, personas)
    _submit_login(page, live_server.url, personas.street_a_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/workers/standing/?kind=renew")
    page.get_by_label("全选").check()
    expect(page.get_by_label("王芳")).to_be_checked()
    expect(page.get_by_label("李强")).to_be_checked()
    page.get_by_label("决定").select_option(label="同意")  # a required choice starts at 请选择
    page.get_by_label("说明").fill("同意续聘")
    page.get_by_role("button", name="对所选建议作出决定").click()
    expect(page.get_by_text("已决定2条建议")).to_be_visible()
    assert set(
        StandingProposal.objects.filter(status="accepted").values_list("worker__name", flat=True)
    ) == {"王芳", "李强"}
