"""The audit trail reads like a register: Chinese labels, names, records as users know them,
local times, values as text; filters by person, unit, kind of record and dates."""

from __future__ import annotations

import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import AuditAction, AuditEntry
from shegong.people import services as people_services
from shegong.people.tests.factories import register, worker_values


def _page(client: Any, **params: Any) -> str:
    return str(client.get(reverse("audit"), params).content.decode())


def test_a_change_shows_chinese_labels_the_name_and_the_record(
    tree: Tree, personas: Personas
) -> None:
    personas.street_a_manager.first_name = "王主管"
    personas.street_a_manager.save()
    worker = register(tree.community_a1, personas.street_a_manager, name="李四")
    people_services.worker_update(
        worker=worker,
        values=worker_values(name="李四", id_number=worker.id_number, education="postgraduate"),
        acting_user=personas.street_a_manager,
    )
    html = _page(client_for(personas.district_admin)).split("<tbody>")[1]
    assert "王主管" in html and "street_a_manager" not in html
    assert "社区工作者" in html and "李四" in html
    assert "people.Worker" not in html and "#" + str(worker.pk) not in html
    assert "学历" in html and "本科 → 研究生" in html.replace("&nbsp;", " ")
    assert "education" not in html and "{" not in html


def test_times_are_shown_in_beijing_time(personas: Personas) -> None:
    entry = AuditEntry.objects.create(
        actor=personas.district_admin,
        action=AuditAction.UPDATE,
        target_type="core.User",
        target_id=str(personas.district_admin.pk),
        target_repr="district_admin",
        unit_path=personas.district_admin.memberships.get().unit.path,
    )
    at = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC)
    AuditEntry.objects.filter(pk=entry.pk).update(at=at)
    assert "2026-03-02 07:30:00" in _page(client_for(personas.district_admin))


def test_it_filters_by_person_unit_kind_and_dates(tree: Tree, personas: Personas) -> None:
    register(tree.community_a1, personas.street_a_manager, name="甲工")
    register(tree.community_b1, personas.street_b_manager, name="乙工")
    admin = client_for(personas.district_admin)

    by_person = _page(admin, actor=personas.street_b_manager.pk)
    assert "乙工" in by_person and "甲工" not in by_person
    by_unit = _page(admin, unit=tree.street_a.code)
    assert "甲工" in by_unit and "乙工" not in by_unit
    by_kind = _page(admin, target_type="people.Worker")
    assert "甲工" in by_kind and "乙工" in by_kind
    assert '<option value="people.Worker"' in by_kind and ">社区工作者<" in by_kind
    today = timezone.localdate()
    assert "甲工" in _page(admin, since=today.isoformat(), until=today.isoformat())
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert "甲工" not in _page(admin, since=tomorrow)
    backwards = _page(admin, since=tomorrow, until=today.isoformat())
    assert "截止日期不能早于起始日期" in backwards and "甲工" not in backwards


def test_the_trail_is_paginated(personas: Personas) -> None:
    unit_path = personas.district_admin.memberships.get().unit.path
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action=AuditAction.UPDATE,
            target_type="core.User",
            target_repr=f"row{i}",
            unit_path=unit_path,
        )
        for i in range(60)
    )
    html = _page(client_for(personas.district_admin))
    total = AuditEntry.objects.filter(unit_path__startswith=unit_path).count()
    assert total > 50
    assert "第 1 / 2 页" in html and f"共 {total} 条" in html
    assert html.count("<tr><td>") == 50


def test_viewing_a_worker_adds_one_disclosure_a_day_per_viewer(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager)
    manager = client_for(personas.street_a_manager)
    for _ in range(3):
        assert manager.get(reverse("people:detail", args=[worker.pk])).status_code == 200
    client_for(personas.district_admin).get(reverse("people:detail", args=[worker.pk]))
    disclosures = AuditEntry.objects.filter(
        action=AuditAction.DISCLOSE, target_id=str(worker.pk), note="查看身份证号码和联系电话"
    )
    assert disclosures.filter(actor=personas.street_a_manager).count() == 1
    assert disclosures.filter(actor=personas.district_admin).count() == 1
    yesterday = timezone.now() - datetime.timedelta(days=1, hours=1)
    disclosures.update(at=yesterday)
    manager.get(reverse("people:detail", args=[worker.pk]))
    assert disclosures.filter(actor=personas.street_a_manager).count() == 2


def test_a_reference_to_another_record_shows_its_name(tree: Tree, personas: Personas) -> None:
    register(tree.community_a2, personas.street_a_manager, name="吴工作者")
    html = _page(client_for(personas.district_admin)).split("<tbody>")[1]
    assert "<b>所在社区</b>:甲二社区" in html
