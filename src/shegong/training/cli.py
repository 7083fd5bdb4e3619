"""`shegong report training --unit CODE --from DATE --to DATE --format json|xlsx [--out FILE]
[--user NAME]`, run by the reports command.

JSON keys: unit, from, to, reference_day, sessions, sessions_organised, person_times,
people_trained, days, hours, roster, trained_on_roster, coverage (a one-decimal string),
by_kind, by_month, by_post, by_unit, and short: every worker under the yearly requirement
(of the year of --to) with required_days, attended_days and days_missing.
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.training import exports, selectors


def _date(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD:{raw}") from None


def report_training(command: BaseCommand, *, viewer: User, **o: Any) -> None:
    unit = Unit.objects.filter(code=o["unit"]).first()
    start, end = _date(o["start"]), _date(o["end"])
    if end < start:
        raise CommandError("--to 不能早于 --from")
    try:
        if unit is None:
            raise Http404
        figures = selectors.training_figures(viewer=viewer, unit=unit, start=start, end=end)
        short = selectors.compliance_list(viewer=viewer, unit=unit, year=end.year)
    except Http404:
        raise CommandError(f"单位 {o['unit']} 不存在或不在您的范围内") from None
    out: Path | None = o.get("out")
    if o["format"] == "json":
        text = json.dumps(exports.figures_json(figures, short), ensure_ascii=False, indent=2)
        if out is None:
            command.stdout.write(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
        return
    content = exports.figures_xlsx(figures, short)
    if out is None:
        out = Path(exports.filename(figures, "xlsx"))
    if str(out) == "-":
        sys.stdout.buffer.write(content)
        return
    out.write_bytes(content)
    command.stderr.write(f"已生成 {out}({len(content)} 字节)")
