"""The demo's pay set-up: a year of approved runs behind every pay page."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from shegong.conftest import client_for
from shegong.core.models import User
from shegong.pay.models import PayLine, PayRun, RunStatus


@pytest.mark.django_db
def test_the_demo_pays_every_worker_for_a_year_and_every_pay_page_shows_it() -> None:
    call_command("demo", stdout=io.StringIO())
    assert PayRun.objects.filter(status=RunStatus.APPROVED).count() == 8 * 12
    assert PayRun.objects.filter(status=RunStatus.DRAFT).count() == 1
    assert PayLine.objects.filter(run__period__year=2025).values("worker").distinct().count() == 651
    manager = client_for(User.objects.get(username="dongfeng_manager"))
    run = PayRun.objects.filter(unit__name="东风路街道", status=RunStatus.APPROVED).first()
    assert run is not None
    line = run.lines.first()
    assert line is not None
    pages = [
        reverse("pay:runs"),
        reverse("pay:run", kwargs={"pk": run.pk}),
        reverse("pay:payslip", kwargs={"pk": line.pk}),
        reverse("pay:schemes"),
        reverse("pay:settings"),
        reverse("pay:benchmark") + "?year=2025",
        reverse("pay:equal-pay") + "?year=2025",
        reverse("pay:budget") + "?year=2025&raise_to=1.00&growth=0.1362",
    ]
    for url in pages:
        response = manager.get(url)
        assert response.status_code == 200, url
    benchmark = manager.get(reverse("pay:benchmark") + "?year=2025").content.decode()
    assert "东风路街道" in benchmark and "103,000.00" in benchmark
    budget = manager.get(reverse("pay:budget") + "?year=2025&growth=0.1362").content.decode()
    assert "随平均工资增长" in budget
    assert "东风社区" in budget and "湘雅路街道" not in budget and "芙蓉社区" not in budget


@pytest.mark.django_db
def test_the_demo_logins_walk_a_run_through_compute_review_and_approval() -> None:
    call_command("demo", stdout=io.StringIO())
    manager, reviewer, admin = (
        client_for(User.objects.get(username=name))
        for name in ("dongfeng_manager", "dongfeng_reviewer", "kaifu_admin")
    )
    street = PayRun.objects.get(status=RunStatus.DRAFT).unit
    made = manager.post(reverse("pay:run-create"), {"unit": street.code, "period": "2026-02"})
    run = PayRun.objects.get(period="2026-02-01")
    assert made["Location"] == reverse("pay:run", kwargs={"pk": run.pk})
    reviewer.post(reverse("pay:run-check", kwargs={"pk": run.pk}))
    asked = admin.get(reverse("pay:run-approve", kwargs={"pk": run.pk})).content.decode()
    assert "确认审批并锁定" in asked and "上月" in asked
    admin.post(reverse("pay:run-approve", kwargs={"pk": run.pk}), {"confirmed": "yes"})
    run.refresh_from_db()
    assert run.status == RunStatus.APPROVED
    assert (run.created_by, run.checked_by, run.approved_by) == tuple(
        User.objects.get(username=n)
        for n in ("dongfeng_manager", "dongfeng_reviewer", "kaifu_admin")
    )
