"""What the benchmarks share: a throwaway PostgreSQL database on the local server."""

from __future__ import annotations


def postgres_database(action: str, server: str, name: str) -> bool:
    """Drop `name` on `server`, then create it again when `action` is "create".

    False (with a line saying so) when PostgreSQL does not answer: that leg is skipped.
    """
    try:
        import psycopg
    except ImportError:
        return False
    try:
        with psycopg.connect(server + "postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            if action == "create":
                conn.execute(f"CREATE DATABASE {name}")
    except psycopg.Error as exc:
        print(f"  PostgreSQL not available ({exc.__class__.__name__}); skipped")
        return False
    return True
