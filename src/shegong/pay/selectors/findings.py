"""The yearly findings built from the effective lines, one row per worker in the database:
benchmark against the average wage, equal pay, budget and its what-ifs, a scheme change, the
pay report."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet, Sum

from shegong.core.access import (
    path_q,
)
from shegong.orgs.models import Unit
from shegong.pay import rules
from shegong.pay.models import (
    INSURANCE_KINDS,
    GradeAssignment,
    GradeCell,
    GradeScheme,
    GradeTrack,
    PayLine,
    WorkerPayYear,
)
from shegong.pay.rules import ancestors
from shegong.pay.selectors.in_force import InForce, settings_in_force
from shegong.pay.selectors.lines import effective_lines
from shegong.pay.selectors.placement import place_plan
from shegong.pay.selectors.runs import may_see_pay
from shegong.pay.selectors.withholding import (
    CALIBERS,
    WITHHELD,
    _fen_sums,
    _withhold,
    min_group_size,
)
from shegong.pay.selectors.years import SUMS
from shegong.people.models import PostHolding, Source, Worker

if TYPE_CHECKING:
    from shegong.core.models import User


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


def year_rows(*, viewer: User, unit: Unit, year: int) -> QuerySet[WorkerPayYear]:
    """The workers' years of pay below `unit` that the viewer sees. A worker counts where
    their last line of the year was (the community they were paid in last), once: a worker
    who moved mid-year is in the new community's figures with the whole year, so the figures
    of a street's communities add up to the street's."""
    return WorkerPayYear.objects.filter(
        path_q(viewer, "unit_path"), unit_path__startswith=unit.path, year=year
    )


def leaders_at_year_end(year: int) -> Q:
    """Post holdings of a secretary or a director on 31 December of `year`."""
    end = datetime.date(year, 12, 31)
    return (
        (Q(post__is_secretary=True) | Q(post__is_director=True))
        & Q(start__lte=end)
        & (Q(end__isnull=True) | Q(end__gt=end))
    )


def worker_years(*, viewer: User, unit: Unit, year: int) -> list[WorkerYear]:
    rows = year_rows(viewer=viewer, unit=unit, year=year)
    leaders = set(
        PostHolding.objects.filter(
            leaders_at_year_end(year), worker_id__in=rows.values("worker_id")
        ).values_list("worker_id", flat=True)
    )
    years = []
    for r in rows.values(
        *SUMS,
        "worker_id",
        "worker__name",
        "worker__source",
        "unit_path",
        "track_name",
        "level",
        "months",
        *(f"annual_{key}" for key, _label in CALIBERS),
    ).order_by("worker_id"):
        years.append(
            WorkerYear(
                worker_id=r["worker_id"],
                name=r["worker__name"],
                source=r["worker__source"],
                unit_path=r["unit_path"],
                months=r["months"],
                gross=r["gross"],
                employer_contributions=r["employer_contributions"],
                personal_contributions=r["personal_contributions"],
                income_tax=r["income_tax"],
                net=r["net"],
                total_cost=r["total_cost"],
                track_name=r["track_name"],
                level=r["level"],
                leader=r["worker_id"] in leaders,
                annual={key: r[f"annual_{key}"] for key, _label in CALIBERS},
            )
        )
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


@dataclass
class SourceGroup:
    """The workers of one source in one track and level: how many, the sum of their yearly
    gross (annualised), and who they are (empty when only the figures were read)."""

    size: int
    annual_gross: Decimal
    workers: list[WorkerYear] = field(default_factory=list)


EqualPayGroups = dict[tuple[str, int], dict[str, SourceGroup]]


def equal_pay(*, viewer: User, unit: Unit, year: int) -> list[dict[str, Any]]:
    """For the same track and level, the mean yearly gross (annualised) by source, the gap
    between the highest and the lowest, and the workers behind each mean."""
    years = worker_years(viewer=viewer, unit=unit, year=year)
    groups: EqualPayGroups = defaultdict(dict)
    for w in years:
        group = groups[(w.track_name, w.level)].setdefault(w.source, SourceGroup(0, rules.ZERO))
        group.size += 1
        group.annual_gross += w.annual["gross"]
        group.workers.append(w)
    return equal_pay_findings(groups, shown=may_see_pay(viewer=viewer, unit_path=unit.path))


def equal_pay_figures(*, viewer: User, unit: Unit, year: int) -> list[dict[str, Any]]:
    """equal_pay's findings without the people behind them, grouped in the database (the
    annual report's: a city's year is a few hundred groups, not 200,000 workers)."""
    groups: EqualPayGroups = defaultdict(dict)
    for r in (
        year_rows(viewer=viewer, unit=unit, year=year)
        .values("track_name", "level", "worker__source")
        .annotate(size=Count("pk"), annual=Sum("annual_gross"))
        .order_by()
    ):
        groups[(r["track_name"], r["level"])][r["worker__source"]] = SourceGroup(
            r["size"], rules.fen(r["annual"])
        )
    return equal_pay_findings(groups, shown=may_see_pay(viewer=viewer, unit_path=unit.path))


def equal_pay_findings(groups: EqualPayGroups, *, shown: bool) -> list[dict[str, Any]]:
    """The groups of two sources or more, the widest gap first; means of groups too small
    withheld from a viewer without the personal-data right (`shown`)."""
    labels = dict(Source.choices)
    findings = []
    for (track, level), by_source in sorted(groups.items()):
        if len(by_source) < 2:
            continue
        means = {s: rules.fen(g.annual_gross / g.size) for s, g in by_source.items()}
        sources = [
            {
                "source": s,
                "label": labels.get(s, s),
                "mean": means[s],
                "workers": sorted(by_source[s].workers, key=lambda w: w.name),
                "size": by_source[s].size,
            }
            for s in sorted(means, key=lambda s: (-means[s], s))
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
            for key in SUMS
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
