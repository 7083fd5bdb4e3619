"""`shegong sweep_uploads [--max-age SECONDS]`: delete uploaded sheets (they hold personal
data) whose import was abandoned, older than SHEGONG_UPLOAD_MAX_AGE_SECONDS by default."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from shegong.core.uploads import uploads_sweep


class Command(BaseCommand):
    help = "Delete abandoned uploaded sheets older than SHEGONG_UPLOAD_MAX_AGE_SECONDS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--max-age", type=int, default=None, help="seconds (default: setting)")

    def handle(self, *args: Any, **options: Any) -> None:
        removed = uploads_sweep(max_age=options["max_age"])
        self.stdout.write(f"已删除 {removed} 个过期的上传文件")
