"""Appraisal results as JSON, Excel (.xlsx, with a native chart of the grades) and Word (.docx).

Only what a results page shows goes in: part averages, never who scored whom.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from shegong.appraisal import rules, selectors
from shegong.appraisal.models import COMMON_GRADE, GRADE_LABELS, Cycle, GradeSet, Standing
from shegong.core.text import docx_text, xlsx_row
from shegong.people.models import YearGrade

if TYPE_CHECKING:
    from shegong.core.models import User

FONT_NAME = "Noto Sans CJK SC"


@dataclass
class AppraisalReport:
    unit_code: str
    unit_name: str
    year: int
    status: str
    labels: dict[str, str]
    rows: list[dict[str, Any]]
    grades: dict[str, int]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def build(*, viewer: User, cycle: Cycle) -> AppraisalReport:
    scheme = cycle.scheme
    labels = {k: str(v) for k, v in GRADE_LABELS[GradeSet(scheme.grade_set)].items()}
    standings = dict(Standing.choices)
    rows = [
        {
            "id": r.worker_id,
            "name": r.worker.name,
            "community": r.worker.community.name,
            "resident_score": _text(r.resident_score),
            "leader_score": _text(r.leader_score),
            "peer_score": _text(r.peer_score),
            "score": str(r.score),
            "rank": r.rank,
            "grade": labels[r.grade],
            "grade_code": r.grade,
            "record_grade": str(YearGrade(COMMON_GRADE[r.grade]).label),
            "standing": str(standings[r.standing]),
            "ten_best": r.ten_best,
            "reasons": r.reasons,
        }
        for r in selectors.result_list(viewer=viewer, cycle=cycle)
    ]
    counts = rules.grade_counts(str(r["grade_code"]) for r in rows)
    return AppraisalReport(
        unit_code=scheme.unit.code,
        unit_name=scheme.unit.name,
        year=scheme.year,
        status=cycle.get_status_display(),
        labels=labels,
        rows=rows,
        grades=counts,
    )


def report_json(report: AppraisalReport) -> dict[str, Any]:
    return {
        "unit": report.unit_code,
        "unit_name": report.unit_name,
        "year": report.year,
        "status": report.status,
        "workers": report.rows,
        "grades": [
            {"grade": report.labels[g], "code": g, "count": n} for g, n in report.grades.items()
        ],
    }


def filename(report: AppraisalReport, fmt: str) -> str:
    return f"appraisal-{report.unit_code}-{report.year}.{fmt}"


def title(report: AppraisalReport) -> str:
    return _("%(unit)s%(year)s年度社区工作者考核结果") % {
        "unit": report.unit_name,
        "year": report.year,
    }


HEADER = [
    ("rank", "排名"),
    ("name", "姓名"),
    ("community", "社区"),
    ("resident_score", "居民评议"),
    ("leader_score", "街道考核"),
    ("peer_score", "同事互评"),
    ("score", "综合得分"),
    ("grade", "等次"),
    ("record_grade", "记入档案等次"),
    ("standing", "聘用建议"),
    ("ten_best", "十佳"),
    ("reasons", "说明"),
]


def _cell(key: str, value: Any) -> Any:
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key.endswith("score"):
        return float(value) if value != "" else None  # numbers Excel can sort and sum
    return value


def render_xlsx(report: AppraisalReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("考核结果")
    sheet.append(xlsx_row(sheet, [title(report)]))
    sheet.append(xlsx_row(sheet, [_(label) for _key, label in HEADER]))
    for row in report.rows:
        sheet.append(xlsx_row(sheet, [_cell(key, row[key]) for key, _label in HEADER]))
    for column, width in zip(
        "ABCDEFGHIJKLM", (6, 10, 14, 10, 10, 10, 10, 8, 9, 12, 10, 6, 40), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A3"

    grades = book.create_sheet(_("等次分布"))
    grades.append(xlsx_row(grades, [_("等次"), _("人数")]))
    for code, n in report.grades.items():
        grades.append(xlsx_row(grades, [report.labels[code], n]))
    chart = BarChart()
    chart.title = _("等次分布")
    chart.y_axis.title = _("人数")
    data = Reference(grades, min_col=2, min_row=1, max_row=1 + len(report.grades))
    cats = Reference(grades, min_col=1, min_row=2, max_row=1 + len(report.grades))
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(cats)
    grades.add_chart(chart, "D2")

    lists = book.create_sheet(_("名单"))
    lists.append(xlsx_row(lists, [_("名单"), _("姓名"), _("社区"), _("等次")]))
    for row in report.rows:
        if row["ten_best"]:
            lists.append(xlsx_row(lists, [_("十佳"), row["name"], row["community"], row["grade"]]))
    for row in report.rows:
        if row["standing"] != str(Standing.RENEW.label):
            lists.append(
                xlsx_row(lists, [row["standing"], row["name"], row["community"], row["grade"]])
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _docx_font(style: Any) -> None:
    from docx.oxml.ns import qn

    style.font.name = FONT_NAME
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_NAME)


def render_docx(report: AppraisalReport) -> bytes:
    from docx import Document

    doc = Document()
    for style_name in ("Normal", "Title", "Heading 1"):
        _docx_font(doc.styles[style_name])
    doc.add_heading(docx_text(title(report)), level=0)
    total = len(report.rows)
    summary = "、".join(f"{report.labels[g]}{n}人" for g, n in report.grades.items())
    doc.add_paragraph(
        docx_text(
            _("参加考核%(n)d人,其中%(summary)s。状态:%(status)s。")
            % {"n": total, "summary": summary, "status": report.status}
        )
    )
    doc.add_heading(_("考核结果"), level=1)
    keys = ["rank", "name", "community", "score", "grade", "record_grade", "standing"]
    labels = dict(HEADER)
    table = doc.add_table(rows=1, cols=len(keys))
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, keys, strict=True):
        cell.text = _(labels[key])
    for row in report.rows:
        cells = table.add_row().cells
        for cell, key in zip(cells, keys, strict=True):
            cell.text = docx_text(row[key])
    best = [r["name"] for r in report.rows if r["ten_best"]]
    if best:
        doc.add_heading(_("十佳社区工作者"), level=1)
        doc.add_paragraph(docx_text("、".join(best)))
    flagged = [r for r in report.rows if r["standing"] != str(Standing.RENEW.label)]
    if flagged:
        doc.add_heading(_("诫勉提醒与退出名单"), level=1)
        for r in flagged:
            doc.add_paragraph(
                docx_text(f"{r['standing']}:{r['name']}({r['community']})"), style="List Bullet"
            )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render(report: AppraisalReport, fmt: str) -> bytes:
    if fmt == "xlsx":
        return render_xlsx(report)
    if fmt == "docx":
        return render_docx(report)
    raise ValueError(fmt)


def command_report(command: Any, viewer: User, **o: Any) -> None:
    """`shegong report appraisal --unit CODE --year YYYY --format json|xlsx|docx [--out F]`."""
    import json
    import sys
    from pathlib import Path

    from django.core.management.base import CommandError
    from django.http import Http404

    from shegong.orgs.models import UnitKind

    try:
        unit = selectors.overview_unit(viewer=viewer, code=o["unit"])
    except Http404:
        unit = None
    if unit is not None and unit.kind in (UnitKind.CITY, UnitKind.DISTRICT):
        # A district or city: its streets' appraisals side by side, combined.
        _command_overview(command, viewer, unit, **o)
        return
    cycle = Cycle.objects.filter(scheme__unit__code=o["unit"], scheme__year=o["year"]).first()
    try:
        if cycle is None:
            raise Http404
        cycle = selectors.cycle_get(viewer=viewer, pk=cycle.pk)
    except Http404:
        raise CommandError(
            f"{o['unit']} 没有 {o['year']} 年度的考核方案,或不在您的范围内"
        ) from None
    report = build(viewer=viewer, cycle=cycle)
    fmt: str = o["format"]
    out: Path | None = o.get("out")
    if fmt == "json":
        text = json.dumps(report_json(report), ensure_ascii=False, indent=2)
        if out is None:
            command.stdout.write(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
        return
    content = render(report, fmt)
    out = out or Path(filename(report, fmt))
    if str(out) == "-":
        sys.stdout.buffer.write(content)
        return
    out.write_bytes(content)
    command.stderr.write(f"已生成 {out}({len(content)} 字节)")


# ---------------------------------------------------------------- a district's appraisals together


def _column_json(c: selectors.Column) -> dict[str, Any]:
    labels = dict(YearGrade.choices)
    return {
        "unit": c.unit_code,
        "unit_name": c.unit_name,
        "scheme": c.scheme_name,
        "status": c.status,
        "workers": c.workers,
        "grades": [
            {"grade": str(labels[g]), "code": g, "count": n, "share": c.share(g)}
            for g, n in c.grades.items()
        ],
        "average_score": None if c.average is None else str(c.average),
        "codes_issued": c.issued,
        "votes": c.spent,
        "turnout": str(c.turnout),
        "warned": c.warned,
        "exits": c.exits,
        "objections": c.objections,
    }


def overview_json(o: selectors.Overview) -> dict[str, Any]:
    """The district's appraisals of the year side by side, and combined, as JSON-ready data
    (figures as strings, never floats)."""
    return {
        "unit": o.unit.code,
        "unit_name": o.unit.name,
        "year": o.year,
        "appraisals": [_column_json(c) for c in o.columns],
        "total": _column_json(o.total),
    }


def overview_title(o: selectors.Overview) -> str:
    return _("%(unit)s%(year)s年度社区工作者考核汇总") % {"unit": o.unit.name, "year": o.year}


def render_overview_xlsx(o: selectors.Overview) -> bytes:
    from openpyxl import Workbook

    labels = [str(label) for _value, label in YearGrade.choices]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("考核汇总")
    sheet.append(xlsx_row(sheet, [overview_title(o)]))
    header = [_("考核单位"), _("考核方案"), _("状态"), _("参加人数"), *labels]
    header += [_("平均分"), _("评议码"), _("投票"), _("参与率(%)"), _("诫勉"), _("退出"), _("异议")]
    sheet.append(xlsx_row(sheet, header))
    for c in [*o.columns, o.total]:
        row: list[Any] = [c.unit_name, c.scheme_name, c.status, c.workers, *c.grades.values()]
        row += [None if c.average is None else float(c.average), c.issued, c.spent]
        row += [float(c.turnout), c.warned, c.exits, c.objections]
        sheet.append(xlsx_row(sheet, row))
    sheet.freeze_panes = "A3"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _command_overview(command: Any, viewer: User, area: Any, **o: Any) -> None:
    import json
    from pathlib import Path

    from django.core.management.base import CommandError

    overview = selectors.district_overview(viewer=viewer, unit=area, year=o["year"])
    out: Path | None = o.get("out")
    if o["format"] == "json":
        text = json.dumps(overview_json(overview), ensure_ascii=False, indent=2)
        if out is None:
            command.stdout.write(text)
        else:
            out.write_text(text + "\n", encoding="utf-8")
        return
    if o["format"] != "xlsx":
        raise CommandError("区、市的考核汇总可生成 json 或 xlsx")
    content = render_overview_xlsx(overview)
    out = out or Path(f"appraisal-{area.code}-{o['year']}.xlsx")
    out.write_bytes(content)
    command.stderr.write(f"已生成 {out}({len(content)} 字节)")
