"""Training figures as JSON (for the CLI and API) and as an Excel workbook."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shegong.core.text import xlsx_row
from shegong.training.selectors import Shortfall, TrainingFigures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def short_json(short: list[Shortfall]) -> list[dict[str, Any]]:
    return [
        {
            "worker_id": s.worker.pk,
            "name": s.worker.name,
            "community": s.community,
            "required_days": s.required,
            "every_years": s.every_years,
            "attended_days": s.attended,
            "days_missing": s.missing,
        }
        for s in short
    ]


def figures_json(f: TrainingFigures, short: list[Shortfall]) -> dict[str, Any]:
    """Counts as integers; coverage, hours and per-person days as one-decimal strings."""
    return {
        "unit": {"code": f.unit.code, "name": f.unit.name},
        "from": f.start.isoformat(),
        "to": f.end.isoformat(),
        "reference_day": f.reference_day.isoformat(),
        "sessions": f.sessions,
        "sessions_organised": f.sessions_organised,
        "person_times": f.person_times,
        "people_trained": f.people_trained,
        "days": f.days,
        "hours": str(f.hours),
        "roster": f.roster,
        "trained_on_roster": f.trained_on_roster,
        "coverage": str(f.coverage),
        "leaders": f.leaders,
        "leaders_met_minimum": f.leaders_met,
        "leader_minimum_days": f.leader_minimum,
        "narrative": f.narrative,
        "by_kind": [{"kind": b.label, "person_times": b.value} for b in f.by_kind],
        "by_month": [{"month": b.label, "person_times": b.value} for b in f.by_month],
        "by_post": [
            {
                "post": row["post"].name,
                "people": row["people"],
                "days": row["days"],
                "days_per_person": _dec(row["per_person"]),
            }
            for row in f.by_post
        ],
        "by_unit": [
            {
                "code": row["unit"].code,
                "name": row["unit"].name,
                "roster": row["roster"],
                "trained_on_roster": row["trained_on_roster"],
                "person_times": row["person_times"],
                "coverage": str(row["coverage"]),
            }
            for row in f.by_child
        ],
        "short": short_json(short),
    }


def _number(value: Any) -> Any:
    """Numbers as numbers in Excel (Decimal as float only at this last step, for the cell)."""
    if isinstance(value, Decimal):
        return float(value)
    return value


def _figure_sheets(
    f: TrainingFigures, short: list[Shortfall]
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet title, header, rows) of each sheet of the figures workbook."""
    return [
        (
            _("概况"),
            [_("指标"), _("数值")],
            [
                [_("单位"), f.unit.name],
                [_("统计期间"), f"{f.start:%Y-%m-%d} — {f.end:%Y-%m-%d}"],
                [_("培训场次"), f.sessions],
                [_("本级及下级主办场次"), f.sessions_organised],
                [_("培训人次"), f.person_times],
                [_("受训人数"), f.people_trained],
                [_("培训天数(人天)"), f.days],
                [_("培训学时"), f.hours],
                [_("在册人数(%(day)s)") % {"day": f.reference_day}, f.roster],
                [_("其中参训人数"), f.trained_on_roster],
                [_("受训面(%)"), f.coverage],
                [_("书记、主任人数"), f.leaders],
                [_("其中达到年度最低天数"), f.leaders_met],
                [_("综述"), f.narrative],
            ],
        ),
        (
            _("按类别"),
            [_("类别"), _("人次")],
            [[b.label, b.value] for b in f.by_kind],
        ),
        (
            _("按月份"),
            [_("月份"), _("人次")],
            [[b.label, b.value] for b in f.by_month],
        ),
        (
            _("按岗位"),
            [_("岗位"), _("在岗人数"), _("培训天数"), _("人均天数")],
            [[r["post"].name, r["people"], r["days"], r["per_person"]] for r in f.by_post],
        ),
        (
            _("按下级单位"),
            [_("单位"), _("在册人数"), _("参训人数"), _("培训人次"), _("受训面(%)")],
            [
                [
                    r["unit"].name,
                    r["roster"],
                    r["trained_on_roster"],
                    r["person_times"],
                    r["coverage"],
                ]
                for r in f.by_child
            ],
        ),
        (
            _("未达标人员"),
            [_("姓名"), _("社区"), _("要求天数"), _("每几年"), _("已训天数"), _("尚缺天数")],
            [
                [s.worker.name, s.community, s.required, s.every_years, s.attended, s.missing]
                for s in short
            ],
        ),
    ]


def figures_xlsx(f: TrainingFigures, short: list[Shortfall]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = True
    for title, header, rows in _figure_sheets(f, short):
        sheet = book.active if first else book.create_sheet()
        first = False
        assert sheet is not None
        sheet.title = title
        sheet.append(xlsx_row(sheet, header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(xlsx_row(sheet, [_number(v) for v in row]))
        sheet.column_dimensions["A"].width = 24
        if title in (_("按类别"), _("按月份"), _("按下级单位")) and rows:
            _add_bar_chart(
                sheet, title, column=5 if title == _("按下级单位") else 2, rows=len(rows)
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _add_bar_chart(sheet: Any, title: str, *, column: int, rows: int) -> None:
    """A native Excel bar chart of one column against the names in column A."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.add_data(
        Reference(sheet, min_col=column, min_row=1, max_row=rows + 1), titles_from_data=True
    )
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    sheet.add_chart(chart, "H2")


def filename(f: TrainingFigures, suffix: str) -> str:
    return f"培训统计-{f.unit.name}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.{suffix}"


def _workbook(title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]
    sheet.append(xlsx_row(sheet, header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(xlsx_row(sheet, [_number(v) for v in row]))
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 18
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attendance_xlsx(course: Any, days: list[Any], grid: list[tuple[Any, list[bool]]]) -> bytes:
    """A course's sign-in record: one row per enrolled worker, ✓ per day attended, days and
    hours credited."""
    header = [_("姓名"), _("社区"), *[f"{d:%m-%d}" for d in days], _("出勤天数"), _("学时")]
    rows = [
        [
            e.worker.name,
            e.worker.community.name,
            *["✓" if m else "" for m in marks],
            sum(marks),
            Decimal(sum(marks)) * course.hours_per_day,
        ]
        for e, marks in grid
    ]
    return _workbook(_("签到记录"), header, rows)


def awards_xlsx(awards: Any) -> bytes:
    """One-time awards for the pay office: who, level, amount, granted, paid."""
    rows = [
        [
            a.worker.name,
            a.worker.community.name,
            a.get_level_display(),
            a.amount,
            a.granted_on,
            a.paid_on or getattr(a, "paid_by", None) or None,
        ]
        for a in awards
    ]
    total = sum((a.amount for a in awards), start=Decimal(0))
    rows.append([_("合计"), "", "", total, None, None])
    return _workbook(
        _("一次性奖励"),
        [_("姓名"), _("社区"), _("级别"), _("金额(元)"), _("核定日期"), _("发放日期")],
        rows,
    )
