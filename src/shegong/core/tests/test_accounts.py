"""Admins manage their units' accounts after opening them; everyone changes their own password."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from shegong.conftest import PASSWORD, Personas, Tree, client_for
from shegong.core import accounts
from shegong.core.access import ScopeDenied
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry, Membership, Role, User

NEW_PASSWORD = "Fresh-Start-2027"


def _logged_in(client: Client, username: str, password: str) -> bool:
    """Sign in through the login page (the throttle needs the request)."""
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


@pytest.fixture
def street_a_admin(tree: Tree) -> User:
    user = User.objects.create_user(username="street_a_admin", password=PASSWORD, first_name="甲管")
    Membership.objects.create(user=user, unit=tree.street_a, role=Role.ADMIN)
    return user


def test_an_admin_disables_and_enables_a_login_of_their_units(personas: Personas) -> None:
    clerk = personas.community_a1_clerk
    client = client_for(personas.district_admin)
    response = client.post(reverse("user-active", args=[clerk.pk]), {"active": "0"}, follow=True)
    assert "已停用" in response.content.decode()
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert not _logged_in(Client(), clerk.username, PASSWORD)
    entry = AuditEntry.objects.get(action=accounts.AccountEvent.DISABLED)
    assert entry.actor == personas.district_admin and entry.target_id == str(clerk.pk)

    client.post(reverse("user-active", args=[clerk.pk]), {"active": "1"})
    clerk.refresh_from_db()
    assert clerk.is_active
    assert AuditEntry.objects.filter(action=accounts.AccountEvent.ENABLED).count() == 1


def test_it_refuses_an_admin_acting_on_an_account_above_their_units(
    personas: Personas, street_a_admin: User
) -> None:
    with pytest.raises(ScopeDenied):
        accounts.user_active_set(
            user=personas.district_admin, active=False, acting_user=street_a_admin
        )
    client = client_for(street_a_admin)
    for name in ("user-detail", "user-password-reset"):
        assert client.get(reverse(name, args=[personas.district_admin.pk])).status_code == 404
    assert (
        client.post(
            reverse("user-active", args=[personas.street_b_manager.pk]), {"active": "0"}
        ).status_code
        == 404
    )
    personas.street_b_manager.refresh_from_db()
    assert personas.street_b_manager.is_active


def test_it_refuses_a_manager_without_the_admin_role(personas: Personas) -> None:
    with pytest.raises(ServiceError):
        accounts.user_active_set(
            user=personas.community_a1_clerk, active=False, acting_user=personas.street_a_manager
        )
    page = client_for(personas.street_a_manager).get(
        reverse("user-detail", args=[personas.community_a1_clerk.pk])
    )
    assert page.status_code == 404


def test_it_refuses_an_admin_disabling_themselves(personas: Personas) -> None:
    with pytest.raises(ServiceError, match="自己"):
        accounts.user_active_set(
            user=personas.district_admin, active=False, acting_user=personas.district_admin
        )


def test_a_reset_password_must_be_changed_at_the_next_login(personas: Personas) -> None:
    clerk = personas.community_a1_clerk
    admin = client_for(personas.district_admin)
    admin.post(
        reverse("user-password-reset", args=[clerk.pk]),
        {"password": "Reset-By-Admin-2026", "password_again": "Reset-By-Admin-2026"},
    )
    clerk.refresh_from_db()
    assert clerk.must_change_password
    entry = AuditEntry.objects.get(action=accounts.AccountEvent.PASSWORD_RESET)
    assert "Reset-By-Admin" not in str(entry.after)

    user = Client()
    assert _logged_in(user, clerk.username, "Reset-By-Admin-2026")
    assert user.get(reverse("people:list"))["Location"] == reverse("password-change")
    assert user.get("/api/workers/").status_code == 403
    changed = user.post(
        reverse("password-change"),
        {
            "old_password": "Reset-By-Admin-2026",
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.must_change_password and clerk.check_password(NEW_PASSWORD)
    assert user.get(reverse("people:list")).status_code == 200


def test_a_reset_refuses_a_weak_password_in_chinese(personas: Personas) -> None:
    clerk = personas.community_a1_clerk
    page = client_for(personas.district_admin).post(
        reverse("user-password-reset", args=[clerk.pk]),
        {"password": "12345678", "password_again": "12345678"},
    )
    assert "密码" in page.content.decode()
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD) and not clerk.must_change_password


def test_every_user_changes_their_own_password(personas: Personas) -> None:
    client = client_for(personas.street_b_manager)
    page = client.get(reverse("password-change"))
    assert "原密码" in page.content.decode() or "旧密码" in page.content.decode()
    wrong = client.post(
        reverse("password-change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200
    client.post(
        reverse("password-change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    personas.street_b_manager.refresh_from_db()
    assert personas.street_b_manager.check_password(NEW_PASSWORD)
    assert AuditEntry.objects.filter(action=accounts.AccountEvent.PASSWORD_CHANGED).exists()


def test_an_admin_changes_the_role_and_unit_of_a_membership(tree: Tree, personas: Personas) -> None:
    membership = personas.community_a1_clerk.memberships.get()
    client_for(personas.district_admin).post(
        reverse("membership-edit", args=[membership.pk]),
        {"unit": tree.community_a2.code, "role": Role.VIEWER},
    )
    membership.refresh_from_db()
    assert (membership.unit, membership.role) == (tree.community_a2, Role.VIEWER)
    entry = AuditEntry.objects.get(action=accounts.AccountEvent.MEMBERSHIP_CHANGED)
    assert entry.before == {"role": "专干", "unit": "甲一社区"}
    assert entry.after == {"role": "查看", "unit": "甲二社区"}


def test_it_refuses_moving_a_membership_to_a_unit_outside_the_admins(
    tree: Tree, personas: Personas, street_a_admin: User
) -> None:
    membership = personas.community_a1_clerk.memberships.get()
    with pytest.raises(ServiceError):
        accounts.membership_change(
            membership=membership, unit=tree.street_b, role=Role.CLERK, acting_user=street_a_admin
        )
    page = client_for(street_a_admin).post(
        reverse("membership-edit", args=[membership.pk]),
        {"unit": tree.street_b.code, "role": Role.ADMIN},
    )
    assert page.status_code == 200  # street B is not among the choices
    membership.refresh_from_db()
    assert (membership.unit, membership.role) == (tree.community_a1, Role.CLERK)


def test_the_new_login_form_offers_the_least_privilege(tree: Tree, personas: Personas) -> None:
    form = client_for(personas.district_admin).get(reverse("user-create")).context["form"]
    assert form["role"].value() == Role.VIEWER
    assert form["unit"].value() == tree.community_a1.code


def test_it_refuses_an_api_token_until_the_reset_password_is_changed(
    personas: Personas,
) -> None:
    clerk = personas.community_a1_clerk
    accounts.user_password_reset(
        user=clerk, password="Reset-By-Admin-2026", acting_user=personas.district_admin
    )
    answer = Client().post(
        "/api/token/", {"username": clerk.username, "password": "Reset-By-Admin-2026"}
    )
    assert answer.status_code == 400
    assert "请先登录网页修改密码" in answer.content.decode()
    assert not clerk.api_tokens.exists()
