"""The pay office's pages: a new version of a setting from a month, refused to the others;
the long lists paged and exported, the exports read back (numbers as numbers, masked like
the page)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal as D
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core import listing
from shegong.core.actors import system_actor
from shegong.core.models import AuditEntry
from shegong.pay import services
from shegong.pay.models import ContributionRates, GradeScheme, PayPolicy, PayRun, RunStatus
from shegong.pay.tests.factories import ESSAY1_RATES, YEAR, paid_worker, pay_settings

JAN = datetime.date(YEAR, 1, 1)


@pytest.fixture
def settled(tree: Tree) -> Tree:
    pay_settings(tree.district)
    return tree


def _rows(content: bytes, sheet: int = 0) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return list(book.worksheets[sheet].iter_rows(values_only=True))


def _rates_post(unit: str, month: str, **changes: str) -> dict[str, str]:
    values = {k: str(v) for k, v in ESSAY1_RATES.items()}
    return {"unit": unit, "month": month, **values, **changes}


def test_the_pay_office_sets_new_rates_from_a_month_on_the_page(
    settled: Tree, personas: Personas
) -> None:
    client = client_for(personas.district_admin)
    form = client.get(reverse("pay:rates-new"), {"unit": settled.district.code, "month": "2025-07"})
    assert form.status_code == 200
    assert 'value="0.2000"' in form.content.decode()  # prefilled with what is in force
    next_year = client.get(reverse("pay:rates-new"), {"month": f"{YEAR + 1}-01"})
    assert 'value="0.2000"' in next_year.content.decode()  # a new year starts from the last
    done = client.post(
        reverse("pay:rates-new"),
        _rates_post(settled.district.code, "2025-07", pension_employer="0.16"),
        follow=True,
    )
    assert "已保存,自 2025-07 起生效" in done.content.decode()
    july = ContributionRates.objects.get(effective_from=datetime.date(YEAR, 7, 1))
    assert july.pension_employer == D("0.16")
    listed = client.get(reverse("pay:settings"), {"show": "rates"}).content.decode()
    assert "2025-07-01" in listed and "2025-01-01" in listed


def test_the_rates_page_shows_every_reason_in_chinese_and_writes_nothing(
    settled: Tree, personas: Personas
) -> None:
    page = client_for(personas.district_admin).post(
        reverse("pay:rates-new"),
        _rates_post(settled.district.code, "2025-07", injury_employer="1.2", base_floor_share="4"),
    )
    text = page.content.decode()
    assert "应小于 1" in text and "下限不能高于上限" in text
    assert ContributionRates.objects.count() == 1


def test_the_policy_page_keeps_the_appraisal_factors_off_the_form(
    settled: Tree, personas: Personas
) -> None:
    client = client_for(personas.district_admin)
    form = client.get(reverse("pay:policy-new")).content.decode()
    assert "factor_excellent" not in form
    post = {
        "unit": settled.district.code,
        "month": "2025-07",
        "performance_share": "0.25",
        "seniority_per_year": "30",
        "seniority_cap_years": "30",
        "certificate_assistant": "200",
        "certificate_social_worker": "400",
        "certificate_senior": "600",
        "dual_role_allowance": "600",
        "other_allowance": "0",
        "certificate_start_months": "0",
        "awards_paid": "monthly",
    }
    client.post(reverse("pay:policy-new"), post)
    july = PayPolicy.objects.get(effective_from=datetime.date(YEAR, 7, 1))
    assert (july.performance_share, july.factor_excellent) == (D("0.25"), D("1.20"))


def test_the_pay_office_chooses_award_runs_and_the_allowance_start_on_the_policy_page(
    settled: Tree, personas: Personas
) -> None:
    client = client_for(personas.district_admin)
    form = client.get(
        reverse("pay:policy-new"), {"unit": settled.district.code, "month": "2025-07"}
    )
    html = form.content.decode()
    assert "单独发放(奖励发放批次)" in html and "职业资格津贴起发" in html
    initial = {
        k: str(getattr(PayPolicy.objects.get(), k))
        for k in (
            "performance_share",
            "seniority_per_year",
            "seniority_cap_years",
            "certificate_assistant",
            "certificate_social_worker",
            "certificate_senior",
            "dual_role_allowance",
            "other_allowance",
        )
    }
    post = {"unit": settled.district.code, "month": "2025-07", **initial}
    refused = client.post(
        reverse("pay:policy-new"),
        {**post, "certificate_start_months": "30", "awards_paid": "own_run"},
    )
    assert "24" in refused.content.decode() and PayPolicy.objects.count() == 1
    client.post(
        reverse("pay:policy-new"),
        {**post, "certificate_start_months": "1", "awards_paid": "own_run"},
    )
    july = PayPolicy.objects.get(effective_from=datetime.date(YEAR, 7, 1))
    assert (july.certificate_start_months, july.awards_paid) == (1, "own_run")
    january = PayPolicy.objects.get(effective_from=JAN)  # the earlier version is untouched
    assert (january.certificate_start_months, january.awards_paid) == (0, "monthly")
    entry = AuditEntry.objects.filter(action="pay.policy_set").latest("pk")
    assert entry.after is not None and entry.after["awards_paid"] == "own_run"
    listed = client.get(reverse("pay:settings"), {"show": "policies"}).content.decode()
    assert "单独发放(奖励发放批次)" in listed and "随下一次月度工资发放" in listed


def test_the_average_wage_page_saves_a_version(settled: Tree, personas: Personas) -> None:
    client_for(personas.district_admin).post(
        reverse("pay:wage-new"),
        {
            "unit": settled.district.code,
            "month": "2026-01",
            "amount": "101000",
            "benchmark_share": "1.00",
        },
    )
    listed = client_for(personas.street_a_manager).get(reverse("pay:settings")).content.decode()
    assert "101,000.00" in listed and "2026-01-01" in listed


@pytest.mark.parametrize("who", ["street_a_manager", "community_a1_clerk"])
@pytest.mark.parametrize("route", ["pay:rates-new", "pay:wage-new", "pay:policy-new"])
def test_only_the_pay_office_opens_the_setting_forms(
    settled: Tree, personas: Personas, who: str, route: str
) -> None:
    client = client_for(getattr(personas, who))
    assert client.get(reverse(route)).status_code == 404
    assert (
        client.post(reverse(route), _rates_post(settled.street_a.code, "2025-07")).status_code
        == 404
    )
    page = client.get(reverse("pay:settings")).content.decode()
    assert reverse(route) not in page
    assert ContributionRates.objects.count() == 1


def test_the_scheme_page_revises_amounts_from_a_month(settled: Tree, personas: Personas) -> None:
    scheme = GradeScheme.objects.get()
    url = reverse("pay:scheme-revise", kwargs={"pk": scheme.pk})
    client = client_for(personas.district_admin)
    form = client.get(url)
    post = {
        name: str(field.initial if field.initial is not None else "")
        for name, field in form.context["form"].fields.items()
    }
    track = scheme.tracks.first()
    assert track is not None
    post |= {"month": "2025-07", f"post_{track.code}": "1700"}
    done = client.post(url, post, follow=True)
    assert "原定级人员的等级档次延续到新版本" in done.content.decode()
    new = GradeScheme.objects.get(effective_from=datetime.date(YEAR, 7, 1))
    assert new.tracks.get(code=track.code).post_pay == D("1700")
    refused = client.post(url, post | {"month": "2025-08", "name": "新\x1b方案"})
    assert "方案名称含有不可见的控制字符" in refused.content.decode()
    assert GradeScheme.objects.count() == 2
    manager_page = client_for(personas.street_a_manager).get(url).content.decode()
    assert "只有测试区的单位管理员" in manager_page and 'name="month"' not in manager_page


def test_the_settings_export_holds_numbers_and_dates(settled: Tree, personas: Personas) -> None:
    response = client_for(personas.street_a_manager).get(
        reverse("pay:settings-export"), {"show": "rates"}
    )
    rows = _rows(response.content)
    assert rows[1][:3] == ("单位", "生效日期", "养老 单位")
    assert rows[2][0] == "测试区" and rows[2][1] == datetime.datetime(YEAR, 1, 1)
    assert rows[2][2] == pytest.approx(0.2) and isinstance(rows[2][2], float | int)


@pytest.fixture
def benchmarked(settled: Tree, personas: Personas, monkeypatch: pytest.MonkeyPatch) -> Tree:
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    for n, source in enumerate(["elected", "hired", "hired"]):
        paid_worker(settled.community_a1, personas.street_a_manager, name=f"对标{n}", source=source)
    services.grade_place(unit=settled.street_a, day=JAN, acting_user=system_actor())
    run = services.payrun_create(unit=settled.street_a, period=JAN, acting_user=system_actor())
    run.status, run.approved_at = RunStatus.APPROVED, datetime.datetime.now(datetime.UTC)
    run.save()
    services.pay_years_refresh(year=JAN.year)  # approved around payrun_approve
    return settled


def test_the_benchmark_lists_everyone_below_page_by_page(
    benchmarked: Tree, personas: Personas
) -> None:
    client = client_for(personas.street_a_manager)
    query = {"unit": benchmarked.street_a.code, "year": str(YEAR)}
    first = client.get(reverse("pay:benchmark"), query).content.decode()
    second = client.get(reverse("pay:benchmark"), query | {"page": "2"}).content.decode()
    assert "第 1 / 2 页" in first and "第 2 / 2 页" in second
    assert "shegong report pay" not in first
    names = [f"对标{n}" for n in range(3)]
    assert sum(n in first for n in names) == 2 and sum(n in second for n in names) == 1
    net = client.get(reverse("pay:benchmark"), query | {"caliber": "net"}).content.decode()
    assert "实发口径</h2>" in net


def test_the_benchmark_export_has_everyone_as_numbers_and_masks_for_a_clerk(
    benchmarked: Tree, personas: Personas
) -> None:
    query = {"unit": benchmarked.street_a.code, "year": str(YEAR)}
    manager = client_for(personas.street_a_manager).get(reverse("pay:benchmark-export"), query)
    book = openpyxl.load_workbook(io.BytesIO(manager.content))
    assert book.sheetnames[:2] == ["总成本 人员", "总成本 社区"]
    rows = list(book["应发 人员"].iter_rows(values_only=True))
    assert rows[1] == ("姓名", "社区", "月数", "全年(折算)", "待遇标准", "差额")
    people = rows[2:]
    assert sorted(r[0] for r in people) == ["对标0", "对标1", "对标2"]
    assert all(isinstance(r[3], float | int) and isinstance(r[5], float | int) for r in people)
    assert book["应发 人员"]["D3"].number_format == "#,##0.00"
    clerk = client_for(personas.community_a1_clerk).get(
        reverse("pay:benchmark-export"), {"unit": benchmarked.community_a1.code, "year": str(YEAR)}
    )
    masked = list(
        openpyxl.load_workbook(io.BytesIO(clerk.content))["应发 人员"].iter_rows(values_only=True)
    )[2:]
    assert masked and all(r[3] == "***" and r[5] == "***" for r in masked)


def test_the_runs_list_exports_with_its_totals(benchmarked: Tree, personas: Personas) -> None:
    response = client_for(personas.street_a_manager).get(reverse("pay:runs-export"))
    rows = _rows(response.content)
    run = PayRun.objects.get()
    assert rows[2][:4] == ("2025-01", "街道甲", "已审批", 3)
    assert rows[2][5] == pytest.approx(float(run.gross))


def test_the_equal_pay_export_lists_every_group_with_all_its_people(
    benchmarked: Tree, personas: Personas
) -> None:
    response = client_for(personas.street_a_manager).get(
        reverse("pay:equal-pay-export"), {"unit": benchmarked.street_a.code, "year": str(YEAR)}
    )
    rows = _rows(response.content)
    assert rows[1][:6] == ("岗位序列", "等级", "差距(元/年)", "来源方式", "人均应发(元/年)", "人数")
    by_source = {r[3]: r for r in rows[2:]}
    assert set(by_source) == {"选举产生", "聘用"}
    assert by_source["聘用"][5] == 2 and by_source["聘用"][6] == "对标1、对标2"
    assert isinstance(by_source["聘用"][4], float | int)
