"""Configuration mistakes reported as Django system checks (`shegong check`), in Chinese with
the fix. The same checks stop `gunicorn` (wsgi.py) and every command before they serve or write
anything: a server must not start on a vanished data folder or an unreachable database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                _("DEBUG 关闭时 ALLOWED_HOSTS 不能为空。"),
                hint=_("请在环境变量中设置 ALLOWED_HOSTS=服务器域名(多个用逗号分隔)。"),
                id="shegong.E001",
            )
        )
    return problems


@register(Tags.database)
def check_database_engine(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    return _engine_problems()


@register()
def check_configuration(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    return configuration_problems()


def configuration_problems() -> list[CheckMessage]:
    """Everything that keeps the installation from running, most basic first: a problem
    further down is not looked for while one above it stands."""
    problems = _data_dir_problems() or _database_url_problems() or _engine_problems()
    return problems or _connection_problems()


def _data_dir_problems() -> list[CheckMessage]:
    data_dir = Path(settings.DATA_DIR)
    if settings.DATA_DIR_MISSING:
        return [
            Error(
                _("数据目录 %(dir)s 不存在。") % {"dir": data_dir},
                hint=_(
                    "新安装请先运行 shegong migrate(或 make run)创建它;"
                    "若原来的数据目录被移走、改名或未挂载,请恢复后再启动,"
                    "或用 SHEGONG_DATA_DIR 指向它。服务不会在这里新建空数据库和新密钥。"
                ),
                id="shegong.E004",
            )
        ]
    if not os.access(data_dir, os.W_OK):
        return [
            Error(
                _("数据目录 %(dir)s 不可写。") % {"dir": data_dir},
                hint=_(
                    "请让运行 Shegong 的用户对该目录有写权限,或用 SHEGONG_DATA_DIR 指向可写目录。"
                ),
                id="shegong.E003",
            )
        ]
    return []


def _database_url_problems() -> list[CheckMessage]:
    if not settings.DATABASE_URL_ERROR:
        return []
    return [
        Error(
            _("DATABASE_URL 无法识别:%(url)s") % {"url": _redacted(settings.DATABASE_URL)},
            hint=_("应为 sqlite:///文件路径 或 postgres://用户@主机:端口/数据库名。"),
            id="shegong.E005",
        )
    ]


def _engine_problems() -> list[CheckMessage]:
    engine = settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"]
    supported = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
    if engine in supported:
        return []
    return [
        Error(
            _("不支持数据库引擎 %(engine)s。") % {"engine": engine},
            hint=_("DATABASE_URL 须以 sqlite:/// 或 postgres:// 开头。"),
            id="shegong.E002",
        )
    ]


def _connection_problems() -> list[CheckMessage]:
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        problem = _sqlite_file_problem(str(db["NAME"]))
        if problem:
            return [problem]
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except Exception as exc:
        return [_connection_error(exc)]
    return []


def _sqlite_file_problem(name: str) -> Error | None:
    if name in {"", ":memory:"} or name.startswith("file:"):
        return None
    path = Path(name)
    if not path.parent.is_dir():
        return Error(
            _("数据库文件所在目录 %(dir)s 不存在。") % {"dir": path.parent},
            hint=_("请检查 DATABASE_URL 中的路径,或先创建该目录。"),
            id="shegong.E006",
        )
    # WAL writes beside the file: both the file and its folder must be writable.
    if (path.exists() and not os.access(path, os.W_OK)) or not os.access(path.parent, os.W_OK):
        return Error(
            _("数据库文件 %(file)s 是只读的。") % {"file": path},
            hint=_("请让运行 Shegong 的用户对该文件及其所在目录有写权限。"),
            id="shegong.E007",
        )
    return None


def _connection_error(exc: Exception) -> Error:
    text = str(exc)
    db = settings.DATABASES[DEFAULT_DB_ALIAS]
    where = {"host": db.get("HOST") or "localhost", "port": db.get("PORT") or "5432"}
    if "does not exist" in text and "database" in text:
        reason = _("数据库 %(name)s 不存在。") % {"name": db.get("NAME")}
        hint = _("请先创建该数据库(createdb),或检查 DATABASE_URL 中的数据库名。")
    elif "role" in text and "does not exist" in text:
        reason = _("数据库用户 %(user)s 不存在。") % {"user": db.get("USER")}
        hint = _("请检查 DATABASE_URL 中的用户名,或在数据库中创建该用户。")
    elif "password authentication failed" in text:
        reason = _("数据库用户 %(user)s 的密码不正确。") % {"user": db.get("USER")}
        hint = _("请检查 DATABASE_URL 中的密码。")
    elif "Connection refused" in text or "could not connect" in text or "timeout" in text:
        reason = _("连接不上数据库服务器 %(host)s:%(port)s。") % where
        hint = _("请确认数据库已启动,并检查 DATABASE_URL 中的主机和端口。")
    elif "translate host name" in text or "Name or service not known" in text:
        reason = _("找不到数据库主机 %(host)s。") % where
        hint = _("请检查 DATABASE_URL 中的主机名。")
    else:
        reason = _("无法连接数据库。")
        hint = _("请检查 DATABASE_URL。数据库答复:%(text)s") % {"text": text.strip()[:300]}
    return Error(reason, hint=hint, id="shegong.E008")


def _redacted(url: str) -> str:
    """The URL without its password, to be shown."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _at, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


def problems_as_text(problems: list[CheckMessage]) -> str:
    """The checks' findings as lines a person reads on the console."""
    lines = []
    for problem in problems:
        lines.append(f"{problem.msg}")
        if problem.hint:
            lines.append(f"  {problem.hint}")
    return "\n".join(lines)
