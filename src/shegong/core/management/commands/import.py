"""`shegong import KIND FILE [--dry-run] [--user LOGIN] [--context KEY=VALUE …]`: every import the
pages offer (units, workers, training sign-ins, exam results, …) through the same plan and apply
(core/imports/flow.py: KINDS): the whole file validated, every error printed, all or nothing.
Exits non-zero when the file has errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404
from django.urls import get_resolver

from shegong.core.actors import system_actor
from shegong.core.errors import RowError, ServiceError
from shegong.core.imports import flow
from shegong.core.models import User
from shegong.core.sheets import SheetError, read_table

# What each import reads, for --help (the kinds themselves are declared by their areas).
DESCRIPTIONS = {
    "units": "the org tree: 代码, 名称, 层级, 上级代码 + profile",
    "workers": "the roster: 姓名, 公民身份号码, 所属社区, 学历, 政治面貌, 来源方式 …",
    "training_attendance": "a course's sign-in sheet (needs --context course=ID)",
    "training_exam": "certificate exam results: 姓名, 公民身份号码, 考试, 成绩 …",
}


def _acting_user(username: str | None) -> User:
    """The login whose scope the command takes, or the system actor (every right, audited
    as 系统) when none is named."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用")
        return user
    return system_actor()


def _context(pairs: list[str]) -> dict[str, Any]:
    """KEY=VALUE pairs; a whole number is kept as a number (ids are)."""
    context: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"--context 应写成 键=值:{pair}")
        context[key] = int(value) if value.isdigit() else value
    return context


def print_errors(command: BaseCommand, errors: list[RowError]) -> None:
    command.stderr.write(f"发现 {len(errors)} 处错误,未导入任何数据:")
    for e in errors:
        value = "" if e.value is None else str(e.value)
        command.stderr.write(f"  第{e.row}行 [{e.column}] “{value}”:{e.reason}")


class Command(BaseCommand):
    help = "Import a sheet (.xlsx, .xls, .ods, .csv): validated as a whole, written all or nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        for name, description in DESCRIPTIONS.items():
            p = sub.add_parser(name, help=description)
            p.add_argument("file", type=Path)
            p.add_argument("--dry-run", action="store_true", help="validate and preview only")
            p.add_argument("--user", help="import with this user's scope (default: the system)")
            p.add_argument(
                "--context", action="append", default=[], metavar="KEY=VALUE",
                help="what the import is for, e.g. course=12 for a sign-in sheet",
            )  # fmt: skip

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"文件不存在:{path}")
        get_resolver().url_patterns  # noqa: B018 - loading the pages declares every import kind
        kind = flow.KINDS.get(what)
        if kind is None:
            raise CommandError(f"没有这种导入:{what}")
        user = _acting_user(options.get("user"))
        try:
            table = read_table(path, path.name, kind.aliases)
        except SheetError as exc:
            raise CommandError(str(exc)) from exc
        try:
            outcome = flow.run_on_console(
                kind, table=table, filename=path.name, user=user,
                context=_context(options["context"]), dry_run=options["dry_run"],
            )  # fmt: skip
        except ServiceError as exc:  # changed since the check, or the database stayed busy
            raise CommandError(exc.message) from None
        except Http404:  # what --context names is missing or out of the user's scope: alike
            raise CommandError(f"{kind.name}:所指的记录不存在") from None
        self._report(outcome)

    def _report(self, outcome: flow.ConsoleOutcome) -> None:
        summary = outcome.summary
        for line in [*summary.notes, *summary.notices]:
            self.stdout.write(line)
        if not summary.ok:
            print_errors(self, summary.errors)
            raise CommandError("导入失败")
        counts = f"新增 {summary.creates} 条,更新 {summary.updates} 条,不变 {summary.unchanged} 条"
        if not outcome.message:
            self.stdout.write(f"校验通过(未写入):{counts}")
            return
        self.stdout.write(self.style.SUCCESS(outcome.message))
