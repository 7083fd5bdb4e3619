"""Under the Content-Security-Policy, what used to be inline script still works in a real
browser (the language menu, the print button, a job's progress, the API docs), and Chromium
reports no violation of the policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    page,
)
from shegong.tasks.models import Job, JobStatus
from shegong.training.tests.factories import make_course

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page: Page) -> Iterator[list[str]]:  # noqa: F811
    """Console messages about the policy (Chromium logs every refused script or style)."""
    found: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            found.append(message.text)

    page.on("console", listen)
    yield found
    assert found == [], found


def test_the_language_menu_switches_without_inline_script(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    personas: Personas,
    violations: list[str],
) -> None:
    _submit_login(page, live_server.url, personas.street_a_manager.username, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.get_by_label("语言").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Home")).to_be_visible()


def test_a_jobs_progress_updates_itself_without_inline_script(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    personas: Personas,
    violations: list[str],
) -> None:
    manager = personas.street_a_manager
    job = Job.objects.create(
        kind="structure_report", owner=manager, status=JobStatus.RUNNING, progress=3, total=10
    )
    _submit_login(page, live_server.url, manager.username, PASSWORD)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.locator("#job-progress")).to_have_text("3")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, progress=10, message="全部完成")
    expect(page.locator("#job-progress")).to_have_text("10")
    expect(page.locator("#job-message")).to_have_text("全部完成")


def test_the_print_button_of_a_sign_in_sheet_prints_without_inline_script(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
    violations: list[str],
) -> None:
    course = make_course(tree.street_a, personas.street_a_manager, title="打印签到表班")
    page.add_init_script("window.print = function () { window.printed = true; };")
    _submit_login(page, live_server.url, personas.street_a_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/training/{course.pk}/sheet/")
    page.get_by_role("button", name="打印").click()
    assert page.evaluate("window.printed === true")


def test_the_api_docs_render_under_the_policy(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    personas: Personas,
    violations: list[str],
) -> None:
    _submit_login(page, live_server.url, personas.street_a_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Shegong API")
    expect(page.locator(".opblock-tag").first).to_be_visible()
