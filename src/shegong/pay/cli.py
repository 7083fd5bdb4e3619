"""`shegong report pay --unit CODE --year YYYY --format json|xlsx|docx [--out FILE]`.

JSON: {"unit": {"code", "name"}, "year", "average_wage", "benchmark", "workers": [{"id",
"name", "community", "months", "gross", "employer_contributions", "personal_contributions",
"income_tax", "net", "total_cost"}], "totals": {...}, "benchmark_findings": [{"caliber"
(total_cost|gross|net), "label", "workers_below": [{"name", "community", "annual", "gap"}],
"units_below": [{"name", "average", "gap"}], "leaders", "leaders_at_average_wage",
"leaders_share"}], "missing_average_wage": [...]}. Money as strings with two decimals
("24767.16"), the share with one ("81.8"), never floats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shegong.core.models import User
from shegong.pay import exports, selectors


def report_pay(cmd: BaseCommand, *, viewer: User, **o: Any) -> None:
    unit = selectors.units_in_scope(viewer=viewer).filter(code=o["unit"]).first()
    if unit is None:
        raise CommandError(_("单位 %(code)s 不存在或不在您的范围内") % {"code": o["unit"]})
    data = selectors.report(viewer=viewer, unit=unit, year=o["year"])
    fmt: str = o["format"]
    out: Path | None = o.get("out")
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False, indent=2)
        if out is None:
            cmd.stdout.write(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
        return
    content = exports.report_xlsx(data) if fmt == "xlsx" else exports.report_docx(data)
    out = out or Path(f"pay-{unit.code}-{o['year']}.{fmt}")
    out.write_bytes(content)
    cmd.stderr.write(_("已生成 %(file)s(%(n)s 字节)") % {"file": out, "n": len(content)})
