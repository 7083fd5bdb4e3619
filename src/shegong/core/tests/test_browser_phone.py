"""The clerk's main pages on a phone (375×812): nothing is wider than the screen (issue 14,
"what must hold"). A wide table may scroll inside its own box; the page itself must not."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.appraisal.tests import factories as appraisal
from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
)
from shegong.people.tests.factories import make_id, register

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_vocabulary"),
]

# How far the page may be wider than the screen (rounding of sub-pixel layouts).
SLACK_PX = 1


@pytest.fixture
def phone_812(browser: Browser) -> Page:  # noqa: F811
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    return tab


def _overflowing(tab: Page) -> list[str]:
    """The page's width beyond the screen, and the elements reaching past its right edge that
    are not inside a box that scrolls sideways."""
    return list(
        tab.evaluate(
            """(slack) => {
              const width = document.documentElement.clientWidth;
              const out = [];
              if (document.documentElement.scrollWidth > width + slack) {
                out.push("page " + document.documentElement.scrollWidth + "px > " + width + "px");
              }
              const scrolls = (el) => {
                for (let p = el.parentElement; p; p = p.parentElement) {
                  const o = getComputedStyle(p).overflowX;
                  if (o === "auto" || o === "scroll" || o === "hidden") { return true; }
                }
                return false;
              };
              for (const el of document.querySelectorAll("body *")) {
                const box = el.getBoundingClientRect();
                if (box.width && box.right > width + slack && !scrolls(el)) {
                  const cls = typeof el.className === "string" ? el.className : "";
                  out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                           (cls ? "." + cls : "") + " right=" + Math.round(box.right));
                }
              }
              return out.slice(0, 10);
            }""",
            SLACK_PX,
        )
    )


def test_the_clerks_main_pages_fit_a_phone(
    phone_812: Page, live_server: LiveServer, tree: Tree, personas: Personas
) -> None:
    clerk = personas.community_a1_clerk
    worker = register(tree.community_a1, clerk, name="欧阳长名字工作者")
    register(tree.community_a1, clerk, name="甲一乙", id_number=make_id(datetime.date(1985, 3, 4)))
    setup = appraisal.street_a_cycle(tree, personas)
    pages = {
        "首页": "/",
        "社区": f"/units/{tree.community_a1.code}/",
        "名册": "/workers/",
        "工作者": f"/workers/{worker.pk}/",
        "登记": "/workers/new/",
        "结构分析": "/reports/structure/",
        "培训": "/training/",
        "培训达标": "/training/compliance/",
        "考核评议": "/appraisal/",
        "居民评议": f"/appraisal/surveys/{setup.survey.pk}/",
        "我的任务": "/jobs/",
        "我的账号": "/account/",
    }
    _submit_login(phone_812, live_server.url, clerk.username, PASSWORD)
    expect(phone_812.get_by_role("heading", name="首页")).to_be_visible()
    problems = {}
    for name, path in pages.items():
        response = phone_812.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, (name, path)
        found = _overflowing(phone_812)
        if found:
            problems[f"{name} {path}"] = found
    assert not problems, problems

    # the menu opens on the phone and lists the clerk's areas, without pay
    phone_812.goto(f"{live_server.url}/")
    phone_812.locator("label.nav-button").click()
    nav = phone_812.locator(".main-nav")
    expect(nav.get_by_role("link", name="社区工作者")).to_be_visible()
    expect(nav.get_by_role("link", name="待遇")).to_have_count(0)
    assert not _overflowing(phone_812)

    # the check itself sees a page that is too wide
    phone_812.evaluate(
        """() => { const d = document.createElement("div"); d.style.width = "600px";
                   d.textContent = "宽"; document.querySelector("main").append(d); }"""
    )
    assert _overflowing(phone_812)
