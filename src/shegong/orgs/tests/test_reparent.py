"""Hanging a unit under another parent needs the edit right on both the old and the new
parent (issue 11, class 2): otherwise a clerk or manager could move a community into a street
that then sees its workers unmasked, or out of the street that is responsible for it."""

from __future__ import annotations

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import Membership, Role, User
from shegong.core.sheets import read_sheet
from shegong.orgs import imports, services
from shegong.orgs.models import Unit
from shegong.people.models import Worker
from shegong.people.tests.factories import register

pytestmark = pytest.mark.django_db

HEADER = ["代码", "名称", "层级", "上级代码"]


def _plan(user: User, *rows: list[str]) -> imports.UnitImportPlan:
    content = "\n".join(",".join(line) for line in [HEADER, *rows]).encode()
    columns, sheet_rows = read_sheet(content, "units.csv", imports.UNIT_SHEET_ALIASES)
    return imports.units_import_plan(rows=sheet_rows, columns=columns, acting_user=user)


def _a1_under_street_b(tree: Tree) -> list[str]:
    return [tree.community_a1.code, tree.community_a1.name, "社区", tree.street_b.code]


@pytest.fixture
def clerk_of_a1_and_manager_of_b(tree: Tree, personas: Personas) -> User:
    user = personas.community_a1_clerk
    Membership.objects.create(user=user, unit=tree.street_b, role=Role.MANAGER)
    return user


def test_a_street_manager_cannot_import_a_community_under_another_street(
    tree: Tree, personas: Personas
) -> None:
    plan = _plan(personas.street_a_manager, _a1_under_street_b(tree))
    assert not plan.ok
    assert [(e.row, e.column) for e in plan.errors] == [(2, "上级代码")]
    tree.community_a1.refresh_from_db()
    assert tree.community_a1.parent == tree.street_a


def test_a_clerk_cannot_import_their_community_under_another_street(
    tree: Tree, personas: Personas
) -> None:
    assert not _plan(personas.community_a1_clerk, _a1_under_street_b(tree)).ok


def test_holding_the_new_street_is_not_enough_to_import_a_community_away_from_the_old(
    tree: Tree, clerk_of_a1_and_manager_of_b: User
) -> None:
    assert not _plan(clerk_of_a1_and_manager_of_b, _a1_under_street_b(tree)).ok


def test_a_street_manager_still_renames_a_community_by_import(
    tree: Tree, personas: Personas
) -> None:
    row = [tree.community_a1.code, "甲一新社区", "社区", tree.street_a.code]
    plan = _plan(personas.street_a_manager, row)
    assert plan.ok and plan.updates == 1
    imports.units_import_apply(plan=plan, acting_user=personas.street_a_manager)
    assert Unit.objects.get(pk=tree.community_a1.pk).name == "甲一新社区"


def test_who_holds_both_streets_moves_a_community_by_import(tree: Tree, personas: Personas) -> None:
    worker = register(tree.community_a1, personas.district_admin)
    plan = _plan(personas.district_admin, _a1_under_street_b(tree))
    assert plan.ok and plan.updates == 1
    imports.units_import_apply(plan=plan, acting_user=personas.district_admin)
    worker.refresh_from_db()
    assert worker.unit_path.startswith(tree.street_b.path)


def test_the_service_refuses_a_move_without_the_right_on_the_old_parent(
    tree: Tree, clerk_of_a1_and_manager_of_b: User
) -> None:
    register(tree.community_a1, clerk_of_a1_and_manager_of_b)
    with pytest.raises(ServiceError):
        services.unit_update(
            unit=tree.community_a1,
            name=tree.community_a1.name,
            parent=tree.street_b,
            acting_user=clerk_of_a1_and_manager_of_b,
        )
    tree.community_a1.refresh_from_db()
    assert tree.community_a1.parent == tree.street_a
    assert Worker.objects.get().unit_path == tree.community_a1.path


def test_the_service_refuses_a_move_without_the_right_on_the_new_parent(
    tree: Tree, personas: Personas
) -> None:
    with pytest.raises(ServiceError):
        services.unit_update(
            unit=tree.community_a1,
            name=tree.community_a1.name,
            parent=tree.street_b,
            acting_user=personas.street_a_manager,
        )


def test_the_service_moves_a_community_for_who_holds_both_parents(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    Membership.objects.create(user=user, unit=tree.street_b, role=Role.MANAGER)
    moved = services.unit_update(
        unit=tree.community_a1, name=tree.community_a1.name, parent=tree.street_b, acting_user=user
    )
    assert moved.path.startswith(tree.street_b.path)


def test_a_clerk_still_renames_their_community(tree: Tree, personas: Personas) -> None:
    renamed = services.unit_update(
        unit=tree.community_a1,
        name="甲一新社区",
        parent=tree.street_a,
        acting_user=personas.community_a1_clerk,
    )
    assert renamed.name == "甲一新社区"


def test_only_who_sees_everything_may_create_a_unit_at_the_top_of_the_tree(
    personas: Personas,
) -> None:
    from shegong.core.actors import system_actor
    from shegong.orgs.models import UnitKind

    for user in (personas.street_a_manager, personas.district_admin):
        with pytest.raises(ServiceError):
            services.unit_create(
                code="120000000000",
                name="别的市",
                kind=UnitKind.CITY,
                parent=None,
                acting_user=user,
            )
    assert not Unit.objects.filter(code="120000000000").exists()
    made = services.unit_create(
        code="120000000000",
        name="别的市",
        kind=UnitKind.CITY,
        parent=None,
        acting_user=system_actor(),
    )
    assert made.path == "120000000000/"
