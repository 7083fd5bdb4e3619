"""Every write of the pay area: atomic, scoped, audited.

A pay run is computed in bulk: a few queries for the whole unit (workers, grades, posts,
certificates, enrolments, grades of appraisal, one-off amounts, the year so far, the settings
in force), one pure `rules.compute_line` per worker, one bulk insert. If anything is missing
(a worker without a grade, a scheme gap, a missing rate or wage) nothing is written and every
worker and setting at fault is named.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core.access import Permission, has_permission
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.bulk import insert_rows
from shegong.core.db import exclusive_lock, retrying_atomic, shared_lock
from shegong.core.disclosures import disclosure_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.pay import rules
from shegong.pay.models import (
    INSURANCE_KINDS,
    PERSONAL_KINDS,
    AdjustmentKind,
    AssignmentReason,
    AverageWage,
    ContributionRates,
    Grade,
    GradeAssignment,
    GradeCell,
    GradeScheme,
    GradeTrack,
    PayAdjustment,
    PayLine,
    PayPolicy,
    PayRun,
    PerformanceGrade,
    RunStatus,
)
from shegong.pay.presets import DEGREE_CREDITS, PRESETS
from shegong.people.models import Certificate, InsuranceEnrolment, Placement, PostHolding, Worker

if TYPE_CHECKING:
    from shegong.core.models import User

ProgressFn = Callable[[int], None]


class PayRunExists(ServiceError):
    """The run asked for is already made (a double submit, or a correction made twice):
    `run` is that run, for the page or the API to answer with."""

    def __init__(self, run: PayRun, message: str) -> None:
        super().__init__(message)
        self.run = run


class PayRunRefused(ServiceError):
    """A run that cannot be computed; `faults` names every worker and setting at fault."""

    def __init__(self, faults: list[str]) -> None:
        super().__init__(
            _("工资计算未执行,以下 %(n)s 项需先处理:") % {"n": len(faults)}
            + ";".join(faults[:20])
            + ("……" if len(faults) > 20 else "")
        )
        self.faults = faults


# ---------------------------------------------------------------- helpers


def _require_edit(acting_user: User, unit: Unit) -> None:
    if not has_permission(acting_user, Permission.EDIT, unit):
        raise ServiceError(_("您没有权限管理%(unit)s的待遇") % {"unit": unit.name})


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def last_of_month(day: datetime.date) -> datetime.date:
    nxt = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return nxt - datetime.timedelta(days=1)


def ancestors(path: str) -> list[str]:
    """'a/b/c/' → ['a/', 'a/b/', 'a/b/c/']."""
    parts = [p for p in path.split("/") if p]
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def _nearest(rows: Iterable[Any], path: str, key: Callable[[Any], Any]) -> Any:
    """Of settings rows set on ancestors of `path`, the one on the deepest unit, then the
    greatest `key` (latest date or year)."""
    best = None
    for row in rows:
        if path.startswith(row.unit_path) and (
            best is None or (len(row.unit_path), key(row)) > (len(best.unit_path), key(best))
        ):
            best = row
    return best


@dataclass
class InForce:
    """The settings that apply to one community on one day."""

    scheme: GradeScheme | None
    policy: PayPolicy | None
    rates: ContributionRates | None
    wage: AverageWage | None


def settings_in_force(paths: Iterable[str], day: datetime.date) -> dict[str, InForce]:
    """For each unit path, the scheme and policy in force on `day` and the rates and average
    wage of its year: four queries for any number of units."""
    paths = set(paths)
    prefixes = {p for path in paths for p in ancestors(path)}
    schemes = list(GradeScheme.objects.filter(unit_path__in=prefixes, effective_from__lte=day))
    policies = list(PayPolicy.objects.filter(unit_path__in=prefixes, effective_from__lte=day))
    rates = list(ContributionRates.objects.filter(unit_path__in=prefixes, year=day.year))
    wages = list(AverageWage.objects.filter(unit_path__in=prefixes, year=day.year))
    return {
        path: InForce(
            scheme=_nearest(schemes, path, lambda r: r.effective_from),
            policy=_nearest(policies, path, lambda r: r.effective_from),
            rates=_nearest(rates, path, lambda r: r.year),
            wage=_nearest(wages, path, lambda r: r.year),
        )
        for path in paths
    }


def rates_of(row: ContributionRates) -> rules.Rates:
    return rules.Rates(
        employer={k: getattr(row, f"{k}_employer") for k in INSURANCE_KINDS},
        personal={k: getattr(row, f"{k}_personal") for k in PERSONAL_KINDS},
        floor_share=row.base_floor_share,
        ceiling_share=row.base_ceiling_share,
    )


def _unit_names(paths: Iterable[str]) -> dict[str, str]:
    return dict(Unit.objects.filter(path__in=set(paths)).values_list("path", "name"))


# ---------------------------------------------------------------- schemes and settings


@transaction.atomic
def scheme_from_preset(
    *,
    preset: str,
    unit: Unit,
    effective_from: datetime.date,
    acting_user: User | None,
    name: str = "",
) -> GradeScheme:
    """Copy a preset (三级九档, 三岗十八级) into a scheme of `unit`, to be edited."""
    if acting_user is not None:
        _require_edit(acting_user, unit)
    chosen = PRESETS.get(preset)
    if chosen is None:
        raise ServiceError(_("没有这个方案模板"), field="preset")
    if GradeScheme.objects.filter(unit=unit, effective_from=effective_from).exists():
        raise ServiceError(
            _("%(unit)s在%(day)s已有生效的方案") % {"unit": unit.name, "day": effective_from},
            field="effective_from",
        )
    scheme = GradeScheme.objects.create(
        name=name or chosen.name,
        kind=chosen.kind,
        unit=unit,
        unit_path=unit.path,
        effective_from=effective_from,
        base_amount=chosen.base_amount,
        step_years=chosen.step_years,
        degree_credits=dict(DEGREE_CREDITS),
        steps_cross_levels=chosen.steps_cross_levels,
    )
    for order, t in enumerate(chosen.tracks):
        track = GradeTrack.objects.create(
            scheme=scheme,
            code=t.code,
            name=t.name,
            sort_order=order,
            post_codes=t.post_codes,
            post_pay=t.post_pay,
            entry_level=t.entry[0],
            entry_step=t.entry[1],
        )
        GradeCell.objects.bulk_create(
            GradeCell(
                track=track,
                level=level,
                step=step,
                amount=None if chosen.uses_coefficients else value,
                coefficient=value if chosen.uses_coefficients else None,
            )
            for (level, step), value in sorted(t.cells.items())
        )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=scheme,
        unit_path=unit.path,
        after=snapshot(scheme),
        note=_("由模板%(name)s建立") % {"name": chosen.name},
    )
    return scheme


@transaction.atomic
def cell_set(
    *,
    cell: GradeCell,
    amount: Decimal | None,
    coefficient: Decimal | None,
    acting_user: User | None,
) -> GradeCell:
    scheme = cell.track.scheme
    if acting_user is not None:
        _require_edit(acting_user, scheme.unit)
    if (amount is None) == (coefficient is None):
        raise ServiceError(_("金额和系数须填写且只填写一项"))
    if (amount is not None and amount < 0) or (coefficient is not None and coefficient < 0):
        raise ServiceError(_("金额和系数不能为负数"))
    before = snapshot(cell, ["amount", "coefficient"])
    cell.amount, cell.coefficient = amount, coefficient
    cell.save(update_fields=["amount", "coefficient"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=cell,
        unit_path=scheme.unit_path,
        before=before,
        after=snapshot(cell, ["amount", "coefficient"]),
    )
    return cell


def _upsert(
    model: Any,
    *,
    unit: Unit,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    acting_user: User | None,
) -> Any:
    if acting_user is not None:
        _require_edit(acting_user, unit)
    row = model.objects.filter(unit=unit, **key).first()
    before = snapshot(row) if row else None
    if row is None:
        row = model(unit=unit, unit_path=unit.path, **key)
    for name, value in values.items():
        setattr(row, name, value)
    row.unit_path = unit.path
    row.save()
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=row,
        unit_path=unit.path,
        before=before,
        after=snapshot(row),
    )
    return row


@transaction.atomic
def rates_set(
    *, unit: Unit, year: int, values: Mapping[str, Any], acting_user: User | None
) -> ContributionRates:
    if any(Decimal(str(v)) < 0 for v in values.values()):
        raise ServiceError(_("费率不能为负数"))
    return _upsert(
        ContributionRates, unit=unit, key={"year": year}, values=values, acting_user=acting_user
    )


@transaction.atomic
def average_wage_set(
    *,
    unit: Unit,
    year: int,
    amount: Decimal,
    benchmark_share: Decimal,
    acting_user: User | None,
) -> AverageWage:
    if amount <= 0:
        raise ServiceError(_("平均工资须大于零"), field="amount")
    if benchmark_share <= 0:
        raise ServiceError(_("待遇标准须大于零"), field="benchmark_share")
    return _upsert(
        AverageWage,
        unit=unit,
        key={"year": year},
        values={"amount": amount, "benchmark_share": benchmark_share},
        acting_user=acting_user,
    )


@transaction.atomic
def policy_set(
    *,
    unit: Unit,
    effective_from: datetime.date,
    values: Mapping[str, Any],
    acting_user: User | None,
) -> PayPolicy:
    share = Decimal(str(values.get("performance_share", "0.20")))
    if not Decimal(0) <= share < 1:
        raise ServiceError(_("绩效工资占比须在0到1之间"), field="performance_share")
    return _upsert(
        PayPolicy,
        unit=unit,
        key={"effective_from": effective_from},
        values=values,
        acting_user=acting_user,
    )


@transaction.atomic
def performance_grade_set(
    *, worker: Worker, year: int, grade: str, acting_user: User | None
) -> PerformanceGrade:
    """The appraisal grade pay reads (the appraisal area fills it when its results are final)."""
    if acting_user is not None:
        _require_edit(acting_user, worker.community)
    if grade not in Grade.values:
        raise ServiceError(_("请选择考核等次"), field="grade")
    row, _created = PerformanceGrade.objects.update_or_create(
        worker=worker, year=year, defaults={"grade": grade}
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=worker,
        unit_path=worker.unit_path,
        after={"year": year, "grade": grade},
        note=_("%(year)s年度考核等次") % {"year": year},
    )
    return row


@transaction.atomic
def adjustment_add(
    *,
    worker: Worker,
    period: datetime.date,
    kind: str,
    amount: Decimal,
    note: str,
    acting_user: User | None,
) -> PayAdjustment:
    """A one-off award or allowance for one worker in one month; it is paid by the run of that
    month (or by a correction, when the month's run is already approved)."""
    if acting_user is not None:
        _require_edit(acting_user, worker.community)
    if kind not in AdjustmentKind.values:
        raise ServiceError(_("请选择类别"), field="kind")
    if amount <= 0:
        raise ServiceError(_("金额须大于零"), field="amount")
    if not note.strip():
        raise ServiceError(_("请写明发放事由"), field="note")
    row = PayAdjustment.objects.create(
        worker=worker, period=first_of_month(period), kind=kind, amount=amount, note=note.strip()
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=worker,
        unit_path=worker.unit_path,
        after=snapshot(row, ["period", "kind", "amount", "note"]),
        note=_("一次性发放"),
    )
    return row


# ---------------------------------------------------------------- placement and steps


def _failed_years(worker_ids: Any, since_year: int | None = None) -> dict[int, list[int]]:
    rows = PerformanceGrade.objects.filter(worker_id__in=worker_ids, grade=Grade.FAIL)
    if since_year is not None:
        rows = rows.filter(year__gte=since_year)
    failed: dict[int, list[int]] = defaultdict(list)
    for worker_id, year in rows.values_list("worker_id", "year"):
        failed[worker_id].append(year)
    return failed


def _track_for(tracks: list[GradeTrack], post_codes: set[str]) -> GradeTrack | None:
    for track in tracks:
        if post_codes & set(track.posts):
            return track
    return next((t for t in tracks if not t.posts), None)


@dataclass
class Placed:
    """Where placement puts one worker."""

    worker_id: int
    name: str
    unit_path: str
    scheme: GradeScheme
    track: GradeTrack
    level: int
    step: int
    years: int


def place_plan(
    *,
    workers: QuerySet[Worker],
    day: datetime.date,
    scheme_for: Callable[[str], GradeScheme | None],
) -> tuple[list[Placed], list[str]]:
    """Where initial placement (初次定级) would put each of `workers` on `day` in the scheme
    `scheme_for(their community's path)`: the track of their post, the entry cell, one step
    for every `step_years` credited years. Returns (placements, faults); writes nothing."""
    rows = list(workers.values("id", "name", "unit_path", "education", "work_start_date"))
    ids = workers.values("id")
    posts: dict[int, set[str]] = defaultdict(set)
    for worker_id, code in (
        PostHolding.objects.filter(worker_id__in=ids, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gt=day))
        .values_list("worker_id", "post__code")
    ):
        posts[worker_id].add(code)
    failed = _failed_years(ids)
    schemes = {path: scheme_for(path) for path in {w["unit_path"] for w in rows}}
    scheme_ids = {s.pk for s in schemes.values() if s}
    tracks: dict[int, list[GradeTrack]] = defaultdict(list)
    for track in GradeTrack.objects.filter(scheme_id__in=scheme_ids).order_by("sort_order"):
        tracks[track.scheme_id].append(track)
    cells: dict[int, list[rules.Position]] = defaultdict(list)
    for track_id, level, step in GradeCell.objects.filter(
        track__scheme_id__in=scheme_ids
    ).values_list("track_id", "level", "step"):
        cells[track_id].append((level, step))
    faults: list[str] = []
    placed: list[Placed] = []
    for w in rows:
        scheme = schemes[w["unit_path"]]
        if scheme is None:
            faults.append(_("%(name)s:所在社区没有生效的等级方案") % {"name": w["name"]})
            continue
        chosen = _track_for(tracks[scheme.pk], posts[w["id"]])
        if chosen is None:
            faults.append(_("%(name)s:岗位不对应方案中的任何岗位序列") % {"name": w["name"]})
            continue
        years = rules.credited_years(
            w["work_start_date"],
            day,
            w["education"],
            scheme.degree_credits or {},
            len([y for y in failed[w["id"]] if y < day.year]),
        )
        try:
            level, step = rules.initial_position(
                cells[chosen.pk],
                (chosen.entry_level, chosen.entry_step),
                years,
                scheme.step_years,
                cross_levels=scheme.steps_cross_levels,
            )
        except ValueError:
            faults.append(
                _("%(scheme)s%(track)s:起始等级档次不在方案中")
                % {"scheme": scheme.name, "track": chosen.name}
            )
            continue
        placed.append(
            Placed(w["id"], w["name"], w["unit_path"], scheme, chosen, level, step, years)
        )
    return placed, sorted(set(faults))


@transaction.atomic
def grade_place(*, unit: Unit, day: datetime.date, acting_user: User | None) -> int:
    """初次定级: every worker serving in `unit` on or after `day` who has no grade, or whose
    grade is in a scheme no longer in force for their community, is placed in the scheme in
    force, from their posts and credited years (a grade in an old scheme ends the day
    before). Returns how many."""
    if acting_user is not None:
        _require_edit(acting_user, unit)
    serving = Worker.objects.filter(
        pk__in=Placement.objects.filter(unit_path__startswith=unit.path)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .values("worker_id")
    )
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
    placed, faults = place_plan(
        workers=todo, day=day, scheme_for=lambda path: in_force[path].scheme
    )
    # Of those still in an old scheme, only the ones whose scheme is no longer theirs.
    placed = [p for p in placed if p.worker_id not in current or p.worker_id in stale_set]
    if faults:
        raise PayRunRefused(faults)
    ended = []
    for worker_id in stale:
        a = current[worker_id]
        if a.start >= day:
            raise ServiceError(_("重新定级日期须晚于现定级的起始日期"))
        a.end = day - datetime.timedelta(days=1)
        ended.append(a)
    GradeAssignment.objects.bulk_update(ended, ["end"], batch_size=2000)
    GradeAssignment.objects.bulk_create(
        (
            GradeAssignment(
                worker_id=p.worker_id,
                scheme=p.scheme,
                track=p.track,
                level=p.level,
                step=p.step,
                start=day,
                reason=AssignmentReason.INITIAL,
                note=(_("方案变更,重新定级;") if p.worker_id in stale_set else "")
                + _("社区工龄及学历折算%(years)s年") % {"years": p.years},
                decided_by=acting_user if acting_user and acting_user.pk else None,
            )
            for p in placed
        ),
        batch_size=2000,
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=unit,
        unit_path=unit.path,
        after={"placed": len(placed), "replaced": len(stale), "day": day.isoformat()},
        note=_("定级%(n)s人") % {"n": len(placed)},
    )
    return len(placed)


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
    """A promotion or manual placement, recorded with who and why."""
    _require_edit(acting_user, worker.community)
    if reason not in (AssignmentReason.PROMOTION, AssignmentReason.MANUAL):
        raise ServiceError(_("请选择调整原因"), field="reason")
    if not note.strip():
        raise ServiceError(_("请写明调整理由"), field="note")
    if not GradeCell.objects.filter(track=track, level=level, step=step).exists():
        raise ServiceError(_("方案中没有这个等级档次"), field="level")
    current = GradeAssignment.objects.select_for_update().filter(worker=worker, end__isnull=True)
    for old in current:
        if start <= old.start:
            raise ServiceError(_("调整日期须晚于现定级的起始日期"), field="start")
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
        action=AuditAction.UPDATE,
        target=worker,
        unit_path=worker.unit_path,
        after=snapshot(made, ["track_id", "level", "step", "start", "reason", "note"]),
        note=made.get_reason_display(),
    )
    return made


@transaction.atomic
def grade_steps_apply(*, unit: Unit, day: datetime.date, acting_user: User | None) -> int:
    """晋档: every worker of `unit` whose time in their cell reaches the scheme's step years
    (years rated 不合格 not counting) moves up. Returns how many moved."""
    if acting_user is not None:
        _require_edit(acting_user, unit)
    open_rows = list(
        GradeAssignment.objects.filter(
            worker__unit_path__startswith=unit.path, end__isnull=True, start__lt=day
        ).select_related("scheme")
    )
    if not open_rows:
        return 0
    failed = _failed_years(
        GradeAssignment.objects.filter(
            worker__unit_path__startswith=unit.path, end__isnull=True
        ).values("worker_id")
    )
    cells: dict[int, list[rules.Position]] = defaultdict(list)
    for track_id, level, step in GradeCell.objects.filter(
        track_id__in={a.track_id for a in open_rows}
    ).values_list("track_id", "level", "step"):
        cells[track_id].append((level, step))
    moved: list[GradeAssignment] = []
    ended: list[GradeAssignment] = []
    for a in open_rows:
        skipped = len([y for y in failed[a.worker_id] if a.start.year <= y < day.year])
        due = rules.steps_due(a.start, day, skipped, a.scheme.step_years)
        if not due or (a.level, a.step) not in cells[a.track_id]:
            continue
        level, step = rules.move_up(
            cells[a.track_id], (a.level, a.step), due, cross_levels=a.scheme.steps_cross_levels
        )
        if (level, step) == (a.level, a.step):
            continue
        a.end = day - datetime.timedelta(days=1)
        ended.append(a)
        moved.append(
            GradeAssignment(
                worker_id=a.worker_id,
                scheme=a.scheme,
                track_id=a.track_id,
                level=level,
                step=step,
                start=day,
                reason=AssignmentReason.STEP,
                note=_("任现档满%(n)s年") % {"n": a.scheme.step_years * due},
                decided_by=acting_user if acting_user and acting_user.pk else None,
            )
        )
    GradeAssignment.objects.bulk_update(ended, ["end"], batch_size=2000)
    GradeAssignment.objects.bulk_create(moved, batch_size=2000)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=unit,
        unit_path=unit.path,
        after={"moved": len(moved), "day": day.isoformat()},
        note=_("晋档%(n)s人") % {"n": len(moved)},
    )
    return len(moved)


# ---------------------------------------------------------------- pay runs


def effective_lines() -> QuerySet[PayLine]:
    """Lines of approved runs that no approved correction replaces."""
    replaced = PayRun.objects.filter(corrects=OuterRef("run_id"), status=RunStatus.APPROVED)
    return PayLine.objects.filter(run__status=RunStatus.APPROVED).filter(~Exists(replaced))


FACTOR_FIELDS: dict[str, str] = {
    Grade.EXCELLENT: "factor_excellent",
    Grade.GOOD: "factor_good",
    Grade.PASS: "factor_pass",
    Grade.FAIL: "factor_fail",
}
CERTIFICATE_FIELDS = {
    "assistant": "certificate_assistant",
    "social_worker": "certificate_social_worker",
    "senior": "certificate_senior",
}
TOTAL_FIELDS = [
    "gross",
    "employer_contributions",
    "personal_contributions",
    "income_tax",
    "net",
    "total_cost",
]
LINE_MONEY_FIELDS = [
    "post_pay",
    "grade_pay",
    "seniority_pay",
    "certificate_allowance",
    "dual_role_allowance",
    "performance_pay",
    "other_allowance",
    "award",
    "gross",
    "contribution_base",
    *[f"{k}_employer" for k in INSURANCE_KINDS],
    *[f"{k}_personal" for k in PERSONAL_KINDS],
    "employer_contributions",
    "personal_contributions",
    "income_tax",
    "net",
    "total_cost",
]


NO_YTD = rules.YearToDate()

# A line as compute_lines builds it and lines_insert writes it, in this order.
LINE_FIELDS = [
    "worker_id",
    "unit_path",
    "track_name",
    "level",
    "step",
    "performance_grade",
    *LINE_MONEY_FIELDS,
]


ANALYZE_AFTER = 10_000


def lines_insert(*, run_id: int, rows: list[tuple[Any, ...]]) -> None:
    """Write computed lines in bulk, inside the caller's transaction.

    A pay run writes tens of thousands of rows of 37 columns; building a model instance per
    row costs more than computing the pay, so rows go to the database as they were computed
    (Decimal, str and int values both backends adapt), through core.bulk.insert_rows: COPY
    on PostgreSQL, executemany on SQLite."""
    insert_rows(PayLine, ["run_id", *LINE_FIELDS], [(run_id, *row) for row in rows])
    if connection.vendor == "postgresql" and len(rows) >= ANALYZE_AFTER:
        # The planner's row counts come from autovacuum, which runs later: without fresh ones
        # it plans the next month's year-to-date query for a table it thinks nearly empty.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(PayLine._meta.db_table)}")


def compute_lines(
    *, unit: Unit, period: datetime.date, progress: ProgressFn | None = None
) -> list[tuple[Any, ...]]:
    """Every worker's line for `unit` and the month of `period` as a row of LINE_FIELDS,
    unsaved; PayRunRefused naming every fault when any worker or setting is missing."""
    first, last = first_of_month(period), last_of_month(period)
    placed = (
        Placement.objects.filter(unit_path__startswith=unit.path, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gt=first))
        .order_by("worker_id", "start")
    )
    workers: dict[int, dict[str, Any]] = {}
    for row in placed.values(
        "worker_id", "unit_path", "worker__name", "worker__education", "worker__work_start_date"
    ):
        workers[row["worker_id"]] = dict(row)  # the later placement wins for a mid-month move
    if not workers:
        raise PayRunRefused([_("%(unit)s在该月没有在岗人员") % {"unit": unit.name}])
    in_run = Subquery(placed.order_by().values("worker_id"))
    assignments = {
        a["worker_id"]: a
        for a in GradeAssignment.objects.filter(worker_id__in=in_run, start__lte=first)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .order_by()
        .values(
            "worker_id", "scheme_id", "track_id", "track__name", "track__post_pay", "level", "step"
        )
    }
    cells = {
        (c["track_id"], c["level"], c["step"]): c
        for c in GradeCell.objects.filter(
            track_id__in={a["track_id"] for a in assignments.values()}
        ).values("track_id", "level", "step", "amount", "coefficient", "track__scheme__base_amount")
    }
    secretary: set[int] = set()
    director: set[int] = set()
    for worker_id, is_sec, is_dir in (
        PostHolding.objects.filter(worker_id__in=in_run, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gt=last))
        .order_by()
        .values_list("worker_id", "post__is_secretary", "post__is_director")
    ):
        if is_sec:
            secretary.add(worker_id)
        if is_dir:
            director.add(worker_id)
    certificates: dict[int, set[str]] = defaultdict(set)
    for worker_id, kind in (
        Certificate.objects.filter(worker_id__in=in_run, issued_on__lte=last)
        .order_by()
        .values_list("worker_id", "kind")
    ):
        certificates[worker_id].add(kind)
    # Most workers are enrolled in all six: count per worker, and read the kinds only of
    # those enrolled in fewer (None below means "all six").
    open_enrolments = InsuranceEnrolment.objects.filter(
        worker_id__in=in_run, start__lte=last
    ).filter(Q(end__isnull=True) | Q(end__gt=first))
    counts = dict(
        open_enrolments.order_by()
        .values("worker_id")
        .annotate(n=Count("kind", distinct=True))
        .values_list("worker_id", "n")
    )
    fully = {w for w, n in counts.items() if n == len(INSURANCE_KINDS)}
    partly = [w for w, n in counts.items() if n < len(INSURANCE_KINDS)]
    enrolled: dict[int, set[str]] = defaultdict(set)
    for start in range(0, len(partly), 500):
        for worker_id, kind in open_enrolments.filter(
            worker_id__in=partly[start : start + 500]
        ).values_list("worker_id", "kind"):
            enrolled[worker_id].add(kind)
    grades = dict(
        PerformanceGrade.objects.filter(worker_id__in=in_run, year=first.year - 1)
        .order_by()
        .values_list("worker_id", "grade")
    )
    adjustments: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for worker_id, kind, amount in (
        PayAdjustment.objects.filter(worker_id__in=in_run, period=first)
        .order_by()
        .values_list("worker_id", "kind", "amount")
    ):
        adjustments[worker_id][kind] += amount
    ytd = {
        row["worker_id"]: rules.YearToDate(
            months=row["months"],
            income=rules.fen(row["income"]),
            personal_contributions=rules.fen(row["personal"]),
            tax=rules.fen(row["tax"]),
        )
        for row in effective_lines()
        .filter(worker_id__in=in_run, run__period__year=first.year, run__period__lt=first)
        .order_by()
        .values("worker_id")
        .annotate(
            months=Count("id"),
            income=Sum("gross"),
            personal=Sum("personal_contributions"),
            tax=Sum("income_tax"),
        )
    }
    in_force = settings_in_force({w["unit_path"] for w in workers.values()}, first)
    names = _unit_names(in_force)

    faults: list[str] = []
    for path, f in sorted(in_force.items()):
        unit_name = names.get(path, path)
        if f.scheme is None:
            faults.append(_("%(unit)s:没有生效的等级方案") % {"unit": unit_name})
        if f.policy is None:
            faults.append(_("%(unit)s:没有生效的薪酬构成设置") % {"unit": unit_name})
        if f.rates is None:
            faults.append(
                _("%(unit)s:缺少%(year)s年社保公积金费率") % {"unit": unit_name, "year": first.year}
            )
        if f.wage is None:
            faults.append(
                _("%(unit)s:缺少%(year)s年职工平均工资") % {"unit": unit_name, "year": first.year}
            )
    # Per community: its rates and the contribution base's floor and ceiling.
    locality: dict[str, tuple[rules.Rates, tuple[Decimal, Decimal]]] = {}
    lines: list[tuple[Any, ...]] = []
    for n, (worker_id, w) in enumerate(workers.items(), 1):
        f = in_force[w["unit_path"]]
        a = assignments.get(worker_id)
        if a is None:
            faults.append(_("%(name)s:未定级") % {"name": w["worker__name"]})
            continue
        if f.scheme is not None and a["scheme_id"] != f.scheme.pk:
            faults.append(
                _("%(name)s:定级所在方案不是当月生效的方案(%(scheme)s),须重新定级")
                % {"name": w["worker__name"], "scheme": f.scheme.name}
            )
            continue
        cell = cells.get((a["track_id"], a["level"], a["step"]))
        if cell is None:
            faults.append(
                _("%(name)s:方案中没有%(track)s%(level)s级%(step)s档")
                % {
                    "name": w["worker__name"],
                    "track": a["track__name"],
                    "level": a["level"],
                    "step": a["step"],
                }
            )
            continue
        if f.policy is None or f.rates is None or f.wage is None:
            continue  # already named above
        policy = f.policy
        path = w["unit_path"]
        if path not in locality:
            rates = rates_of(f.rates)
            locality[path] = (
                rates,
                rules.base_bounds(f.wage.amount, rates.floor_share, rates.ceiling_share),
            )
        rates, bounds = locality[path]
        grade = grades.get(worker_id, "")
        factor = getattr(policy, FACTOR_FIELDS[grade]) if grade else policy.factor_missing
        held = certificates.get(worker_id, set())
        certificate = max(
            (getattr(policy, field) for kind, field in CERTIFICATE_FIELDS.items() if kind in held),
            default=rules.ZERO,
        )
        extra = adjustments.get(worker_id, {})
        line = rules.compute_line(
            rules.LineInput(
                post_pay=a["track__post_pay"],
                grade_pay=rules.cell_pay(
                    cell["amount"], cell["coefficient"], cell["track__scheme__base_amount"]
                ),
                seniority_pay=rules.seniority_pay(
                    w["worker__work_start_date"],
                    first,
                    policy.seniority_per_year,
                    policy.seniority_cap_years,
                ),
                certificate_allowance=certificate,
                dual_role_allowance=policy.dual_role_allowance
                if worker_id in secretary and worker_id in director
                else rules.ZERO,
                other_allowance=policy.other_allowance + extra.get("allowance", rules.ZERO),
                award=extra.get("award", rules.ZERO),
                performance_share=policy.performance_share,
                performance_factor=factor,
                average_wage_yearly=f.wage.amount,
                rates=rates,
                enrolled=None if worker_id in fully else frozenset(enrolled.get(worker_id, ())),
                ytd=ytd.get(worker_id, NO_YTD),
                bounds=bounds,
            )
        )
        c = line.contributions
        cal = line.calibers
        lines.append(
            (
                worker_id,
                w["unit_path"],
                a["track__name"],
                a["level"],
                a["step"],
                grade,
                line.post_pay,
                line.grade_pay,
                line.seniority_pay,
                line.certificate_allowance,
                line.dual_role_allowance,
                line.performance_pay,
                line.other_allowance,
                line.award,
                line.gross,
                line.contribution_base,
                c.employer["pension"],
                c.employer["medical"],
                c.employer["unemployment"],
                c.employer["injury"],
                c.employer["maternity"],
                c.employer["housing_fund"],
                c.personal["pension"],
                c.personal["medical"],
                c.personal["unemployment"],
                c.personal["housing_fund"],
                c.employer_total,
                c.personal_total,
                line.income_tax,
                cal.net,
                cal.total_cost,
            )
        )
        if progress is not None and n % 5000 == 0:
            progress(n)
    if faults:
        raise PayRunRefused(faults)
    return lines


def _run_snapshot(run: PayRun) -> dict[str, Any]:
    return snapshot(
        run,
        ["status", "period", "unit_path", "corrects_id", "headcount", "gross", "net", "total_cost"],
    )


def _hold_month(unit_path: str, period: datetime.date) -> None:
    """Runs of one month that overlap in the tree (a unit and any unit above or below it)
    cannot both exist, whatever runs at the same instant: creating a run holds its own
    unit's lock for the month exclusively and the lock of every unit above it shared, until
    the transaction ends. A run below waits for a run above and the other way round; runs of
    two sibling units share their parents' locks and go ahead side by side. Taken before
    the clash check, so the check reads every run committed before it."""
    month = f"{period:%Y-%m}"
    *above, own = ancestors(unit_path)
    for path in above:  # top down, the same order in every transaction
        shared_lock(f"pay.run:{month}:{path}")
    exclusive_lock(f"pay.run:{month}:{own}")


@retrying_atomic
def payrun_create(
    *,
    unit: Unit,
    period: datetime.date,
    acting_user: User | None,
    corrects: PayRun | None = None,
    note: str = "",
    progress: ProgressFn | None = None,
) -> PayRun:
    """Compute and write a draft run for `unit` and the month of `period` (or a correction of
    an approved run: a new run for the same unit and month that references it).

    A second request for a run already made (a double submit) raises PayRunExists naming
    that run; a run overlapping another unit's run of the month is refused."""
    if acting_user is not None:
        _require_edit(acting_user, unit)
    period = first_of_month(period)
    if corrects is not None:
        unit, period = corrects.unit, corrects.period
    _hold_month(unit.path, period)
    if corrects is not None:
        corrects = PayRun.objects.get(pk=corrects.pk)  # as committed, now that we hold it
        if corrects.status != RunStatus.APPROVED:
            raise ServiceError(_("只能更正已审批的工资批次"))
        made = PayRun.objects.filter(corrects=corrects).select_related("unit").first()
        if made is not None:
            raise PayRunExists(made, _("该批次已有更正批次“%(run)s”") % {"run": made})
    else:
        clash = (
            PayRun.objects.filter(period=period, corrects__isnull=True)
            .filter(Q(unit_path__startswith=unit.path) | Q(unit_path__in=ancestors(unit.path)))
            .select_related("unit")
            .first()
        )
        if clash is not None and clash.unit_id == unit.pk:
            raise PayRunExists(
                clash,
                _("%(unit)s%(month)s的工资已在批次“%(run)s”中计算,未重复计算")
                % {"unit": unit.name, "month": f"{period:%Y-%m}", "run": clash},
            )
        if clash is not None:
            raise ServiceError(
                _("%(unit)s%(month)s的工资已在批次“%(run)s”中计算;如需改动请更正该批次")
                % {"unit": unit.name, "month": f"{period:%Y-%m}", "run": clash}
            )
    lines = compute_lines(unit=unit, period=period, progress=progress)
    run = PayRun.objects.create(
        unit=unit,
        unit_path=unit.path,
        period=period,
        corrects=corrects,
        note=note,
        created_by=acting_user if acting_user and acting_user.pk else None,
        headcount=len(lines),
        **{
            name: sum(map(itemgetter(LINE_FIELDS.index(name)), lines), rules.ZERO)
            for name in TOTAL_FIELDS
        },
    )
    lines_insert(run_id=run.pk, rows=lines)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=run,
        unit_path=unit.path,
        after=_run_snapshot(run),
        note=_("更正批次") if corrects else _("计算工资"),
    )
    return run


def _locked_run(run: PayRun) -> PayRun:
    fresh = PayRun.objects.select_for_update().get(pk=run.pk)
    if fresh.status == RunStatus.APPROVED:
        raise ServiceError(_("该批次已审批锁定,不能再改动;如有错误请建立更正批次"))
    return fresh


@transaction.atomic
def payrun_check(*, run: PayRun, acting_user: User | None) -> PayRun:
    """复核: the draft is looked over and marked checked."""
    if acting_user is not None:
        _require_edit(acting_user, run.unit)
    fresh = _locked_run(run)
    if fresh.status != RunStatus.DRAFT:
        raise ServiceError(_("只有草稿可以复核"))
    before = _run_snapshot(fresh)
    fresh.status, fresh.checked_by, fresh.checked_at = (
        RunStatus.CHECKED,
        acting_user if acting_user and acting_user.pk else None,
        timezone.now(),
    )
    fresh.save(update_fields=["status", "checked_by", "checked_at"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=fresh,
        unit_path=fresh.unit_path,
        before=before,
        after=_run_snapshot(fresh),
        note=_("复核工资"),
    )
    return fresh


@transaction.atomic
def payrun_approve(*, run: PayRun, acting_user: User | None) -> PayRun:
    """审批: a checked run is approved and locked for good."""
    if acting_user is not None:
        _require_edit(acting_user, run.unit)
    fresh = _locked_run(run)
    if fresh.status != RunStatus.CHECKED:
        raise ServiceError(_("须先复核再审批"))
    before = _run_snapshot(fresh)
    fresh.status, fresh.approved_by, fresh.approved_at = (
        RunStatus.APPROVED,
        acting_user if acting_user and acting_user.pk else None,
        timezone.now(),
    )
    fresh.save(update_fields=["status", "approved_by", "approved_at"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=fresh,
        unit_path=fresh.unit_path,
        before=before,
        after=_run_snapshot(fresh),
        note=_("审批工资"),
    )
    return fresh


@transaction.atomic
def payrun_discard(*, run: PayRun, acting_user: User | None) -> None:
    """A draft or checked run is thrown away (to be computed again)."""
    if acting_user is not None:
        _require_edit(acting_user, run.unit)
    fresh = _locked_run(run)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.DELETE,
        target=fresh,
        unit_path=fresh.unit_path,
        before=_run_snapshot(fresh),
        note=_("作废未审批的工资批次"),
    )
    fresh.lines.all().delete()
    fresh.delete()


def payslips_disclose(*, run: PayRun, acting_user: User, worker: Worker | None = None) -> None:
    """Record that `acting_user` was shown pay amounts of the run (one worker's, or all);
    kept and written moments later while another writer holds the database."""
    disclosure_record(
        acting_user=acting_user,
        target=worker or run,
        unit_path=worker.unit_path if worker else run.unit_path,
        note=(_("查看工资条 %(run)s") if worker else _("查看工资表 %(run)s")) % {"run": run},
    )
