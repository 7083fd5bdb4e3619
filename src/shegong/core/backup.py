"""Backing up and restoring the whole database.

SQLite is copied with its online backup API, which gives a consistent copy while the server
runs (WAL included; copying the file by hand can miss what the WAL still holds). PostgreSQL is
dumped with pg_dump in its custom format and restored with pg_restore in one transaction.
A backup restores only into the kind of database it came from.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from shegong.core.errors import ServiceError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def _connection() -> Any:
    return connections[DEFAULT_DB_ALIAS]


def _is_sqlite() -> bool:
    return bool(_connection().vendor == "sqlite")


def database_backup(*, target: Path) -> int:
    """Write a consistent copy of the database to `target`; its size in bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    if _is_sqlite():
        connection = _connection()
        connection.ensure_connection()
        copy = sqlite3.connect(partial)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
    else:
        _pg_tool("pg_dump", "--format=custom", "--no-owner", f"--file={partial}")
    partial.replace(target)  # never a half-written file under the backup's name
    return target.stat().st_size


def database_has_data() -> bool:
    """Whether the database holds anything a restore would overwrite: any login or unit."""
    tables = set(_connection().introspection.table_names())
    if "core_user" not in tables:
        return False
    with _connection().cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM core_user) OR EXISTS (SELECT 1 FROM orgs_unit)"
        )
        (found,) = cursor.fetchone()
    return bool(found)


def database_restore(*, source: Path, force: bool = False) -> None:
    """Replace the database with the backup in `source`."""
    if not source.is_file():
        raise ServiceError(_("找不到备份文件 %(file)s。") % {"file": source})
    with source.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    sqlite_backup = head.startswith(SQLITE_MAGIC)
    pg_backup = head.startswith(PG_DUMP_MAGIC)
    if not (sqlite_backup or pg_backup):
        raise ServiceError(
            _("%(file)s 不是 shegong backup 生成的备份文件。") % {"file": source.name}
        )
    if sqlite_backup != _is_sqlite():
        raise ServiceError(
            _("这是 %(made)s 的备份,当前数据库是 %(here)s;备份只能恢复到同一种数据库。")
            % {
                "made": "SQLite" if sqlite_backup else "PostgreSQL",
                "here": "SQLite" if _is_sqlite() else "PostgreSQL",
            }
        )
    if not force and database_has_data():
        raise ServiceError(
            _("当前数据库已有数据,恢复会覆盖全部现有数据。确认要覆盖,请加 --force。")
        )
    if sqlite_backup:
        _sqlite_restore(source)
    else:
        _pg_tool(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(source),
        )


def _sqlite_restore(source: Path) -> None:
    connection = _connection()
    connection.ensure_connection()
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        check = backup.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            raise ServiceError(_("备份文件已损坏,未恢复任何数据。"))
        # The backup API replaces every page of the live database in one step.
        backup.backup(connection.connection)
    finally:
        backup.close()


def _pg_tool(tool: str, *args: str) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise ServiceError(
            _("找不到 %(tool)s。请安装与数据库服务器同版本的 PostgreSQL 客户端工具。")
            % {"tool": tool}
        )
    db = _connection().settings_dict
    env = {**os.environ}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    result = subprocess.run(
        [executable, *args, f"--dbname={db['NAME']}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise ServiceError(
            _("%(tool)s 失败,数据库未改变:%(reason)s")
            % {"tool": tool, "reason": result.stderr.strip()[:500]}
        )
