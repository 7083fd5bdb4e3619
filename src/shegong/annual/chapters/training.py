"""教育培训: sessions, person-times, coverage, leaders meeting the yearly days — the training
figures of the year up to the report's day (training.selectors.training_figures, the 培训统计
page's read), compared with the same stretch of last year."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shegong.annual import rules
from shegong.annual.chapters import Chapter, Context, Section, Table
from shegong.reports.rules import share
from shegong.training.selectors import TrainingFigures, training_figures


def figures_of(ctx: Context, start: datetime.date, end: datetime.date) -> TrainingFigures:
    return training_figures(viewer=ctx.viewer, unit=ctx.unit, start=start, end=end)


def _changes(now: Any, before: Any, basis: str) -> list[str]:
    """How sessions, person-times and coverage moved against last year."""
    changes = []
    changes.append(
        _("培训班次%(n)d个%(c)s")
        % {
            "n": now.sessions,
            "c": rules.count_change(now.sessions, before.sessions, unit=_("个"), basis=basis),
        }
    )
    changes.append(
        _("培训%(n)d人次%(c)s")
        % {
            "n": now.person_times,
            "c": rules.count_change(
                now.person_times, before.person_times, unit=_("人次"), basis=basis
            ),
        }
    )
    changes.append(
        _("受训面%(s)s%%%(c)s")
        % {
            "s": now.coverage,
            "c": rules.points_change(now.coverage, before.coverage, basis=basis),
        }
    )
    return changes


def _rows(now: Any, before: Any, had_before: bool) -> list[list[str]]:
    """The training table: this year beside last year."""
    rows = [
        [_("培训班次"), str(now.sessions), str(before.sessions) if had_before else "—"],
        [_("培训人次"), str(now.person_times), str(before.person_times) if had_before else "—"],
        [_("参训人数"), str(now.people_trained), str(before.people_trained) if had_before else "—"],
        [_("受训面(%)"), str(now.coverage), str(before.coverage) if had_before else "—"],
        [_("培训天数"), str(now.days), str(before.days) if had_before else "—"],
    ]
    if now.leader_minimum:
        rows.append(
            [
                _("书记、主任达到每年%(n)d天") % {"n": now.leader_minimum},
                f"{now.leaders_met} / {now.leaders}",
                f"{before.leaders_met} / {before.leaders}" if had_before else "—",
            ]
        )
    return rows


def build(ctx: Context) -> Chapter:
    now = figures_of(ctx, ctx.year_start, ctx.as_of)
    before = figures_of(ctx, datetime.date(ctx.year - 1, 1, 1), ctx.last_year_day)
    basis = _("同比")
    had_before = bool(before.sessions or before.person_times)
    text = now.narrative
    changes = _changes(now, before, basis) if had_before else []
    paragraphs = [text]
    if changes:
        paragraphs.append(";".join(changes) + "。")
    leaders_share = share(now.leaders_met, now.leaders)
    rows = _rows(now, before, had_before)
    findings = []
    if now.leader_minimum and now.leaders_met < now.leaders:
        findings.append(
            _("未达到每年%(d)d天培训的书记、主任%(n)d人")
            % {"d": now.leader_minimum, "n": now.leaders - now.leaders_met}
        )
    if had_before and now.coverage < before.coverage:
        findings.append(_("受训面%(s)s%%,低于上年") % {"s": now.coverage})
    return Chapter(
        key="training",
        title=_("教育培训"),
        sections=[
            Section(
                title=_("培训开展情况"),
                paragraphs=paragraphs,
                tables=[
                    Table(
                        _("培训情况"),
                        [
                            _("项目"),
                            _("%(y)d年") % {"y": ctx.year},
                            _("%(y)d年") % {"y": ctx.year - 1},
                        ],
                        rows,
                    )
                ],
            )
        ],
        figures={
            "start": now.start.isoformat(),
            "end": now.end.isoformat(),
            "sessions": now.sessions,
            "person_times": now.person_times,
            "people_trained": now.people_trained,
            "coverage": format(now.coverage, "f"),
            "days": now.days,
            "hours": format(Decimal(now.hours), "f"),
            "leaders": now.leaders,
            "leaders_met": now.leaders_met,
            "leaders_met_share": format(leaders_share, "f"),
            "leader_minimum": now.leader_minimum,
        },
        findings=findings,
    )
