"""The start page's work, the navigation per role, the account page, and the links between
records (issue 14 items 6, 7 and 11), through the test client as the personas."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from shegong.appraisal.tests import factories as appraisal
from shegong.burden import services as burden_services
from shegong.burden.tests import factories as burden_factories
from shegong.conftest import Personas, Tree, client_for
from shegong.core.actors import system_actor
from shegong.core.models import User
from shegong.core.services import api_token_issue
from shegong.pay import services as pay_services
from shegong.pay.models import PayRun
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings
from shegong.people import services as people_services
from shegong.people.models import PostType, Worker
from shegong.people.tests.factories import make_id, register

pytestmark = pytest.mark.django_db

JAN = datetime.date(YEAR, 1, 1)


def _street_a_work(tree: Tree, personas: Personas) -> list[Worker]:
    """Community A1's secretary and member, placed and paid in a reviewed January run; a
    worker of A2 registered since, without a grade."""
    manager = personas.street_a_manager
    pay_settings(tree.district)
    secretary = paid_worker(tree.community_a1, manager, name="甲一书记")
    people_services.post_assign(
        worker=secretary,
        post=PostType.objects.get(code="secretary"),
        start=datetime.date(2021, 1, 1),
        acting_user=manager,
    )
    member = paid_worker(
        tree.community_a1,
        manager,
        name="甲一委员",
        id_number=make_id(datetime.date(1988, 2, 3), serial=41),
    )
    pay_services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    # Computed by the console: the manager may review it (four eyes: not one they computed).
    pay_services.payrun_create(unit=tree.street_a, period=JAN, acting_user=system_actor())
    register(
        tree.community_a2,
        manager,
        name="新来未定级",
        id_number=make_id(datetime.date(1990, 5, 6), serial=77),
    )
    return [secretary, member]


def test_the_manager_home_lists_the_streets_work_with_links(tree: Tree, personas: Personas) -> None:
    a1 = _street_a_work(tree, personas)
    secretary = a1[0]
    appraisal.published(appraisal.street_a_cycle(tree, personas, workers=a1))
    page = client_for(personas.street_a_manager).get(reverse("dashboard")).content.decode()
    assert f'href="/workers/?unit={tree.street_a.code}">3</a>' in page
    to_review = page.split("待复核的工资批次")[1].split("</ul>")[0]
    assert f"街道甲 {YEAR}年1月" in to_review
    assert "没有待审批的批次" in page  # a manager reviews; the bureau approves
    assert "新来未定级" in page and reverse("pay:schemes") in page
    assert "还有" in page and "异议期" in page
    assert reverse("training:worker", kwargs={"pk": secretary.pk}) in page
    assert "甲一委员" not in page.split('id="todo-training"')[1].split("</section>")[0]


def test_another_streets_manager_sees_none_of_it(tree: Tree, personas: Personas) -> None:
    a1 = _street_a_work(tree, personas)
    appraisal.published(appraisal.street_a_cycle(tree, personas, workers=a1))
    page = client_for(personas.street_b_manager).get(reverse("dashboard")).content.decode()
    for text in ("街道甲", "甲一书记", "新来未定级", "还有"):
        assert text not in page, text
    assert "没有待审批的批次" in page and "在岗人员均已定级" in page


def test_the_clerk_home_has_no_pay_work_but_the_open_survey(tree: Tree, personas: Personas) -> None:
    _street_a_work(tree, personas)
    setup = appraisal.street_a_cycle(tree, personas)
    page = client_for(personas.community_a1_clerk).get(reverse("dashboard")).content.decode()
    assert 'id="todo-approve"' not in page and 'id="todo-ungraded"' not in page
    assert reverse("appraisal:survey", kwargs={"pk": setup.survey.pk}) in page


def test_the_navigation_lists_pay_only_with_the_personal_data_right_and_no_api_docs(
    tree: Tree, personas: Personas
) -> None:
    def nav(user: object) -> list[str]:
        response = client_for(user).get(reverse("dashboard"))  # type: ignore[arg-type]
        return [item["label"] for item in response.context["nav"]]

    assert "待遇" in nav(personas.street_a_manager)
    assert "待遇" in nav(personas.district_admin)
    assert "待遇" not in nav(personas.community_a1_clerk)
    for user in (personas.district_admin, personas.community_a1_clerk):
        assert "接口文档" not in nav(user)
    # reached by its address, the pay area says why its amounts are not shown
    clerk_pay = client_for(personas.community_a1_clerk).get(reverse("pay:runs"))
    assert 'id="pay-masked-note"' in clerk_pay.content.decode()
    manager_pay = client_for(personas.street_a_manager).get(reverse("pay:runs"))
    assert 'id="pay-masked-note"' not in manager_pay.content.decode()


def test_an_area_stays_lit_in_the_navigation_on_every_page_of_it(
    tree: Tree, personas: Personas
) -> None:
    def lit(path: str) -> list[str]:
        response = client_for(personas.district_admin).get(path)
        return [item["label"] for item in response.context["nav"] if item["active"]]

    # 社区资源 opens on its overview, and stays lit on its venues' page
    assert lit(reverse("resources:dashboard")) == ["社区资源"]
    assert lit(reverse("resources:venues")) == ["社区资源"]
    assert lit(reverse("dashboard")) == ["首页"]


def test_a_department_account_is_shown_its_applications_not_an_empty_workforce(
    tree: Tree, personas: Personas
) -> None:
    b = burden_factories.burden(tree, personas)
    today = timezone.localdate()
    filed = burden_services.application_file(
        department=b.health,
        values=burden_factories.application_values(starts_on=today + datetime.timedelta(days=90)),
        acting_user=b.health_account,
        on=today,
    )
    response = client_for(b.health_account).get(reverse("dashboard"))
    page = response.content.decode()
    assert [item["label"] for item in response.context["nav"]] == ["首页", "准入申请", "我的任务"]
    assert 'id="department-work"' in page and "待审核 1 件" in page
    assert reverse("burden:application", args=[filed.pk]) in page
    assert "您还没有被分配到任何单位" not in page
    # the other department's account does not see it
    other = client_for(b.civil_account).get(reverse("dashboard")).content.decode()
    assert reverse("burden:application", args=[filed.pk]) not in other


def test_the_account_page_links_the_api_docs_for_those_who_use_the_api(
    tree: Tree, personas: Personas
) -> None:
    docs = reverse("api-docs")
    clerk = personas.community_a1_clerk
    assert docs not in client_for(clerk).get(reverse("account")).content.decode()
    assert docs in client_for(personas.district_admin).get(reverse("account")).content.decode()
    api_token_issue(user=clerk, address="10.0.0.1")
    page = client_for(clerk).get(reverse("account")).content.decode()
    assert docs in page and reverse("account-tokens") in page and "甲一社区(专干)" in page


def test_the_org_search_of_a_one_unit_viewer_finds_name_and_code_in_scope(
    tree: Tree, personas: Personas
) -> None:
    client = client_for(personas.street_a_manager)
    assert client.get(reverse("orgs:tree")).status_code == 302  # one unit: straight to it
    by_name = client.get(reverse("orgs:tree"), {"q": "甲二"})
    assert by_name.status_code == 200
    assert [u.name for u in by_name.context["found"]] == ["甲二社区"]
    by_code = client.get(reverse("orgs:tree"), {"q": tree.community_a1.code[:11]})
    assert {u.name for u in by_code.context["found"]} == {"街道甲", "甲一社区", "甲二社区"}
    assert not list(client.get(reverse("orgs:tree"), {"q": "乙一"}).context["found"])


def test_the_community_page_shows_its_roster_count_linked_to_the_roster(
    tree: Tree, personas: Personas
) -> None:
    register(tree.community_a1, personas.street_a_manager, name="甲一甲")
    page = client_for(personas.community_a1_clerk).get(
        reverse("orgs:unit", kwargs={"code": tree.community_a1.code})
    )
    text = page.content.decode()
    assert f'href="/workers/?unit={tree.community_a1.code}"' in text and "1人" in text


def test_the_worker_page_links_training_and_appraisal_and_pay_only_unmasked(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager, name="甲一甲")
    url = reverse("people:detail", kwargs={"pk": worker.pk})
    pay = reverse("pay:worker", kwargs={"pk": worker.pk})
    manager_page = client_for(personas.street_a_manager).get(url).content.decode()
    clerk_page = client_for(personas.community_a1_clerk).get(url).content.decode()
    for page in (manager_page, clerk_page):
        assert reverse("training:worker", kwargs={"pk": worker.pk}) in page
        assert reverse("appraisal:worker", kwargs={"pk": worker.pk}) in page
    assert pay in manager_page and pay not in clerk_page


def test_the_worker_appraisal_page_lists_their_published_result(
    tree: Tree, personas: Personas
) -> None:
    setup = appraisal.published(appraisal.street_a_cycle(tree, personas))
    worker = setup.workers[0]
    url = reverse("appraisal:worker", kwargs={"pk": worker.pk})
    page = client_for(personas.community_a1_clerk).get(url).content.decode()
    assert "2025" in page and setup.cycle.scheme.name in page and "已公示" in page
    assert client_for(personas.street_b_manager).get(url).status_code == 404


def test_the_home_lists_only_the_runs_the_viewer_may_take_the_next_step_on(
    tree: Tree, personas: Personas
) -> None:
    _street_a_work(tree, personas)
    run = PayRun.objects.get()
    manager, admin = personas.street_a_manager, personas.district_admin

    def listed(user: User, heading: str) -> bool:
        page = client_for(user).get(reverse("dashboard")).content.decode()
        return f"街道甲 {YEAR}年1月" in page.split(heading)[1].split("</ul>")[0]

    pay_services.payrun_check(run=run, acting_user=manager)
    assert listed(admin, "待审批的工资批次")  # the bureau approves what a street reviewed
    assert not listed(manager, "待审批的工资批次")  # a manager holds no approval right
    run.refresh_from_db()
    PayRun.objects.filter(pk=run.pk).update(status="draft", checked_by=None, created_by=admin)
    assert not listed(admin, "待复核的工资批次")  # four eyes: not the run they computed
    assert listed(manager, "待复核的工资批次")
