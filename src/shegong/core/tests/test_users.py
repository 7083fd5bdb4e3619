import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import AuditEntry, Membership, User


def _create(client, tree: Tree, **overrides):
    data = {
        "username": "new_clerk",
        "full_name": "新专干",
        "password": "Long-enough-2026",
        "unit": tree.community_b1.code,
        "role": "clerk",
        **overrides,
    }
    return client.post(reverse("user-create"), data)


def test_a_district_admin_opens_a_login_for_a_community(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.district_admin)
    assert _create(client, tree).status_code == 302
    membership = Membership.objects.get(user__username="new_clerk")
    assert (membership.unit, membership.role) == (tree.community_b1, "clerk")
    assert User.objects.get(username="new_clerk").check_password("Long-enough-2026")
    assert AuditEntry.objects.filter(target_type="core.Membership", actor=personas.district_admin)
    assert "new_clerk" in client.get(reverse("users")).content.decode()


def test_a_weak_password_is_refused_in_chinese(tree: Tree, personas: Personas) -> None:
    page = _create(client_for(personas.district_admin), tree, password="12345678")
    assert "密码" in page.content.decode()
    assert not User.objects.filter(username="new_clerk").exists()


def test_an_admin_cannot_open_a_login_outside_their_units(tree: Tree, personas: Personas) -> None:
    Membership.objects.filter(user=personas.street_b_manager).update(role="admin")
    page = _create(client_for(personas.street_b_manager), tree, unit=tree.community_a1.code)
    assert page.status_code == 200  # the unit is not among the choices
    assert not User.objects.filter(username="new_clerk").exists()


def test_a_manager_without_the_admin_role_gets_404(tree: Tree, personas: Personas) -> None:
    assert client_for(personas.street_a_manager).get(reverse("users")).status_code == 404


def test_the_service_refuses_a_control_character_in_a_new_logins_name(
    tree: Tree, personas: Personas
) -> None:
    from shegong.core.errors import ServiceError
    from shegong.core.services import user_create

    with pytest.raises(ServiceError, match="姓名"):
        user_create(
            username="new_clerk", password="Lang-Genug-2026", full_name="王\u202e五",
            unit=tree.community_a1, role="clerk", acting_user=personas.district_admin,
        )  # fmt: skip
    assert not User.objects.filter(username="new_clerk").exists()
