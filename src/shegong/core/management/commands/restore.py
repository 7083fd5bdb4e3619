"""`shegong restore FILE [--force]`: put a backup made by `shegong backup` back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from shegong.core.backup import database_restore
from shegong.core.errors import ServiceError


class Command(BaseCommand):
    help = "Restore the whole database from a FILE made by `shegong backup`."
    # A restore may be the first thing on a new install: the checks must not stop it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--force", action="store_true", help="overwrite a database that holds data"
        )

    def handle(self, *args: Any, file: Path, force: bool, **options: Any) -> None:
        try:
            database_restore(source=file, force=force)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(_("已从 %(file)s 恢复数据库") % {"file": file}))
