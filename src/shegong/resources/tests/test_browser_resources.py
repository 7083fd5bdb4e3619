"""Community resources in a real headless Chromium, as the persona who meets each page: the
community clerk books the activity room (and meets the clash message), books a team's season
of Thursdays, and confirms volunteers' reported hours in bulk; the street manager reads the
standards page and records an inspector's check."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    page,
)
from shegong.resources import services
from shegong.resources.models import Booking, RecordStatus, ServiceRecord, StandardCheck
from shegong.resources.tests.factories import (
    make_activity,
    make_standard,
    make_venue,
    make_volunteer,
)

pytestmark = pytest.mark.browser


def _next_thursday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(4 - today.isoweekday()) % 7 + 7)


def _book(tab: Page, title: str, day: datetime.date, start: str, end: str) -> None:
    tab.get_by_role("link", name="预约", exact=True).click()
    tab.get_by_label("用途").fill(title)
    tab.get_by_label("预约方(队伍或单位)").fill("夕阳红舞蹈队")
    tab.get_by_label("开始").fill(f"{day.isoformat()}T{start}")
    tab.get_by_label("结束").fill(f"{day.isoformat()}T{end}")
    tab.get_by_label("预计人数").fill("20")
    tab.get_by_role("button", name="保存").click()


def test_a_clerk_books_the_room_meets_a_clash_and_books_a_season(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    clerk = personas.community_a1_clerk
    venue = make_venue(tree.community_a1, clerk, name="甲一文化活动室")
    day = _next_thursday()
    _submit_login(page, live_server.url, clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/resources/")
    page.get_by_role("link", name="甲一文化活动室").click()

    _book(page, "排练", day, "09:00", "11:00")
    expect(page.get_by_text("已预约(已确认)")).to_be_visible()
    expect(page.locator("#calendar")).to_contain_text("09:00–11:00 排练")

    _book(page, "合唱", day, "10:00", "12:00")
    expect(page.get_by_text(re.compile("与已确认的预约冲突"))).to_be_visible()
    assert Booking.objects.filter(venue=venue).count() == 1

    page.goto(f"{live_server.url}/resources/venues/{venue.pk}/")
    page.get_by_role("link", name="周期预约").click()
    page.get_by_label("用途").fill("腰鼓队训练")
    page.get_by_label("预约方(队伍或单位)").fill("甲一腰鼓队")
    page.get_by_label("每周几").select_option(label="周四")
    page.get_by_label("开始时间").fill("15:00")
    page.get_by_label("结束时间").fill("17:00")
    page.get_by_label("首日").fill(day.isoformat())
    page.get_by_label("末日").fill((day + datetime.timedelta(days=21)).isoformat())
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已预约4次")).to_be_visible()
    expect(page.locator("#series")).to_contain_text("腰鼓队训练")
    expect(page.locator("#calendar")).to_contain_text("15:00–17:00 腰鼓队训练")
    assert Booking.objects.filter(venue=venue, series__isnull=False).count() == 4


def test_a_clerk_confirms_reported_hours_in_bulk(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    clerk = personas.community_a1_clerk
    recent = timezone.localdate() - datetime.timedelta(days=2)
    activity = make_activity(tree.community_a1, clerk, day=recent)
    for name in ("王秀英", "李桂兰"):
        volunteer = make_volunteer(tree.community_a1, clerk, name=name)
        key = services.volunteer_link_issue(volunteer=volunteer, acting_user=clerk)
        services.hours_self_report(key=key, activity=activity, hours="3", content="陪老人聊天")

    _submit_login(page, live_server.url, clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/resources/activities/")
    pending = page.locator("#pending-hours")
    expect(pending).to_contain_text("王秀英")
    expect(pending).to_contain_text("李桂兰")
    for box in pending.get_by_role("checkbox", name="选择").all():
        box.check()
    page.get_by_role("button", name="确认所选", exact=True).click()
    expect(page.get_by_text("已处理2条")).to_be_visible()
    expect(page.locator("#pending-hours")).to_have_count(0)
    statuses = set(ServiceRecord.objects.values_list("status", flat=True))
    assert statuses == {RecordStatus.CONFIRMED}


def test_a_street_manager_reads_the_standards_and_records_a_check(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
    seeded_vocabulary: None,
) -> None:
    manager = personas.street_a_manager
    make_standard(tree.street_a, manager)
    _submit_login(page, live_server.url, manager.username, PASSWORD)
    page.goto(f"{live_server.url}/resources/dashboard/?unit={tree.street_a.code}")
    page.locator(".tabs").get_by_role("link", name="达标检查").click()
    table = page.locator("#standards")
    expect(table).to_contain_text("有自有办公用房")
    expect(table).to_contain_text("无在岗人员")

    page.locator("#standard-tabs").get_by_role("link", name="示范社区").click()
    expect(table).to_contain_text("文体队伍不少于2支")
    expect(table).to_contain_text("差2支")
    expect(table).to_contain_text("未检查")

    form = page.locator("#check-form")
    form.get_by_label("社区").select_option(
        label=f"{tree.street_a.name} · {tree.community_a1.name}"
    )
    form.get_by_label("检查项目").select_option(label="制度上墙")
    form.get_by_label("检查结果").select_option(label="不达标")
    form.get_by_label("检查意见(不达标时必填)").fill("公开栏未更新")
    form.get_by_role("button", name="登记").click()
    expect(page.get_by_text("已登记检查结果")).to_be_visible()
    expect(page.locator("#standards")).to_contain_text("检查未通过:公开栏未更新")
    expect(page.locator("#checks")).to_contain_text("公开栏未更新")
    check = StandardCheck.objects.get()
    assert check.inspector == manager and check.community == tree.community_a1
