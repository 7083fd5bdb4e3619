"""The `shegong` console entry point: Django's manage.py with the settings chosen.

The project's own errors end a command with their Chinese message and exit status 1, never a
traceback: a refused change (ServiceError), a configuration fault, a database that cannot be
reached or written.
"""

import os
import sys

# Commands that set an installation up may create its data folder; all others refuse to run
# on a missing one (settings.DATA_DIR_MAY_BE_CREATED).
INITIALISING_COMMANDS = {"migrate", "demo", "restore"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
    if len(sys.argv) > 1 and sys.argv[1] in INITIALISING_COMMANDS:
        os.environ.setdefault("SHEGONG_INITIALISING", "1")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except Exception as exc:
        message = _explained(exc)
        if message is None:
            raise
        sys.stderr.write(message + "\n")
        sys.exit(1)


def _explained(exc: Exception) -> str | None:
    """A message a person can act on for the errors the project knows, else None."""
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError
    from django.utils.translation import gettext as _

    from shegong.core.errors import ServiceError

    if isinstance(exc, ServiceError):
        return exc.message
    if isinstance(exc, ImproperlyConfigured | DatabaseError):
        from shegong.core.checks import configuration_problems, problems_as_text

        problems = configuration_problems()
        if problems:
            return problems_as_text(problems)
        if isinstance(exc, DatabaseError):
            return _database_error_text(exc)
    if isinstance(exc, OSError) and exc.errno == 28:  # ENOSPC
        return _("磁盘已满,操作未完成,已写入的部分已撤销。请清理磁盘空间后重试。")
    return None


def _database_error_text(exc: Exception) -> str:
    from django.utils.translation import gettext as _

    text = str(exc)
    if "database is locked" in text:
        return _("数据库正忙(另一项写入尚未结束),操作未完成。请稍后重试。")
    if "readonly" in text or "read-only" in text:
        return _("数据库是只读的,操作未完成。请检查数据库文件及其目录的写权限。")
    if "disk" in text and "full" in text:
        return _("磁盘已满,操作未完成,已写入的部分已撤销。请清理磁盘空间后重试。")
    return _("数据库错误,操作未完成:%(text)s") % {"text": text.strip()[:300]}


if __name__ == "__main__":
    main()
