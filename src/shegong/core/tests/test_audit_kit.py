"""The audit and permission kit every service builds on."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.db import connection, models
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from shegong.conftest import Personas, Tree, client_for
from shegong.core.access import Permission, has_permission, require
from shegong.core.actors import is_system_actor, system_actor
from shegong.core.audit import (
    AuditRow,
    audit_kind_choices,
    audit_kind_label,
    audit_kinds,
    audit_record,
    audit_record_many,
)
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.core.selectors import user_list
from shegong.people.tests.factories import make_id, register


def test_require_passes_who_holds_the_right(tree: Tree, personas: Personas) -> None:
    require(personas.street_a_manager, Permission.EDIT, tree.community_a1)


def test_require_refuses_with_the_unit_named(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError) as refused:
        require(personas.street_b_manager, Permission.EDIT, tree.community_a1)
    assert refused.value.message == "您没有权限修改甲一社区的数据"


def test_require_takes_the_area_s_own_words_and_field(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError) as refused:
        require(
            personas.community_a1_clerk,
            Permission.PERSONAL_DATA,
            tree.community_a1,
            message="您没有权限管理%(unit)s的待遇",
            field="unit",
        )
    assert refused.value.message == "您没有权限管理甲一社区的待遇"
    assert refused.value.field == "unit"


def test_the_unit_path_is_derived_from_what_the_row_is_about(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.district_admin, id_number=make_id(serial=3))
    by_worker = audit_record(acting_user=personas.district_admin, action="update", target=worker)
    by_unit = audit_record(acting_user=None, action="update", target=tree.street_b)
    by_profile = audit_record(acting_user=None, action="update", target=tree.community_b1.profile)
    by_account = audit_record(acting_user=None, action="update", target=personas.street_a_manager)
    assert by_worker.unit_path == tree.community_a1.path
    assert by_unit.unit_path == tree.street_b.path
    assert by_profile.unit_path == tree.community_b1.path
    assert by_account.unit_path == tree.street_a.path


def test_many_rows_are_written_in_one_bulk_statement(tree: Tree, personas: Personas) -> None:
    units = [tree.community_a1, tree.community_a2, tree.community_b1]
    rows = [AuditRow(target=unit, before={"n": 1}, after={"n": 2}) for unit in units]
    with CaptureQueriesContext(connection) as queries:
        written = audit_record_many(acting_user=None, action="update", rows=rows)
    assert written == 3
    # One prepared statement through core.bulk (COPY on PostgreSQL), not a save per row;
    # the bulk path may bypass Django's query log, so at most one INSERT is seen there.
    assert len([q for q in queries if "INSERT" in q["sql"].upper()]) <= 1
    paths = set(AuditEntry.objects.values_list("unit_path", flat=True))
    assert paths == {unit.path for unit in units}


class _DrillKind(models.TextChoices):
    DRILL_HELD = "test.drill_held", "演练已举行"


def test_an_area_s_kind_of_event_reads_as_its_label_on_the_trail(
    tree: Tree, personas: Personas
) -> None:
    audit_kinds(_DrillKind)
    entry = audit_record(acting_user=None, action=_DrillKind.DRILL_HELD, target=tree.district)
    assert entry.action_label == "演练已举行"
    assert ("test.drill_held", "演练已举行") in audit_kind_choices()
    page = client_for(personas.district_admin).get("/audit/")
    assert "演练已举行" in page.content.decode()


def test_a_kind_cannot_be_declared_twice_with_two_meanings() -> None:
    class Clash(models.TextChoices):
        CREATE = "create", "别的意思"

    with pytest.raises(ValueError, match="registered twice"):
        audit_kinds(Clash)
    assert audit_kind_label("create") == "新增"


def test_the_system_actor_holds_every_right_and_cannot_log_in(
    tree: Tree, personas: Personas
) -> None:
    actor = system_actor()
    assert system_actor().pk == actor.pk
    assert is_system_actor(actor)
    assert has_permission(actor, Permission.PERSONAL_DATA, tree.community_b1)
    request = RequestFactory().post("/login/")
    assert authenticate(request, username=actor.username, password="") is None
    listed = {m.user_id for m in user_list(viewer=personas.district_admin)}
    assert actor.pk not in listed
