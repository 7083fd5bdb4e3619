"""Running test code in threads that each hold their own database connection, as two server
processes would, on PostgreSQL and on SQLite.

The tests' SQLite database lives in memory with a shared cache, where concurrent writers get
"database table is locked" at once instead of waiting: nothing like the file a server uses.
`own_database_file` moves a test onto a file copy of it (WAL, BEGIN IMMEDIATE and the busy
timeout of settings.py), so its threads meet exactly the locking production meets. Use it in
tests with `transactional_db`: the threads must see what the test committed.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection, connections


@contextlib.contextmanager
def own_database_file(folder: Path, busy_timeout: float | None = None) -> Iterator[Path | None]:
    """On SQLite, run the block against a file copy of the test database (yielded), its
    connections waiting `busy_timeout` seconds for the write lock if given; on PostgreSQL,
    against the test database itself (None)."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():  # type: ignore[attr-defined]
        yield None
        return
    target = folder / "shared.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    connection.connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")  # as a server's file is from its first start
    copy.close()
    shared = connection.settings_dict  # the one dict every thread's connection is made from
    name, options = shared["NAME"], shared["OPTIONS"]
    memory = connection.connection  # keeps the in-memory database alive meanwhile
    connection.connection = None
    shared["NAME"] = str(target)
    if busy_timeout is not None:
        shared["OPTIONS"] = {**options, "timeout": busy_timeout}
    try:
        yield target
    finally:
        connection.close()
        shared["NAME"], shared["OPTIONS"] = name, options
        connection.connection = memory


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None


def run_together(*work: Callable[[], Any], timeout: float = 120) -> list[Outcome]:
    """Start each callable in its own thread at the same instant (a barrier) and wait for all;
    each thread has its own connection, closed when it ends."""
    start = threading.Barrier(len(work))
    outcomes = [Outcome() for _ in work]

    def run(index: int, fn: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes[index].value = fn()
        except BaseException as exc:
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread did not finish"
    return outcomes
