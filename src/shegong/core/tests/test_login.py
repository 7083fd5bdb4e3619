import pytest
from django.test import Client, override_settings
from django.urls import reverse

from shegong.conftest import PASSWORD, Personas
from shegong.core.models import FailedLogin


def _login(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_user_logs_in_with_the_right_password(personas: Personas) -> None:
    response = _login(Client(), "street_a_manager", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


@pytest.mark.real_hasher
def test_passwords_are_stored_with_argon2(personas: Personas) -> None:
    assert personas.street_a_manager.password.startswith("argon2")


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_failed_logins_lock_the_account_even_with_the_right_password(personas: Personas) -> None:
    client = Client()
    for _ in range(3):
        response = _login(client, "street_a_manager", "wrong")
        assert "用户名或密码不正确" in response.content.decode()
    response = _login(client, "street_a_manager", PASSWORD)
    assert response.status_code == 200
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_successful_login_clears_the_failures(personas: Personas) -> None:
    client = Client()
    _login(client, "street_a_manager", "wrong")
    _login(client, "street_a_manager", PASSWORD)
    assert not FailedLogin.objects.filter(username="street_a_manager").exists()


def test_pages_need_a_login(personas: Personas) -> None:
    response = Client().get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
