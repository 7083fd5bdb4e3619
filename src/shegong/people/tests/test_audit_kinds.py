"""The trail names what happened to a worker (PeopleEvent), not "修改" plus a note."""

from __future__ import annotations

import datetime

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.actors import system_actor
from shegong.core.models import AuditEntry
from shegong.core.services import user_create
from shegong.orgs import services as org_services
from shegong.orgs.models import OrgEvent
from shegong.people import services
from shegong.people.models import PeopleEvent, PostType, Worker
from shegong.people.tests.factories import register

pytestmark = pytest.mark.django_db


def _trail(worker: Worker) -> list[tuple[str, str]]:
    return [
        (e.action, e.action_label)
        for e in AuditEntry.objects.filter(target_id=str(worker.pk)).order_by("id")
    ]


def test_the_trail_names_a_move_an_exit_and_a_reentry(tree: Tree, personas: Personas) -> None:
    admin = personas.district_admin
    worker = register(tree.community_a1, admin)
    services.post_assign(
        worker=worker,
        post=PostType.objects.get(code="secretary"),
        start=datetime.date(2021, 1, 1),
        acting_user=admin,
    )
    services.worker_move(
        worker=worker,
        community=tree.community_b1,
        date=datetime.date(2024, 6, 1),
        acting_user=admin,
    )
    services.worker_exit(
        worker=worker, date=datetime.date(2025, 3, 31), reason="resign", acting_user=admin
    )
    services.worker_reenter(
        worker=worker,
        community=tree.community_a1,
        date=datetime.date(2025, 9, 1),
        acting_user=admin,
    )
    kinds = _trail(worker)[1:]  # after the registration (创建)
    assert kinds == [
        (PeopleEvent.POST_ASSIGNED, "任职"),
        (PeopleEvent.WORKER_MOVED, "调动"),
        (PeopleEvent.WORKER_EXITED, "离岗"),
        (PeopleEvent.WORKER_REENTERED, "重新入职"),
    ]
    entries = AuditEntry.objects.filter(target_id=str(worker.pk))
    assert all(e.actor == admin for e in entries)
    assert entries.get(action=PeopleEvent.WORKER_MOVED).unit_path == tree.community_b1.path


def test_the_audit_page_offers_the_areas_kinds_as_a_filter(personas: Personas) -> None:
    from shegong.conftest import client_for

    page = client_for(personas.district_admin).get("/audit/").content.decode()
    assert PeopleEvent.WORKER_MOVED.value in page and "调动" in page
    assert OrgEvent.UNIT_MOVED.value in page


def test_moving_a_unit_is_recorded_as_a_move(tree: Tree, personas: Personas) -> None:
    org_services.unit_update(
        unit=tree.community_a1,
        name=tree.community_a1.name,
        parent=tree.street_b,
        acting_user=personas.district_admin,
    )
    entry = AuditEntry.objects.get(target_type="orgs.Unit", target_id=str(tree.community_a1.pk))
    assert entry.action == OrgEvent.UNIT_MOVED and entry.action_label == "调整隶属关系"


def test_a_login_opened_from_the_console_names_the_system_as_its_actor(tree: Tree) -> None:
    user_create(
        username="new_clerk",
        password="Shegong@2026-x",
        full_name="新专干",
        unit=tree.community_a1,
        role="clerk",
        acting_user=system_actor(),
    )
    entry = AuditEntry.objects.get(target_type="core.Membership")
    assert entry.actor == system_actor() and entry.actor.first_name == "系统"
