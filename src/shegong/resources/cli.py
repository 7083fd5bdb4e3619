"""`shegong report resources --unit CODE --year YYYY --format json|xlsx|docx [--out FILE]
[--user NAME]`.

JSON: resources_summary's dict: {"unit", "unit_name", "year", "teams", "team_members",
"team_records", "talents", "volunteers", "volunteer_hours", "venues", "shared_venues",
"bookings", "venue_use": {"open_hours", "booked_hours", "share", "present", "by_venue": [...]},
"activities", "participants", "participants_by_age", "awards", "standards": [{"key", "name",
"as_of", "items", "communities", "meeting_all", "by_item", "short": [...]}, ...]}, one entry a
standard that applies (五有 first). Hours and shares are strings with one decimal; a key whose
area is not recorded yet is null.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shegong.core.access import scoped
from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.resources import documents, selectors


def report_resources(cmd: BaseCommand, *, viewer: User, **o: Any) -> None:
    unit = scoped(Unit.objects.all(), viewer).filter(code=o["unit"]).first()
    if unit is None:
        raise CommandError(_("单位 %(code)s 不存在或不在您的范围内") % {"code": o["unit"]})
    data = selectors.resources_summary(viewer=viewer, unit=unit, year=o["year"])
    fmt: str = o["format"]
    out: Path | None = o.get("out")
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if out is None:
            cmd.stdout.write(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
        return
    content = documents.report_xlsx(data) if fmt == "xlsx" else documents.report_docx(data)
    out = out or Path(f"resources-{unit.code}-{o['year']}.{fmt}")
    out.write_bytes(content)
    cmd.stderr.write(_("已生成 %(file)s(%(n)s 字节)") % {"file": out, "n": len(content)})
