"""A backup restored on an empty install gives back every record, table by table."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from shegong.conftest import Personas, Tree
from shegong.people.tests.factories import make_id, register


def _tables_here() -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            tables[table] = [tuple(map(str, row)) for row in cursor.fetchall()]
    return tables


def _tables_in(conn: Any, names: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    tables = {}
    cursor = conn.cursor()
    for table in names:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')
        tables[table] = [tuple(map(str, row)) for row in cursor.fetchall()]
    return tables


def _shegong(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    return subprocess.run(
        [sys.executable, "-m", "shegong.manage", *args],
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def some_records(transactional_db: None, tree: Tree, personas: Personas) -> None:
    for serial, community in enumerate([tree.community_a1, tree.community_a2, tree.community_b1]):
        register(
            community,
            personas.district_admin,
            name=f"备份{serial}",
            id_number=make_id(serial=serial + 1),
        )


def test_a_restore_on_an_empty_install_gives_back_every_record(
    some_records: None, tmp_path: Path
) -> None:
    backup = tmp_path / "shegong.backup"
    call_command("backup", str(backup))
    here = _tables_here()
    assert len(here["people_worker"]) == 3

    if connection.vendor == "sqlite":
        data_dir = tmp_path / "new-install"
        result = _shegong("restore", str(backup), SHEGONG_DATA_DIR=str(data_dir))
        assert result.returncode == 0, result.stderr
        # Read it as Django reads its own (declared types converted: booleans, dates).
        restored = sqlite3.connect(
            data_dir / "shegong.sqlite3",
            detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
        )
        try:
            there = _tables_in(restored, list(here))
        finally:
            restored.close()
    else:
        import psycopg
        from psycopg.types.string import TextLoader

        settings_dict = connection.settings_dict
        name = f"restore_check_{uuid.uuid4().hex[:8]}"
        base = (
            f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}"
            f":{settings_dict['PORT'] or 5432}"
        )
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            result = _shegong(
                "restore",
                str(backup),
                DATABASE_URL=f"{base}/{name}",
                SHEGONG_DATA_DIR=str(tmp_path),
            )
            assert result.returncode == 0, result.stderr
            with psycopg.connect(f"{base}/{name}") as pg_restored:
                # Read it as Django reads its own: UTC, JSON as its text.
                pg_restored.execute("SET TIME ZONE 'UTC'")
                for json_type in ("json", "jsonb"):
                    pg_restored.adapters.register_loader(json_type, TextLoader)
                there = _tables_in(pg_restored, list(here))
        finally:
            with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    for table, rows in here.items():
        assert there[table] == rows, table


def test_a_restore_over_existing_data_needs_force(some_records: None, tmp_path: Path) -> None:
    backup = tmp_path / "shegong.backup"
    call_command("backup", str(backup))
    with pytest.raises(CommandError, match="当前数据库已有数据"):
        call_command("restore", str(backup))


def test_a_file_that_is_no_backup_is_refused(db: None, tmp_path: Path) -> None:
    junk = tmp_path / "notes.txt"
    junk.write_text("hello")
    with pytest.raises(CommandError, match="不是 shegong backup 生成的备份文件"):
        call_command("restore", str(junk))
