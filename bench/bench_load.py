"""Pages under load while a 200,000-row roster import writes, on SQLite.

gunicorn with 3 workers serves a fresh SQLite database (the demo tree, 5,000 workers); 20
clients (threads, plain http.client on 127.0.0.1, each logged in with its own session) ask
for the dashboard, the worker list, a search and worker pages (which disclose personal data
and so write an audit row) as fast as they are answered, for 60 s and for as long as the
import still runs after that. The import runs meanwhile in a process of its own, as a
worker would run it: read, validate, then one all-or-nothing write. Printed: requests,
errors (5xx or no answer), "database is locked" seen (in answers and in the server's log),
p50/p95/max latency, the import's phases, and whether every disclosure reached the trail.

    make bench          # or: python -m bench load
    BENCH_LOAD_ROWS=50000 BENCH_LOAD_SECONDS=30 python -m bench load
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench._support import run_leg, setup_django

ROWS = int(os.environ.get("BENCH_LOAD_ROWS", "200000"))
SEED_ROWS = 5000
CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", "20"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
WORKERS = 3
ROOT = Path(__file__).resolve().parent.parent
LOCKED = "database is locked"


# ---------------------------------------------------------------- child processes


def _setup(database_url: str, data_dir: str, sheet: str) -> dict[str, Any]:
    """A fresh database: the demo tree, a superuser, 5,000 workers imported, one session per
    client; the 200,000 further rows written to `sheet` for the import."""
    setup_django(database_url, data_dir)
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench.bench_roster_import import csv_bytes, make_rows
    from shegong.core.models import User
    from shegong.core.sheets import read_sheet
    from shegong.orgs import demo
    from shegong.people import imports
    from shegong.people.models import Worker

    tree = demo.build_tree(random.Random(2026))
    user = User.objects.create_superuser("bench", password="Bench-Pass-2026")
    rows = make_rows([(c.code, c.name) for c in tree.communities], SEED_ROWS + ROWS)
    columns, seed = read_sheet(csv_bytes(rows[:SEED_ROWS]), "s.csv", imports.WORKER_SHEET_ALIASES)
    plan = imports.workers_import_plan(rows=seed, columns=columns, acting_user=user)
    assert plan.ok, plan.errors[:3]
    imports.workers_import_apply(plan=plan, acting_user=user)
    Path(sheet).write_bytes(csv_bytes(rows[SEED_ROWS:]))
    sessions = []
    for _ in range(CLIENTS):
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        sessions.append(store.session_key)
    return {"sessions": sessions, "workers": list(Worker.objects.values_list("id", flat=True))}


def _import(database_url: str, data_dir: str, sheet: str) -> dict[str, Any]:
    setup_django(database_url, data_dir)
    from shegong.core.models import User
    from shegong.core.sheets import read_sheet
    from shegong.people import imports

    user = User.objects.get(username="bench")
    result: dict[str, Any] = {"began": time.time()}
    columns, rows = read_sheet(Path(sheet), "bench.csv", imports.WORKER_SHEET_ALIASES)
    result["read_done"] = time.time()
    plan = imports.workers_import_plan(rows=rows, columns=columns, acting_user=user)
    assert plan.ok and plan.creates == ROWS, plan.errors[:3]
    result["validate_done"] = time.time()
    imports.workers_import_apply(plan=plan, acting_user=user)
    result["write_done"] = time.time()
    return result


def _trail(database_url: str, data_dir: str) -> dict[str, Any]:
    setup_django(database_url, data_dir)
    from shegong.core import disclosures
    from shegong.core.models import AuditAction, AuditEntry
    from shegong.people.models import Worker

    waiting = len(list(disclosures.pending_folder().glob("*.json")))
    disclosures.flush_pending(block=True)
    return {
        "pending_left": waiting,
        "disclosed": AuditEntry.objects.filter(
            action=AuditAction.DISCLOSE, target_type="people.Worker"
        ).count(),
        "workers": Worker.objects.count(),
    }


# ---------------------------------------------------------------- the load


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env(database_url: str, data_dir: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "DATABASE_URL": database_url,
        "SHEGONG_DATA_DIR": data_dir,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
    }


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.started: list[float] = []
        self.statuses: dict[int, int] = {}
        self.errors = 0
        self.locked = 0
        self.detail_views = 0
        self.samples: list[str] = []


def _client(port: int, session: str, workers: list[int], stop: threading.Event, t: Tally) -> None:
    rng = random.Random(session)
    while not stop.is_set():
        pick = rng.random()
        if pick < 0.5:
            url, detail = f"/workers/{rng.choice(workers)}/", True
        elif pick < 0.75:
            url, detail = f"/workers/?page={rng.randint(1, 20)}", False
        elif pick < 0.9:
            url, detail = "/workers/?q=%E5%BC%A0", False  # 张
        else:
            url, detail = "/", False
        began, wall = time.perf_counter(), time.time()
        status, body = 0, b""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", url, headers={"Cookie": f"sessionid={session}"})
            answer = conn.getresponse()
            status, body = answer.status, answer.read()
            conn.close()
        except OSError as exc:
            body = str(exc).encode()
        elapsed = time.perf_counter() - began
        with t.lock:
            t.latencies.append(elapsed)
            t.started.append(wall)
            t.statuses[status] = t.statuses.get(status, 0) + 1
            if status != 200:
                t.errors += 1
                if len(t.samples) < 3:
                    t.samples.append(f"{status} {url} {body[:200]!r}")
            if LOCKED.encode() in body:
                t.locked += 1
            if detail and status == 200:
                t.detail_views += 1


def main() -> None:
    print(
        f"load: gunicorn with {WORKERS} workers on SQLite, {CLIENTS} clients for {SECONDS:.0f} s "
        f"(and until the import ends) while a {ROWS:,}-row roster import runs"
    )
    with tempfile.TemporaryDirectory(prefix="shegong-bench-load-") as folder:
        data_dir = str(Path(folder) / "data")
        database_url = f"sqlite:///{folder}/load.sqlite3"
        sheet = str(Path(folder) / "import.csv")
        ready = run_leg("bench_load", "setup", database_url, data_dir, sheet)
        port = _free_port()
        log_path = Path(folder) / "gunicorn.log"
        env = _server_env(database_url, data_dir)
        with open(log_path, "w") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "shegong.wsgi", "-w", str(WORKERS),
                 "-b", f"127.0.0.1:{port}", "--timeout", "120"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            try:
                _wait_for(port)
                result = _load(port, ready, database_url, data_dir, sheet)
            finally:
                server.terminate()
                server.wait(30)
        server_locked = log_path.read_text(errors="replace").count(LOCKED)
        trail = run_leg("bench_load", "trail", database_url, data_dir)
    _report(result, server_locked, trail)


def _load(
    port: int, ready: dict[str, Any], database_url: str, data_dir: str, sheet: str
) -> dict[str, Any]:
    tally = Tally()
    stop = threading.Event()
    clients = [
        threading.Thread(target=_client, args=(port, s, ready["workers"], stop, tally))
        for s in ready["sessions"]
    ]
    began = time.time()
    for thread in clients:
        thread.start()
    importer = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_load", "--leg", "import", database_url, data_dir,
         sheet],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    while time.time() - began < SECONDS or importer.poll() is None:
        time.sleep(0.5)
    stop.set()
    for thread in clients:
        thread.join()
    ended = time.time()
    out, err = importer.communicate()
    if importer.returncode != 0:
        raise RuntimeError(err[-3000:])
    phases = json.loads(out.strip().splitlines()[-1])
    return {"tally": tally, "began": began, "ended": ended, "import": phases}


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else 0.0


def _report(result: dict[str, Any], server_locked: int, trail: dict[str, Any]) -> None:
    t: Tally = result["tally"]
    window = result["ended"] - result["began"]
    lat = sorted(t.latencies)
    p95 = _p95(lat)
    phases = result["import"]
    writing = [
        latency
        for latency, at in zip(t.latencies, t.started, strict=True)
        if phases["validate_done"] <= at < phases["write_done"]
    ]
    print(
        f"  requests {len(lat):,} in {window:.0f} s ({len(lat) / window:.1f}/s), "
        f'errors {t.errors}, "{LOCKED}" {t.locked} in answers + {server_locked} in the '
        f"server log; statuses {dict(sorted(t.statuses.items()))}"
    )
    print(
        f"  latency p50 {statistics.median(lat) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"max {lat[-1] * 1000:.0f} ms; p95 of the {len(writing):,} requests started while "
        f"the import held the write lock {_p95(writing) * 1000:.0f} ms"
    )
    print(
        f"  import of {ROWS:,} rows: read {phases['read_done'] - phases['began']:.1f} s, "
        f"validate {phases['validate_done'] - phases['read_done']:.1f} s, write (holding "
        f"the write lock) {phases['write_done'] - phases['validate_done']:.1f} s; "
        f"workers now {trail['workers']:,}"
    )
    print(
        f"  worker pages shown {t.detail_views:,}, disclosures in the trail "
        f"{trail['disclosed']:,} ({trail['pending_left']} still pending at the end, then "
        f"written)"
    )
    verdict = "OK" if t.errors == 0 and t.locked + server_locked == 0 else "MISSED"
    audited = "OK" if trail["disclosed"] == t.detail_views else "MISSED"
    print(f'  target no 5xx and no "{LOCKED}": {verdict}; every disclosure audited: {audited}')
    for sample in t.samples:
        print(f"    {sample}")


def _leg(argv: list[str]) -> None:
    what, *args = argv
    functions = {"setup": _setup, "import": _import, "trail": _trail}
    print(json.dumps(functions[what](*args)))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--leg":
        _leg(sys.argv[2:])
    else:
        main()
