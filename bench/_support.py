"""What the benchmarks share: a throwaway PostgreSQL database on the local server."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def postgres_database(action: str, server: str, name: str) -> bool:
    """Drop `name` on `server`, then create it again when `action` is "create"; with
    "exists", only say whether it is there.

    False (with a line saying so) when PostgreSQL does not answer: that leg is skipped.
    """
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(server + "postgres", autocommit=True) as conn:
            if action == "exists":
                found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                return found.fetchone() is not None
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            if action == "create":
                conn.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as exc:
        print(f"  PostgreSQL not available ({exc.__class__.__name__}); skipped")
        return False
    return True


def setup_django(database_url: str, data_dir: str) -> None:
    """Configure Django in this (child) process for `database_url` and migrate it."""
    import os

    os.environ["DATABASE_URL"] = database_url
    os.environ["SHEGONG_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def median_seconds(fn: Callable[[], Any], runs: int) -> float:
    """Median wall time of `runs` calls after one warm-up call (caches and query plans,
    as on a server that has run the same work before)."""
    fn()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def run_leg(module: str, *args: str) -> dict[str, Any]:
    """Run `python -m bench.<module> --leg ARGS…` in a child process (Django is configured
    there for one database) and return the JSON it prints last; its stderr on failure."""
    output = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", "--leg", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if output.returncode != 0:
        raise RuntimeError(output.stderr[-3000:])
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    return result
