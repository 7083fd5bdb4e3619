"""City-wide pay run by street on 1 and on 2 worker processes (issue 12's last benchmark).

Each leg gets a fresh PostgreSQL database with the same city: the demo tree (8 streets, 86
communities) and 200,000 workers built as bench_pay builds its roster, the district's
三岗十八级 scheme and settings, everyone placed (all untimed). Then `shegong worker` is
started as real subprocesses (1 in the first leg, 2 in the second), and once they are
connected, `payrun_citywide_start` queues one job per street (largest first) and the leg
is timed from queueing until the last street's job is done. Both legs' totals, summed by
`citywide_get` in the database, must be identical to the cent.

Only PostgreSQL: on SQLite every write transaction holds the one write lock of the file,
so two streets' runs (each one transaction) cannot overlap and a second worker only waits.
On a shared machine the ratio moves with what else runs during each leg: each street's own
time and how many jobs ran at a time (job seconds / wall seconds) are printed to tell.

    make bench          # or: python -m bench pay_workers
    BENCH_WORKERS=40000 python -m bench pay_workers
"""

from __future__ import annotations

import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._support import postgres_database, run_leg, setup_django

WORKERS = int(os.environ.get("BENCH_WORKERS", "200000"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "shegong_bench_pay_workers"
TARGET_RATIO = 1.6
JAN = datetime.date(2025, 1, 1)
SRC = Path(__file__).resolve().parent.parent / "src"
TOTALS = (
    "headcount",
    "total_cost",
    "gross",
    "employer_contributions",
    "personal_contributions",
    "income_tax",
    "net",
)


def _start_workers(count: int, log_dir: str) -> list[subprocess.Popen[bytes]]:
    path = os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "shegong.manage", "worker", "--interval", "0.1"]
    env = {**os.environ, "PYTHONPATH": path}
    return [
        subprocess.Popen(
            [*command, "--no-startup-delay", "-v", "1"],
            env=env,
            stdout=Path(log_dir, f"worker{n}.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        for n in range(count)
    ]


def _wait_connected(count: int, procs: list[subprocess.Popen[bytes]]) -> None:
    """Until every worker process holds a connection to this database (it is polling)."""
    from django.db import connection

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            (others,) = cursor.fetchone()
        if others >= count:
            time.sleep(0.5)
            return
        if any(p.poll() is not None for p in procs):
            raise RuntimeError("a worker process ended before the run")
        time.sleep(0.1)
    raise RuntimeError("the worker processes did not connect")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def leg(database_url: str, processes: int) -> dict[str, Any]:
    """Runs in a child process: build the city, run it by street on `processes` workers."""
    with tempfile.TemporaryDirectory(prefix="shegong-bench-") as data_dir:
        setup_django(database_url, data_dir)
        from django.db import connection

        from bench.bench_pay import _roster
        from shegong.core.actors import system_actor
        from shegong.orgs.models import Unit, UnitKind
        from shegong.pay import citywide, services
        from shegong.tasks.models import Job

        result: dict[str, Any] = {"processes": processes, "workers": WORKERS}
        began = time.perf_counter()
        _roster(WORKERS)
        district = Unit.objects.get(kind=UnitKind.DISTRICT)
        actor = system_actor()
        placed = services.grade_place(unit=district, day=JAN, acting_user=actor)
        assert placed == WORKERS, placed
        result["setup"] = time.perf_counter() - began
        connection.close()

        procs = _start_workers(processes, data_dir)
        try:
            _wait_connected(processes, procs)
            began = time.perf_counter()
            started = citywide.payrun_citywide_start(unit=district, period=JAN, acting_user=actor)
            queued = time.perf_counter() - began
            while (
                Job.objects.filter(pk__in=[j.pk for j in started.jobs])
                .exclude(status__in=["done", "failed", "cancelled"])
                .exists()
            ):
                time.sleep(0.05)
            result["seconds"] = time.perf_counter() - began
        finally:
            _stop(procs)
        result["queue_seconds"] = queued
        summary = citywide.citywide_get(viewer=actor, batch=started.batch)
        assert (summary.done, summary.runs, summary.headcount) == (8, 8, WORKERS), (
            summary.message,
            [(r.name, r.job.message) for r in summary.rows],
        )
        result["totals"] = {"headcount": summary.headcount} | {
            name: str(summary.totals[name]) for name in TOTALS[1:]
        }
        jobs = Job.objects.filter(pk__in=[j.pk for j in started.jobs]).order_by("started_at")
        first = min(j.started_at for j in jobs if j.started_at)
        result["jobs"] = [
            {
                "street": row.name,
                "workers": row.job.total,
                "by": row.job.worker.rsplit(":", 1)[-1],
                "start": (row.job.started_at - first).total_seconds(),
                "seconds": (row.job.finished_at - row.job.started_at).total_seconds(),
            }
            for row in sorted(summary.rows, key=lambda r: r.job.started_at or first)
            if row.job.started_at and row.job.finished_at
        ]
        connection.close()
    return result


def _report(r: dict[str, Any]) -> None:
    label = f"{r['processes']} worker process{'es' if r['processes'] > 1 else ''}"
    busy = sum(j["seconds"] for j in r["jobs"])
    print(
        f"  {label}: {r['seconds']:.2f} s from queueing to the last street done "
        f"(queueing {r['queue_seconds']:.2f} s; the 8 street jobs' own times add up to "
        f"{busy:.2f} s, {busy / r['seconds']:.2f} at a time); set-up {r['setup']:.1f} s (untimed)"
    )
    for j in r["jobs"]:
        print(
            f"    {j['street']} {j['workers']:,} workers: worker pid {j['by']}, started at "
            f"+{j['start']:.2f} s, {j['seconds']:.2f} s"
        )
    t = r["totals"]
    print(
        f"  {label}: totals {t['headcount']:,} workers, total cost {t['total_cost']}, gross "
        f"{t['gross']}, employer {t['employer_contributions']}, personal "
        f"{t['personal_contributions']}, tax {t['income_tax']}, net {t['net']}"
    )


def main() -> None:
    print(f"city-wide pay run by street, {WORKERS:,} workers in 8 streets, PostgreSQL")
    if os.cpu_count():
        print(f"  machine: {os.cpu_count()} CPUs; load average before: {os.getloadavg()[0]:.2f}")
    legs = []
    for processes in (1, 2):
        if not postgres_database("create", PG_SERVER, PG_DB):
            return
        try:
            legs.append(run_leg("bench_pay_workers", PG_SERVER + PG_DB, str(processes)))
        finally:
            postgres_database("drop", PG_SERVER, PG_DB)
        _report(legs[-1])
    one, two = legs
    ratio = one["seconds"] / two["seconds"]
    same = one["totals"] == two["totals"]
    verdict = "OK" if ratio >= TARGET_RATIO and same else "MISSED"
    print(
        f"  1 process {one['seconds']:.2f} s, 2 processes {two['seconds']:.2f} s: "
        f"{ratio:.2f}× faster; target ≥ {TARGET_RATIO}×: {verdict}; totals identical to the "
        f"cent: {'yes' if same else 'NO'}; load average after: {os.getloadavg()[0]:.2f}"
    )
    assert same, (one["totals"], two["totals"])


if __name__ == "__main__":
    if len(sys.argv) > 3 and sys.argv[1] == "--leg":
        print(json.dumps(leg(sys.argv[2], int(sys.argv[3]))))
    else:
        main()
