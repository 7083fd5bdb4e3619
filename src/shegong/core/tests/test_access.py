import pytest

from shegong.conftest import Personas, Tree
from shegong.core.access import Permission, has_permission, root_paths, scoped
from shegong.orgs.models import Unit


def test_a_street_manager_sees_their_street_and_below_only(tree: Tree, personas: Personas) -> None:
    seen = set(scoped(Unit.objects.all(), personas.street_a_manager).values_list("code", flat=True))
    assert seen == {tree.street_a.code, tree.community_a1.code, tree.community_a2.code}


def test_a_district_admin_sees_the_whole_district_but_not_the_city(
    tree: Tree, personas: Personas
) -> None:
    seen = set(scoped(Unit.objects.all(), personas.district_admin).values_list("code", flat=True))
    assert tree.city.code not in seen
    assert {tree.community_a1.code, tree.community_b1.code} <= seen


def test_a_user_without_memberships_sees_nothing(tree: Tree, django_user_model) -> None:
    nobody = django_user_model.objects.create_user(username="nobody", password="x")
    assert not scoped(Unit.objects.all(), nobody).exists()


def test_nested_memberships_collapse_to_the_top(tree: Tree, personas: Personas) -> None:
    from shegong.core.access import forget_scope
    from shegong.core.models import Membership, Role

    Membership.objects.create(
        user=personas.district_admin, unit=tree.community_b1, role=Role.VIEWER
    )
    forget_scope(personas.district_admin)
    assert root_paths(personas.district_admin) == [tree.district.path]


@pytest.mark.parametrize(
    ("persona", "permission", "unit", "expected"),
    [
        ("community_a1_clerk", Permission.EDIT, "community_a1", True),
        ("community_a1_clerk", Permission.EDIT, "community_a2", False),
        ("community_a1_clerk", Permission.PERSONAL_DATA, "community_a1", False),
        ("street_a_manager", Permission.PERSONAL_DATA, "community_a2", True),
        ("street_a_manager", Permission.AUDIT, "street_a", False),
        ("district_admin", Permission.AUDIT, "community_b1", True),
        ("street_b_manager", Permission.EDIT, "community_a1", False),
    ],
)
def test_roles_grant_what_the_matrix_says(
    tree: Tree, personas: Personas, persona: str, permission: Permission, unit: str, expected: bool
) -> None:
    assert has_permission(getattr(personas, persona), permission, getattr(tree, unit)) is expected


def test_an_anonymous_caller_sees_nothing(tree: Tree) -> None:
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not scoped(Unit.objects.all(), anonymous).exists()  # type: ignore[arg-type]
    assert root_paths(anonymous) == []  # type: ignore[arg-type]
