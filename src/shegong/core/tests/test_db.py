"""retrying_atomic against real conflicts: a deadlock PostgreSQL detects between two
connections, SQLite's write lock held by another connection longer than the busy timeout."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from django.db import OperationalError, connection, transaction

from shegong.conftest import Tree
from shegong.core.db import DatabaseBusy, retrying_atomic
from shegong.core.tests.concurrency import own_database_file, run_together
from shegong.orgs.models import Unit


def test_a_deadlock_is_retried_and_both_writes_land(
    transactional_db: None, tree: Tree, tmp_path: Path
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writers never deadlock: BEGIN IMMEDIATE serialises them")
    both_hold_one = threading.Barrier(2)
    attempts = {"a": 0, "b": 0}

    def locking(first: Unit, second: Unit, who: str) -> Unit:
        @retrying_atomic
        def work() -> Unit:
            attempts[who] += 1
            Unit.objects.select_for_update().get(pk=first.pk)
            if attempts[who] == 1:
                both_hold_one.wait(timeout=10)  # each holds one row and asks for the other
            row = Unit.objects.select_for_update().get(pk=second.pk)
            Unit.objects.filter(pk=second.pk).update(name=f"{row.name}{who}")
            return row

        return work()

    a, b = run_together(
        lambda: locking(tree.street_a, tree.street_b, "a"),
        lambda: locking(tree.street_b, tree.street_a, "b"),
    )
    assert a.error is None and b.error is None
    assert sorted(attempts.values()) == [1, 2]  # the deadlock's loser ran again
    assert Unit.objects.get(pk=tree.street_b.pk).name == "街道乙a"
    assert Unit.objects.get(pk=tree.street_a.pk).name == "街道甲b"


def _held_write_lock(database: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_write_lock_held_longer_than_every_try_is_said_in_chinese(
    transactional_db: None, tree: Tree, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one write lock")
    with own_database_file(tmp_path, busy_timeout=0.1) as database:
        assert database is not None
        runs = []

        @retrying_atomic(attempts=2)
        def rename() -> None:
            runs.append(1)
            Unit.objects.filter(pk=tree.street_a.pk).update(name="改名")

        holder = _held_write_lock(database)
        try:
            with pytest.raises(DatabaseBusy) as busy:
                rename()
        finally:
            holder.rollback()
            holder.close()
        assert "数据库正忙" in busy.value.message and "已尝试2次" in busy.value.message
        assert runs == []  # never got past BEGIN IMMEDIATE
        assert Unit.objects.get(pk=tree.street_a.pk).name == "街道甲"
        rename()  # the lock is free again
        assert Unit.objects.get(pk=tree.street_a.pk).name == "改名"


def test_a_write_lock_released_meanwhile_lets_the_retry_through(
    transactional_db: None, tree: Tree, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one write lock")
    with own_database_file(tmp_path, busy_timeout=0.1) as database:
        assert database is not None
        holder = _held_write_lock(database)

        @retrying_atomic(attempts=5)
        def rename() -> None:
            Unit.objects.filter(pk=tree.street_a.pk).update(name="改名")

        def release_soon() -> None:
            threading.Event().wait(0.3)
            holder.rollback()

        releaser = threading.Thread(target=release_soon)
        releaser.start()
        try:
            rename()  # waits 0.1 s, fails, tries again until the holder lets go
        finally:
            releaser.join()
            holder.close()
        assert Unit.objects.get(pk=tree.street_a.pk).name == "改名"


def test_inside_a_callers_transaction_a_conflict_is_not_retried(tree: Tree) -> None:
    runs = []

    @retrying_atomic
    def fails() -> None:
        runs.append(1)
        raise OperationalError("database is locked")

    with pytest.raises(DatabaseBusy), transaction.atomic():
        fails()
    assert runs == [1]


def test_other_database_errors_pass_through_untouched(tree: Tree) -> None:
    @retrying_atomic
    def broken() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    with pytest.raises(Exception) as raised:
        broken()
    assert not isinstance(raised.value, DatabaseBusy)


def test_a_named_lock_held_too_long_is_said_in_chinese_instead_of_waiting_forever(
    transactional_db: None, tree: Tree, settings: object
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite waits for its one write lock only the busy timeout")
    from shegong.core.db import exclusive_lock
    from shegong.core.errors import ServiceError

    settings.SHEGONG_LOCK_WAIT_SECONDS = 1  # type: ignore[attr-defined]
    held, done = threading.Event(), threading.Event()

    def holder() -> None:
        with transaction.atomic():
            exclusive_lock("pay.run:2026-03:x")
            held.set()
            done.wait(timeout=20)

    def waiter() -> str:
        held.wait(timeout=10)
        try:
            with transaction.atomic():
                exclusive_lock("pay.run:2026-03:x")
        except ServiceError as exc:
            return exc.message
        finally:
            done.set()
        return "acquired"

    _, said = run_together(holder, waiter, timeout=30)
    assert said.error is None
    assert "同类操作正在进行" in said.value
