"""Reads of pay runs and their lines, scoped to the viewer; amounts only for those who may see
them; the runs waiting for a step the viewer may take."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from shegong.core.access import (
    Permission,
    has_permission,
    in_scope,
    path_q,
    root_paths,
)
from shegong.orgs.models import Unit
from shegong.pay import rules
from shegong.pay.models import (
    INSURANCE_KINDS,
    PayLine,
    PayRun,
    RunStatus,
)
from shegong.pay.selectors.grades import _applies_q
from shegong.pay.selectors.lines import TOTAL_FIELDS
from shegong.pay.selectors.withholding import WITHHELD, _fen_sums, min_group_size
from shegong.people.models import Worker

if TYPE_CHECKING:
    from shegong.core.models import User


def run_list(
    *, viewer: User, unit: Unit | None = None, year: int | None = None
) -> QuerySet[PayRun]:
    """Runs of the viewer's units and runs of units above them (which pay them too; their
    lines are then shown only for the viewer's units)."""
    runs = PayRun.objects.filter(_applies_q(viewer)).select_related("unit", "corrects")
    if unit is not None:
        runs = runs.filter(unit_path__startswith=unit.path)
    if year is not None:
        runs = runs.filter(period__year=year)
    return runs


def run_get(*, viewer: User, pk: int) -> PayRun:
    run = run_list(viewer=viewer).select_related("created_by", "checked_by", "approved_by")
    found = run.filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def may_see_pay(*, viewer: User, unit_path: str) -> bool:
    """Pay amounts are personal data: shown to holders of the personal-data permission on
    the unit."""
    unit = Unit(path=unit_path)
    return has_permission(viewer, Permission.PERSONAL_DATA, unit)


def may_see_run_pay(*, viewer: User, run: PayRun) -> bool:
    """Whether the run's lines the viewer sees (those of their units) show amounts: the
    personal-data permission on the run's unit, or on everything the viewer reaches."""
    if may_see_pay(viewer=viewer, unit_path=run.unit_path):
        return True
    roots = root_paths(viewer)
    return bool(roots) and all(may_see_pay(viewer=viewer, unit_path=r) for r in roots)


def own_steps(*, viewer: User, run: PayRun) -> dict[str, bool]:
    """Which steps of the run the viewer made, when four eyes keep them from the next one
    (services.runs._four_eyes refuses them; the page says so instead of offering them)."""
    if settings.SHEGONG_PAY_ONE_PERSON:
        return {"computed": False, "reviewed": False}
    return {"computed": run.created_by_id == viewer.pk, "reviewed": run.checked_by_id == viewer.pk}


def run_lines(*, viewer: User, run: PayRun) -> QuerySet[PayLine]:
    """The lines of a run (fetched with run_get) for the viewer's units."""
    return (
        run.lines.filter(path_q(viewer, "unit_path"))
        .select_related("worker")
        .order_by("unit_path", "worker__name_initials", "id")
    )


def run_totals(*, viewer: User, run: PayRun) -> dict[str, Any]:
    """The run's totals, or those of the viewer's part of it when the run covers more."""
    fields = TOTAL_FIELDS
    totals: dict[str, Any]
    if in_scope(viewer, run.unit):
        totals = {"headcount": run.headcount, "partial": False}
        totals |= {f: getattr(run, f) for f in fields}
    else:
        sums = run_lines(viewer=viewer, run=run).aggregate(
            headcount=Count("id"), **{f: Sum(f) for f in fields}
        )
        totals = {"partial": True} | _fen_sums(sums, fields)
    if not may_see_run_pay(viewer=viewer, run=run) and 0 < totals["headcount"] < min_group_size():
        totals |= dict.fromkeys(fields, str(WITHHELD))  # the sums of one or two people's pay
        totals["withheld"] = True
    return totals


RUN_TOTAL_FIELDS = tuple(TOTAL_FIELDS)


def runs_totals(*, viewer: User, runs: list[PayRun]) -> dict[int, dict[str, Any]]:
    """run_totals for several runs at once, by run id: the viewer's part of the runs that
    cover more than their units is summed in one grouped query."""
    out = {run.pk: run_totals(viewer=viewer, run=run) for run in runs if in_scope(viewer, run.unit)}
    partial = [run.pk for run in runs if run.pk not in out]
    if partial:
        sums = (
            PayLine.objects.filter(path_q(viewer, "unit_path"), run_id__in=partial)
            .values("run_id")
            .annotate(headcount=Count("id"), **{f: Sum(f) for f in RUN_TOTAL_FIELDS})
        )
        found = {row.pop("run_id"): row for row in sums}
        for pk in partial:
            row = found.get(pk, {})
            out[pk] = {"partial": True, "headcount": row.get("headcount", 0)} | {
                f: rules.fen(row.get(f) or rules.ZERO) for f in RUN_TOTAL_FIELDS
            }
    return out


def lines_shown_q(viewer: User) -> Q:
    """The pay lines a viewer may list, wherever they were computed (a street's run pays its
    communities): those of workers of the viewer's units (the line's community in that
    month) where the viewer holds the personal-data right (amounts shown) or keeps the
    records (EDIT: a community clerk, amounts masked, may_see_pay). A role with neither (a
    plain viewer) reads none. The payslip, the worker's pay page and the whole record all
    read through this one filter."""
    return path_q(viewer, "unit_path", Permission.PERSONAL_DATA) | path_q(
        viewer, "unit_path", Permission.EDIT
    )


def line_get(*, viewer: User, pk: int) -> PayLine:
    """One payslip (a run's line for one worker), or 404 for missing and out of scope."""
    line = (
        PayLine.objects.filter(lines_shown_q(viewer), pk=pk)
        .select_related("worker", "run", "run__unit")
        .first()
    )
    if line is None:
        raise Http404
    return line


def payslip_contributions(line: PayLine) -> list[tuple[str, Decimal, Decimal | None]]:
    """(kind label, employer, personal or None) for each insurance and the housing fund."""
    return [
        (
            rules.KIND_LABELS[kind],
            getattr(line, f"{kind}_employer"),
            getattr(line, f"{kind}_personal", None),
        )
        for kind in INSURANCE_KINDS
    ]


def worker_lines(*, viewer: User, worker: Worker) -> QuerySet[PayLine]:
    """A worker's lines the viewer may list (lines_shown_q: by the worker's community, not
    by the unit of the run, so a community clerk sees the rows of a street's run), newest
    month first."""
    return (
        PayLine.objects.filter(worker=worker)
        .filter(lines_shown_q(viewer))
        .select_related("run")
        .order_by("-run__period", "-run_id")
    )


def pay_visible(*, viewer: User) -> bool:
    """Whether the pay area has anything for the viewer to read: amounts are personal data,
    so a viewer without the personal-data right anywhere would find only ***."""
    return bool(root_paths(viewer, Permission.PERSONAL_DATA))


def runs_awaiting(*, viewer: User, limit: int = 10) -> list[PayRun]:
    """Runs waiting for a step this viewer may take: drafts to review (复核) where they hold
    the review right, reviewed runs to approve where they hold the approval right, and by
    default (four eyes, pay/services/runs.py) not the runs they computed or reviewed
    themselves; oldest month first. Empty for a viewer who may not see their pay."""
    if not pay_visible(viewer=viewer):
        return []
    to_review = Q(status=RunStatus.DRAFT) & path_q(viewer, "unit_path", Permission.PAY_REVIEW)
    to_approve = Q(status=RunStatus.CHECKED) & path_q(viewer, "unit_path", Permission.PAY_APPROVE)
    if not settings.SHEGONG_PAY_ONE_PERSON:
        to_review &= ~Q(created_by=viewer)
        to_approve &= ~Q(created_by=viewer) & ~Q(checked_by=viewer)
    runs = (
        PayRun.objects.filter(
            path_q(viewer, "unit_path", Permission.PERSONAL_DATA), to_review | to_approve
        )
        .select_related("unit")
        .order_by("period", "unit_path", "id")
    )
    return list(runs[:limit])
