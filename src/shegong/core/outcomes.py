"""A page's side of a service write that is a button, not a form: the service's refusal
becomes the page's error message, its success the page's confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages

from shegong.core.errors import ServiceError

if TYPE_CHECKING:
    from django.http import HttpRequest


def report_outcome(request: HttpRequest, write: Callable[[], object], done: str) -> bool:
    """Run `write`; say `done` when it succeeds, its own sentence when refused. True on success."""
    try:
        write()
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, done)
    return True
