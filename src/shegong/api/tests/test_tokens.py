"""API tokens: issued through authenticate() (so the login throttle guards them), stored
hashed, expiring, revocable by their owner and by an admin of the owner's units."""

import datetime

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from shegong.conftest import PASSWORD, Personas, Tree, client_for
from shegong.core.models import ApiToken, AuditAction, AuditEntry

HOME = "10.0.0.1"
ATTACKER = "203.0.113.9"


def _issue(username: str, password: str = PASSWORD, address: str = HOME):
    return APIClient().post(
        "/api/token/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _with_token(key: str, address: str = HOME) -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _units(key: str, address: str = HOME) -> int:
    return _with_token(key, address).get("/api/units/").status_code


def test_a_token_is_issued_with_its_expiry_and_authenticates(
    tree: Tree, personas: Personas
) -> None:
    response = _issue("street_a_manager")
    assert response.status_code == 200
    body = response.json()
    assert body["prefix"] == body["token"][:8]
    expires = datetime.datetime.fromisoformat(body["expires"])
    assert expires - timezone.now() > datetime.timedelta(days=29)
    client = _with_token(body["token"])
    assert client.get(f"/api/units/{tree.community_a1.code}/").json()["name"] == "甲一社区"
    token = ApiToken.objects.get(prefix=body["prefix"])
    assert token.user == personas.street_a_manager
    assert token.last_used_at is not None


def test_a_token_is_kept_only_as_a_hash(personas: Personas) -> None:
    key = _issue("street_a_manager").json()["token"]
    token = ApiToken.objects.get()
    assert key not in {token.digest, token.prefix}
    assert len(token.digest) == 64


def test_a_wrong_password_gets_a_chinese_refusal_and_no_token(personas: Personas) -> None:
    response = _issue("street_a_manager", "wrong")
    assert response.status_code == 400
    assert "用户名或密码不正确" in response.content.decode()
    assert not ApiToken.objects.exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_token_endpoint_refuses_a_locked_account(personas: Personas) -> None:
    for _ in range(3):
        Client().post(
            reverse("login"), {"username": "street_a_manager", "password": "x"}, REMOTE_ADDR=HOME
        )
    response = _issue("street_a_manager")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.json()["detail"]
    assert not ApiToken.objects.exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_token_endpoint_counts_toward_the_throttle(personas: Personas) -> None:
    for _ in range(3):
        _issue("street_a_manager", "wrong")
    login = Client().post(
        reverse("login"),
        {"username": "street_a_manager", "password": PASSWORD},
        REMOTE_ADDR=HOME,
    )
    assert login.status_code == 429


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_locked_accounts_token_stops_working_from_where_it_is_locked(
    personas: Personas,
) -> None:
    key = _issue("street_a_manager").json()["token"]
    for _ in range(3):
        _issue("street_a_manager", "wrong")
    assert _units(key) == 401
    assert _units(key, address=ATTACKER) == 200  # a lock elsewhere does not reach this client


def test_an_inactive_account_gets_no_token_and_its_tokens_stop_working(
    personas: Personas,
) -> None:
    key = _issue("street_a_manager").json()["token"]
    personas.street_a_manager.is_active = False
    personas.street_a_manager.save()
    assert _units(key) == 401
    assert _issue("street_a_manager").status_code == 400
    assert ApiToken.objects.count() == 1


def test_an_expired_token_is_refused(personas: Personas) -> None:
    key = _issue("street_a_manager").json()["token"]
    now = timezone.now()
    ApiToken.objects.update(
        created_at=now - datetime.timedelta(days=31), expires_at=now - datetime.timedelta(seconds=1)
    )
    response = _with_token(key).get("/api/units/")
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]


@override_settings(API_TOKEN_DAYS=7)
def test_the_token_lifetime_is_a_setting(personas: Personas) -> None:
    _issue("street_a_manager")
    token = ApiToken.objects.get()
    assert token.expires_at - token.created_at == datetime.timedelta(days=7)


def test_an_unknown_token_is_refused(personas: Personas) -> None:
    assert _units("not-a-token") == 401


def test_the_owner_lists_and_revokes_their_tokens(personas: Personas) -> None:
    key = _issue("street_a_manager").json()["token"]
    token = ApiToken.objects.get()
    owner = client_for(personas.street_a_manager)
    page = owner.get(reverse("account-tokens")).content.decode()
    assert token.prefix in page
    assert key not in page
    response = owner.post(reverse("token-revoke", kwargs={"pk": token.pk}))
    assert response.status_code == 302
    assert _units(key) == 401
    token.refresh_from_db()
    assert token.revoked_by == personas.street_a_manager
    [entry] = AuditEntry.objects.filter(action=AuditAction.TOKEN_REVOKE)
    assert entry.actor == personas.street_a_manager


def test_an_admin_revokes_the_tokens_of_a_user_in_their_units(
    tree: Tree, personas: Personas
) -> None:
    key = _issue("community_a1_clerk").json()["token"]
    token = ApiToken.objects.get()
    admin = client_for(personas.district_admin)
    user_page = reverse("user-tokens", kwargs={"pk": personas.community_a1_clerk.pk})
    assert token.prefix in admin.get(user_page).content.decode()
    admin.post(reverse("token-revoke", kwargs={"pk": token.pk}))
    assert _units(key) == 401
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_REVOKE)
    assert (entry.actor, entry.unit_path) == (personas.district_admin, tree.community_a1.path)


def test_nobody_else_sees_or_revokes_a_users_tokens(personas: Personas) -> None:
    key = _issue("community_a1_clerk").json()["token"]
    token = ApiToken.objects.get()
    for outsider in (personas.street_b_manager, personas.street_a_manager):
        client = client_for(outsider)
        user_page = reverse("user-tokens", kwargs={"pk": personas.community_a1_clerk.pk})
        assert client.get(user_page).status_code == 404
        assert client.post(reverse("token-revoke", kwargs={"pk": token.pk})).status_code == 404
    assert _units(key) == 200


def test_issuing_a_token_is_audited_with_the_address(tree: Tree, personas: Personas) -> None:
    _issue("street_a_manager", address=ATTACKER)
    entry = AuditEntry.objects.get(action=AuditAction.TOKEN_ISSUE)
    assert entry.actor == personas.street_a_manager
    assert entry.after is not None and entry.after["address"] == ATTACKER
    assert entry.unit_path == tree.street_a.path


def test_a_password_reset_revokes_the_accounts_tokens(personas: Personas) -> None:
    from shegong.core.accounts import user_password_reset

    key = _issue("street_a_manager").json()["token"]
    user_password_reset(
        user=personas.street_a_manager,
        password="Neu-Passwort-2026",
        acting_user=personas.district_admin,
    )
    assert _units(key) == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_a_token_does_not_work_while_its_owner_must_change_the_password(
    personas: Personas,
) -> None:
    key = _issue("street_a_manager").json()["token"]
    personas.street_a_manager.must_change_password = True
    personas.street_a_manager.save()
    response = _with_token(key).get("/api/units/")
    assert response.status_code == 403
    assert response.json()["detail"] == "请先在网页上修改密码"
