"""A department edits or withdraws its own pending application; the district edits an item of
its list or retires it (kept, audited with what it was before)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from shegong.burden import selectors, services
from shegong.burden.models import AdmissionItem, Application, Status
from shegong.burden.tests import factories as f
from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry

SOON = f.FILED + datetime.timedelta(days=3)


@pytest.fixture
def b(tree: Tree, personas: Personas) -> f.Burden:
    return f.burden(tree, personas)


def _edit(b: f.Burden, application: Application, **overrides: object) -> Application:
    return services.application_update(
        application=application,
        values=f.application_values(**overrides),
        acting_user=b.health_account,
        on=SOON,
    )


def test_a_department_corrects_its_pending_application(b: f.Burden) -> None:
    application = f.file(b)
    due = application.due_on
    _edit(b, application, title="居民健康档案电子台账", funding="5000")
    application.refresh_from_db()
    assert application.title == "居民健康档案电子台账" and str(application.funding) == "5000.00"
    assert application.due_on == due  # the district's deadline runs from the filing
    entry = AuditEntry.objects.get(action="burden.application_edited")
    assert entry.before and entry.before["title"] == "居民健康档案台账"
    assert entry.after and entry.after["title"] == "居民健康档案电子台账"


def test_an_edit_inside_the_lead_time_is_refused(b: f.Burden) -> None:
    application = f.file(b)
    with pytest.raises(ServiceError) as refused:
        _edit(b, application, starts_on=SOON + datetime.timedelta(days=7))
    assert "至少30个工作日" in refused.value.message
    application.refresh_from_db()
    assert application.starts_on == f.FILED + datetime.timedelta(days=60)


def test_only_the_departments_own_accounts_edit_or_withdraw(
    b: f.Burden, personas: Personas
) -> None:
    application = f.file(b)
    for outsider in (b.civil_account, personas.district_admin, personas.street_a_manager):
        with pytest.raises(ServiceError):
            services.application_update(
                application=application,
                values=f.application_values(title="改名"),
                acting_user=outsider,
                on=SOON,
            )
        with pytest.raises(ServiceError):
            services.application_withdraw(application=application, acting_user=outsider, on=SOON)
    application.refresh_from_db()
    assert application.status == Status.FILED and application.title == "居民健康档案台账"


def test_a_decided_or_overdue_application_is_neither_edited_nor_withdrawn(
    b: f.Burden, personas: Personas
) -> None:
    decided = f.file(b)
    services.application_decide(
        application=decided, approve=True, acting_user=personas.district_admin, on=SOON
    )
    with pytest.raises(ServiceError) as refused:
        _edit(b, decided, title="改名")
    assert "已批准" in refused.value.message
    with pytest.raises(ServiceError):
        services.application_withdraw(application=decided, acting_user=b.health_account, on=SOON)
    overdue = f.file(b, title="另一台账")
    late = overdue.due_on + datetime.timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        services.application_withdraw(application=overdue, acting_user=b.health_account, on=late)
    assert "逾期视为不予准入" in refused.value.message


def test_a_withdrawn_application_stays_on_record_and_is_not_decided(
    b: f.Burden, personas: Personas
) -> None:
    application = f.file(b)
    services.application_withdraw(application=application, acting_user=b.health_account, on=SOON)
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN and application.decided_on is None
    with pytest.raises(ServiceError):
        services.application_decide(
            application=application, approve=True, acting_user=personas.district_admin, on=SOON
        )
    assert AuditEntry.objects.filter(action="burden.application_withdrawn").count() == 1
    shown = selectors.application_list(viewer=b.health_account, status="withdrawn")
    assert [a.pk for a in shown] == [application.pk]


def _today_application(b: f.Burden) -> Application:
    starts = datetime.date.today() + datetime.timedelta(days=120)
    return services.application_file(
        department=b.health,
        values=f.application_values(starts_on=starts),
        acting_user=b.health_account,
    )


def test_the_department_edits_and_withdraws_on_its_pages(b: f.Burden, personas: Personas) -> None:
    application = _today_application(b)
    client = client_for(b.health_account)
    detail = reverse("burden:application", kwargs={"pk": application.pk})
    assert "撤回申请" in client.get(detail).content.decode()
    assert "撤回申请" not in client_for(personas.district_admin).get(detail).content.decode()
    edit = reverse("burden:application-edit", kwargs={"pk": application.pk})
    form = client.get(edit).content.decode()
    assert "居民健康档案台账" in form
    body = {
        **f.application_values(title="健康档案台账(修订)"),
        "department": b.health.pk,
        "starts_on": (datetime.date.today() + datetime.timedelta(days=150)).isoformat(),
    }
    assert client.post(edit, body).status_code == 302
    application.refresh_from_db()
    assert application.title == "健康档案台账(修订)"
    client.post(reverse("burden:application-withdraw", kwargs={"pk": application.pk}))
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN
    page = client.get(detail).content.decode()
    assert "已撤回" in page and "撤回申请" not in page
    assert client.get(edit).status_code == 200  # the form opens, the service refuses
    refused = client.post(edit, body).content.decode()
    assert "只有待审核的申请可以修改或撤回" in refused


def test_the_district_edits_an_item_of_its_list(
    tree: Tree, personas: Personas, b: f.Burden
) -> None:
    item = f.item(tree, personas, b)
    services.item_update(
        item=item,
        department=b.health,
        values={"category": "ledger", "kind": "duty", "title": "低保对象动态管理台账",
                "funded": True, "funding": "1200"},
        acting_user=personas.district_admin,
    )  # fmt: skip
    item.refresh_from_db()
    assert (item.title, item.kind, item.department, str(item.funding)) == (
        "低保对象动态管理台账", "duty", b.health, "1200.00",
    )  # fmt: skip
    entry = AuditEntry.objects.filter(action="update", target_type="burden.AdmissionItem").get()
    assert entry.before and entry.before["title"] == "低保对象台账"
    with pytest.raises(ServiceError):
        services.item_update(
            item=item, values={"category": "ledger", "kind": "duty", "title": "越权"},
            acting_user=personas.street_a_manager,
        )  # fmt: skip


def test_a_retired_item_is_kept_off_the_list_and_unchangeable(
    tree: Tree, personas: Personas, b: f.Burden
) -> None:
    item = f.item(tree, personas, b)
    record = f.record(tree, personas, b, item=item, year=2025, department=b.civil)
    later = f.record(tree, personas, b, item=item, year=2027, title="另一台账", department=b.civil)
    with pytest.raises(ServiceError) as refused:
        services.item_retire(item=item, reason="", acting_user=personas.district_admin)
    assert "停止理由" in refused.value.message
    services.item_retire(
        item=item,
        reason="并入社会救助一件事",
        acting_user=personas.district_admin,
        on=datetime.date(2026, 6, 30),
    )
    item.refresh_from_db()
    assert item.retired_on == datetime.date(2026, 6, 30)
    assert AdmissionItem.objects.filter(pk=item.pk).exists()
    assert item not in selectors.item_list(viewer=personas.district_admin)
    assert item in selectors.item_list(viewer=personas.district_admin, retired=True)
    entry = AuditEntry.objects.get(action="burden.item_retired")
    assert entry.before and entry.before["retired_on"] is None
    assert entry.after and entry.after["retired_reason"] == "并入社会救助一件事"
    flagged = {
        r.pk: r.refusable  # type: ignore[attr-defined]
        for r in selectors.record_list(viewer=personas.district_admin, unit=tree.district)
    }
    assert flagged == {record.pk: False, later.pk: True}  # a year after it was retired
    s2026 = selectors.burden_summary(viewer=personas.district_admin, unit=tree.district, year=2026)
    s2027 = selectors.burden_summary(viewer=personas.district_admin, unit=tree.district, year=2027)
    assert (s2026["items"], s2027["items"]) == (1, 0)
    with pytest.raises(ServiceError) as refused:
        services.item_update(
            item=item, values={"category": "ledger", "kind": "duty", "title": "再改"},
            acting_user=personas.district_admin,
        )  # fmt: skip
    assert "已于2026-06-30停止" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        f.record(tree, personas, b, item=item, year=2027, title="新台账", department=b.civil)
    assert "已于2026-06-30停止" in refused.value.message


def test_the_district_edits_and_retires_an_item_on_its_pages(
    tree: Tree, personas: Personas, b: f.Burden
) -> None:
    item = f.item(tree, personas, b)
    admin = client_for(personas.district_admin)
    edit = reverse("burden:item-edit", kwargs={"pk": item.pk})
    assert "低保对象台账" in admin.get(edit).content.decode()
    body = {"department": b.civil.pk, "category": "ledger", "kind": "assist",
            "title": "低保台账", "legal_basis": "《社会救助暂行办法》"}  # fmt: skip
    assert admin.post(edit, body).status_code == 302
    item.refresh_from_db()
    assert item.title == "低保台账"
    assert client_for(personas.street_a_manager).get(edit).status_code == 404
    retire = reverse("burden:item-retire", kwargs={"pk": item.pk})
    assert client_for(personas.street_a_manager).post(retire, {"reason": "x"}).status_code == 404
    admin.post(retire, {"reason": "不再需要"})
    item.refresh_from_db()
    assert item.retired_reason == "不再需要"
    listed = admin.get(reverse("burden:items") + f"?district={tree.district.code}")
    assert "<td>低保台账</td>" not in listed.content.decode()
    retired = admin.get(reverse("burden:items") + f"?district={tree.district.code}&retired=1")
    assert "<td>低保台账</td>" in retired.content.decode()
    assert "<td>不再需要</td>" in retired.content.decode()
