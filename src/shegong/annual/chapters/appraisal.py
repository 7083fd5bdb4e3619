"""考核评议: grade distribution, the residents' vote turnout, consequences — the results of the
year's cycles (appraisal.selectors: the same reads as the 考核结果 page), for the workers
below the unit the viewer sees, compared with last year's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from shegong.annual import rules
from shegong.annual.chapters import Chapter, Context, Section, Table
from shegong.appraisal.models import Cycle, Grade, Result, Standing
from shegong.appraisal.selectors import cycle_list, grade_counts, survey_turnout
from shegong.core.access import path_q
from shegong.reports import rules as report_rules


@dataclass
class YearResults:
    year: int
    cycles: int
    grades: report_rules.Breakdown
    issued: int
    spent: int
    not_counting: int  # results whose year does not count toward a grade step
    exits: int
    warns: int
    ten_best: int

    @property
    def total(self) -> int:
        return sum(r.count for r in self.grades.rows)

    @property
    def turnout(self) -> Any:
        return report_rules.share(self.spent, self.issued)


def cycles_of(ctx: Context, year: int) -> list[Cycle]:
    """The year's computed or published cycles the viewer sees that cover part of the unit."""
    ancestors = {ctx.unit.path[: i + 1] for i, ch in enumerate(ctx.unit.path) if ch == "/"}
    return list(
        cycle_list(viewer=ctx.viewer)
        .filter(scheme__year=year)
        .exclude(status="open")
        .filter(Q(unit_path__startswith=ctx.unit.path) | Q(unit_path__in=ancestors))
    )


def results_of(ctx: Context, year: int) -> YearResults:
    cycles = cycles_of(ctx, year)
    results = Result.objects.filter(
        path_q(ctx.viewer, "unit_path"), unit_path__startswith=ctx.unit.path, cycle__in=cycles
    )
    counts = grade_counts(results)
    grades = report_rules.partition(
        "grade", _("考核等次"), [(str(label), counts.get(v, 0)) for v, label in Grade.choices]
    )
    issued = spent = 0
    for cycle in cycles:
        for t in survey_turnout(viewer=ctx.viewer, cycle=cycle):
            if t.survey.unit_path.startswith(ctx.unit.path):
                issued += t.issued
                spent += t.spent
    found = results.aggregate(
        # A 不合格 year does not count toward a grade step (pay/rules.py: steps_due).
        not_counting=Count("pk", filter=Q(grade=Grade.D)),
        exits=Count("pk", filter=Q(standing=Standing.EXIT)),
        warns=Count("pk", filter=Q(standing=Standing.WARN)),
        ten_best=Count("pk", filter=Q(ten_best=True)),
    )
    return YearResults(year, len(cycles), grades, issued, spent, **found)


def build(ctx: Context) -> Chapter:
    now = results_of(ctx, ctx.year)
    before = results_of(ctx, ctx.year - 1)
    had_before = before.total > 0
    basis = _("同比")
    sections = []
    if now.total:
        sections.append(_grades_section(now, before if had_before else None, basis))
    else:
        sections.append(
            Section(
                title=_("考核结果"), paragraphs=[_("%(y)d年度考核尚未完成。") % {"y": ctx.year}]
            )
        )
    findings = []
    if now.total and had_before:
        for r in now.grades.rows:
            previous = before.grades.share_of(r.label)
            if r.label == str(Grade.A.label) and r.share < previous:
                findings.append(_("优秀等次占%(s)s%%,低于上年") % {"s": r.share})
    if now.issued and had_before and before.issued and now.turnout < before.turnout:
        findings.append(_("居民评议参与率%(s)s%%,低于上年") % {"s": now.turnout})
    return Chapter(
        key="appraisal",
        title=_("考核评议"),
        sections=sections,
        figures={
            "year": now.year,
            "cycles": now.cycles,
            "results": now.total,
            "grades": {
                r.label: {"count": r.count, "share": format(r.share, "f")} for r in now.grades.rows
            },
            "codes_issued": now.issued,
            "votes_cast": now.spent,
            "turnout": format(now.turnout, "f"),
            "not_counting_toward_step": now.not_counting,
            "exits": now.exits,
            "warnings": now.warns,
            "ten_best": now.ten_best,
        },
        findings=findings,
    )


def _grades_section(now: YearResults, before: YearResults | None, basis: str) -> Section:
    parts = [
        _("%(label)s%(n)d人,占%(s)s%%%(change)s")
        % {
            "label": r.label,
            "n": r.count,
            "s": report_rules.plain(r.share),
            "change": rules.points_change(
                r.share, before.grades.share_of(r.label) if before else None, basis=basis
            ),
        }
        for r in now.grades.rows
        if r.count
    ]
    text = _("%(y)d年度共有%(n)d名社区工作者参加考核,其中") % {"y": now.year, "n": now.total}
    text += ";".join(parts) + "。"
    if now.issued:
        text += _("居民评议发放评议码%(i)d个,参评%(s)d户,参与率%(t)s%%%(c)s。") % {
            "i": now.issued,
            "s": now.spent,
            "t": report_rules.plain(now.turnout),
            "c": rules.points_change(
                now.turnout, before.turnout if before and before.issued else None, basis=basis
            ),
        }
    text += _("考核结果不计入晋档年限的%(a)d人,建议诫勉提醒的%(w)d人、退出的%(e)d人。") % {
        "a": now.not_counting,
        "w": now.warns,
        "e": now.exits,
    }
    rows = [
        [
            r.label,
            str(r.count),
            str(r.share),
            str(before.grades.count_of(r.label)) if before else "—",
            str(before.grades.share_of(r.label)) if before else "—",
        ]
        for r in now.grades.rows
    ]
    header = [_("等次"), _("人数"), _("占比(%)"), _("上年人数"), _("上年占比(%)")]
    return Section(
        title=_("考核结果"),
        paragraphs=[text],
        tables=[Table(_("考核等次分布"), header, rows)],
        charts=[now.grades],
    )
