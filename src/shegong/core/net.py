"""Who is calling: the client address, believed from a forwarding header only when the
request came through a proxy the installation trusts (TRUSTED_PROXIES)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def is_trusted_proxy(address: str) -> bool:
    """Whether `address` is one of the configured proxies (addresses or CIDR ranges)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request: HttpRequest) -> str:
    """The address of the client as far as the trusted proxies vouch for it.

    X-Forwarded-For is read from the right: every hop that is a trusted proxy is peeled off,
    and the first address that is not is the client. Without trusted proxies, or for a
    request that did not come from one, the header is ignored: anybody can send it.
    """
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    if not settings.TRUSTED_PROXIES or not is_trusted_proxy(remote):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted_proxy(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a forged or broken header: fall back to the proxy itself
    return hops[0] if hops else remote
