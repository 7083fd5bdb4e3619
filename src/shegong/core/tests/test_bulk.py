"""Bulk writes: rows inserted as given, JSON either way, and the state put back afterwards."""

from __future__ import annotations

import datetime
import gc
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from shegong.core.bulk import (
    SQLITE_BULK_CACHE_KIB,
    JsonText,
    bulk_writing,
    gc_paused,
    insert_rows,
    reserve_ids,
)
from shegong.core.models import AuditEntry


def test_it_inserts_rows_with_dates_json_and_the_defaults_of_unnamed_columns(
    personas: Any,
) -> None:
    insert_rows(
        AuditEntry,
        ["actor_id", "target_type", "target_id", "unit_path", "after", "action"],
        [
            (personas.district_admin.pk, "people.Worker", "1", "/1/", {"d": "x"}, "create"),
            (None, "people.Worker", "2", "/1/", JsonText('{"born": "1990-03-07"}'), "import"),
        ],
    )
    first, second = AuditEntry.objects.order_by("target_id")
    assert first.actor == personas.district_admin and first.after == {"d": "x"}
    assert second.after == {"born": "1990-03-07"} and second.actor is None
    assert first.note == "" and first.before is None  # unnamed columns take their defaults
    # auto_now_add: the moment of the write
    assert abs(first.at - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_the_collector_runs_again_when_the_last_holder_leaves() -> None:
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer holder still writes
    assert gc.isenabled()


def test_the_collector_runs_again_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), gc_paused():
        1 / 0  # noqa: B018
    assert gc.isenabled()


def test_concurrent_holders_in_threads_leave_the_collector_on() -> None:
    started = threading.Barrier(3)

    def hold() -> None:
        with gc_paused():
            started.wait()

    threads = [threading.Thread(target=hold) for _ in range(2)]
    for thread in threads:
        thread.start()
    started.wait()
    for thread in threads:
        thread.join()
    assert gc.isenabled()


@pytest.mark.django_db
def test_the_sqlite_page_cache_is_given_back() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("a SQLite setting")
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA cache_size").fetchone()[0]
        with bulk_writing():
            during = cursor.execute("PRAGMA cache_size").fetchone()[0]
        after = cursor.execute("PRAGMA cache_size").fetchone()[0]
    assert during == -SQLITE_BULK_CACHE_KIB != before
    assert after == before


def _audit_rows(ids: list[int], target_type: str) -> list[tuple[Any, ...]]:
    return [(pk, target_type, str(pk), "/1/", "create") for pk in ids]


@pytest.mark.django_db
def test_reserved_ids_become_the_rows_ids_and_later_rows_come_after() -> None:
    names = ["id", "target_type", "target_id", "unit_path", "action"]
    ids = reserve_ids(AuditEntry, 3)
    assert len(set(ids)) == 3
    insert_rows(AuditEntry, names, _audit_rows(ids, "x"))
    assert sorted(AuditEntry.objects.filter(target_type="x").values_list("id", flat=True)) == ids
    later = AuditEntry.objects.create(target_type="y", target_id="1", unit_path="/1/")
    assert later.pk > max(ids)
    # An id once used is not handed out again, even after its row is gone.
    AuditEntry.objects.filter(pk=later.pk).delete()
    assert min(reserve_ids(AuditEntry, 2)) > later.pk


def test_a_web_process_never_pauses_the_collector(tmp_path: Path) -> None:
    # What a gunicorn worker runs first, in a process of its own (shegong.wsgi also checks
    # the configuration, so it gets a data folder of its own).
    probe = (
        "import gc, shegong.wsgi\n"
        "from shegong.core.bulk import gc_paused\n"
        "with gc_paused():\n"
        "    print('enabled' if gc.isenabled() else 'paused')\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", probe],
        env={**env, "SHEGONG_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "enabled"
