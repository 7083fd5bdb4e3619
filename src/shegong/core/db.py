"""Transactions that meet other writers: locks the database holds, conflicts retried or said.

`retrying_atomic` runs a write in one transaction and, when the database answers that it
could not serialise it (a deadlock or serialisation failure on PostgreSQL, "database is
locked" on SQLite after the busy timeout), rolls back and runs it again a bounded number of
times; after the last attempt the caller gets a `DatabaseBusy` with a Chinese message, never
a traceback. `exclusive_lock` / `shared_lock` are transaction-scoped locks on a name, for a
rule no constraint can express (two pay runs that overlap in the org tree). `report_session`
is the one read transaction of a report (every room's report figures use it).
"""

from __future__ import annotations

import functools
import hashlib
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar, overload

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection, transaction
from django.utils.translation import gettext as _

from shegong.core.errors import ServiceError

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_ATTEMPTS = 3
# SQLSTATEs of PostgreSQL's "try again": deadlock_detected, serialization_failure.
RETRY_SQLSTATES = {"40P01", "40001"}
LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout ran out
SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked")


class DatabaseBusy(ServiceError):
    """A write that lost to other writers every time it was tried; nothing was written."""

    def __init__(self, attempts: int) -> None:
        super().__init__(
            _(
                "数据库正忙:其他操作正在写入相同的数据,已尝试%(n)d次仍未完成。"
                "本次操作未写入任何数据,请稍后再试。"
            )
            % {"n": attempts}
        )
        self.attempts = attempts


def is_conflict(exc: BaseException) -> bool:
    """A deadlock, a serialisation failure or a lock wait that ran out: the same write may
    succeed when run again."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in RETRY_SQLSTATES:
        return True
    text = str(exc).lower()
    return any(busy in text for busy in SQLITE_BUSY_TEXTS)


def _pause(attempt: int) -> None:
    # Jitter, so the two losers of one deadlock do not meet again at the same instant.
    time.sleep(random.uniform(0.05, 0.2) * attempt)


@overload
def retrying_atomic(func: Callable[P, R], /) -> Callable[P, R]: ...
@overload
def retrying_atomic(
    *, attempts: int = DEFAULT_ATTEMPTS, using: str | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]: ...
def retrying_atomic(
    func: Callable[P, R] | None = None,
    /,
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    using: str | None = None,
) -> Callable[P, R] | Callable[[Callable[P, R]], Callable[P, R]]:
    """`transaction.atomic` that runs the function again after a conflict (see module doc).

    Inside a caller's transaction it cannot retry (the caller's work is lost with it): the
    conflict is turned into DatabaseBusy at once and the caller's transaction rolls back.
    The function must be safe to run again from the start: everything it wrote is rolled
    back, but anything it did outside the database is not.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            nested = transaction.get_connection(using).in_atomic_block
            tries = 1 if nested else max(1, attempts)
            for attempt in range(1, tries + 1):
                try:
                    with transaction.atomic(using=using):
                        return fn(*args, **kwargs)
                except OperationalError as exc:
                    if not is_conflict(exc):
                        raise
                    if attempt == tries:
                        raise DatabaseBusy(attempt) from exc
                _pause(attempt)
            raise AssertionError("unreachable")  # pragma: no cover

        return run

    return decorate(func) if func is not None else decorate


def _lock_key(name: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks. Two names meeting on one key
    only wait for each other a little longer; they never skip a lock."""
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _advisory(name: str, *, shared: bool, using: str | None) -> None:
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        raise RuntimeError("a named lock is held by the caller's transaction")
    if connection.vendor == "sqlite":
        # Every write transaction starts with BEGIN IMMEDIATE (settings.py) and holds the
        # one write lock of the database until it ends: writers already run one after the
        # other, and a read at the start of the transaction sees every committed write.
        if connection.settings_dict.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE":
            raise ImproperlyConfigured("SQLite needs OPTIONS transaction_mode IMMEDIATE")
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    wait = f"{max(1, int(settings.SHEGONG_LOCK_WAIT_SECONDS * 1000))}ms"
    with connection.cursor() as cursor:
        # Bounded: a pay run of a whole city holds its month for minutes; whoever asks
        # meanwhile hears so instead of a page that never answers.
        cursor.execute("SELECT current_setting('lock_timeout')")
        (before,) = cursor.fetchone()
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [wait])
        try:
            cursor.execute(f"SELECT {function}(%s)", [_lock_key(name)])
        except OperationalError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
                raise
            raise ServiceError(
                _(
                    "另一项同类操作正在进行(例如同一个月的工资核算),请等它完成后再试;本次未写入任何数据"
                )
            ) from None
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])


def exclusive_lock(name: str, *, using: str | None = None) -> None:
    """Wait until no other transaction holds `name` (shared or exclusive), then hold it
    exclusively until this transaction ends."""
    _advisory(name, shared=False, using=using)


def shared_lock(name: str, *, using: str | None = None) -> None:
    """Hold `name` beside other shared holders, excluding an exclusive one, until this
    transaction ends."""
    _advisory(name, shared=True, using=using)


# Memory for sorts and hashes of one report query on PostgreSQL (the server default, 4 MB,
# sends a million-row GROUP BY to disk sorts). Set for the report's transaction only.
REPORT_WORK_MEM = "64MB"


@contextmanager
def report_session() -> Iterator[None]:
    """One read transaction for all the report's queries, with room to aggregate in memory."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = %s", [REPORT_WORK_MEM])
        yield
