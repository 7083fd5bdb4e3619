"""`shegong import units FILE [--dry-run]` (and the other importers): validate the whole file,
print every error, write all or nothing. Exits non-zero when the file has errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shegong.core.actors import system_actor
from shegong.core.errors import RowError, ServiceError
from shegong.core.models import User
from shegong.core.sheets import SheetError, SheetTable, read_table


def _acting_user(username: str | None) -> User:
    """The login whose scope the command takes, or the system actor (every right, audited
    as 系统) when none is named."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用")
        return user
    return system_actor()


def print_errors(command: BaseCommand, errors: list[RowError]) -> None:
    command.stderr.write(f"发现 {len(errors)} 处错误,未导入任何数据:")
    for e in errors:
        value = "" if e.value is None else str(e.value)
        command.stderr.write(f"  第{e.row}行 [{e.column}] “{value}”:{e.reason}")


class Command(BaseCommand):
    help = "Import a sheet (.xlsx, .xls, .ods, .csv): validated as a whole, written all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        units = sub.add_parser("units", help="the org tree: 代码, 名称, 层级, 上级代码 + profile")
        workers = sub.add_parser(
            "workers", help="the roster: 姓名, 公民身份号码, 所属社区, 学历, 政治面貌, 来源方式 …"
        )
        for p in (units, workers):
            p.add_argument("file", type=Path)
            p.add_argument("--dry-run", action="store_true", help="validate and preview only")
            p.add_argument("--user", help="import with this user's scope (default: a superuser)")

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在:{path}")
        user = _acting_user(options.get("user"))
        if what == "units":
            self._units(path, user, dry_run=options["dry_run"])
        elif what == "workers":
            self._workers(path, user, dry_run=options["dry_run"])

    def _read(self, path: Path, aliases: dict[str, str]) -> SheetTable:
        """The file read once, bounded; a file that is no sheet gives its one Chinese sentence."""
        try:
            table = read_table(path, path.name, aliases)
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        for note in table.notes:
            self.stdout.write(note)
        return table

    def _units(self, path: Path, user: User, *, dry_run: bool) -> None:
        from shegong.orgs import imports as services

        table = self._read(path, services.UNIT_SHEET_ALIASES)
        plan = services.units_import_plan(rows=table.rows, columns=table.columns, acting_user=user)
        if not plan.ok:
            print_errors(self, plan.errors)
            raise CommandError("导入失败")
        summary = f"新增 {plan.creates} 个,更新 {plan.updates} 个,不变 {plan.unchanged} 个"
        if dry_run:
            self.stdout.write(f"校验通过(未写入):{summary}")
            return
        try:
            services.units_import_apply(plan=plan, acting_user=user)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"导入完成:{summary}"))

    def _workers(self, path: Path, user: User, *, dry_run: bool) -> None:
        from shegong.people import imports

        table = self._read(path, imports.WORKER_SHEET_ALIASES)
        plan = imports.workers_import_plan(rows=table.rows, columns=table.columns, acting_user=user)
        if not plan.ok:
            print_errors(self, plan.errors)
            raise CommandError("导入失败")
        summary = f"新增 {plan.creates} 人,更新 {plan.updates} 人,不变 {plan.unchanged} 人"
        for notice in plan.notices:
            self.stdout.write(notice)
        if dry_run:
            self.stdout.write(f"校验通过(未写入):{summary}")
            return
        try:
            imports.workers_import_apply(plan=plan, acting_user=user)
        except ServiceError as exc:  # changed since the check, or the database stayed busy
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"导入完成:{summary}"))
