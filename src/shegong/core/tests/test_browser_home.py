"""The week's work in a real browser (issue 14 items 6, 7 and 11): the start page shows each
role its work with links, records link to what belongs to them, the org search finds what is
typed, a report downloads by itself once ready, and the navigation fits the role."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.appraisal.tests import factories as appraisal
from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.actors import system_actor
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    page,
)
from shegong.pay import services as pay_services
from shegong.pay.models import PayLine, PayRun
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings
from shegong.people import services as people_services
from shegong.people.models import PostType, Worker
from shegong.people.tests.factories import make_id, register
from shegong.reports import services as report_services
from shegong.tasks.models import Job, JobStatus
from shegong.tasks.services import job_attach_file

# The live server's tests flush the database after each test, seeded posts and training
# requirements included: seeded_vocabulary puts them back before each one.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded_vocabulary"),
]

JAN = datetime.date(YEAR, 1, 1)


def _street_a_pay(tree: Tree, personas: Personas) -> tuple[Worker, PayRun]:
    """A placed secretary in 甲一社区 with a draft January run (waiting for 复核), and then
    a newly registered worker in 甲二社区 without a grade."""
    manager = personas.street_a_manager
    pay_settings(tree.district)
    placed = paid_worker(tree.community_a1, manager, name="甲一书记")
    people_services.post_assign(
        worker=placed,
        post=PostType.objects.get(code="secretary"),
        start=datetime.date(2021, 1, 1),
        acting_user=manager,
    )
    pay_services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    # Computed by the console: the manager may review it (four eyes: not a run of their own).
    run = pay_services.payrun_create(unit=tree.street_a, period=JAN, acting_user=system_actor())
    register(
        tree.community_a2,
        manager,
        name="新来未定级",
        id_number=make_id(datetime.date(1990, 5, 6), serial=77),
    )
    return placed, run


def test_the_street_manager_finds_the_weeks_work_on_the_home_page(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    placed, run = _street_a_pay(tree, personas)
    appraisal.published(appraisal.street_a_cycle(tree, personas, workers=[placed]))

    _submit_login(page, live_server.url, personas.street_a_manager.username, PASSWORD)
    expect(page.get_by_role("heading", name="首页")).to_be_visible()
    headcount = page.locator(f"#headcount-{tree.street_a.code}")
    expect(headcount).to_contain_text("2")
    expect(page.locator("#todo-check")).to_contain_text(f"街道甲 {YEAR}年1月")
    expect(page.locator("#todo-approve")).to_contain_text("没有待审批的批次")
    expect(page.locator("#todo-ungraded")).to_contain_text("新来未定级")
    expect(page.locator("#todo-ungraded")).not_to_contain_text("甲一书记")
    until = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    objections = page.locator("#todo-objections")
    expect(objections).to_contain_text(re.compile(r"\d{4}-\d\d-\d\d截止,还有\d+天"))
    assert until[:4] in objections.inner_text()
    expect(page.locator("#todo-training")).to_contain_text("甲一书记")
    expect(page.locator("#todo-jobs")).to_contain_text("还没有后台任务")

    page.locator("#todo-check").get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/pay/runs/{run.pk}/")
    page.go_back()
    page.locator("#todo-ungraded").get_by_role("link", name="新来未定级").click()
    expect(page.get_by_text("新来未定级").first).to_be_visible()
    page.go_back()
    page.locator("#todo-training").get_by_role("link", name="甲一书记").click()
    expect(page).to_have_url(re.compile(rf"/training/people/{placed.pk}/$"))
    page.go_back()
    headcount.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/workers/\?unit={tree.street_a.code}$"))
    expect(page.get_by_role("link", name="甲一书记")).to_be_visible()
    expect(page.get_by_role("link", name="新来未定级")).to_be_visible()


def test_the_clerk_sees_no_pay_area_and_no_api_docs_and_finds_the_open_survey(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    _placed, run = _street_a_pay(tree, personas)
    setup = appraisal.street_a_cycle(tree, personas)
    line = PayLine.objects.filter(run=run).first()
    assert line is not None

    _submit_login(page, live_server.url, personas.community_a1_clerk.username, PASSWORD)
    nav = page.locator(".main-nav")
    expect(nav.get_by_role("link", name="社区工作者")).to_be_visible()
    expect(nav.get_by_role("link", name="待遇")).to_have_count(0)
    expect(nav.get_by_role("link", name="接口文档")).to_have_count(0)
    expect(page.locator("#todo-check")).to_have_count(0)
    expect(page.locator("#todo-ungraded")).to_have_count(0)
    surveys = page.locator("#todo-surveys")
    expect(surveys).to_contain_text("甲一社区")
    surveys.get_by_role("link", name="甲一社区").click()
    expect(page).to_have_url(f"{live_server.url}/appraisal/surveys/{setup.survey.pk}/")

    # a payslip reached by its address: no amounts of *** and no print button
    page.goto(f"{live_server.url}/pay/payslips/{line.pk}/")
    expect(page.locator("#payslip-masked")).to_contain_text("不提供打印")
    expect(page.get_by_role("button", name="打印")).to_have_count(0)
    expect(page.get_by_text("***")).to_have_count(0)

    page.locator(".main-nav .who").click()
    expect(page.get_by_role("heading", name="我的账号")).to_be_visible()
    expect(page.get_by_role("link", name="修改密码").last).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("接口文档"))).to_have_count(0)


def test_the_admin_reaches_the_api_docs_from_the_account_page(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    _submit_login(page, live_server.url, personas.district_admin.username, PASSWORD)
    expect(page.locator(".main-nav").get_by_role("link", name="接口文档")).to_have_count(0)
    expect(page.locator(".main-nav").get_by_role("link", name="待遇")).to_be_visible()
    page.locator(".main-nav .who").click()
    page.get_by_role("link", name="我的接口令牌").click()
    expect(page.get_by_role("heading", name="我的接口令牌")).to_be_visible()
    page.go_back()
    page.get_by_role("link", name=re.compile("接口文档")).click()
    expect(page).to_have_url(f"{live_server.url}/api/docs/")


def test_records_link_to_what_belongs_to_them_and_the_org_search_finds_what_is_typed(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    manager = personas.street_a_manager
    first = register(tree.community_a1, manager, name="甲一甲")
    register(
        tree.community_a1, manager, name="甲一乙", id_number=make_id(datetime.date(1985, 3, 4))
    )
    _submit_login(page, live_server.url, manager.username, PASSWORD)

    page.locator(".main-nav").get_by_role("link", name="组织架构").click()
    page.get_by_label("查找单位").fill("甲二")
    page.get_by_role("button", name="查找").click()
    expect(page.locator("ul.units").first.get_by_role("link", name="甲二社区")).to_be_visible()
    page.get_by_label("查找单位").fill(tree.community_a1.code)
    page.get_by_role("button", name="查找").click()
    page.locator("ul.units").first.get_by_role("link", name="甲一社区").click()

    roster = page.locator("#panel-roster")
    expect(roster).to_contain_text("2人")
    roster.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/workers/\?unit={tree.community_a1.code}$"))
    page.get_by_role("link", name="甲一甲").click()

    records = page.locator("#worker-records")
    records.get_by_role("link", name="培训记录").click()
    expect(page).to_have_url(f"{live_server.url}/training/people/{first.pk}/")
    page.go_back()
    records.get_by_role("link", name="考核结果").click()
    expect(page.get_by_role("heading", name="甲一甲 · 考核结果")).to_be_visible()
    expect(page.locator("#worker-results")).to_contain_text("暂无考核结果")
    page.go_back()
    records.get_by_role("link", name="定级与工资").click()
    expect(page).to_have_url(f"{live_server.url}/pay/workers/{first.pk}/")


def test_a_report_download_says_what_it_makes_and_starts_by_itself(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.TASKS_EAGER = True  # the job runs within the request that starts it
    settings.MEDIA_ROOT = tmp_path
    register(tree.community_a1, personas.street_a_manager, name="甲一甲")
    _submit_login(page, live_server.url, personas.street_a_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/reports/structure/?unit={tree.street_a.code}")
    with page.expect_download() as started:
        page.get_by_role("button", name="Word", exact=True).click()
    assert started.value.suggested_filename.endswith(".docx")
    expect(page.get_by_role("heading", name=re.compile("结构分析报告"))).to_be_visible()
    expect(page.locator("#job-what")).to_contain_text("街道甲社区工作者队伍结构分析(Word文件)")
    expect(page.locator("#job-started")).to_be_visible()
    # the address no longer asks for the download: a reload does not fetch the file again
    expect(page).to_have_url(re.compile(r"/jobs/\d+/$"))


def test_a_job_page_left_open_downloads_the_file_when_the_worker_finishes(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    job = report_services.structure_report_generate(
        unit=tree.street_a,
        fmt="xlsx",
        options={"as_of": datetime.date(YEAR, 6, 30)},
        acting_user=personas.street_a_manager,
    )
    _submit_login(page, live_server.url, personas.street_a_manager.username, PASSWORD)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.locator("#job-what")).to_contain_text(f"统计日期:{YEAR}-06-30")
    expect(page.locator("#job-hint")).to_contain_text("自动开始下载")
    with page.expect_download() as started:
        job_attach_file(job=job, filename="structure-street.xlsx", content=b"PK\x03\x04")
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, progress=3, finished_at=timezone.now()
        )
    assert started.value.suggested_filename == "structure-street.xlsx"
    expect(page.locator("#job-status")).to_have_text("已完成")
