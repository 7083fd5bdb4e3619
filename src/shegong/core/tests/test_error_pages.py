"""With DEBUG off, every error page is Chinese, in the app's layout, with a way back."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from shegong import urls as project_urls
from shegong.conftest import Personas, client_for


def _boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("broken on purpose")


def _denied(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def _bad(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("bad on purpose")


urlpatterns = [
    path("test-errors/boom/", _boom),
    path("test-errors/denied/", _denied),
    path("test-errors/bad/", _bad),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500

pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def _debug_off(settings: Any) -> None:
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def _page(response: Any) -> str:
    return str(response.content.decode())


def _assert_layout_and_way_back(html: str) -> None:
    assert 'class="top"' in html  # the app's header
    assert "返回首页" in html
    assert "Not Found" not in html and "Server Error" not in html and "Forbidden" not in html


def test_a_missing_record_shows_the_chinese_404_in_the_layout(personas: Personas) -> None:
    response = client_for(personas.street_a_manager).get("/workers/99999999/")
    assert response.status_code == 404
    html = _page(response)
    assert "页面不存在" in html and "不在您的管辖范围内" in html
    _assert_layout_and_way_back(html)
    assert "街道" in html or "社区工作者" in html  # the user's navigation is there


def test_a_logged_out_visitor_gets_the_404_with_a_login_link(db: None) -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    html = _page(response)
    assert "页面不存在" in html and "登录" in html
    _assert_layout_and_way_back(html)


def test_a_refusal_shows_the_chinese_403(personas: Personas) -> None:
    response = client_for(personas.community_a1_clerk).get("/test-errors/denied/")
    assert response.status_code == 403
    html = _page(response)
    assert "没有权限" in html
    _assert_layout_and_way_back(html)


def test_a_bad_request_shows_the_chinese_400(personas: Personas) -> None:
    response = client_for(personas.community_a1_clerk).get("/test-errors/bad/")
    assert response.status_code == 400
    html = _page(response)
    assert "请求有误" in html
    _assert_layout_and_way_back(html)


def test_a_crash_shows_the_chinese_500_without_a_traceback(personas: Personas) -> None:
    client = client_for(personas.community_a1_clerk)
    client.raise_request_exception = False
    response = client.get("/test-errors/boom/")
    assert response.status_code == 500
    html = _page(response)
    assert "系统出错了" in html
    assert "broken on purpose" not in html and "Traceback" not in html
    _assert_layout_and_way_back(html)


def test_a_failed_csrf_check_shows_the_chinese_403(personas: Personas) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.community_a1_clerk)
    response = client.post("/logout/")
    assert response.status_code == 403
    html = _page(response)
    assert "没有权限" in html or "页面已过期" in html
    _assert_layout_and_way_back(html)


def test_the_throttle_page_is_chinese_with_a_429(db: None) -> None:
    from django.template.loader import render_to_string

    html = render_to_string("429.html", {"status": 429})
    assert "操作过于频繁" in html and "返回首页" in html
