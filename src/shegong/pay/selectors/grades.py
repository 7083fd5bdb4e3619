"""Reads of grade schemes, a worker's grades, adjustments and performance, and the units and
settings the pay office works with."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from shegong.core.access import (
    Permission,
    path_q,
    root_paths,
    sees_everything,
)
from shegong.orgs.models import Unit, UnitKind
from shegong.pay import rules
from shegong.pay.models import (
    AverageWage,
    ContributionRates,
    GradeAssignment,
    GradeScheme,
    GradeTrack,
    PayAdjustment,
    PayPolicy,
)
from shegong.pay.rules import ancestors
from shegong.pay.selectors.in_force import settings_in_force
from shegong.people.models import Worker, WorkerStatus, YearlyGrade

if TYPE_CHECKING:
    from shegong.core.models import User


def worker_grades(*, worker: Worker) -> QuerySet[GradeAssignment]:
    """A worker's grades, newest first (the worker comes from a scoped read)."""
    return (
        GradeAssignment.objects.filter(worker=worker)
        .select_related("scheme", "track", "decided_by")
        .order_by("-start", "-id")
    )


def worker_adjustments(*, worker: Worker) -> QuerySet[PayAdjustment]:
    return PayAdjustment.objects.filter(worker=worker).order_by("-period", "-id")[:24]


def worker_performance(*, worker: Worker) -> QuerySet[YearlyGrade]:
    """The worker's grades by year, each with its source (the appraisal it came from)."""
    return YearlyGrade.objects.filter(worker=worker).order_by("-year")


def tracks_for(*, worker: Worker) -> QuerySet[GradeTrack]:
    """The tracks of the scheme in force for the worker's community today."""
    today = timezone.localdate()
    scheme = settings_in_force([worker.unit_path], today)[worker.unit_path].scheme
    return GradeTrack.objects.filter(scheme=scheme).select_related("scheme")


def units_for_pay(*, viewer: User) -> QuerySet[Unit]:
    """Streets and communities (and above) the viewer may set pay for (schemes, grades)."""
    return Unit.objects.filter(path_q(viewer, "path", Permission.EDIT), kind__gte=UnitKind.DISTRICT)


def units_for_runs(*, viewer: User) -> QuerySet[Unit]:
    """Units (district and below) the viewer may compute pay runs for."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.PAY_COMPUTE), kind__gte=UnitKind.DISTRICT
    )


def units_in_scope(*, viewer: User) -> QuerySet[Unit]:
    return Unit.objects.filter(path_q(viewer, "path"), kind__gte=UnitKind.DISTRICT)


def unit_get(*, viewer: User, code: str) -> Unit:
    unit = units_in_scope(viewer=viewer).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def scheme_list(*, viewer: User) -> QuerySet[GradeScheme]:
    """Schemes set on the viewer's units, below them, or above them (they apply to them)."""
    return GradeScheme.objects.filter(_applies_q(viewer)).select_related("unit")


def _applies_q(viewer: User, field: str = "unit_path") -> Q:
    """Records set in the viewer's subtrees or on any unit above them."""
    query = path_q(viewer, field)
    if sees_everything(viewer):
        return query
    for root in root_paths(viewer):
        query |= Q(**{f"{field}__in": ancestors(root)})
    return query


def scheme_get(*, viewer: User, pk: int) -> GradeScheme:
    found = scheme_list(viewer=viewer).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def scheme_grid(*, scheme: GradeScheme) -> list[dict[str, Any]]:
    """Each track with its cells as rows of levels and columns of steps, amounts resolved."""
    tracks = []
    for track in scheme.tracks.prefetch_related("cells"):
        cells = list(track.cells.all())
        steps = sorted({c.step for c in cells})
        by_level: dict[int, dict[int, Any]] = defaultdict(dict)
        for c in cells:
            by_level[c.level][c.step] = {
                "cell": c,
                "pay": rules.cell_pay(c.amount, c.coefficient, scheme.base_amount),
            }
        tracks.append(
            {
                "track": track,
                "steps": steps,
                "rows": [
                    (level, [by_level[level].get(s) for s in steps])
                    for level in sorted(by_level, reverse=True)
                ],
            }
        )
    return tracks


def settings_list(*, viewer: User) -> dict[str, Any]:
    applies = _applies_q(viewer)
    return {
        "policies": PayPolicy.objects.filter(applies).select_related("unit"),
        "rates": ContributionRates.objects.filter(applies).select_related("unit"),
        "wages": AverageWage.objects.filter(applies).select_related("unit"),
    }


def units_for_settings(*, viewer: User) -> QuerySet[Unit]:
    """Units the viewer sets pay settings for: where they are the pay office (an admin)."""
    return Unit.objects.filter(
        path_q(viewer, "path", Permission.PAY_SETTINGS), kind__gte=UnitKind.DISTRICT
    ).order_by("path")


def may_set_pay(*, viewer: User) -> bool:
    return units_for_settings(viewer=viewer).exists()


def workers_without_grade(*, viewer: User, limit: int = 5) -> tuple[int, list[Worker]]:
    """Workers in post the viewer sees who hold no current grade (a pay run refuses them):
    how many, and the first of them."""
    current = GradeAssignment.objects.filter(worker=OuterRef("pk"), end__isnull=True)
    workers = (
        Worker.objects.filter(path_q(viewer, "unit_path"), status=WorkerStatus.ACTIVE)
        .exclude(Exists(current))
        .order_by("unit_path", "name_initials", "id")
    )
    return workers.count(), list(workers[:limit])
