"""A worker page that shows personal data while another process holds SQLite's write lock (a
large import writing): the page is answered, and its disclosure still reaches the trail."""

from __future__ import annotations

import datetime
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core import disclosures
from shegong.core.models import AuditAction, AuditEntry
from shegong.core.tests.concurrency import own_database_file
from shegong.people.models import Worker
from shegong.people.tests.factories import register


@pytest.fixture
def pending(settings: Any, tmp_path: Path) -> Path:
    settings.SHEGONG_PENDING_AUDIT_DIR = tmp_path / "pending-audit"
    settings.SHEGONG_AUDIT_WAIT_SECONDS = 0.1
    settings.SHEGONG_AUDIT_FLUSH_SECONDS = 0.1
    return Path(settings.SHEGONG_PENDING_AUDIT_DIR)


def _disclosures(worker: Worker) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=AuditAction.DISCLOSE, target_type="people.Worker", target_id=str(worker.pk)
        )
    )


def test_a_worker_page_is_answered_while_an_import_holds_the_write_lock_and_still_audited(
    transactional_db: None, tmp_path: Path, tree: Tree, personas: Personas, pending: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one write lock; PostgreSQL writers do not block an insert")
    manager = personas.street_a_manager
    with own_database_file(tmp_path) as database:
        assert database is not None
        worker = register(tree.community_a1, manager)
        client = client_for(manager)
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the import's write transaction
        holder.execute("UPDATE people_worker SET major = '导入中'")
        try:
            viewed_at = datetime.datetime.now(datetime.UTC)
            page = client.get(reverse("people:detail", args=[worker.pk]))
            assert page.status_code == 200
            assert worker.id_number in page.content.decode()  # shown unmasked
            assert _disclosures(worker) == []  # not in the trail yet: kept on disk
            assert len(list(pending.glob("*.json"))) == 1
        finally:
            holder.rollback()
            holder.close()
        disclosures.flush_pending(block=True)  # or the flusher thread got there first
        if disclosures._flusher is not None:
            disclosures._flusher.join(5)
        [entry] = _disclosures(worker)
        assert entry.actor == manager and entry.note == "查看身份证号码和联系电话"
        assert abs(entry.at - viewed_at) < datetime.timedelta(seconds=5)  # when it was shown
        assert entry.unit_path == tree.community_a1.path
        assert list(pending.glob("*.json")) == []


def test_a_row_left_pending_by_a_process_that_died_is_written_by_the_next_disclosure(
    tree: Tree, personas: Personas, pending: Path, transactional_db: None
) -> None:
    manager = personas.street_a_manager
    worker = register(tree.community_a1, manager)
    earlier = (datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=3)).isoformat()
    disclosures._keep(
        {
            "at": earlier,
            "actor_id": manager.pk,
            "action": AuditAction.DISCLOSE.value,
            "target_type": "people.Worker",
            "target_id": str(worker.pk),
            "target_repr": worker.name,
            "unit_path": worker.unit_path,
            "note": "查看身份证号码和联系电话",
        }
    )
    client_for(manager).get(reverse("people:detail", args=[worker.pk]))
    times = sorted(e.at for e in _disclosures(worker))
    assert len(times) == 2 and times[0].isoformat() == earlier
    assert list(pending.glob("*.json")) == []
