"""`shegong report burden --unit CODE --year YYYY --format json|xlsx|docx [--out FILE]
[--user NAME]`, run by the reports command.

JSON keys: unit, year, communities (one row per community: code, name, items,
unfunded_items, ledgers, signboards, stamp_kinds, inspections, meetings, hours, staff_times,
without_admission), items, items_by_kind, unfunded_items, ledgers, signboards, stamp_kinds,
inspections, meetings, hours (a one-decimal string), staff_times, without_admission, trend (five
years), departments (who imposes most), worst (communities worst off), forms, fields_from_data,
fields_asked (0 until 一表通 is built) and survey (null until the questionnaire is built).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from shegong.burden import exports, selectors
from shegong.core.models import User
from shegong.orgs.selectors import unit_get


def report_burden(command: BaseCommand, *, viewer: User, **o: Any) -> None:
    try:
        unit = unit_get(viewer=viewer, code=o["unit"])
    except Http404:
        raise CommandError(f"单位 {o['unit']} 不存在或不在您的范围内") from None
    year: int = o["year"]
    if not 2000 <= year <= 2100:
        raise CommandError(f"年度应在 2000 至 2100 之间:{year}")
    summary = selectors.burden_summary(viewer=viewer, unit=unit, year=year)
    out: Path | None = o.get("out")
    fmt: str = o["format"]
    if fmt == "json":
        text = json.dumps(summary, ensure_ascii=False, indent=2)
        if out is None:
            command.stdout.write(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
        return
    content = exports.render(summary, fmt)
    if out is None:
        out = Path(f"{unit.name}{year}年社区负担.{fmt}")
    if str(out) == "-":
        sys.stdout.buffer.write(content)
        return
    out.write_bytes(content)
    command.stderr.write(f"已生成 {out}({len(content)} 字节)")
