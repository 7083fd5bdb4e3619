"""The clerk's phone sign-in page, driven in a real headless Chromium at phone size."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    phone,
)
from shegong.people.tests.factories import register
from shegong.training.models import Attendance
from shegong.training.tests.factories import START, enrol, make_course

pytestmark = pytest.mark.browser


def test_a_clerk_signs_people_in_on_a_phone(
    phone: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    clerk = personas.community_a1_clerk
    course = make_course(tree.street_a, personas.street_a_manager, title="手机签到班")
    here = register(tree.community_a1, clerk, name="到场者")
    away = register(tree.community_a1, clerk, name="缺席者")
    enrol(course, [here, away], clerk)

    _submit_login(phone, live_server.url, clerk.username, PASSWORD)
    phone.goto(f"{live_server.url}/training/{course.pk}/sign-in/?day={START.isoformat()}")
    expect(phone.get_by_role("heading", name="签到")).to_be_visible()
    box = phone.get_by_role("checkbox", name="到场者")
    expect(box).to_be_visible()
    box.check()
    phone.get_by_role("button", name="保存签到").click()

    expect(phone.get_by_text("新增1人")).to_be_visible()
    expect(phone.get_by_role("checkbox", name="到场者")).to_be_checked()
    expect(phone.get_by_role("checkbox", name="缺席者")).not_to_be_checked()
    assert list(Attendance.objects.values_list("worker__name", "day")) == [("到场者", START)]
