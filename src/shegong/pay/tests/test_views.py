"""Pay pages and API as the personas: runs, approval and its lock, payslips masked and
audited, the register read back, the findings pages, the configuration file."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D
from typing import Any

import openpyxl
import pytest
import yaml
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.actors import system_actor
from shegong.core.models import AuditEntry
from shegong.pay import config, services
from shegong.pay.models import AverageWage, GradeAssignment, PayLine, PayRun, RunStatus
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings, second_admin
from shegong.people.models import Worker
from shegong.tasks.models import Job, JobStatus

JAN = datetime.date(YEAR, 1, 1)


@pytest.fixture
def paid(tree: Tree, personas: Personas) -> Worker:
    pay_settings(tree.district)
    worker = paid_worker(tree.community_a1, personas.street_a_manager, name="甲一领薪人")
    services.grade_place(unit=tree.street_a, day=JAN, acting_user=system_actor())
    return worker


def test_a_manager_runs_an_admin_checks_another_approves_and_then_it_is_locked(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    client = client_for(personas.street_a_manager)
    response = client.post(
        reverse("pay:run-create"), {"unit": tree.street_a.code, "period": f"{YEAR}-01"}
    )
    run = PayRun.objects.get()
    assert response["Location"] == reverse("pay:run", kwargs={"pk": run.pk})
    client_for(personas.district_admin).post(reverse("pay:run-check", kwargs={"pk": run.pk}))
    approver = client_for(second_admin(tree))
    approver.post(reverse("pay:run-approve", kwargs={"pk": run.pk}))  # asks first
    assert PayRun.objects.get().status == RunStatus.CHECKED
    approver.post(reverse("pay:run-approve", kwargs={"pk": run.pk}), {"confirmed": "yes"})
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    page = client.post(reverse("pay:run-discard", kwargs={"pk": run.pk}), follow=True)
    assert "已审批锁定" in page.content.decode()
    api = client.post(reverse("payrun-check", kwargs={"pk": run.pk}))
    assert api.status_code == 400
    assert PayRun.objects.get().status == RunStatus.APPROVED
    assert PayLine.objects.filter(run=run).count() == 1


def test_a_run_with_faults_lists_them_all_and_writes_nothing(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    paid_worker(tree.community_a2, personas.street_a_manager, name="新来未定级")
    AverageWage.objects.all().delete()
    page = client_for(personas.street_a_manager).post(
        reverse("pay:run-create"), {"unit": tree.street_a.code, "period": f"{YEAR}-01"}
    )
    text = page.content.decode()
    assert "新来未定级:未定级" in text
    assert "甲一社区:缺少2025年职工平均工资" in text
    assert not PayRun.objects.exists()


def test_payslips_are_shown_to_the_manager_with_an_audit_and_masked_for_the_clerk(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    run = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=system_actor())
    line = PayLine.objects.get(run=run)
    url = reverse("pay:payslip", kwargs={"pk": line.pk})
    manager_page = client_for(personas.street_a_manager).get(url).content.decode()
    assert "4,400.00" in manager_page and "3,392.00" in manager_page
    assert AuditEntry.objects.filter(
        action="disclose", target_type="people.Worker", target_id=str(paid.pk)
    ).exists()
    clerk_page = client_for(personas.community_a1_clerk).get(url).content.decode()
    assert "甲一领薪人" in clerk_page
    assert "4,400.00" not in clerk_page and "4400.00" not in clerk_page and "无权查看" in clerk_page
    assert "data-print" not in clerk_page  # no print button on a payslip of *** (issue 14.11)
    run_page = client_for(personas.community_a1_clerk).get(
        reverse("pay:run", kwargs={"pk": run.pk})
    )
    assert "3,392.00" not in run_page.content.decode()
    lines = client_for(personas.community_a1_clerk).get(
        reverse("payrun-lines", kwargs={"pk": run.pk})
    )
    assert lines.json()["results"][0]["net"] is None


def test_the_pay_register_reads_back_with_every_caliber_and_a_total_row(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    run = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=system_actor())
    response = client_for(personas.street_a_manager).get(
        reverse("pay:run-register", kwargs={"pk": run.pk})
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[1])
    worker_row = dict(zip(header, rows[2], strict=True))
    assert worker_row["姓名"] == "甲一领薪人" and worker_row["社区"] == "甲一社区"
    assert D(str(worker_row["应发工资"])) == D("4400")
    assert D(str(worker_row["实发工资"])) == D("3392")
    assert D(str(worker_row["总成本"])) == D("6440")
    assert rows[3][0] == "合计"
    assert AuditEntry.objects.filter(action="export", target_id=str(run.pk)).exists()


def test_street_b_does_not_see_street_a_runs(tree: Tree, personas: Personas, paid: Worker) -> None:
    services.payrun_create(unit=tree.street_a, period=JAN, acting_user=system_actor())
    page = client_for(personas.street_b_manager).get(reverse("pay:runs")).content.decode()
    assert "街道甲" not in page
    api = client_for(personas.street_b_manager).get(reverse("payrun-list")).json()
    assert api["count"] == 0


def test_the_benchmark_page_names_the_workers_below_and_the_leaders_share(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    for month in range(1, 13):
        run = services.payrun_create(
            unit=tree.street_a, period=datetime.date(YEAR, month, 1), acting_user=system_actor()
        )
        run.status, run.approved_at = RunStatus.APPROVED, datetime.datetime.now(datetime.UTC)
        run.save()
    services.pay_years_refresh(year=YEAR)  # approved around payrun_approve
    found = client_for(personas.street_a_manager).get(
        reverse("pay:benchmark"),
        {"unit": tree.street_a.code, "year": str(YEAR), "caliber": "gross"},
    )
    text = found.content.decode()
    gross = sum(PayLine.objects.values_list("gross", flat=True), D(0))
    # 4,400 a month, 4,425 from July (ten years of community work): 52,950 a year, against
    # an average wage of 96,000 at 100%.
    assert gross == D("52950.00")
    assert "甲一领薪人" in text and "43,050.00" in text  # the gross gap
    assert "甲一社区" in text


def test_the_configuration_file_exports_and_loads_back_and_refuses_errors(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    text = client_for(personas.street_a_manager).get(reverse("pay:config-export")).content
    data = yaml.safe_load(text)
    assert data["schemes"][0]["name"] == "三级九档"
    assert data["rates"][0]["employer"]["pension"] == "0.2"
    data["average_wages"][0]["amount"] = "100000"
    counts = config.load(data=data, acting_user=personas.district_admin)
    assert counts["average_wages"] == 1
    assert AverageWage.objects.get().amount == D("100000")
    data["average_wages"][0]["amount"] = "很多"
    data["rates"][0]["employer"]["pension"] = "-0.1"
    with pytest.raises(config.ConfigErrors) as refused:
        config.load(data=data, acting_user=personas.district_admin)
    assert "average_wages[0].amount: '很多' 不是数字" in refused.value.errors
    assert "rates[0].employer.pension: 不能为负数" in refused.value.errors
    assert AverageWage.objects.get().amount == D("100000")
    with pytest.raises(config.ConfigErrors, match="没有权限"):
        config.load(data=yaml.safe_load(text), acting_user=personas.street_b_manager)


def test_a_large_unit_runs_in_the_background_with_progress_for_its_owner(
    tree: Tree, personas: Personas, paid: Worker, settings: Any
) -> None:
    settings.TASKS_EAGER = True  # the thread would not see the test's transaction
    settings.PAY_RUN_BACKGROUND_THRESHOLD = 0
    client = client_for(personas.street_a_manager)
    response = client.post(
        reverse("pay:run-create"), {"unit": tree.street_a.code, "period": f"{YEAR}-01"}
    )
    job = Job.objects.get(kind="pay_run")
    assert response["Location"] == reverse("tasks:job", kwargs={"pk": job.pk})
    assert job.status == JobStatus.DONE
    run = PayRun.objects.get()
    assert f"#{run.pk}" in job.message and run.headcount == 1
    state = client.get(reverse("tasks:job-state", kwargs={"pk": job.pk})).json()
    assert state["finished"] is True
    other = client_for(personas.street_b_manager)
    assert other.get(reverse("tasks:job", kwargs={"pk": job.pk})).status_code == 404


def test_a_background_run_with_faults_fails_and_names_them(
    tree: Tree, personas: Personas, paid: Worker, settings: Any
) -> None:
    settings.TASKS_EAGER = True
    settings.PAY_RUN_BACKGROUND_THRESHOLD = 0
    paid_worker(tree.community_a2, personas.street_a_manager, name="后台未定级")
    client_for(personas.street_a_manager).post(
        reverse("pay:run-create"), {"unit": tree.street_a.code, "period": f"{YEAR}-01"}
    )
    job = Job.objects.get(kind="pay_run")
    assert job.status == JobStatus.FAILED and "后台未定级:未定级" in job.message
    assert not PayRun.objects.exists()


def test_a_promotion_on_the_worker_pay_page_is_recorded_with_who_and_why(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    services.payrun_create(unit=tree.street_a, period=JAN, acting_user=system_actor())
    url = reverse("pay:worker", kwargs={"pk": paid.pk})
    client = client_for(personas.street_a_manager)
    track = GradeAssignment.objects.get(worker=paid).track
    response = client.post(
        url,
        {
            "track": track.pk,
            "level": 2,
            "step": 1,
            "start": f"{YEAR}-03-01",
            "reason": "promotion",
            "note": "取得社会工作师证书晋升中级",
            "form": "grade",
        },
    )
    assert response.status_code == 302
    current = GradeAssignment.objects.get(worker=paid, end__isnull=True)
    assert (current.level, current.decided_by, current.note) == (
        2,
        personas.street_a_manager,
        "取得社会工作师证书晋升中级",
    )
    page = client.get(url).content.decode()
    assert "取得社会工作师证书晋升中级" in page and "4,400.00" in page
    clerk_page = client_for(personas.community_a1_clerk).get(url).content.decode()
    assert "晋级" in clerk_page and "4,400.00" not in clerk_page


def test_the_api_creates_checks_and_approves_a_run_and_refuses_faults_by_name(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    client = client_for(personas.street_a_manager)
    created = client.post(
        reverse("payrun-list"), {"unit": tree.street_a.code, "period": f"{YEAR}-01"}
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["gross"] == "4400.00"
    assert client.post(reverse("payrun-approve", kwargs={"pk": pk})).status_code == 400
    client_for(personas.district_admin).post(reverse("payrun-check", kwargs={"pk": pk}))
    approver = client_for(second_admin(tree))
    approved = approver.post(reverse("payrun-approve", kwargs={"pk": pk})).json()
    assert approved["status"] == "approved"
    paid_worker(tree.community_a1, personas.street_a_manager, name="接口未定级")
    refused = client.post(
        reverse("payrun-list"), {"unit": tree.street_a.code, "period": f"{YEAR}-02"}
    )
    assert refused.status_code == 400
    assert "接口未定级:未定级" in refused.json()["faults"]
    other = client_for(personas.street_b_manager).post(
        reverse("payrun-list"), {"unit": tree.street_a.code, "period": f"{YEAR}-02"}
    )
    assert other.status_code == 400 and "unit" in other.json()


def test_an_award_and_an_appraisal_grade_entered_on_the_worker_page_reach_the_run(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    client = client_for(personas.street_a_manager)
    url = reverse("pay:worker", kwargs={"pk": paid.pk})
    client.post(
        url,
        {
            "form": "adjustment",
            "period": f"{YEAR}-01",
            "kind": "award",
            "amount": "1000",
            "note": "防汛先进个人",
        },
    )
    client.post(url, {"form": "performance", "year": str(YEAR - 1), "grade": "fail"})
    run = services.payrun_create(unit=tree.street_a, period=JAN, acting_user=system_actor())
    line = PayLine.objects.get(run=run)
    assert (line.award, line.performance_pay) == (D("1000.00"), D("0"))
    assert line.gross == D("3520.00") + D("1000.00")  # fixed pay only, plus the award
    refused = client.post(
        url,
        {
            "form": "adjustment",
            "period": f"{YEAR}-02",
            "kind": "award",
            "amount": "-5",
            "note": "x",
        },
    )
    assert "金额须大于零" in refused.content.decode()
    assert (
        client_for(personas.street_b_manager)
        .post(url, {"form": "performance", "year": "2024", "grade": "excellent"})
        .status_code
        == 404
    )


def test_a_district_run_shows_a_street_manager_only_their_street_unmasked(
    tree: Tree, personas: Personas, paid: Worker
) -> None:
    paid_worker(tree.community_b1, personas.street_b_manager, name="乙街道人")
    services.grade_place(unit=tree.district, day=JAN, acting_user=system_actor())
    run = services.payrun_create(unit=tree.district, period=JAN, acting_user=system_actor())
    page = client_for(personas.street_a_manager).get(reverse("pay:run", kwargs={"pk": run.pk}))
    text = page.content.decode()
    assert "甲一领薪人" in text and "3,392.00" in text
    assert "乙街道人" not in text
    assert "只列出您所辖单位" in text  # the figures are street A's, not the district's
    lines = (
        client_for(personas.street_a_manager)
        .get(reverse("payrun-lines", kwargs={"pk": run.pk}))
        .json()["results"]
    )
    assert [line["worker_name"] for line in lines] == ["甲一领薪人"]
    assert lines[0]["net"] == "3392.00"
