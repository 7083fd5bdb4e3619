"""The login throttle (django-axes at authenticate()) and the audit of logins.

Locks are per account and address, plus a higher limit per address alone: an attacker from
another address cannot lock a user out.
"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from django.utils import timezone

import shegong
from shegong.conftest import PASSWORD, Personas, Tree
from shegong.core.models import AuditAction, AuditEntry

HOME = "10.0.0.1"
ATTACKER = "203.0.113.9"


def _login(client: Client, username: str, password: str, address: str = HOME, **extra):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra
    )


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_a_user_logs_in_with_the_right_password(personas: Personas) -> None:
    response = _login(Client(), "street_a_manager", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


@pytest.mark.real_hasher
def test_passwords_are_stored_with_argon2(personas: Personas) -> None:
    assert personas.street_a_manager.password.startswith("argon2")


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_failed_logins_lock_the_account_from_that_address_even_with_the_right_password(
    personas: Personas,
) -> None:
    client = Client()
    for _ in range(2):
        assert "用户名或密码不正确" in _login(client, "street_a_manager", "wrong").content.decode()
    assert "登录失败次数过多" in _login(client, "street_a_manager", "wrong").content.decode()
    response = _login(client, "street_a_manager", PASSWORD)
    assert response.status_code == 429
    assert not _logged_in(client)


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_lockout_message_is_chinese_in_the_page_layout(personas: Personas) -> None:
    client = Client()
    for _ in range(3):
        _login(client, "street_a_manager", "wrong")
    body = _login(client, "street_a_manager", PASSWORD).content.decode()
    assert "登录失败次数过多,请15分钟后再试" in body
    assert '<form method="post">' in body  # the login page itself, in the site's layout
    assert "Account locked" not in body


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_an_attacker_from_another_address_cannot_lock_a_user_out(personas: Personas) -> None:
    attacker = Client()
    for _ in range(10):
        _login(attacker, "district_admin", "guess", address=ATTACKER)
    assert _login(attacker, "district_admin", PASSWORD, address=ATTACKER).status_code == 429
    admin = Client()
    assert _login(admin, "district_admin", PASSWORD, address=HOME).status_code == 302
    assert _logged_in(admin)


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_LIMIT_PER_ADDRESS=4)
def test_one_address_is_locked_after_its_own_limit_across_accounts(personas: Personas) -> None:
    client = Client()
    for username in ("street_a_manager", "street_b_manager"):
        for _ in range(2):
            _login(client, username, "wrong", address=ATTACKER)
    # Neither account reached its limit, but the address did: nobody logs in from it.
    assert _login(client, "district_admin", PASSWORD, address=ATTACKER).status_code == 429
    assert _login(Client(), "district_admin", PASSWORD, address=HOME).status_code == 302
    [lockout] = _trail(AuditAction.LOCKOUT)
    assert "锁定该地址" in lockout.note


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_forwarded_for_is_ignored_unless_the_request_came_from_a_trusted_proxy(
    personas: Personas,
) -> None:
    client = Client()
    for n in range(3):
        _login(client, "street_a_manager", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert _login(client, "street_a_manager", PASSWORD).status_code == 429


@override_settings(LOGIN_FAILURE_LIMIT=3, TRUSTED_PROXIES=["10.9.9.9"])
def test_behind_a_trusted_proxy_the_forwarded_client_is_the_address(personas: Personas) -> None:
    client = Client()
    for _ in range(3):
        _login(client, "street_a_manager", "wrong", "10.9.9.9", HTTP_X_FORWARDED_FOR=ATTACKER)
    locked = _login(client, "street_a_manager", PASSWORD, "10.9.9.9", HTTP_X_FORWARDED_FOR=ATTACKER)
    assert locked.status_code == 429
    home = _login(Client(), "street_a_manager", PASSWORD, "10.9.9.9", HTTP_X_FORWARDED_FOR=HOME)
    assert home.status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_clears_the_failures_of_that_account_and_address(
    personas: Personas,
) -> None:
    client = Client()
    for _ in range(2):
        _login(client, "street_a_manager", "wrong")
    _login(client, "street_a_manager", PASSWORD)
    for _ in range(2):
        _login(client, "street_a_manager", "wrong")
    assert _login(client, "street_a_manager", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_the_lock_ends_when_the_window_has_passed(personas: Personas) -> None:
    client = Client()
    for _ in range(3):
        _login(client, "street_a_manager", "wrong")
    window = datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + 1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - window)
    assert _login(client, "street_a_manager", PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_any_caller_of_authenticate_is_throttled(personas: Personas) -> None:
    for _ in range(3):
        _login(Client(), "street_a_manager", "wrong")
    request = RequestFactory().post("/elsewhere/", REMOTE_ADDR=HOME)
    assert authenticate(request, username="street_a_manager", password=PASSWORD) is None
    other = RequestFactory().post("/elsewhere/", REMOTE_ADDR=ATTACKER)
    user = authenticate(other, username="street_a_manager", password=PASSWORD)
    assert user == personas.street_a_manager


def _trail(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_logins_failures_lockouts_and_logouts_are_audited_with_the_address(
    tree: Tree, personas: Personas
) -> None:
    client = Client()
    _login(client, "street_a_manager", "wrong", address=ATTACKER)
    _login(client, "street_a_manager", "wrong", address=ATTACKER)
    _login(client, "street_a_manager", PASSWORD, address=ATTACKER)  # refused: locked
    failures = _trail(AuditAction.LOGIN_FAILED)
    assert [(f.target_repr, f.after) for f in failures] == [
        ("street_a_manager", {"address": ATTACKER}),
        ("street_a_manager", {"address": ATTACKER}),
    ]
    # Filed under the account's street for its admins; the attempt is nobody's act.
    assert all(f.unit_path == tree.street_a.path and f.actor is None for f in failures)
    [lockout] = _trail(AuditAction.LOCKOUT)
    assert (lockout.target_repr, lockout.after) == ("street_a_manager", {"address": ATTACKER})
    assert "该账号在该地址" in lockout.note

    _login(client, "street_a_manager", PASSWORD, address=HOME)
    [login] = _trail(AuditAction.LOGIN)
    assert (login.actor, login.after) == (personas.street_a_manager, {"address": HOME})
    client.post(reverse("logout"), REMOTE_ADDR=HOME)
    [logout] = _trail(AuditAction.LOGOUT)
    assert (logout.actor, logout.after) == (personas.street_a_manager, {"address": HOME})
    assert logout.unit_path == tree.street_a.path


def test_a_failure_for_an_unknown_name_is_audited_without_a_unit(personas: Personas) -> None:
    _login(Client(), "nobody", "wrong", address=ATTACKER)
    [failure] = _trail(AuditAction.LOGIN_FAILED)
    assert (failure.target_repr, failure.unit_path, failure.actor) == ("nobody", "", None)


def test_a_session_lasts_an_office_day_by_default(personas: Personas) -> None:
    assert settings.SESSION_COOKIE_AGE == 9 * 3600
    client = Client()
    _login(client, "street_a_manager", PASSWORD)
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 9 * 3600


def test_the_session_lifetime_comes_from_session_hours() -> None:
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_AGE)"
    env = {**os.environ, "SESSION_HOURS": "4", "DJANGO_SETTINGS_MODULE": "shegong.settings"}
    env["PYTHONPATH"] = str(Path(shegong.__file__).parent.parent)
    run = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.strip() == str(4 * 3600)


def test_pages_need_a_login(personas: Personas) -> None:
    response = Client().get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
