"""`shegong burden lapse [--date YYYY-MM-DD]`: applications left unanswered past their
deadline become refusals where the district has set it so (run it daily, e.g. from cron)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shegong.burden import services
from shegong.core.actors import system_actor


class Command(BaseCommand):
    help = "The burden register's periodic work: `burden lapse`."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        lapse = sub.add_parser("lapse", help="逾期未批复的准入申请视为不予准入")
        lapse.add_argument("--date", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, what: str, date: str | None = None, **options: Any) -> None:
        try:
            day = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD:{date}") from None
        count = services.applications_lapse(acting_user=system_actor(), on=day)
        self.stdout.write(f"逾期视为不予准入的申请:{count} 件")
