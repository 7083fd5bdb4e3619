"""A district's pay run as one job per street: queued all or nothing, refused when a street
already has its run (named), run by a real worker process to the same totals as the
streets' own runs, shown as one progress on the page and followed from the console."""

from __future__ import annotations

import datetime
import re
import subprocess
import time
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.core.money import money_text
from shegong.pay import citywide, services
from shegong.pay.models import PayRun
from shegong.pay.tests.factories import YEAR, paid_worker, pay_settings
from shegong.tasks.models import Job, JobStatus
from shegong.tasks.tests.test_processes import _worker, shared_db  # noqa: F401 (fixture)

JAN = datetime.date(YEAR, 1, 1)
TOTALS = ("headcount", *citywide.TOTAL_FIELDS)


def _district_paid(tree: Tree, personas: Personas) -> None:
    """Settings on the district; three workers in street A (two communities), two in B."""
    pay_settings(tree.district)
    for n, community in enumerate([tree.community_a1, tree.community_a1, tree.community_a2]):
        paid_worker(community, personas.district_admin, name=f"甲街道{n}号")
    for n in range(2):
        paid_worker(tree.community_b1, personas.district_admin, name=f"乙街道{n}号")
    services.grade_place(unit=tree.district, day=JAN, acting_user=personas.district_admin)


@pytest.fixture
def district(tree: Tree, personas: Personas) -> Tree:
    _district_paid(tree, personas)
    return tree


def _totals(run: PayRun) -> dict[str, Any]:
    return {name: getattr(run, name) for name in TOTALS}


def test_it_queues_one_job_per_street_largest_first_and_audits_the_request(
    district: Tree, personas: Personas
) -> None:
    started = citywide.payrun_citywide_start(
        unit=district.district, period=JAN, acting_user=personas.district_admin
    )
    jobs = list(Job.objects.filter(kind=citywide.STREET_JOB).order_by("pk"))
    assert [(j.unit_path, j.total, j.status) for j in jobs] == [
        (district.street_a.path, 3, JobStatus.PENDING),
        (district.street_b.path, 2, JobStatus.PENDING),
    ]
    assert {j.params["batch"] for j in jobs} == {started.batch}
    assert all(j.owner == personas.district_admin and j.task_result_id for j in jobs)
    assert not PayRun.objects.exists()  # the runs are the workers' to make
    entry = AuditEntry.objects.get(action="pay.citywide_started")
    assert entry.after is not None and entry.after["streets"] == ["街道甲", "街道乙"]
    summary = citywide.citywide_get(viewer=personas.district_admin, batch=started.batch)
    assert (summary.streets, summary.pending, summary.total, summary.finished) == (2, 2, 5, False)
    assert summary.status_label == "排队中"


def test_it_refuses_the_whole_request_when_a_street_already_has_its_run_naming_it(
    district: Tree, personas: Personas
) -> None:
    made = services.payrun_create(
        unit=district.street_b, period=JAN, acting_user=personas.street_b_manager
    )
    with pytest.raises(ServiceError) as refused:
        citywide.payrun_citywide_start(
            unit=district.district, period=JAN, acting_user=personas.district_admin
        )
    assert f"街道乙(批次 #{made.pk})" in refused.value.message
    assert "未排队任何任务" in refused.value.message
    assert not Job.objects.exists()
    # Another month is free.
    citywide.payrun_citywide_start(
        unit=district.district, period=JAN.replace(month=2), acting_user=personas.district_admin
    )
    assert Job.objects.count() == 2


def test_it_refuses_a_second_request_while_the_first_is_still_queued(
    district: Tree, personas: Personas
) -> None:
    citywide.payrun_citywide_start(
        unit=district.district, period=JAN, acting_user=personas.district_admin
    )
    with pytest.raises(ServiceError, match=r"正在排队或进行中.*街道甲"):
        citywide.payrun_citywide_start(
            unit=district.district, period=JAN, acting_user=personas.district_admin
        )
    assert Job.objects.count() == 2


def test_it_refuses_a_street_manager_a_district_run_and_a_street_as_the_unit(
    district: Tree, personas: Personas
) -> None:
    with pytest.raises(ServiceError, match="您没有权限计算测试区的工资"):
        citywide.payrun_citywide_start(
            unit=district.district, period=JAN, acting_user=personas.street_a_manager
        )
    with pytest.raises(ServiceError, match=re.escape("只能为区(县)或市发起")):
        citywide.payrun_citywide_start(
            unit=district.street_a, period=JAN, acting_user=personas.street_a_manager
        )
    # On the page the district is not even offered, and posting it queues nothing.
    client = client_for(personas.street_a_manager)
    page = client.get(reverse("pay:citywide-list")).content.decode()
    assert "只有区(县)或市的管理人员" in page
    response = client.post(
        reverse("pay:citywide-start"), {"unit": district.district.code, "period": f"{YEAR}-01"}
    )
    assert response.status_code == 200 and not Job.objects.exists()


def test_the_page_starts_the_run_and_shows_one_progress_and_the_summed_totals(
    district: Tree, personas: Personas, settings: Any
) -> None:
    settings.TASKS_EAGER = True  # the jobs run inline here; the worker test runs them for real
    client = client_for(personas.district_admin)
    assert district.district.name in client.get(reverse("pay:citywide-list")).content.decode()
    response = client.post(
        reverse("pay:citywide-start"),
        {"unit": district.district.code, "period": f"{YEAR}-01", "note": "一月"},
    )
    batch = Job.objects.filter(kind=citywide.STREET_JOB).first().params["batch"]  # type: ignore[union-attr]
    assert response["Location"] == reverse("pay:citywide", kwargs={"batch": batch})
    state = client.get(reverse("pay:citywide-state", kwargs={"batch": batch})).json()
    assert (state["finished"], state["percent"], state["total"]) == (True, 100, 5)
    assert state["status_label"] == "已完成" and state["message"] == "2 / 2 个街道已完成"
    page = client.get(response["Location"]).content.decode()
    runs = PayRun.objects.order_by("unit_path")
    gross = sum((run.gross for run in runs), D("0"))
    assert [run.note for run in runs] == ["一月", "一月"]
    totals_row = page.split('id="citywide-totals"')[1].split("</tr>")[0]
    assert f">{money_text(gross)}<" in totals_row
    assert "街道甲" in page and "街道乙" in page
    listed = client.get(reverse("pay:citywide-list")).content.decode()
    assert response["Location"] in listed and "测试区" in listed
    # Someone else's batch is a missing one.
    other = client_for(personas.street_b_manager)
    assert other.get(response["Location"]).status_code == 404


def test_the_console_queues_and_with_wait_follows_the_run_to_its_totals(
    district: Tree, personas: Personas, settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.TASKS_EAGER = True
    call_command(
        "pay", "citywide", "--unit", district.district.code, "--period", "2025-01", "--wait"
    )
    out = capsys.readouterr().out
    assert "已排队 2 个街道的工资计算任务" in out and "合计 2 个批次 5 人" in out
    assert Job.objects.filter(owner__username="shegong-system").count() == 2
    with pytest.raises(CommandError, match="街道甲"):
        call_command("pay", "citywide", "--unit", district.district.code, "--period", "2025-01")
    with pytest.raises(CommandError, match="没有权限"):
        call_command(
            "pay",
            "citywide",
            "--unit",
            district.district.code,
            "--period",
            "2025-02",
            "--user",
            personas.street_a_manager.username,
        )


@pytest.mark.django_db(transaction=True)
def test_street_jobs_on_a_real_worker_process_make_the_same_totals_as_single_street_runs(
    shared_db: dict[str, str],  # noqa: F811
    tree: Tree,
    personas: Personas,
    tmp_path: Path,
) -> None:
    _district_paid(tree, personas)
    started = citywide.payrun_citywide_start(
        unit=tree.district, period=JAN, acting_user=personas.district_admin
    )
    log = tmp_path / "worker.log"
    proc = _worker(shared_db, log)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            summary = citywide.citywide_get(viewer=personas.district_admin, batch=started.batch)
            if summary.finished:
                break
            time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert summary.finished, log.read_text()
    assert (summary.done, summary.failed, summary.runs, summary.headcount) == (2, 0, 2, 5)
    by_job = {run.unit_path: _totals(run) for run in PayRun.objects.all()}
    assert all(run.created_by == personas.district_admin for run in PayRun.objects.all())
    # The same streets run one by one in this process, after the jobs' runs are discarded.
    for run in list(PayRun.objects.all()):
        services.payrun_discard(run=run, acting_user=personas.district_admin)
    single = {
        street.path: _totals(
            services.payrun_create(unit=street, period=JAN, acting_user=personas.district_admin)
        )
        for street in (tree.street_a, tree.street_b)
    }
    assert by_job == single
    for name in citywide.TOTAL_FIELDS:
        assert summary.totals[name] == sum((t[name] for t in single.values()), D("0"))
    assert summary.totals["gross"] == sum((t["gross"] for t in single.values()), D("0")) > 10000
