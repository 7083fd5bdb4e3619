"""The admission list, applications and community records: who may, what is refused."""

from __future__ import annotations

import datetime

import pytest

from shegong.burden import selectors, services
from shegong.burden.models import Application, BurdenRecord, Status
from shegong.burden.tests import factories as f
from shegong.conftest import Personas, Tree
from shegong.core.access import Permission, has_permission
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry, User
from shegong.orgs.models import Unit
from shegong.orgs.selectors import unit_list


def _flagged(viewer: User, unit: Unit) -> set[int]:
    found = selectors.record_list(viewer=viewer, unit=unit, refusable=True)
    return set(found.values_list("pk", flat=True))


@pytest.fixture
def b(tree: Tree, personas: Personas) -> f.Burden:
    return f.burden(tree, personas)


def test_a_department_account_sees_no_unit_of_the_district(b: f.Burden) -> None:
    assert not unit_list(viewer=b.health_account).exists()
    assert not has_permission(b.health_account, Permission.EDIT)


def test_a_department_files_an_application_with_the_deadline_in_working_days(
    b: f.Burden,
) -> None:
    application = f.file(b)
    assert application.status == Status.FILED
    # 15 working days after Monday 2 March 2026 (no holiday in between): Monday 23 March.
    assert application.due_on == datetime.date(2026, 3, 23)
    entry = AuditEntry.objects.get(action="burden.application_filed")
    assert entry.target_id == str(application.pk)


def test_it_refuses_an_application_inside_the_lead_time_and_says_the_earliest_day(
    b: f.Burden,
) -> None:
    # 30 working days from 2 March 2026 end on 13 April (清明 4–6 April is a holiday).
    with pytest.raises(ServiceError) as refused:
        f.file(b, starts_on=datetime.date(2026, 4, 10))
    assert "至少30个工作日" in refused.value.message
    assert "2026-04-14" in refused.value.message
    assert not Application.objects.exists()
    assert f.file(b, starts_on=datetime.date(2026, 4, 14)).pk


def test_a_department_files_only_for_its_own_department(b: f.Burden) -> None:
    with pytest.raises(ServiceError):
        services.application_file(
            department=b.civil,
            values=f.application_values(),
            acting_user=b.health_account,
            on=f.FILED,
        )
    assert not Application.objects.exists()


def test_a_street_manager_may_not_file(b: f.Burden, personas: Personas) -> None:
    with pytest.raises(ServiceError):
        services.application_file(
            department=b.health,
            values=f.application_values(),
            acting_user=personas.street_a_manager,
            on=f.FILED,
        )


def test_a_department_sees_only_its_own_applications(b: f.Burden, personas: Personas) -> None:
    own = f.file(b)
    other = services.application_file(
        department=b.civil,
        values=f.application_values(title="养老服务台账"),
        acting_user=b.civil_account,
        on=f.FILED,
    )
    assert list(selectors.application_list(viewer=b.health_account)) == [own]
    assert set(selectors.application_list(viewer=personas.district_admin)) == {own, other}
    assert not selectors.application_list(viewer=personas.street_a_manager).exists()


def test_the_district_approves_and_publishes_an_item(b: f.Burden, personas: Personas) -> None:
    application = f.file(b)
    services.application_decide(
        application=application,
        approve=True,
        acting_user=personas.district_admin,
        on=datetime.date(2026, 3, 10),
    )
    item = services.application_publish(
        application=application, acting_user=personas.district_admin
    )
    application.refresh_from_db()
    assert application.status == Status.PUBLISHED
    assert item.title == "居民健康档案台账" and item.funding == 3000
    kinds = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"burden.application_approved", "burden.application_published"} <= kinds


def test_a_refusal_needs_a_reason(b: f.Burden, personas: Personas) -> None:
    application = f.file(b)
    with pytest.raises(ServiceError) as refused:
        services.application_decide(
            application=application,
            approve=False,
            acting_user=personas.district_admin,
            on=datetime.date(2026, 3, 10),
        )
    assert "不予准入理由" in refused.value.message
    services.application_decide(
        application=application,
        approve=False,
        reason="属于部门自身职责",
        acting_user=personas.district_admin,
        on=datetime.date(2026, 3, 10),
    )
    application.refresh_from_db()
    assert application.status == Status.REFUSED


def test_a_department_may_not_decide_its_own_application(b: f.Burden) -> None:
    application = f.file(b)
    with pytest.raises(ServiceError):
        services.application_decide(
            application=application, approve=True, acting_user=b.health_account, on=f.FILED
        )
    application.refresh_from_db()
    assert application.status == Status.FILED


def test_an_overdue_application_lapses_and_can_no_longer_be_approved(
    b: f.Burden, personas: Personas
) -> None:
    application = f.file(b)
    late = datetime.date(2026, 3, 24)
    with pytest.raises(ServiceError) as refused:
        services.application_decide(
            application=application, approve=True, acting_user=personas.district_admin, on=late
        )
    assert "已视为不予准入" in refused.value.message
    # Read before the command ran: already shown lapsed.
    lapsed = selectors.application_list(viewer=b.health_account, status=Status.LAPSED)
    assert list(lapsed) == [application]
    assert services.applications_lapse(acting_user=personas.district_admin, on=late) == 1
    application.refresh_from_db()
    assert application.status == Status.LAPSED and application.reason


def test_a_district_may_keep_overdue_applications_open(
    b: f.Burden, personas: Personas, tree: Tree
) -> None:
    services.policy_set(
        district=tree.district,
        values={"lead_days": 30, "review_days": 15, "lapse_overdue": False, "hours_per_field": 0},
        acting_user=personas.district_admin,
    )
    application = f.file(b)
    late = datetime.date(2026, 4, 30)
    assert services.applications_lapse(acting_user=personas.district_admin, on=late) == 0
    services.application_decide(
        application=application, approve=True, acting_user=personas.district_admin, on=late
    )


def test_a_clerk_records_a_ledger_of_their_community_flagged_without_admission(
    b: f.Burden, tree: Tree, personas: Personas
) -> None:
    record = f.record(tree, personas, b)
    listed = f.record(tree, personas, b, title="低保台账", item=f.item(tree, personas, b).pk)
    assert _flagged(personas.community_a1_clerk, tree.community_a1) == {record.pk}
    assert listed.pk


def test_it_refuses_a_ledger_for_a_community_out_of_scope(
    b: f.Burden, tree: Tree, personas: Personas
) -> None:
    with pytest.raises(ServiceError) as refused:
        services.record_create(
            community=tree.community_a2,
            values={
                "kind": "ledger",
                "title": "台账",
                "department": b.health,
                "frequency": "daily",
                "year": 2026,
            },
            acting_user=personas.community_a1_clerk,
        )
    assert "甲二社区" in refused.value.message
    assert not BurdenRecord.objects.exists()


def test_it_refuses_an_item_of_another_category(
    b: f.Burden, tree: Tree, personas: Personas
) -> None:
    item = f.item(tree, personas, b)
    with pytest.raises(ServiceError) as refused:
        f.record(tree, personas, b, kind="signboard", title="牌子", item=item.pk)
    assert "类别" in refused.value.message


def test_an_inspection_needs_its_day(b: f.Burden, tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError) as refused:
        f.record(tree, personas, b, kind="inspection", title="创文检查", hours="3")
    assert "日期" in refused.value.message
    record = f.record(
        tree,
        personas,
        b,
        kind="inspection",
        title="创文检查",
        day="2026-05-12",
        hours="3.5",
        staff=4,
    )
    assert record.year == 2026 and record.hours == 3.5


def test_stamps_are_checked_against_the_lists(b: f.Burden, tree: Tree, personas: Personas) -> None:
    allowed = services.stamp_entry_create(
        district=tree.district,
        values={"name": "居民死亡证明", "listing": "positive"},
        acting_user=personas.district_admin,
    )
    banned = services.stamp_entry_create(
        district=tree.district,
        values={"name": "无犯罪记录证明", "listing": "negative"},
        acting_user=personas.district_admin,
    )
    ok = f.record(tree, personas, b, kind="stamp", title="居民死亡证明", stamp=allowed.pk)
    bad = f.record(tree, personas, b, kind="stamp", title="无犯罪记录证明", stamp=banned.pk)
    assert _flagged(personas.district_admin, tree.district) == {bad.pk}
    assert ok.pk


def test_the_summary_counts_per_community(b: f.Burden, tree: Tree, personas: Personas) -> None:
    f.item(tree, personas, b)
    f.item(tree, personas, b, title="计生台账", funded=True, funding="1200")
    f.record(tree, personas, b)
    f.record(
        tree, personas, b, kind="meeting", title="创卫推进会", day="2026-06-01", hours="2", staff=2
    )
    f.record(
        tree,
        personas,
        b,
        kind="ranking",
        title="文明社区评比",
        day="2026-07-01",
        hours="6",
        staff=5,
    )
    s = selectors.burden_summary(viewer=personas.district_admin, unit=tree.district, year=2026)
    for key in (
        "communities",
        "items",
        "ledgers",
        "signboards",
        "stamp_kinds",
        "inspections",
        "unfunded_items",
        "without_admission",
        "forms",
        "fields_from_data",
        "fields_asked",
        "survey",
    ):
        assert key in s
    assert s["items"] == 2 and s["unfunded_items"] == 1
    assert (s["ledgers"], s["inspections"], s["meetings"], s["hours"]) == (1, 1, 1, "8.0")
    assert s["without_admission"] == 3
    a1 = next(r for r in s["communities"] if r["code"] == tree.community_a1.code)
    assert a1["items"] == 2 and a1["without_admission"] == 3
    assert s["departments"][0] == {"department": "区卫健局", "records": 3, "without_admission": 3}
    street_b = selectors.burden_summary(
        viewer=personas.street_b_manager, unit=tree.street_b, year=2026
    )
    assert street_b["ledgers"] == 0 and street_b["items"] == 2


def test_the_summary_counts_kinds_of_stamp_once_per_community_and_year(
    b: f.Burden, tree: Tree, personas: Personas
) -> None:
    for community, title, year in ((tree.community_a1, "居住证明", 2026),
                                   (tree.community_a1, "居住证明", 2026),
                                   (tree.community_a1, "亲属关系证明", 2026),
                                   (tree.community_a2, "居住证明", 2026),
                                   (tree.community_a2, "收入证明", 2025)):  # fmt: skip
        services.record_create(
            community=community,
            values={"kind": "stamp", "title": title, "department": b.health, "year": year},
            acting_user=personas.street_a_manager,
        )
    s = selectors.burden_summary(viewer=personas.district_admin, unit=tree.district, year=2026)
    by_code = {r["code"]: r["stamp_kinds"] for r in s["communities"]}
    assert (by_code[tree.community_a1.code], by_code[tree.community_a2.code]) == (2, 1)
    assert s["stamp_kinds"] == 2
    trend = {t["year"]: t["stamp_kinds"] for t in s["trend"]}
    assert (trend[2025], trend[2026], trend[2022]) == (1, 2, 0)


def test_the_summary_withholds_the_questionnaires_counts_below_the_minimum_group(
    tree: Tree, personas: Personas, settings: object
) -> None:
    from shegong.burden.tests.test_questionnaire import ANSWER, _survey

    survey, codes = _survey(tree, personas)
    for code in codes:
        services.answer_submit(code=code, answers=ANSWER)
    services.worker_survey_set_status(
        survey=survey, status="closed", acting_user=personas.street_a_manager
    )
    settings.SHEGONG_MIN_GROUP_SIZE = 6  # type: ignore[attr-defined]
    s = selectors.burden_summary(viewer=personas.street_a_manager, unit=tree.street_a, year=2026)
    assert s["survey"]["respondents"] == 5
    assert [q["counts"] for q in s["survey"]["questions"]] == [None] * len(s["survey"]["questions"])
    settings.SHEGONG_MIN_GROUP_SIZE = 5  # type: ignore[attr-defined]
    s = selectors.burden_summary(viewer=personas.street_a_manager, unit=tree.street_a, year=2026)
    assert s["survey"]["questions"][0]["counts"] == [5, 0, 0, 0, 0]
