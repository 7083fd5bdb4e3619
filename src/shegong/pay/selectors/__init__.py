"""Every read of the pay area, scoped to the viewer.

Pay runs and lines carry a unit path, so scoping is one prefix filter. Yearly figures sum the
effective lines (approved runs no approved correction replaces) in the database, one row per
worker; the benchmark, equal-pay and budget findings are built from those rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.core import money
from shegong.core.access import (
    Permission,
    has_permission,
    in_scope,
    path_q,
    root_paths,
    sees_everything,
)
from shegong.orgs.models import Unit, UnitKind
from shegong.pay import rules
from shegong.pay.models import (
    INSURANCE_KINDS,
    AverageWage,
    ContributionRates,
    GradeAssignment,
    GradeCell,
    GradeScheme,
    GradeTrack,
    PayAdjustment,
    PayLine,
    PayPolicy,
    PayRun,
    RunStatus,
)
from shegong.pay.rules import ancestors
from shegong.pay.selectors.changes import RunChanges as RunChanges
from shegong.pay.selectors.changes import run_changes as run_changes
from shegong.pay.selectors.in_force import InForce, settings_in_force
from shegong.pay.selectors.lines import effective_lines
from shegong.pay.selectors.placement import place_plan
from shegong.people.models import PostHolding, Source, Worker, WorkerStatus, YearlyGrade

if TYPE_CHECKING:
    from shegong.core.models import User

CALIBERS = (("total_cost", "总成本"), ("gross", "应发"), ("net", "实发"))
# What a withheld figure shows instead (see _withhold).
WITHHELD = gettext_lazy("人数过少,不予显示")  # used as str(WITHHELD): files take no lazy text


def _fen_sums(row: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """A row of Sum()s over money columns, each to the fen: SQLite adds decimal columns as
    floats (70539316.620000003), PostgreSQL keeps their scale; both come back the same."""
    for key in keys:
        row[key] = money.fen(row[key] if row[key] is not None else rules.ZERO)
    return row


def min_group_size() -> int:
    return int(settings.SHEGONG_MIN_GROUP_SIZE)


def _withhold(rows: list[dict[str, Any]], size: str, values: Iterable[str]) -> bool:
    """Pay figures per group are personal data for a viewer without the personal-data right:
    replace `values` of the rows that rules.withheld picks (groups under the minimum size
    and what would give them away) with WITHHELD, mark them `withheld`; return whether the
    total over the rows must be withheld too."""
    hidden, total_hidden = rules.withheld([r[size] for r in rows], min_group_size())
    keys = list(values)
    for i, row in enumerate(rows):
        row["withheld"] = i in hidden
        if i in hidden:
            row.update(dict.fromkeys(keys, str(WITHHELD)))
    return total_hidden


# ---------------------------------------------------------------- runs and payslips


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
    fields = [
        "gross",
        "employer_contributions",
        "personal_contributions",
        "income_tax",
        "net",
        "total_cost",
    ]
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


RUN_TOTAL_FIELDS = (
    "gross",
    "employer_contributions",
    "personal_contributions",
    "income_tax",
    "net",
    "total_cost",
)


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


def line_get(*, viewer: User, pk: int) -> PayLine:
    """One payslip (a run's line for one worker), or 404 for missing and out of scope."""
    line = (
        PayLine.objects.filter(path_q(viewer, "unit_path"), pk=pk)
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


def worker_lines(*, viewer: User, worker: Worker) -> QuerySet[PayLine]:
    """A worker's lines in runs the viewer sees, newest month first."""
    return (
        PayLine.objects.filter(worker=worker)
        .filter(path_q(viewer, "run__unit_path"))
        .select_related("run")
        .order_by("-run__period", "-run_id")
    )


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


# ---------------------------------------------------------------- schemes and settings


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


# ---------------------------------------------------------------- yearly figures


@dataclass
class WorkerYear:
    """One worker's year: sums of the effective lines and what the findings need."""

    worker_id: int
    name: str
    source: str
    unit_path: str
    months: int
    gross: Decimal
    employer_contributions: Decimal
    personal_contributions: Decimal
    income_tax: Decimal
    net: Decimal
    total_cost: Decimal
    track_name: str = ""
    level: int = 0
    leader: bool = False  # a secretary or director at the year's end
    annual: dict[str, Decimal] = field(default_factory=dict)


def worker_years(*, viewer: User, unit: Unit, year: int) -> list[WorkerYear]:
    lines = effective_lines().filter(
        path_q(viewer, "unit_path"), unit_path__startswith=unit.path, run__period__year=year
    )
    rows = (
        lines.values("worker_id", "worker__name", "worker__source")
        .annotate(
            months=Count("id"),
            gross=Sum("gross"),
            employer=Sum("employer_contributions"),
            personal=Sum("personal_contributions"),
            tax=Sum("income_tax"),
            net=Sum("net"),
            total_cost=Sum("total_cost"),
            last_period=Max("run__period"),
        )
        .order_by("worker_id")
    )
    latest = {
        w: (path, track, level)
        for w, path, track, level in lines.order_by(
            "worker_id", "run__period", "run_id"
        ).values_list("worker_id", "unit_path", "track_name", "level")
    }
    end = datetime.date(year, 12, 31)
    leaders = set(
        PostHolding.objects.filter(
            Q(post__is_secretary=True) | Q(post__is_director=True),
            worker_id__in=lines.values("worker_id"),
            start__lte=end,
        )
        .filter(Q(end__isnull=True) | Q(end__gt=end))
        .values_list("worker_id", flat=True)
    )
    years = []
    for r in rows:
        _fen_sums(r, ("gross", "employer", "personal", "tax", "net", "total_cost"))
        path, track, level = latest[r["worker_id"]]
        wy = WorkerYear(
            worker_id=r["worker_id"],
            name=r["worker__name"],
            source=r["worker__source"],
            unit_path=path,
            months=r["months"],
            gross=r["gross"],
            employer_contributions=r["employer"],
            personal_contributions=r["personal"],
            income_tax=r["tax"],
            net=r["net"],
            total_cost=r["total_cost"],
            track_name=track,
            level=level,
            leader=r["worker_id"] in leaders,
        )
        wy.annual = {key: rules.annualised(getattr(wy, key), wy.months) for key, _label in CALIBERS}
        years.append(wy)
    return years


def field_label(name: str) -> str:
    """A pay line field's label (岗位工资 …)."""
    return str(getattr(PayLine._meta.get_field(name), "verbose_name", name))


def community_names(paths: set[str]) -> dict[str, str]:
    return dict(Unit.objects.filter(path__in=paths).values_list("path", "name"))


def _units_below(
    by_unit: dict[str, list[Decimal]],
    in_force: dict[str, InForce],
    names: dict[str, str],
    shown: bool,
) -> list[dict[str, Any]]:
    """The communities whose average is below their benchmark (a community of fewer people
    than the minimum shows no average to a role without the personal-data right)."""
    per_unit = [{"path": p, "workers": len(a)} for p, a in sorted(by_unit.items())]
    if not shown:
        _withhold(per_unit, "workers", ["average"])
    kept = {row["path"] for row in per_unit if not row.get("withheld")}
    units_below = []
    for path, amounts in sorted(by_unit.items()):
        wage = in_force[path].wage
        assert wage is not None
        average = rules.fen(sum(amounts, rules.ZERO) / len(amounts))
        line = rules.benchmark_amount(wage.amount, wage.benchmark_share)
        if average < line:
            found = path in kept
            units_below.append(
                {
                    "name": names.get(path, path),
                    "path": path,
                    "average": average if found else str(WITHHELD),
                    "benchmark": line,
                    "gap": line - average if found else str(WITHHELD),
                    "workers": len(amounts),
                    "withheld": not found,
                }
            )
    return units_below


def _caliber_finding(
    key: str,
    label: str,
    years: list[WorkerYear],
    in_force: dict[str, InForce],
    names: dict[str, str],
    shown: bool,
) -> dict[str, Any]:
    below: list[dict[str, Any]] = []
    by_unit: dict[str, list[Decimal]] = defaultdict(list)
    leaders = at_average = 0
    for w in years:
        wage = in_force[w.unit_path].wage
        if wage is None:
            continue
        line = rules.benchmark_amount(wage.amount, wage.benchmark_share)
        amount = w.annual[key]
        by_unit[w.unit_path].append(amount)
        if amount < line:
            below.append(
                {
                    "worker": w,
                    "community": names.get(w.unit_path, ""),
                    "amount": amount,
                    "benchmark": line,
                    "gap": line - amount,
                }
            )
        if w.leader:
            leaders += 1
            at_average += amount >= wage.amount
    return {
        "key": key,
        "label": label,
        "below": sorted(below, key=lambda b: (-b["gap"], b["worker"].name)),
        "units_below": _units_below(by_unit, in_force, names, shown),
        "leaders": leaders,
        "leaders_at_average": at_average,
        "leaders_share": rules.share_text(at_average, leaders),
        "workers": len(years),
    }


def benchmark(*, viewer: User, unit: Unit, year: int) -> dict[str, Any]:
    """For each caliber: the workers and communities below the benchmark (the average wage ×
    the year's share), and the share of secretaries and directors at or above the average
    wage. Part-year workers are compared on their pay annualised."""
    years = worker_years(viewer=viewer, unit=unit, year=year)
    shown = may_see_pay(viewer=viewer, unit_path=unit.path)
    paths = {w.unit_path for w in years}
    in_force = settings_in_force(paths, datetime.date(year, 1, 1)) if paths else {}
    names = community_names(paths)
    missing = sorted(names.get(p, p) for p, f in in_force.items() if f.wage is None)
    calibers = [
        _caliber_finding(key, label, years, in_force, names, shown) for key, label in CALIBERS
    ]
    wage_row = settings_in_force([unit.path], datetime.date(year, 1, 1))[unit.path].wage
    return {
        "unit": unit,
        "year": year,
        "workers": years,
        "wage": wage_row,
        "benchmark": rules.benchmark_amount(wage_row.amount, wage_row.benchmark_share)
        if wage_row
        else None,
        "calibers": calibers,
        "missing_wage": missing,
        "communities": {p: names.get(p, p) for p in paths},
    }


def equal_pay(
    *, viewer: User, unit: Unit, year: int, years: list[WorkerYear] | None = None
) -> list[dict[str, Any]]:
    """For the same track and level, the mean yearly gross (annualised) by source, the gap
    between the highest and the lowest, and the workers behind each mean. `years` is
    worker_years of the same viewer, unit and year when the caller has it already (the
    annual report, from benchmark's "workers"), so the year's lines are read once."""
    groups: dict[tuple[str, int], dict[str, list[WorkerYear]]] = defaultdict(
        lambda: defaultdict(list)
    )
    if years is None:
        years = worker_years(viewer=viewer, unit=unit, year=year)
    for w in years:
        groups[(w.track_name, w.level)][w.source].append(w)
    labels = dict(Source.choices)
    shown = may_see_pay(viewer=viewer, unit_path=unit.path)
    findings = []
    for (track, level), by_source in sorted(groups.items()):
        if len(by_source) < 2:
            continue
        means = {
            s: rules.fen(sum((w.annual["gross"] for w in ws), rules.ZERO) / len(ws))
            for s, ws in by_source.items()
        }
        sources = [
            {
                "source": s,
                "label": labels.get(s, s),
                "mean": means[s],
                "workers": sorted(by_source[s], key=lambda w: w.name),
                "size": len(by_source[s]),
            }
            for s in sorted(means, key=lambda s: -means[s])
        ]
        withheld = False
        if not shown:
            _withhold(sources, "size", ["mean"])
            withheld = any(row["withheld"] for row in sources)
        if withheld:
            sources.sort(key=lambda row: str(row["label"]))  # the order by mean would tell
        findings.append(
            {
                "track": track,
                "level": level,
                "gap": str(WITHHELD) if withheld else max(means.values()) - min(means.values()),
                "sources": sources,
                "withheld": withheld,
            }
        )
    return sorted(
        findings, key=lambda f: (f["withheld"], rules.ZERO if f["withheld"] else -f["gap"])
    )


BUDGET_SUMS = ("workers", "gross", "employer", "total_cost", "net")
BUDGET_MONEY = ("gross", "employer", "total_cost", "net")


def _budget_streets(by_path: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The year's sums by community, added up by street."""
    paths = {r["unit_path"] for r in by_path}
    units = {u.path: u for u in Unit.objects.filter(path__in={a for p in paths for a in _up(p)})}
    streets: dict[str, dict[str, Any]] = {}
    for r in by_path:
        street_path = _up(r["unit_path"])[-2] if len(_up(r["unit_path"])) >= 2 else r["unit_path"]
        s = streets.setdefault(
            street_path,
            {
                "unit": units.get(street_path),
                "workers": 0,
                "gross": rules.ZERO,
                "employer": rules.ZERO,
                "total_cost": rules.ZERO,
                "net": rules.ZERO,
                "communities": [],
            },
        )
        for key in BUDGET_SUMS:
            s[key] += r[key]
        s["communities"].append({**r, "unit": units.get(r["unit_path"])})
    return streets


def _budget_withhold(streets: dict[str, dict[str, Any]], total: dict[str, Any]) -> None:
    """Within a street, communities under the minimum and their complement; a street of
    fewer people than the minimum loses its totals, and the grand total goes when the
    withheld streets alone would be it minus the others."""
    hidden_streets = []
    for street in streets.values():
        if _withhold(street["communities"], "workers", BUDGET_MONEY):
            street.update(dict.fromkeys(BUDGET_MONEY, str(WITHHELD)), withheld=True)
            hidden_streets.append(street["workers"])
    if hidden_streets and (len(hidden_streets) < 2 or sum(hidden_streets) < min_group_size()):
        total.update(dict.fromkeys(BUDGET_MONEY, str(WITHHELD)))
        total["withheld"] = True


def _what_if(
    *,
    viewer: User,
    unit: Unit,
    year: int,
    in_force: InForce,
    total: dict[str, Any],
    shown: bool,
    raise_to_share: Decimal | None,
    growth: Decimal | None,
) -> dict[str, Any]:
    employer_rate = (
        sum((getattr(in_force.rates, f"{k}_employer") for k in INSURANCE_KINDS), rules.ZERO)
        if in_force.rates
        else rules.ZERO
    )
    what_if: dict[str, Any] = {"employer_rate": employer_rate}
    if raise_to_share is not None and in_force.wage is not None:
        target = rules.fen(in_force.wage.amount * raise_to_share)
        years = worker_years(viewer=viewer, unit=unit, year=year)
        extra, count = rules.raise_cost((w.annual["gross"] for w in years), target, employer_rate)
        # The cost of raising one or two people is their pay's distance to the target.
        hidden = not shown and 0 < count < min_group_size()
        what_if["raise"] = {
            "share": raise_to_share,
            "target": target,
            "extra": str(WITHHELD) if hidden else extra,
            "workers": count,
            "withheld": hidden,
        }
    if growth is not None:
        hidden = bool(total.get("withheld"))
        what_if["index"] = {
            "growth": growth,
            "extra": str(WITHHELD)
            if hidden
            else rules.index_cost(Decimal(total["gross"]), growth, employer_rate),
            "withheld": hidden,
        }
    return what_if


def budget(
    *,
    viewer: User,
    unit: Unit,
    year: int,
    raise_to_share: Decimal | None = None,
    growth: Decimal | None = None,
) -> dict[str, Any]:
    """The year's cost by community and street (from approved pay), and what-ifs: raising
    everyone below a share of the average wage to it; indexing all pay to wage growth. Extra
    costs include the employer's contributions at the unit's employer rate."""
    lines = effective_lines().filter(
        path_q(viewer, "unit_path"), unit_path__startswith=unit.path, run__period__year=year
    )
    by_path = [
        _fen_sums(row, BUDGET_MONEY)
        for row in lines.values("unit_path")
        .annotate(
            workers=Count("worker_id", distinct=True),
            gross=Sum("gross"),
            employer=Sum("employer_contributions"),
            total_cost=Sum("total_cost"),
            net=Sum("net"),
        )
        .order_by("unit_path")
    ]
    streets = _budget_streets(by_path)
    total = {
        key: sum((r[key] for r in by_path), rules.ZERO if key != "workers" else 0)
        for key in BUDGET_SUMS
    }
    shown = may_see_pay(viewer=viewer, unit_path=unit.path)
    if not shown:
        _budget_withhold(streets, total)
    in_force = settings_in_force([unit.path], datetime.date(year, 1, 1))[unit.path]
    what_if = _what_if(
        viewer=viewer,
        unit=unit,
        year=year,
        in_force=in_force,
        total=total,
        shown=shown,
        raise_to_share=raise_to_share,
        growth=growth,
    )
    return {
        "unit": unit,
        "year": year,
        "streets": list(streets.values()),
        "total": total,
        "wage": in_force.wage,
        "what_if": what_if,
    }


def scheme_change(
    *, viewer: User, unit: Unit, scheme: GradeScheme, day: datetime.date
) -> dict[str, Any]:
    """What moving the workers of `unit` from their current grades to `scheme` would cost a
    year: each placed afresh in `scheme` (as 初次定级 would on `day`), post and grade pay
    compared with today's, performance pay following at the policy's share and employer
    contributions at the unit's employer rate. Nothing is written."""
    open_rows = GradeAssignment.objects.filter(
        path_q(viewer, "worker__unit_path"),
        worker__unit_path__startswith=unit.path,
        end__isnull=True,
    )
    current = list(
        open_rows.values(
            "worker_id", "track_id", "level", "step", "track__post_pay", "scheme__base_amount"
        )
    )
    cells = {
        (c["track_id"], c["level"], c["step"]): rules.cell_pay(
            c["amount"], c["coefficient"], c["track__scheme__base_amount"]
        )
        for c in GradeCell.objects.filter(
            track_id__in={a["track_id"] for a in current}
            | set(GradeTrack.objects.filter(scheme=scheme).values_list("id", flat=True))
        ).values("track_id", "level", "step", "amount", "coefficient", "track__scheme__base_amount")
    }
    now = {
        a["worker_id"]: a["track__post_pay"]
        + cells.get((a["track_id"], a["level"], a["step"]), rules.ZERO)
        for a in current
    }
    workers = Worker.objects.filter(pk__in=open_rows.values("worker_id"))
    placed, faults = place_plan(workers=workers, day=day, scheme_for=lambda _path: scheme)
    in_force = settings_in_force([unit.path], day)[unit.path]
    share = in_force.policy.performance_share if in_force.policy else rules.ZERO
    employer_rate = (
        sum((getattr(in_force.rates, f"{k}_employer") for k in INSURANCE_KINDS), rules.ZERO)
        if in_force.rates
        else rules.ZERO
    )
    monthly = rules.ZERO
    up = down = 0
    for p in placed:
        after = p.track.post_pay + cells.get((p.track.pk, p.level, p.step), rules.ZERO)
        diff = after - now.get(p.worker_id, rules.ZERO)
        monthly += diff
        up += diff > 0
        down += diff < 0
    yearly = rules.fen(monthly * 12 / (1 - share) * (1 + employer_rate))
    return {
        "scheme": scheme,
        "workers": len(placed),
        "up": up,
        "down": down,
        "monthly_fixed": monthly,
        "yearly": yearly,
        "faults": faults,
    }


def _up(path: str) -> list[str]:
    return ancestors(path)


def report(*, viewer: User, unit: Unit, year: int) -> dict[str, Any]:
    """`shegong report pay` as JSON-ready data: each worker's yearly sums and the findings.
    Money as strings with two decimals, never floats."""
    found = benchmark(viewer=viewer, unit=unit, year=year)
    names = found["communities"]
    shown = may_see_pay(viewer=viewer, unit_path=unit.path)
    few = not shown and 0 < len(found["workers"]) < min_group_size()

    def money(d: Any, *, own: bool = False, total: bool = False) -> str:
        """A person's amount is masked without the personal-data right (as on the pages),
        a total of fewer than the minimum withheld; a figure already withheld stays so."""
        if (own and not shown) or (total and few):
            return "***" if own else str(WITHHELD)
        return f"{d:.2f}" if isinstance(d, Decimal) else str(d)

    return {
        "unit": {"code": unit.code, "name": unit.name},
        "year": year,
        "average_wage": money(found["wage"].amount) if found["wage"] else None,
        "benchmark": money(found["benchmark"]) if found["benchmark"] is not None else None,
        "workers": [
            {
                "id": w.worker_id,
                "name": w.name,
                "community": names.get(w.unit_path, ""),
                "months": w.months,
                "gross": money(w.gross, own=True),
                "employer_contributions": money(w.employer_contributions, own=True),
                "personal_contributions": money(w.personal_contributions, own=True),
                "income_tax": money(w.income_tax, own=True),
                "net": money(w.net, own=True),
                "total_cost": money(w.total_cost, own=True),
            }
            for w in found["workers"]
        ],
        "totals": {
            key: money(sum((getattr(w, key) for w in found["workers"]), rules.ZERO), total=True)
            for key in (
                "gross",
                "employer_contributions",
                "personal_contributions",
                "income_tax",
                "net",
                "total_cost",
            )
        },
        "benchmark_findings": [
            {
                "caliber": c["key"],
                "label": c["label"],
                "workers_below": [
                    {
                        "name": b["worker"].name,
                        "community": names.get(b["worker"].unit_path, ""),
                        "annual": money(b["amount"], own=True),
                        "gap": money(b["gap"], own=True),
                    }
                    for b in c["below"]
                ],
                "units_below": [
                    {"name": u["name"], "average": money(u["average"]), "gap": money(u["gap"])}
                    for u in c["units_below"]
                ],
                "leaders": c["leaders"],
                "leaders_at_average_wage": c["leaders_at_average"],
                "leaders_share": c["leaders_share"],
            }
            for c in found["calibers"]
        ],
        "missing_average_wage": found["missing_wage"],
    }


def active_headcount(*, viewer: User, unit: Unit) -> int:
    """Workers in post below `unit` that the viewer sees: what a run of `unit` would pay."""
    return Worker.objects.filter(
        path_q(viewer, "unit_path"), unit_path__startswith=unit.path, status="active"
    ).count()


# ---------------------------------------------------------------- the start page's to-dos


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
