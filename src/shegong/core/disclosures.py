"""Disclosure audit rows that never make a page fail while another writer holds the database.

A page that shows unmasked personal data records it (AuditAction.DISCLOSE). On SQLite a long
import holds the one write lock for seconds: the page must neither fail nor wait that long.
`disclosure_record` writes the row at once, waiting at most SHEGONG_AUDIT_WAIT_SECONDS (0.5 s)
for the lock; if the database is still busy the row goes to a file in the pending folder
(synced to disk before the page is answered) and a thread of this process writes it into the
trail, with the time of the disclosure, as soon as the database is free. Every later
disclosure, in any process, also writes what is pending, so a row left by a process that died
is not lost either. Every disclosure is audited: at once, or from the pending folder.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import OperationalError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from shegong.core.bulk import insert_rows
from shegong.core.db import is_conflict
from shegong.core.models import AuditAction, AuditEntry

if TYPE_CHECKING:
    from shegong.core.models import User

log = logging.getLogger(__name__)

COLUMNS = ["at", "actor_id", "action", "target_type", "target_id", "target_repr", "unit_path"]
COLUMNS += ["note"]
_flusher_lock = threading.Lock()
_flusher: threading.Thread | None = None


def pending_folder() -> Path:
    default = Path(settings.DATA_DIR) / "pending-audit"
    return Path(getattr(settings, "SHEGONG_PENDING_AUDIT_DIR", default))


def _wait_seconds() -> float:
    return float(getattr(settings, "SHEGONG_AUDIT_WAIT_SECONDS", 0.5))


def disclosure_record(
    *,
    acting_user: User,
    target: models.Model,
    unit_path: str,
    note: str,
    once_per_day: bool = False,
) -> None:
    """Record that `acting_user` was shown `target`'s personal data (see the module doc).
    `once_per_day`: not again when the trail already holds the same disclosure by the same
    viewer since local midnight (a worker's page opened ten times a day is one row)."""
    if once_per_day and _recorded_today(acting_user=acting_user, target=target, note=note):
        return
    row = {
        "at": timezone.now().isoformat(),
        "actor_id": acting_user.pk,
        "action": AuditAction.DISCLOSE.value,
        "target_type": target._meta.label,
        "target_id": str(target.pk or ""),
        "target_repr": str(target)[:200],
        "unit_path": unit_path,
        "note": note[:200],
    }
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        _insert([row])  # the caller's transaction writes it, or nothing
        return
    try:
        with _short_wait(connection), transaction.atomic():
            _insert([row])
    except OperationalError as exc:
        if not is_conflict(exc):
            raise
        _keep(row)
        log.warning("database busy: disclosure audit kept in %s until it is free", pending_folder())
        _start_flusher()
        return
    if _pending_files():
        flush_pending()


def _recorded_today(*, acting_user: User, target: models.Model, note: str) -> bool:
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return AuditEntry.objects.filter(
        actor_id=acting_user.pk,
        action=AuditAction.DISCLOSE,
        target_type=target._meta.label,
        target_id=str(target.pk or ""),
        note=note[:200],
        at__gte=midnight,
    ).exists()


@contextlib.contextmanager
def _short_wait(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """On SQLite, wait at most SHEGONG_AUDIT_WAIT_SECONDS for the write lock, not the busy
    timeout of settings (which suits the writes that must happen now)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout = {int(_wait_seconds() * 1000)}")
    try:
        yield
    finally:
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(before)}")


def _insert(rows: list[dict[str, Any]]) -> None:
    insert_rows(
        AuditEntry,
        COLUMNS,
        [
            (datetime.datetime.fromisoformat(r["at"]), *(r[name] for name in COLUMNS[1:]))
            for r in rows
        ],
    )


def _keep(row: dict[str, Any]) -> None:
    """Write the row to its own file, on disk before this returns."""
    folder = pending_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{timezone.now():%Y%m%d%H%M%S%f}-{uuid.uuid4().hex}.json"
    partial = folder / f".{name}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(row, out, ensure_ascii=False)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, folder / name)
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _pending_files() -> list[Path]:
    folder = pending_folder()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.json"))


@contextlib.contextmanager
def _only_flusher(block: bool) -> Iterator[bool]:
    """One process at a time writes the pending rows (an OS lock, let go if it dies)."""
    folder = pending_folder()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if block else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def flush_pending(*, block: bool = False) -> int:
    """Write the pending disclosure rows into the trail; how many were written (0 when the
    database is still busy or another process is writing them)."""
    if not _pending_files():
        return 0
    with _only_flusher(block) as mine:
        if not mine:
            return 0
        files = _pending_files()
        rows = [json.loads(path.read_text(encoding="utf-8")) for path in files]
        try:
            with transaction.atomic():
                _insert(rows)
        except OperationalError as exc:
            if not is_conflict(exc):
                raise
            return 0
        # A crash between the commit and here writes these rows again on the next flush:
        # a disclosure recorded twice, never one lost.
        for path in files:
            path.unlink(missing_ok=True)
        return len(files)


def _start_flusher() -> None:
    global _flusher
    with _flusher_lock:
        if _flusher is not None and _flusher.is_alive():
            return
        _flusher = threading.Thread(target=_flush_until_empty, name="audit-flush", daemon=True)
        _flusher.start()


def _flush_until_empty() -> None:
    pause = float(getattr(settings, "SHEGONG_AUDIT_FLUSH_SECONDS", 1.0))
    stop = threading.Event()
    try:
        while _pending_files():
            stop.wait(pause)
            try:
                flush_pending()
            except Exception:  # keep trying; the rows stay on disk meanwhile
                log.exception("pending disclosure audit could not be written yet")
            finally:
                connections.close_all()
    finally:
        connections.close_all()
