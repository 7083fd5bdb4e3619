"""Writes of where workers stand in a grade scheme: initial placement (初次定级), a promotion
or manual placement, and the yearly steps by time served (晋档). A placement or a step that
moves many workers writes one audit row per worker, in bulk."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import AuditRow, audit_record, audit_record_many, snapshot
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.pay import rules
from shegong.pay.errors import MANAGE_PAY, PayRunRefused
from shegong.pay.events import PayEvent
from shegong.pay.models import (
    AssignmentReason,
    GradeAssignment,
    GradeCell,
    GradeScheme,
    GradeTrack,
)
from shegong.pay.selectors.in_force import settings_in_force
from shegong.pay.selectors.placement import cells_of, failed_years, place_plan
from shegong.people.models import Placement, Worker

if TYPE_CHECKING:
    from shegong.core.models import User

# What an audit row of a grade holds (before and after a placement or a step).
GRADE_FIELDS = ["scheme_id", "track_id", "level", "step", "start"]
ASSIGNED_FIELDS = ["track_id", "level", "step", "start", "reason", "note"]


def _position(a: GradeAssignment) -> dict[str, Any]:
    return snapshot(a, GRADE_FIELDS)


def _starts(
    placements: QuerySet[Placement],
    day: datetime.date,
    scheme_of: dict[int, GradeScheme | None],
) -> dict[int, datetime.date]:
    """The day each worker without a grade is placed from: the day they joined, when that was
    while their community's scheme was in force (a new worker, who may join before the
    placement day, or after it); `day` for those serving since before the scheme."""
    joined = (
        placements.order_by()
        .values("worker_id")
        .annotate(first=Min("start"))
        .values_list("worker_id", "first")
    )
    return {
        worker_id: first
        for worker_id, first in joined
        if (scheme := scheme_of.get(worker_id)) is not None and first >= scheme.effective_from
    }


@transaction.atomic
def _end_stale(assignments: list[GradeAssignment], day: datetime.date) -> None:
    """End the grades of a scheme no longer in force the day before the new placement."""
    for a in assignments:
        if a.start >= day:
            raise ServiceError(_("重新定级日期须晚于现定级的起始日期"))
        a.end = day - datetime.timedelta(days=1)
    GradeAssignment.objects.bulk_update(assignments, ["end"], batch_size=2000)


def grade_place(*, unit: Unit, day: datetime.date, acting_user: User) -> int:
    """初次定级: every worker serving in `unit` on or after `day` who has no grade, or whose
    grade is in a scheme no longer in force for their community, is placed in the scheme in
    force, from their posts and credited years (a grade in an old scheme ends the day
    before). A worker without a grade who joined while the scheme was in force is placed
    from the day they joined (before or after `day`, see _starts), the others from `day`.
    Returns how many."""
    access.require(acting_user, Permission.EDIT, unit, message=str(MANAGE_PAY))
    placements = Placement.objects.filter(unit_path__startswith=unit.path).filter(
        Q(end__isnull=True) | Q(end__gte=day)
    )
    serving = Worker.objects.filter(pk__in=placements.values("worker_id"))
    paths = set(serving.values_list("unit_path", flat=True).distinct())
    in_force = settings_in_force(paths, day)
    current = {
        a.worker_id: a for a in GradeAssignment.objects.filter(worker__in=serving, end__isnull=True)
    }
    unit_paths = dict(serving.values_list("id", "unit_path"))
    stale = [
        worker_id
        for worker_id, a in current.items()
        if (scheme := in_force[unit_paths[worker_id]].scheme) is not None
        and a.scheme_id != scheme.pk
    ]
    stale_set = set(stale)
    open_in = GradeAssignment.objects.filter(worker=OuterRef("pk"), end__isnull=True)
    old_schemes = {current[w].scheme_id for w in stale}
    todo = serving.filter(~Exists(open_in) | Exists(open_in.filter(scheme_id__in=old_schemes)))
    starts = _starts(
        placements.exclude(worker_id__in=list(current)),
        day,
        {w: in_force[path].scheme for w, path in unit_paths.items()},
    )
    placed, faults = place_plan(
        workers=todo, day=day, scheme_for=lambda path: in_force[path].scheme, starts=starts
    )
    # Of those still in an old scheme, only the ones whose scheme is no longer theirs.
    placed = [p for p in placed if p.worker_id not in current or p.worker_id in stale_set]
    if faults:
        raise PayRunRefused(faults)
    _end_stale([current[worker_id] for worker_id in stale], day)
    made = GradeAssignment.objects.bulk_create(
        (
            GradeAssignment(
                worker_id=p.worker_id,
                scheme=p.scheme,
                track=p.track,
                level=p.level,
                step=p.step,
                start=starts.get(p.worker_id, day),
                reason=AssignmentReason.INITIAL,
                note=(_("方案变更,重新定级;") if p.worker_id in stale_set else "")
                + _("社区工龄及学历折算%(years)s年") % {"years": p.years},
                decided_by=acting_user,
            )
            for p in placed
        ),
        batch_size=2000,
    )
    audit_record_many(
        acting_user=acting_user,
        action=PayEvent.GRADE_PLACED,
        rows=[
            AuditRow(
                target=Worker(pk=p.worker_id, name=p.name),
                unit_path=p.unit_path,
                before=_position(current[p.worker_id]) if p.worker_id in current else None,
                after=_position(a),
                note=a.note,
            )
            for p, a in zip(placed, made, strict=True)
        ],
    )
    return len(placed)


def _is_first_placement(a: GradeAssignment) -> bool:
    """The worker's initial placement, with no grade before it."""
    return (
        a.reason == AssignmentReason.INITIAL
        and not GradeAssignment.objects.filter(worker_id=a.worker_id, start__lt=a.start).exists()
    )


def _first_placement_correct(
    a: GradeAssignment,
    *,
    track: GradeTrack,
    level: int,
    step: int,
    start: datetime.date,
    note: str,
    by: User,
) -> GradeAssignment:
    """A first placement set right (an earlier start, another cell): changed in place, the
    values before and after in the audit trail."""
    before = snapshot(a, ASSIGNED_FIELDS)
    a.scheme = track.scheme
    a.track = track
    a.level, a.step, a.start = level, step, start
    a.note = _("更正初次定级:%(note)s") % {"note": note.strip()}
    a.decided_by = by
    a.save(update_fields=["scheme", "track", "level", "step", "start", "note", "decided_by"])
    worker = a.worker
    audit_record(
        acting_user=by,
        action=PayEvent.GRADE_CORRECTED,
        target=worker,
        unit_path=worker.unit_path,
        before=before,
        after=snapshot(a, ASSIGNED_FIELDS),
        note=a.note,
    )
    return a


@transaction.atomic
def grade_assign(
    *,
    worker: Worker,
    track: GradeTrack,
    level: int,
    step: int,
    start: datetime.date,
    reason: str,
    note: str,
    acting_user: User,
) -> GradeAssignment:
    """A promotion or manual placement, recorded with who and why. Dated on or before the
    start of the worker's first placement (初次定级), it corrects that placement instead (its
    start and cell), as long as nothing has followed it."""
    access.require(acting_user, Permission.EDIT, worker.community, message=str(MANAGE_PAY))
    if reason not in (AssignmentReason.PROMOTION, AssignmentReason.MANUAL):
        raise ServiceError(_("请选择调整原因"), field="reason")
    if not note.strip():
        raise ServiceError(_("请写明调整理由"), field="note")
    if not GradeCell.objects.filter(track=track, level=level, step=step).exists():
        raise ServiceError(_("方案中没有这个等级档次"), field="level")
    current = GradeAssignment.objects.select_for_update().filter(worker=worker, end__isnull=True)
    before = None
    for old in current:
        if start <= old.start and _is_first_placement(old):
            return _first_placement_correct(
                old, track=track, level=level, step=step, start=start, note=note, by=acting_user
            )
        if start <= old.start:
            raise ServiceError(_("调整日期须晚于现定级的起始日期"), field="start")
        before = snapshot(old, ASSIGNED_FIELDS)
        old.end = start - datetime.timedelta(days=1)
        old.save(update_fields=["end"])
    made = GradeAssignment.objects.create(
        worker=worker,
        scheme=track.scheme,
        track=track,
        level=level,
        step=step,
        start=start,
        reason=reason,
        note=note.strip(),
        decided_by=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action=PayEvent.GRADE_ASSIGNED,
        target=worker,
        unit_path=worker.unit_path,
        before=before,
        after=snapshot(made, ASSIGNED_FIELDS),
        note=made.get_reason_display(),
    )
    return made


def _step_up(
    a: GradeAssignment, day: datetime.date, skipped: int, cells: list[rules.Position]
) -> GradeAssignment | None:
    """The assignment `a` moves to on `day` (unsaved), or None when no step is due."""
    due = rules.steps_due(a.start, day, skipped, a.scheme.step_years)
    if not due or (a.level, a.step) not in cells:
        return None
    level, step = rules.move_up(
        cells, (a.level, a.step), due, cross_levels=a.scheme.steps_cross_levels
    )
    if (level, step) == (a.level, a.step):
        return None
    return GradeAssignment(
        worker_id=a.worker_id,
        scheme=a.scheme,
        track_id=a.track_id,
        level=level,
        step=step,
        start=day,
        reason=AssignmentReason.STEP,
        note=_("任现档满%(n)s年") % {"n": a.scheme.step_years * due},
    )


@transaction.atomic
def grade_steps_apply(*, unit: Unit, day: datetime.date, acting_user: User) -> int:
    """晋档: every worker of `unit` whose time in their cell reaches the scheme's step years
    (years rated 不合格 not counting) moves up. Returns how many moved."""
    access.require(acting_user, Permission.EDIT, unit, message=str(MANAGE_PAY))
    open_rows = list(
        GradeAssignment.objects.filter(
            worker__unit_path__startswith=unit.path, end__isnull=True, start__lt=day
        ).select_related("scheme")
    )
    if not open_rows:
        return 0
    failed = failed_years(
        GradeAssignment.objects.filter(
            worker__unit_path__startswith=unit.path, end__isnull=True
        ).values("worker_id")
    )
    cells = cells_of({a.track_id for a in open_rows})
    moved: list[tuple[GradeAssignment, GradeAssignment]] = []
    for a in open_rows:
        skipped = len([y for y in failed[a.worker_id] if a.start.year <= y < day.year])
        up = _step_up(a, day, skipped, cells[a.track_id])
        if up is not None:
            a.end = day - datetime.timedelta(days=1)
            up.decided_by = acting_user
            moved.append((a, up))
    GradeAssignment.objects.bulk_update([a for a, _up in moved], ["end"], batch_size=2000)
    GradeAssignment.objects.bulk_create([up for _a, up in moved], batch_size=2000)
    workers = (
        {
            pk: (name, path)
            for pk, name, path in Worker.objects.filter(
                unit_path__startswith=unit.path
            ).values_list("pk", "name", "unit_path")
        }
        if moved
        else {}
    )
    audit_record_many(
        acting_user=acting_user,
        action=PayEvent.GRADE_STEPPED,
        rows=[
            AuditRow(
                target=Worker(pk=a.worker_id, name=workers[a.worker_id][0]),
                unit_path=workers[a.worker_id][1],
                before=_position(a),
                after=_position(up),
                note=up.note,
            )
            for a, up in moved
        ],
    )
    return len(moved)
