"""Writing many rows at once: the roster import's 100,000 workers, their placements and audit rows.

`insert_rows` is the fast path under Django's bulk_create (prepared once, values adapted only
where needed); `bulk_writing` is the state a long write runs in.
"""

from __future__ import annotations

import contextlib
import gc
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connections, models, router
from django.db.models import Model
from django.utils import timezone

# SQLite's page cache while a bulk write runs, in KiB (the default is 2 MiB). A 100,000-row
# insert touches every page of five indexes in random order; with the small cache SQLite
# spills dirty pages to the WAL mid-transaction and reads them back. Given back afterwards.
SQLITE_BULK_CACHE_KIB = 256 * 1024


class JsonText(str):
    """A JSON value already encoded, for a JSONField column of insert_rows."""


def _json_adapter(field: models.JSONField) -> Callable[[Any], str]:
    def adapt(value: Any) -> str:
        return value if isinstance(value, JsonText) else json.dumps(value, cls=field.encoder)

    return adapt


_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = True
# A web process never pauses the collector: its other requests' threads would grow without
# it (shegong.wsgi turns this off; long writes run in the job worker or a command instead).
_gc_pause_allowed = True


def gc_pause_allowed(allowed: bool) -> bool:
    """Whether gc_paused pauses in this process; returns the previous setting."""
    global _gc_pause_allowed
    previous, _gc_pause_allowed = _gc_pause_allowed, allowed
    return previous


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a sheet of 100,000 rows is checked or written:
    the rows become hundreds of thousands of long-lived dicts and tuples that it would walk
    again and again, finding no cycles. Nested and concurrent holders are counted."""
    global _gc_holders, _gc_was_enabled
    if not _gc_pause_allowed:
        yield
        return
    with _gc_lock:
        _gc_holders += 1
        if _gc_holders == 1:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0 and _gc_was_enabled:
                gc.enable()


@contextlib.contextmanager
def bulk_writing(using: str = "default") -> Iterator[None]:
    """Run a write of many rows: the garbage collector paused and, on SQLite, a larger page
    cache for the connection (see SQLITE_BULK_CACHE_KIB)."""
    connection = connections[using]
    previous: int | None = None
    with gc_paused():
        try:
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    previous = cursor.execute("PRAGMA cache_size").fetchone()[0]
                    cursor.execute(f"PRAGMA cache_size = -{SQLITE_BULK_CACHE_KIB}")
            yield
        finally:
            if previous is not None and connection.connection is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """Primary keys for `count` rows of `model` that the caller inserts next, in the same
    transaction, with insert_rows: the rows' ids are known without reading them back.

    PostgreSQL hands them out from the column's sequence (other writers get others). On
    SQLite the open write transaction holds the whole database, so the next ones after the
    highest ever used (AUTOINCREMENT's own rule) are free until it commits.
    """
    connection = connections[router.db_for_write(model)]
    table, column = model._meta.db_table, model._meta.pk.column
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":  # pragma: no cover - the checks allow these two
            raise NotImplementedError(connection.vendor)
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids needs the caller's write transaction")
        quote = connection.ops.quote_name
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"coalesce((SELECT max({quote(column)}) FROM {quote(table)}), 0))",
            [table],
        )
        highest = int(cursor.fetchone()[0])
    return list(range(highest + 1, highest + 1 + count))


def insert_rows(model: type[Model], names: list[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT many rows with one prepared statement (executemany).

    bulk_create spends most of its time compiling each value into SQL; this path adapts
    only the values that need it (dates, times, JSON) and lets the driver do the rest; on
    PostgreSQL the rows go through COPY. JSON values may be handed over already encoded, as
    JsonText. The caller holds the transaction.
    Columns not named get their field default (auto_now fields: now), so a field added to
    the model later is still filled. Constraints are the database's, as always.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    ops = connection.ops
    by_name = {f.attname: f for f in model._meta.concrete_fields}
    now = timezone.now()
    extra: list[tuple[str, Any]] = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in names:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            extra.append((f.attname, now))
        else:
            extra.append((f.attname, f.get_default()))
    columns = [*names, *(name for name, _v in extra)]

    def adapter(name: str) -> Callable[[Any], Any] | None:
        f = by_name[name]
        if isinstance(f, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(f, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(f, models.JSONField):
            return _json_adapter(f)
        return None

    # Defaults are the same for every row: adapt them once.
    defaults = tuple(v if (a := adapter(n)) is None or v is None else a(v) for n, v in extra)
    adapters = [(i, a) for i, name in enumerate(names) if (a := adapter(name)) is not None]
    quote = ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(by_name[name].column) for name in columns)
    )
    one = "({})".format(", ".join(["%s"] * len(columns)))
    params: list[tuple[Any, ...]] = []
    for row in rows:
        if adapters:
            values = list(row)
            for i, a in adapters:
                if values[i] is not None:
                    values[i] = a(values[i])
            params.append((*values, *defaults))
        else:
            params.append((*row, *defaults))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # SQLite runs a prepared statement per row in-process: executemany is fastest.
            cursor.executemany(head + one, params)
            return
        # PostgreSQL: COPY streams the rows in one command; psycopg adapts each value once
        # (binding arrays instead goes through client-side quoting, several times slower).
        copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(model._meta.db_table),
            ", ".join(quote(by_name[name].column) for name in columns),
        )
        raw = cursor.cursor
        # Raw psycopg errors become Django's (IntegrityError …), as for any other query.
        with connection.wrap_database_errors, raw.copy(copy_sql) as copy:
            for row in params:
                copy.write_row(row)
