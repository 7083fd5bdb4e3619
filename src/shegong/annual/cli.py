"""`shegong report annual --unit CODE --year YYYY [--as-of YYYY-MM-DD] --format json|docx|pdf|xlsx
[--out FILE] [--user NAME]` (the subcommand is declared with the others in core's `report`)."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.management.base import CommandError
from django.http import Http404

from shegong.annual import documents, selectors
from shegong.orgs.models import Unit

if TYPE_CHECKING:
    from shegong.core.models import User


def report_annual(command: Any, *, viewer: User, **o: Any) -> None:
    unit = Unit.objects.filter(code=o["unit"]).first()
    missing = f"单位 {o['unit']} 不存在或不在您的范围内"
    if unit is None:
        raise CommandError(missing)
    as_of = None
    if o.get("as_of"):
        try:
            as_of = datetime.date.fromisoformat(o["as_of"])
        except ValueError:
            raise CommandError(f"日期格式应为 YYYY-MM-DD:{o['as_of']}") from None
    if not 1990 <= o["year"] <= 2100:
        raise CommandError("年度须在1990至2100之间")
    try:
        report = selectors.annual_report(viewer=viewer, unit=unit, year=o["year"], as_of=as_of)
    except Http404:
        raise CommandError(missing) from None
    fmt: str = o["format"]
    content = documents.render(report, fmt)
    out: Path | None = o.get("out")
    if out is None and fmt == "json":
        command.stdout.write(content.decode())
        return
    if out is None:
        out = Path(documents.filename(report, fmt))
    if str(out) == "-":
        sys.stdout.buffer.write(content)
        return
    out.write_bytes(content)
    command.stderr.write(f"已生成 {out}({len(content)} 字节)")
