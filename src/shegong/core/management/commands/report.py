"""`shegong report structure --unit CODE --as-of YYYY-MM-DD [--compare YYYY-MM-DD]
[--age-bands 30,35,45,54] [--tenure-bands 4,10] [--standard 18] --format json|docx|xlsx|pdf
[--out FILE] [--user NAME]`.

JSON: {"unit", "as_of", "total", "average_age", "breakdowns": {key: [{"label", "count",
"share"}]}, "comparison"?, "standards", "narrative", …}; labels are Chinese; shares, averages and
per-10,000 figures are strings with one decimal ("26.1"), exactly as printed, never floats.
The shares of a partition breakdown (all but post and representative) add up to "100.0".

`report annual --unit CODE --year YYYY [--as-of YYYY-MM-DD] --format json|docx|pdf|xlsx` writes
the yearly survey report (annual/). Other reports become further subcommands. Without --user
the report sees every unit (the console is run by the operator); with it, exactly what that
user sees on the web.
"""

from __future__ import annotations

import datetime
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.reports import documents, rules, selectors
from shegong.reports.exports import report_json

FORMATS = ("json", "docx", "xlsx", "pdf")


def _date(raw: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD:{raw}") from None


def _viewer(username: str | None) -> User:
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在或已停用")
        return user
    # The operator at the console: the system actor, which sees every unit.
    from shegong.core.actors import system_actor

    return system_actor()


class Command(BaseCommand):
    help = (
        "Reports from live data: `report structure` (队伍结构分析), `report annual` (年度调研报告)"
        " … as JSON, Word, Excel or PDF."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        structure = sub.add_parser("structure", help="队伍结构分析: counts and shares by dimension")
        structure.add_argument("--unit", required=True, help="unit code (this unit and below)")
        structure.add_argument("--as-of", required=True, help="YYYY-MM-DD")
        structure.add_argument("--compare", help="YYYY-MM-DD: compare with this date")
        structure.add_argument("--age-bands", default="", help="upper bounds, e.g. 30,35,45,54")
        structure.add_argument("--tenure-bands", default="", help="bounds in years, e.g. 4,10")
        structure.add_argument("--standard", default="18", help="workers per 10,000 residents")
        structure.add_argument("--certified-target", default="50", help="%% holding a certificate")
        structure.add_argument("--college-target", default="60", help="%% with 大专 or above")
        structure.add_argument("--format", choices=FORMATS, default="json")
        structure.add_argument("--out", type=Path, help="file to write (default: stdout for json)")
        structure.add_argument("--user", help="report with this user's scope")
        training = sub.add_parser("training", help="培训统计: sessions, person-times, coverage")
        training.add_argument("--unit", required=True, help="unit code (this unit and below)")
        training.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        training.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
        training.add_argument("--format", choices=("json", "xlsx"), default="json")
        training.add_argument("--out", type=Path, help="file to write (default: stdout for json)")
        training.add_argument("--user", help="report with this user's scope")

        for name, label, formats in YEARLY:
            _yearly(sub, name, label, formats)
        annual = _yearly(sub, "annual", "年度调研报告: every area in one document", ANNUAL_FORMATS)
        annual.add_argument("--as-of", help="YYYY-MM-DD (default: 31 December, or today)")

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        if what == "structure":
            self._structure(**options)
        elif what == "training":
            from shegong.training.cli import report_training

            report_training(self, viewer=_viewer(options.get("user")), **options)
        elif what == "appraisal":
            from shegong.appraisal.documents import command_report

            command_report(self, _viewer(options.get("user")), **options)
        elif what == "pay":
            from shegong.pay.cli import report_pay

            report_pay(self, viewer=_viewer(options.get("user")), **options)
        elif what == "burden":
            from shegong.burden.cli import report_burden

            report_burden(self, viewer=_viewer(options.get("user")), **options)
        elif what == "resources":
            from shegong.resources.cli import report_resources

            report_resources(self, viewer=_viewer(options.get("user")), **options)
        elif what == "annual":
            from shegong.annual.cli import report_annual

            report_annual(self, viewer=_viewer(options.get("user")), **options)

    def _structure(self, **o: Any) -> None:
        viewer = _viewer(o.get("user"))
        unit = Unit.objects.filter(code=o["unit"]).first()
        if unit is None:
            raise CommandError(f"单位 {o['unit']} 不存在或不在您的范围内")
        try:
            age_bands = rules.parse_bounds(o["age_bands"], rules.DEFAULT_AGE_BOUNDS)
            tenure_bands = rules.parse_bounds(o["tenure_bands"], rules.DEFAULT_TENURE_BOUNDS)
            standard = Decimal(o["standard"])
            certified_target = Decimal(o["certified_target"])
            college_target = Decimal(o["college_target"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        except InvalidOperation:
            raise CommandError("标准与目标须为数字") from None
        try:
            report = selectors.structure_report(
                viewer=viewer,
                unit=unit,
                as_of=_date(o["as_of"]),
                compare=_date(o["compare"]) if o.get("compare") else None,
                age_bands=age_bands,
                tenure_bands=tenure_bands,
                standard=standard,
                certified_target=certified_target,
                college_target=college_target,
                with_training=o["format"] != "json",
            )
        except Http404:
            raise CommandError(f"单位 {o['unit']} 不存在或不在您的范围内") from None
        fmt: str = o["format"]
        out: Path | None = o.get("out")
        if fmt == "json":
            text = json.dumps(report_json(report), ensure_ascii=False, indent=2)
            if out is None:
                self.stdout.write(text)
            else:
                out.write_text(text + "\n", encoding="utf-8")
            return
        content = documents.render(report, fmt)
        if out is None:
            out = Path(documents.filename(report, fmt))
        if str(out) == "-":
            sys.stdout.buffer.write(content)
            return
        out.write_bytes(content)
        self.stderr.write(f"已生成 {out}({len(content)} 字节)")


# The reports of one unit and year: (subcommand, help, formats).
DOCUMENT_FORMATS = ("json", "xlsx", "docx")
ANNUAL_FORMATS = ("json", "docx", "pdf", "xlsx")
YEARLY = (
    ("appraisal", "考核结果: workers with score and grade", DOCUMENT_FORMATS),
    ("pay", "待遇: yearly calibers per worker, benchmark findings", DOCUMENT_FORMATS),
    ("burden", "社区减负: what communities carry, per community", DOCUMENT_FORMATS),
    ("resources", "社区资源: teams, venues, bookings, use", DOCUMENT_FORMATS),
)


def _yearly(sub: Any, name: str, label: str, formats: tuple[str, ...]) -> CommandParser:
    """A subcommand for one unit and year, with the options every such report takes."""
    parser: CommandParser = sub.add_parser(name, help=label)
    unit_help = "code of the unit that set the scheme" if name == "appraisal" else None
    parser.add_argument(
        "--unit", required=True, help=unit_help or "unit code (this unit and below)"
    )
    parser.add_argument("--year", required=True, type=int)
    parser.add_argument("--format", choices=formats, default="json")
    parser.add_argument("--out", type=Path, help="file to write (default: stdout for json)")
    parser.add_argument("--user", help="report with this user's scope")
    return parser
