"""Forms, lists, the import preview and the structure report page in a real browser, as the
people who meet them (issue 14 items 10 and 12)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from shegong.appraisal.tests.factories import published, street_a_cycle
from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.tests.test_browser import (  # noqa: F401 - fixtures
    _live_server_on_plain_http,
    _submit_login,
    browser,
    page,
)
from shegong.orgs.models import CommunityProfile
from shegong.people.models import Education, Worker
from shegong.people.tests.factories import make_id, register
from shegong.people.tests.sheetfiles import xlsx_bytes
from shegong.training.tests.factories import START, attend, enrol, make_course

pytestmark = pytest.mark.browser


def test_a_clerk_registers_a_worker_choosing_what_the_form_does_not_guess(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    _submit_login(page, live_server.url, personas.community_a1_clerk.username, PASSWORD)
    page.goto(f"{live_server.url}/workers/new/")
    # Their only community is chosen for them; what they must choose starts empty.
    expect(page.get_by_label("所在社区")).to_have_value(str(tree.community_a1.pk))
    for label in ("政治面貌", "学历", "来源方式"):
        expect(page.get_by_label(label)).to_have_value("")
        expect(page.get_by_label(label).locator("option").first).to_have_text("请选择")
    expect(page.locator("main")).not_to_contain_text("---------")

    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("公民身份号码").fill(make_id(datetime.date(1992, 5, 6), serial=33))
    page.get_by_label("入职日期").fill("2024-03-01")
    page.get_by_label("联系电话").fill("8456789")
    page.get_by_role("button", name="保存").click()
    # The browser refuses the untouched required choices before anything is sent.
    assert not Worker.objects.exists()
    page.get_by_label("政治面貌").select_option(label="群众")
    page.get_by_label("学历").select_option(label="大专")
    page.get_by_label("来源方式").select_option(label="聘用")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text(re.compile("联系电话“8456789”不是有效的号码"))).to_be_visible()
    assert not Worker.objects.exists()

    page.get_by_label("联系电话").fill("0731-84567890")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已登记王小明")).to_be_visible()
    worker = Worker.objects.get()
    assert (worker.political, worker.education, worker.source, worker.phone) == (
        "masses",
        Education.COLLEGE,
        "hired",
        "0731-84567890",
    )


def test_a_manager_sorts_the_roster_by_its_headers_and_jumps_between_pages(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    manager = personas.street_a_manager
    for n in range(45):
        register(
            tree.community_a1 if n % 2 else tree.community_a2,
            manager,
            name=f"工作者{n:02d}",
            id_number=make_id(datetime.date(1970 + n % 30, 1, 1 + n % 28), serial=n),
        )
    _submit_login(page, live_server.url, manager.username, PASSWORD)
    page.goto(f"{live_server.url}/workers/")
    rows = page.locator("table.workers tbody tr")
    expect(rows).to_have_count(30)

    page.locator("table.workers thead").get_by_role("link", name="姓名").click()
    expect(page.locator("table.workers th[aria-sort=ascending]")).to_contain_text("姓名")
    expect(rows.first).to_contain_text("工作者00")
    page.locator("table.workers thead").get_by_role("link", name=re.compile("姓名")).click()
    expect(page.locator("table.workers th[aria-sort=descending]")).to_contain_text("姓名")
    expect(rows.first).to_contain_text("工作者44")

    pager = page.locator("nav.pager")
    pager.get_by_label("每页条数").select_option("20")
    pager.get_by_role("button", name="跳转").click()
    expect(rows).to_have_count(20)
    expect(pager).to_contain_text("第 1 / 3 页")
    pager.get_by_role("link", name="3", exact=True).click()
    expect(rows).to_have_count(5)
    expect(rows.last).to_contain_text("工作者00")  # still sorted by name, descending
    pager.get_by_label("页码").fill("2")
    pager.get_by_role("button", name="跳转").click()
    expect(pager).to_contain_text("第 2 / 3 页")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("工作者24")


def _roster_sheet(tmp_path: Path, tree: Tree, existing: Worker) -> Path:
    header = ["姓名", "公民身份号码", "联系电话", "学历", "政治面貌", "来源方式", "所属社区"]
    rows = [
        [existing.name, existing.id_number, "13900009999", "研究生", "群众", "聘用",
         tree.community_a1.name],
        ["新同事", make_id(datetime.date(1995, 8, 8), serial=44), "13700001111", "本科",
         "群众", "聘用", tree.community_a1.name],
    ]  # fmt: skip
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx_bytes([header, *rows]))
    return path


@pytest.mark.parametrize(
    ("who", "phone_compared"), [("street_a_manager", True), ("community_a1_clerk", False)]
)
def test_the_import_preview_lists_each_row_and_what_changes(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
    tmp_path: Path,
    who: str,
    phone_compared: bool,
) -> None:
    existing = register(
        tree.community_a1,
        personas.street_a_manager,
        name="张老师",
        education=Education.BACHELOR,
        phone="13812345678",
    )
    _submit_login(page, live_server.url, getattr(personas, who).username, PASSWORD)
    page.goto(f"{live_server.url}/workers/import/")
    page.locator("input[type=file]").set_input_files(_roster_sheet(tmp_path, tree, existing))
    page.get_by_role("button", name="校验并预览").click()
    preview = page.locator("#preview-rows")
    created = preview.locator("tr.create")
    expect(created).to_have_count(1)
    expect(created).to_contain_text("新同事")
    expect(created).to_contain_text(f"所属社区:{tree.community_a1.name}")
    updated = preview.locator("tr.update")
    expect(updated).to_contain_text("张老师")
    expect(updated).to_contain_text("学历:本科 → 研究生")
    expect(updated).to_contain_text("政治面貌:中共党员 → 群众")
    # The phone is compared only for whoever may see it, and its value is never shown.
    if phone_compared:
        expect(updated).to_contain_text("联系电话:已更改")
    else:
        expect(updated).not_to_contain_text("联系电话")
        expect(page.get_by_text(re.compile("不作比对"))).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("13812345678")
    expect(page.locator("main")).not_to_contain_text("13900009999")


def test_a_manager_reads_the_structure_page_with_its_defaults_chapters_and_standards(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    CommunityProfile.objects.filter(unit=tree.community_a1).update(residents=20000)
    CommunityProfile.objects.filter(unit=tree.community_a2).update(residents=1000)
    manager = personas.street_a_manager
    trained = register(tree.community_a1, manager, name="参训者")
    for serial in range(5):
        register(
            tree.community_a2, manager, id_number=make_id(datetime.date(1985, 5, 5), serial=serial)
        )
    course = make_course(tree.street_a, manager)
    attend(course, START, enrol(course, [trained], manager), manager)

    _submit_login(page, live_server.url, manager.username, PASSWORD)
    page.goto(f"{live_server.url}/reports/structure/")
    # The fields hold what the report uses.
    for n, bound in enumerate(("30", "35", "45", "54"), start=1):
        expect(page.get_by_label(f"年龄分段第{n}个界限")).to_have_value(bound)
    expect(page.get_by_label("年龄分段第5个界限")).to_have_value("")
    expect(page.get_by_label("每万人配备标准")).to_have_value("18")
    expect(page.get_by_text("默认 30、35、45、54")).to_be_visible()

    # Bands are edited box by box: drop one, add one.
    page.get_by_label("年龄分段第2个界限").fill("")
    page.get_by_label("年龄分段第5个界限").fill("60")
    page.get_by_label("统计日期").fill("2026-11-29")
    page.get_by_role("button", name="统计").click()
    expect(page.get_by_label("年龄分段第2个界限")).to_have_value("45")
    expect(page.get_by_label("年龄分段第4个界限")).to_have_value("60")
    expect(page.locator("#breakdown-age")).to_contain_text("61岁及以上")

    for chapter in ("一、基本情况", "二、结构分析", "三、配备标准与目标"):
        expect(page.get_by_role("heading", name=chapter)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("四、教育培训"))).to_be_visible()
    expect(page.locator("#training-table")).to_contain_text("培训人次")

    standards = page.locator("#standards-table")
    marked = standards.locator("tr.attention")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text(tree.community_a1.name)
    expect(marked).to_contain_text("缺额居前")
    total = standards.locator("tbody tr").last
    expect(total.locator("td").nth(4)).to_have_text("35")
    expect(page.locator("#standards-note")).to_contain_text("各社区缺额之和")


def test_a_manager_sorts_courses_and_appraisal_results_by_their_headers(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    tree: Tree,
    personas: Personas,
) -> None:
    manager = personas.street_a_manager
    for n, title in enumerate(["丙班", "甲班", "乙班"]):
        make_course(tree.street_a, manager, title=title, start=datetime.date(2026, 4, 1 + n))
    setup = published(street_a_cycle(tree, personas))
    _submit_login(page, live_server.url, manager.username, PASSWORD)

    page.goto(f"{live_server.url}/training/?year=2026")
    courses = page.locator("main table tbody tr")
    expect(courses.first).to_contain_text("乙班")  # the newest first
    expect(page.locator("main th[aria-sort=descending]")).to_contain_text("日期")
    page.locator("main thead").get_by_role("link", name=re.compile("日期")).click()
    expect(page.locator("main th[aria-sort=ascending]")).to_contain_text("日期")
    expect(courses.first).to_contain_text("丙班")
    page.locator("main thead").get_by_role("link", name="名称").click()
    expect(page.locator("main th[aria-sort=ascending]")).to_contain_text("名称")
    titles = courses.locator("td:first-child").all_inner_texts()
    assert titles == sorted(titles) and len(titles) >= 3

    page.goto(f"{live_server.url}/appraisal/{setup.cycle.pk}/results/")
    results = page.locator("main table tbody tr")
    page.locator("main thead").get_by_role("link", name="综合得分").click()
    expect(page.locator("main th[aria-sort=descending]")).to_contain_text("综合得分")
    scores = [float(t) for t in results.locator("td:nth-child(7)").all_inner_texts()]
    assert scores == sorted(scores, reverse=True) and len(scores) == len(setup.workers)
