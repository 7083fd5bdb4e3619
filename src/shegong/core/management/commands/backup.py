"""`shegong backup FILE`: a consistent copy of the whole database, taken while the server runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shegong.core.backup import database_backup
from shegong.core.errors import ServiceError


class Command(BaseCommand):
    help = "Back up the whole database to FILE (SQLite online backup; pg_dump on PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            size = database_backup(target=file)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("已备份到 %(file)s(%(size)s 字节)") % {"file": file, "size": f"{size:,}"}
            )
        )
