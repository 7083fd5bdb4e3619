from typing import Any

from django.test import RequestFactory, override_settings

from shegong.core.net import client_address


def _request(remote: str, forwarded: str | None = None):
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarding_header_is_ignored() -> None:
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_trusted_proxy_vouches_for_the_client_behind_it() -> None:
    assert client_address(_request("10.0.0.5", "198.51.100.1")) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_client_cannot_forge_its_address_through_the_proxy() -> None:
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the real address.
    assert client_address(_request("10.0.0.5", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_request_not_from_a_trusted_proxy_keeps_its_own_address() -> None:
    assert client_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_a_broken_header_falls_back_to_the_proxy() -> None:
    assert client_address(_request("10.0.0.5", "not-an-address")) == "10.0.0.5"
