"""What must hold, with real processes: a worker killed with SIGKILL or stopped with SIGTERM
mid-job leaves the job failed with a message within the lease, and a new worker's retry
succeeds; two server processes show the same progress. The database is a file (SQLite) or
the test database (PostgreSQL) that every process opens."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connections

from shegong.conftest import Personas
from shegong.tasks import services
from shegong.tasks.models import Job, JobStatus
from shegong.tasks.tests import work

LEASE = 2.0
SRC = str(Path(__file__).resolve().parents[3])
WORKER = [sys.executable, "-m", "shegong.manage", "worker"]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shared_db(tmp_path: Path, settings) -> Iterator[dict[str, str]]:
    """The environment a child process needs to open this test's database."""
    conn = connections["default"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JOB_LEASE_SECONDS = LEASE
    env = {
        **os.environ,
        "PYTHONPATH": SRC,
        "SHEGONG_DATA_DIR": str(tmp_path),
        "DEBUG": "1",
        "SHEGONG_JOB_LEASE_SECONDS": str(LEASE),
    }
    if conn.vendor == "postgresql":
        s = conn.settings_dict
        env["DATABASE_URL"] = (
            f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        )
        yield env
        return
    # SQLite: the tests' database lives in memory; copy it to a file and point this
    # process's connection at the file for the test (the in-memory one is kept open).
    conn.ensure_connection()
    memory, memory_name = conn.connection, conn.settings_dict["NAME"]
    target = tmp_path / "shared.sqlite3"
    copy = sqlite3.connect(target)
    memory.backup(copy)
    copy.close()
    conn.connection = None
    conn.settings_dict["NAME"] = str(target)
    env["DATABASE_URL"] = f"sqlite:///{target}"
    try:
        yield env
    finally:
        conn.close()
        conn.settings_dict["NAME"] = memory_name
        conn.connection = memory


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*WORKER, "--interval", "0.1", "--no-startup-delay", "-v", "0"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait(what: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if what():
            return True
        time.sleep(0.1)
    return False


def _job(job: Job) -> Job:
    job.refresh_from_db()
    return job


def _start(personas: Personas, **params: object) -> Job:
    return services.job_start(
        kind="test",
        unit_path="",
        total=0,
        message="排队中",
        work=work.count,
        acting_user=personas.street_a_manager,
        params=params,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_job_whose_worker_dies_ends_failed_within_the_lease_and_its_retry_succeeds(
    sig: signal.Signals, shared_db: dict[str, str], personas: Personas, tmp_path: Path
) -> None:
    job = _start(personas, steps=400, delay=0.05, slow_once=True)
    first = _worker(shared_db, tmp_path / "worker1.log")
    try:
        assert _wait(lambda: _job(job).progress >= 3, 60), (tmp_path / "worker1.log").read_text()
        assert job.status == JobStatus.RUNNING
        first.send_signal(sig)
        killed_at = time.monotonic()
        first.wait(30)

        def failed() -> bool:
            return services.job_expire_if_stale(job=_job(job)).status == JobStatus.FAILED

        assert _wait(failed, LEASE + 3)
        assert time.monotonic() - killed_at <= LEASE + 3
    finally:
        _stop(first)
    job = _job(job)
    assert job.progress < 400 and "可以重试" in job.message
    if sig == signal.SIGTERM:
        assert "后台进程停止" in job.message  # recorded by the worker itself as it stopped
    services.job_retry(job=job, acting_user=personas.street_a_manager)
    second = _worker(shared_db, tmp_path / "worker2.log")
    try:
        assert _wait(lambda: _job(job).status == JobStatus.DONE, 60), (
            tmp_path / "worker2.log"
        ).read_text()
    finally:
        _stop(second)
    assert (job.message, job.progress, job.attempts) == ("数到400", 400, 2)


def test_a_running_job_cancelled_from_another_process_stops_at_its_next_step(
    shared_db: dict[str, str], personas: Personas, tmp_path: Path
) -> None:
    job = _start(personas, steps=400, delay=0.05)
    proc = _worker(shared_db, tmp_path / "worker.log")
    try:
        assert _wait(lambda: _job(job).progress >= 3, 60), (tmp_path / "worker.log").read_text()
        services.job_cancel(job=job, acting_user=personas.street_a_manager)
        assert _wait(lambda: _job(job).status == JobStatus.CANCELLED, LEASE + 3)
        assert job.progress < 400 and proc.poll() is None  # the worker goes on to the next
    finally:
        _stop(proc)


def test_a_job_holding_the_write_lock_longer_than_the_lease_is_not_swept_as_dead(
    shared_db: dict[str, str], personas: Personas, tmp_path: Path
) -> None:
    """SQLite: the row's lease cannot be renewed under a long write, the heartbeat's file can."""
    job = services.job_start(
        kind="test",
        unit_path="",
        total=0,
        message="排队中",
        work=work.hold_write_lock,
        acting_user=personas.street_a_manager,
        params={"seconds": LEASE * 2.5},
    )
    proc = _worker(shared_db, tmp_path / "worker.log")
    if connections["default"].vendor == "sqlite":
        # Any write this process tries while the job holds the lock fails at once.
        with connections["default"].cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 50")
    try:
        # (its progress cannot reach the row while it holds the lock: wait for the claim)
        assert _wait(lambda: _job(job).status == JobStatus.RUNNING, 60)
        while _job(job).status == JobStatus.RUNNING:
            # Reading the job and sweeping neither fail it nor wait for the write lock.
            assert services.jobs_sweep()["failed"] == 0
            assert services.job_expire_if_stale(job=job).status == JobStatus.RUNNING
            time.sleep(0.2)
        log = (tmp_path / "worker.log").read_text()
        assert (job.status, job.message) == (JobStatus.DONE, "写入完成"), log
    finally:
        _stop(proc)


CLIENT = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
django.setup()
from django.test import Client
from shegong.core.models import User
client = Client(HTTP_HOST="localhost")
client.force_login(User.objects.get(pk=int(sys.argv[1])))
print(json.dumps(client.get(f"/jobs/{sys.argv[2]}/state/").json()))
"""


def test_two_server_processes_show_the_same_progress(
    shared_db: dict[str, str], personas: Personas, tmp_path: Path
) -> None:
    gate = tmp_path / "gate"
    job = _start(personas, steps=10, gate=str(gate), gate_at=8)
    proc = _worker(shared_db, tmp_path / "worker.log")
    try:
        assert _wait(lambda: _job(job).progress == 7, 60), (tmp_path / "worker.log").read_text()
        servers = [
            subprocess.Popen(
                [sys.executable, "-c", CLIENT, str(job.owner_id), str(job.pk)],
                env=shared_db,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        seen = []
        for server in servers:
            out, err = server.communicate(timeout=60)
            assert server.returncode == 0, err.decode()
            seen.append(json.loads(out))
        assert [(s["status"], s["progress"], s["total"], s["percent"]) for s in seen] == [
            ("running", 7, 10, 70)
        ] * 2
        gate.touch()
        assert _wait(lambda: _job(job).status == JobStatus.DONE, 30)
    finally:
        _stop(proc)
