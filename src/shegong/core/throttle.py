"""The login throttle: django-axes at authenticate(), with our limits and our audit trail.

Axes records failures per (username, address, user agent). A client is locked when either
- this account from this address failed LOGIN_FAILURE_LIMIT times, or
- this address failed LOGIN_FAILURE_LIMIT_PER_ADDRESS times, whatever the accounts,
counting failures whose last one is within LOGIN_FAILURE_WINDOW_SECONDS. The address comes from
core/net.client_address, so a forged X-Forwarded-For counts for nothing, and an attacker from
one address can never lock an account out of another.
"""

from __future__ import annotations

import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Q, Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shegong.core.net import client_address

if TYPE_CHECKING:
    from shegong.core.models import User


class LockKind(StrEnum):
    ACCOUNT_AT_ADDRESS = "account_at_address"  # this account from this address
    ADDRESS = "address"  # this address, whatever the account


def failure_limit(request: HttpRequest | None = None, credentials: Any = None) -> int:
    return int(settings.LOGIN_FAILURE_LIMIT)


def cool_off(request: HttpRequest | None = None) -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def attempted_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The name as typed, folded so that "Admin" and "admin " count as one account."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        data = getattr(request, "data", None) or request.POST
        raw = data.get("username")
    return str(raw or "").strip().lower()[:150]


def is_locked_out(request: HttpRequest, *, username: str) -> bool:
    """Whether this client may not authenticate as `username` right now (for token checks)."""
    if not getattr(settings, "AXES_ENABLED", True):
        return False
    return not AxesProxyHandler.is_allowed(request, {"username": username})


class LoginThrottle(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no types
    """Axes' database handler with a limit per account-and-address and one per address."""

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        """Failures that count against this client, on the scale of LOGIN_FAILURE_LIMIT: the
        account-and-address count, or the limit itself once the address is over its own."""
        counts = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address,
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(
            pair=Sum(
                "failures_since_start",
                filter=Q(username=attempted_username(request, credentials)),
            ),
            address=Sum("failures_since_start"),
        )
        pair = counts["pair"] or 0
        request.shegong_address_over = (
            counts["address"] or 0
        ) >= settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS
        if request.shegong_address_over:
            return max(pair, failure_limit())
        return pair

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_failures_since_start is None:
            # Refused while already locked: not counted, so not a new failure either.
            return
        from shegong.core import services

        username = attempted_username(request, credentials)
        address = request.axes_ip_address
        if not request.axes_locked_out:
            lock = None
        elif getattr(request, "shegong_address_over", False):
            lock = LockKind.ADDRESS
        else:
            lock = LockKind.ACCOUNT_AT_ADDRESS
        services.login_failure_record(username=username, address=address, lock=lock)


def lockout_message() -> str:
    minutes = max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)
    return _("登录失败次数过多,请%(minutes)d分钟后再试。") % {"minutes": minutes}


def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Receiver of Django's user_logged_in: every session login, from any view."""
    from shegong.core import services

    services.login_success_record(user=user, address=_address(request))


def audit_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    """Receiver of Django's user_logged_out (user is None when nobody was logged in)."""
    if user is None:
        return
    from shegong.core import services

    services.logout_record(user=user, address=_address(request))


def _address(request: HttpRequest | None) -> str:
    return client_address(request) if request is not None else ""
