"""Residents' vote under load: 20,000 vote requests from concurrent clients against gunicorn on
PostgreSQL, with a share of replayed and invalid codes. Loopback only, a bounded list of
requests, nothing retried.

Steps: create a throw-away PostgreSQL database; in a subprocess, migrate it and build a street
of 50 communities × 5 workers with one open survey each and 18,000 household codes (written to
a file, since only their hashes are stored); start gunicorn on 127.0.0.1 with the production
settings (DEBUG off); send the requests from a thread pool (POST /api/appraisal/cycles/vote/,
a new connection per request, from one of 1,000 loopback source addresses so the per-address
throttle sees households, not one machine); stop the server; check that the votes stored equal
the codes spent equal the requests answered 201, exactly, and that every replay and invalid
code was refused; drop the database.

    python -m bench appraisal
    BENCH_VOTES=5000 BENCH_CLIENTS=16 python -m bench appraisal
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

TOTAL = int(os.environ.get("BENCH_VOTES", "20000"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "12"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "3"))
REPLAY_SHARE = 0.075
INVALID_SHARE = 0.075
COMMUNITIES = 50
WORKERS_PER_COMMUNITY = 5
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "shegong_bench_appraisal"
HOST = "127.0.0.1"
TARGET_RATE = 300.0
TARGET_P99_MS = 200.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _env(folder: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": PG_SERVER + PG_DB,
        "SHEGONG_DATA_DIR": folder,
        "SECRET_KEY": "bench-appraisal-not-a-real-secret-0123456789abcdef",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "ERROR",
    }


# ---------------------------------------------------------------- setup (in the subprocess)


def _setup(codes_file: str, valid: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    django.setup()
    import datetime

    from django.core.management import call_command

    from shegong.appraisal import services
    from shegong.core.models import Membership, Role, User
    from shegong.orgs.models import CommunityProfile, Unit, UnitKind
    from shegong.people import rules as people_rules
    from shegong.people import services as people_services

    call_command("migrate", verbosity=0)

    def unit(code: str, name: str, kind: int, parent: Unit | None) -> Unit:
        return Unit.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            path=f"{parent.path if parent else ''}{code}/",
        )

    city = unit("990100000000", "压测市", UnitKind.CITY, None)
    district = unit("990101000000", "压测区", UnitKind.DISTRICT, city)
    street = unit("990101001000", "压测街道", UnitKind.STREET, district)
    manager = User.objects.create_user(username="bench_manager", password="x-Bench-2026")
    Membership.objects.create(user=manager, unit=street, role=Role.MANAGER)
    serial = 0
    communities = []
    for c in range(COMMUNITIES):
        community = unit(f"990101001{c + 1:03d}", f"压测{c + 1}社区", UnitKind.COMMUNITY, street)
        CommunityProfile.objects.create(unit=community, households=400, residents=1000)
        communities.append(community)
        for w in range(WORKERS_PER_COMMUNITY):
            serial += 1
            birth = f"{1970 + serial % 25}{1 + serial % 12:02d}{1 + serial % 28:02d}"
            first17 = f"110101{birth}{serial % 500 * 2 + 1:03d}"
            people_services.worker_create(
                community=community,
                entry_date=datetime.date(2020, 1, 1),
                values={
                    "name": f"工作者{c + 1}-{w + 1}",
                    "id_number": first17 + people_rules.id_check_digit(first17),
                    "political": "masses",
                    "education": "bachelor",
                    "source": "hired",
                },
                acting_user=manager,
            )
    scheme = services.scheme_create(unit=street, year=2025, acting_user=manager)
    per_community = -(-int(valid * 1.06) // COMMUNITIES)  # some codes are never used
    out: list[dict[str, Any]] = []
    for survey in scheme.cycle.surveys.select_related("community"):
        services.households_import(
            community=survey.community,
            rows=[(f"{i // 12 + 1}栋{i % 12 + 101}", "resident") for i in range(per_community)],
            acting_user=manager,
        )
        issued = services.codes_issue(survey=survey, acting_user=manager)
        services.survey_open(survey=survey, acting_user=manager)
        ballot = list(survey.ballot.values_list("worker_id", flat=True))
        out.extend({"code": item.code, "ballot": ballot} for item in issued)
    Path(codes_file).write_text(json.dumps(out))


# ---------------------------------------------------------------- load (in this process)


def _plan(codes: list[dict[str, Any]], rng: random.Random) -> list[tuple[str, str, dict[str, str]]]:
    """(kind, code, ratings) for every request, shuffled; kind is valid, replay or invalid."""
    n_replay = int(TOTAL * REPLAY_SHARE)
    n_invalid = int(TOTAL * INVALID_SHARE)
    n_valid = TOTAL - n_replay - n_invalid
    used = rng.sample(codes, n_valid)
    choices = ["satisfied", "satisfied", "satisfied", "fairly", "unsatisfied", "skip"]

    def ratings(entry: dict[str, Any]) -> dict[str, str]:
        picked = {str(w): rng.choice(choices) for w in entry["ballot"]}
        if all(v == "skip" for v in picked.values()):
            picked[str(entry["ballot"][0])] = "satisfied"
        return picked

    plan = [("valid", e["code"], ratings(e)) for e in used]
    plan += [("replay", e["code"], ratings(e)) for e in rng.sample(used, n_replay)]
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    for _ in range(n_invalid):
        body = "".join(rng.choice(alphabet) for _ in range(12))
        plan.append(("invalid", f"{body[:4]}-{body[4:8]}-{body[8:]}", ratings(used[0])))
    rng.shuffle(plan)
    return plan


def _run(
    port: int, plan: list[tuple[str, str, dict[str, str]]]
) -> list[tuple[str, str, int, float]]:
    jobs: queue.Queue[tuple[int, tuple[str, str, dict[str, str]]]] = queue.Queue()
    for i, item in enumerate(plan):
        jobs.put((i, item))
    results: list[tuple[str, str, int, float]] = []
    lock = threading.Lock()

    def client() -> None:
        mine: list[tuple[str, str, int, float]] = []
        while True:
            try:
                i, (kind, code, ratings) = jobs.get_nowait()
            except queue.Empty:
                break
            source = f"127.0.{1 + i % 4}.{1 + (i // 4) % 250}"  # 1,000 household addresses
            body = json.dumps({"code": code, "ratings": ratings})
            started = time.perf_counter()
            conn = http.client.HTTPConnection(HOST, port, timeout=30, source_address=(source, 0))
            try:
                conn.request(
                    "POST",
                    "/api/appraisal/cycles/vote/",
                    body=body,
                    headers={"Content-Type": "application/json", "Host": HOST},
                )
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
            finally:
                conn.close()
            mine.append((kind, code, status, time.perf_counter() - started))
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def _warm_up(port: int) -> None:
    """A few requests through the whole stack (not timed), so each worker has its database
    connection open before the clock starts."""
    for _ in range(WORKERS * 4):
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.request("GET", "/api/appraisal/cycles/", headers={"Host": HOST})
        conn.getresponse().read()
        conn.close()


def _count(dsn: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        # Votes are ballots filed into the ballot box plus those still waiting in the pool.
        row = conn.execute(
            "SELECT (SELECT count(*) FROM appraisal_ballot)"
            " + (SELECT count(*) FROM appraisal_pooledballot),"
            " (SELECT count(*) FROM appraisal_householdcode WHERE spent),"
            " (SELECT count(*) FROM appraisal_ballotrating)"
            " + (SELECT coalesce(sum((SELECT count(*) FROM jsonb_object_keys(ratings))), 0)"
            " FROM appraisal_pooledballot),"
            " (SELECT count(*) FROM core_codefailure)"
        ).fetchone()
    assert row is not None
    return {"votes": row[0], "spent": row[1], "ratings": row[2], "failures": row[3]}


def main() -> None:
    import psycopg

    root = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as folder:
        with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB}")
            conn.execute(f"CREATE DATABASE {PG_DB}")
        server: subprocess.Popen[bytes] | None = None
        try:
            env = _env(folder)
            codes_file = os.path.join(folder, "codes.json")
            valid = TOTAL - int(TOTAL * REPLAY_SHARE) - int(TOTAL * INVALID_SHARE)
            t0 = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "bench.bench_appraisal", "--setup", codes_file, str(valid)],
                env=env,
                cwd=root,
                check=True,
            )
            codes = json.loads(Path(codes_file).read_text())
            print(
                f"setup: {COMMUNITIES} communities × {WORKERS_PER_COMMUNITY} workers, "
                f"{len(codes)} codes issued ({time.perf_counter() - t0:.1f} s)",
                flush=True,
            )
            plan = _plan(codes, random.Random(2026))
            port = _free_port()
            log = open(os.path.join(folder, "server.log"), "wb")  # noqa: SIM115
            server = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "shegong.wsgi",
                    "--bind",
                    f"{HOST}:{port}",
                    "--workers",
                    str(WORKERS),
                    "--preload",  # the app is loaded before the workers fork: all ready at once
                    "--log-level",
                    "warning",
                ],
                env=env,
                cwd=root,
                stderr=log,  # one "Bad Request" line per refused code; kept out of the figures
            )
            _wait_for(port, server)
            _warm_up(port)
            started = time.perf_counter()
            results = _run(port, plan)
            elapsed = time.perf_counter() - started
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
            server = None
            counts = _count(PG_SERVER + PG_DB)
            log.close()
            errors = [
                line
                for line in Path(folder, "server.log").read_text(errors="replace").splitlines()
                if "Traceback" in line or "Internal Server Error" in line
            ]
        finally:
            if server is not None:
                server.kill()
                server.wait()
            with psycopg.connect(PG_SERVER + "postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")

    by_kind: dict[str, dict[int, int]] = {}
    wins: dict[str, int] = {}
    for kind, code, status, _ in results:
        by_kind.setdefault(kind, {}).setdefault(status, 0)
        by_kind[kind][status] += 1
        if kind != "invalid":
            wins[code] = wins.get(code, 0) + (status == 201)
    latencies = sorted(t for *_, t in results)
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    accepted = sum(1 for *_, status, _ in results if status == 201)
    rate = len(results) / elapsed
    print(
        f"requests: {len(results)} from {CLIENTS} concurrent clients, gunicorn {WORKERS} workers, "
        f"PostgreSQL; {elapsed:.1f} s"
    )
    print("  answers (a replay sent before its first use wins instead of it):")
    for kind in ("valid", "replay", "invalid"):
        answers = ", ".join(f"{s}×{n}" for s, n in sorted(by_kind.get(kind, {}).items()))
        print(f"  {kind:<8} {answers}")
    print(
        f"stored: votes {counts['votes']}, codes spent {counts['spent']}, ratings "
        f"{counts['ratings']}, refused-code rows {counts['failures']}"
    )
    print(f"server errors (500s, tracebacks) in the gunicorn log: {len(errors)}")
    exact = counts["votes"] == counts["spent"] == accepted == len(wins)
    once = all(n == 1 for n in wins.values())
    refused = set(by_kind.get("invalid", {})) == {400}
    print(
        f"votes == codes spent == 201 answers == distinct valid codes sent ({len(wins)}): "
        f"{'yes' if exact else 'NO'}; each valid code accepted exactly once: "
        f"{'yes' if once else 'NO'}; every invalid code refused: {'yes' if refused else 'NO'}"
    )
    met = rate >= TARGET_RATE and p99 < TARGET_P99_MS
    print(
        f"throughput {rate:.0f} votes/s ({accepted / elapsed:.0f} accepted/s), latency p50 "
        f"{p50:.1f} ms, p99 {p99:.1f} ms (target >= {TARGET_RATE:.0f}/s and p99 < "
        f"{TARGET_P99_MS:.0f} ms: {'met' if met else 'NOT met'})"
    )
    if not (exact and once and refused) or errors:
        raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--setup":
        _setup(sys.argv[2], int(sys.argv[3]))
    else:
        main()
