"""`shegong export workers --unit CODE --out FILE [--user NAME]`: the roster of a unit (and
everything below it) as .xlsx or .csv, in the import template's columns, scoped and masked
exactly as for that user on the web pages."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shegong.orgs.models import Unit

# The command module is called "import", a keyword: load it by name.
_acting_user = importlib.import_module("shegong.core.management.commands.import")._acting_user


class Command(BaseCommand):
    help = "Export a sheet (.xlsx or .csv) of what a user may see."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        workers = sub.add_parser("workers", help="the roster, in the import template's columns")
        workers.add_argument("--unit", required=True, help="unit code: that unit and below")
        workers.add_argument("--out", required=True, type=Path, help="FILE.xlsx or FILE.csv")
        workers.add_argument("--user", help="export with this user's scope (default: a superuser)")
        workers.add_argument(
            "--status", default="", help="active or left (default: everyone, current and former)"
        )

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        from shegong.core.access import in_scope
        from shegong.people.exports import workers_export
        from shegong.people.selectors import WorkerFilters

        out: Path = options["out"]
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in {"xlsx", "csv"}:
            raise CommandError("输出文件须以 .xlsx 或 .csv 结尾")
        user = _acting_user(options.get("user"))
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None or not in_scope(user, unit):
            raise CommandError(f"找不到单位 {options['unit']}(或不在该用户的管辖范围内)")
        filters = WorkerFilters(unit=unit.code, status=options["status"])
        export = workers_export(viewer=user, filters=filters, fmt=fmt)
        out.write_bytes(export.content)
        masked = export.rows - export.unmasked
        note = f",其中 {masked} 人的身份证号码和联系电话已遮蔽" if masked else ""
        self.stdout.write(self.style.SUCCESS(f"已导出 {export.rows} 人到 {out}{note}"))
