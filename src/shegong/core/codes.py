"""The throttle of every one-time code of the site: a household's vote code (appraisal), a
worker's questionnaire code (burden), a volunteer's personal link key (resources).

Wrong codes are remembered per client address (as core/net.client_address vouches for it)
under a keyed hash of the code (`failure_key`), in the database (core.CodeFailure) so the
limit holds across server processes. An address that had FAILURE_LIMIT distinct codes refused
within FAILURE_WINDOW_SECONDS is refused before its next code is even looked at. Keyed on the
address and the code, so one client's junk locks out that client only, not the residents
behind the same proxy, and a resident retyping one wrong code counts once.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.errors import ServiceError
from shegong.core.models import CodeFailure

T = TypeVar("T")

# The settings keep the names they had when only the residents' vote was throttled.
FAILURE_LIMIT = getattr(settings, "APPRAISAL_VOTE_FAILURE_LIMIT", 20)
FAILURE_WINDOW_SECONDS = getattr(settings, "APPRAISAL_VOTE_FAILURE_WINDOW", 15 * 60)


class CodeRefused(ServiceError):
    """A code refused; `counts` when it is a wrong or replayed code (it counts toward the
    throttle), not when it is right but cannot be used now (a survey not yet open)."""

    def __init__(self, message: str, *, counts: bool = False) -> None:
        super().__init__(message, field="code")
        self.counts = counts


class CodeThrottled(ServiceError):
    pass


def failure_key(raw: str) -> str:
    """What the throttle remembers of a refused code: a keyed hash under a key of its own, so
    a refusal (address, time) cannot be joined to a household's or a volunteer's code."""
    key = hashlib.sha256(b"shegong-vote-throttle:" + settings.SECRET_KEY.encode()).digest()
    folded = "".join(ch for ch in (raw or "").upper() if ch.isalnum())
    return hmac.new(key, folded.encode(), hashlib.sha256).hexdigest()[:32]


def failure_window_start() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=FAILURE_WINDOW_SECONDS)


def code_is_throttled(*, address: str) -> bool:
    """Whether `address` has had FAILURE_LIMIT distinct codes refused in the window."""
    distinct = (
        CodeFailure.objects.filter(address=address, at__gte=failure_window_start())
        .values("code_key")
        .distinct()
        .count()
    )
    return distinct >= FAILURE_LIMIT


def throttled_message() -> str:
    return _("尝试次数过多,请%(m)d分钟后再试") % {"m": FAILURE_WINDOW_SECONDS // 60}


def code_guarded(address: str, code: str, work: Callable[[], T]) -> T:
    """Run `work` unless the address is locked out (CodeThrottled); a CodeRefused that counts
    is remembered against the address, then raised on."""
    if code_is_throttled(address=address):
        raise CodeThrottled(throttled_message())
    try:
        return work()
    except CodeRefused as exc:
        if exc.counts:
            CodeFailure.objects.create(address=address, code_key=failure_key(code))
        raise
