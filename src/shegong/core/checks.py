"""Configuration mistakes reported as Django system checks (`shegong check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def check_production_settings(app_configs: Any, **kwargs: Any) -> list[Error | Warning]:
    problems: list[Error | Warning] = []
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        problems.append(
            Error(
                "ALLOWED_HOSTS is empty while DEBUG is off.",
                hint="Set ALLOWED_HOSTS=your.host.name in the environment.",
                id="shegong.E001",
            )
        )
    return problems


@register(Tags.database)
def check_database_engine(app_configs: Any, **kwargs: Any) -> list[Error]:
    engine = settings.DATABASES["default"]["ENGINE"]
    supported = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
    if engine not in supported:
        return [
            Error(
                f"Database engine {engine} is not supported.",
                hint="DATABASE_URL must start with sqlite:/// or postgres://",
                id="shegong.E002",
            )
        ]
    return []


@register()
def check_data_dir(app_configs: Any, **kwargs: Any) -> list[Error]:
    import os

    data_dir = settings.DATA_DIR
    if not os.access(data_dir, os.W_OK):
        return [
            Error(
                f"The data folder {data_dir} is not writable.",
                hint="Set SHEGONG_DATA_DIR to a folder the server may write to.",
                id="shegong.E003",
            )
        ]
    return []
