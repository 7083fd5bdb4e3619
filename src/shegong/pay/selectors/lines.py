"""A month's pay lines, computed and unsaved, and the lines that count.

compute_lines reads a whole unit in a few queries (workers, grades, posts, certificates,
enrolments, grades of appraisal, one-off amounts, the year so far, the settings in force),
calls the pure `rules.compute_line` once per worker and returns rows in the order of
LINE_FIELDS, for `services.runs.payrun_create` to write in bulk. If anything is missing (a
worker without a grade, a scheme gap, a missing rate or wage) it raises PayRunRefused naming
every worker and setting at fault.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from shegong.orgs.models import Unit
from shegong.pay import rules
from shegong.pay.errors import PayRunRefused
from shegong.pay.models import (
    INSURANCE_KINDS,
    PERSONAL_KINDS,
    GradeAssignment,
    GradeCell,
    PayAdjustment,
    PayLine,
    PayPolicy,
    PayRun,
    RunStatus,
)
from shegong.pay.selectors.in_force import InForce, rates_of, settings_in_force, unit_names
from shegong.people.models import (
    Certificate,
    InsuranceEnrolment,
    Placement,
    PostHolding,
    YearGrade,
    YearlyGrade,
)

ProgressFn = Callable[[int], None]

FACTOR_FIELDS: dict[str, str] = {
    YearGrade.EXCELLENT: "factor_excellent",
    YearGrade.GOOD: "factor_good",
    YearGrade.PASS: "factor_pass",
    YearGrade.FAIL: "factor_fail",
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
    "performance_source",
    *LINE_MONEY_FIELDS,
]


def effective_lines() -> QuerySet[PayLine]:
    """Lines of approved runs that no approved correction replaces."""
    replaced = PayRun.objects.filter(corrects=OuterRef("run_id"), status=RunStatus.APPROVED)
    return PayLine.objects.filter(run__status=RunStatus.APPROVED).filter(~Exists(replaced))


@dataclass
class _Month:
    """Everything compute_lines reads for the workers of one unit and month."""

    first: datetime.date
    last: datetime.date
    workers: dict[int, dict[str, Any]]
    assignments: Mapping[int, Mapping[str, Any]]
    cells: Mapping[tuple[int, int, int], Mapping[str, Any]]
    dual_role: set[int]
    certificates: dict[int, list[tuple[str, datetime.date]]]  # worker → (kind, issued on)
    fully_enrolled: set[int]
    enrolled: dict[int, set[str]]
    grades: dict[int, tuple[str, str]]  # worker → (grade of last year, where it came from)
    adjustments: dict[int, dict[str, Decimal]]
    ytd: dict[int, rules.YearToDate]
    in_force: dict[str, InForce]


def _open_on(first: datetime.date, last: datetime.date) -> Q:
    return Q(start__lte=last) & (Q(end__isnull=True) | Q(end__gt=first))


def _dual_role(in_run: Any, last: datetime.date) -> set[int]:
    """Workers holding a secretary's and a director's post at the end of the month (一肩挑)."""
    secretary: set[int] = set()
    director: set[int] = set()
    for worker_id, is_sec, is_dir in (
        PostHolding.objects.filter(_open_on(last, last), worker_id__in=in_run)
        .order_by()
        .values_list("worker_id", "post__is_secretary", "post__is_director")
    ):
        if is_sec:
            secretary.add(worker_id)
        if is_dir:
            director.add(worker_id)
    return secretary & director


def _certificates(in_run: Any, last: datetime.date) -> dict[int, list[tuple[str, datetime.date]]]:
    """The certificates each worker holds by the month's end, with their day of issue (the
    policy says from which month their allowance starts)."""
    held: dict[int, list[tuple[str, datetime.date]]] = defaultdict(list)
    for worker_id, kind, issued_on in (
        Certificate.objects.filter(worker_id__in=in_run, issued_on__lte=last)
        .order_by()
        .values_list("worker_id", "kind", "issued_on")
    ):
        held[worker_id].append((kind, issued_on))
    return held


def _enrolments(
    in_run: Any, first: datetime.date, last: datetime.date
) -> tuple[set[int], dict[int, set[str]]]:
    """(workers enrolled in all six, the kinds of each worker enrolled in fewer). Most
    workers are enrolled in all six: count per worker, and read the kinds only of those
    enrolled in fewer."""
    open_enrolments = InsuranceEnrolment.objects.filter(_open_on(first, last), worker_id__in=in_run)
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
    return fully, enrolled


def _adjustments(in_run: Any, first: datetime.date) -> dict[int, dict[str, Decimal]]:
    """The month's one-off amounts a regular run pays: not the awards taken for a run of
    their own (own_run), which only an award run pays."""
    amounts: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for worker_id, kind, amount in (
        PayAdjustment.objects.filter(worker_id__in=in_run, period=first, own_run=False)
        .order_by()
        .values_list("worker_id", "kind", "amount")
    ):
        amounts[worker_id][kind] += amount
    return amounts


def _year_to_date(
    in_run: Any, first: datetime.date, replaced: PayRun | None = None
) -> dict[int, rules.YearToDate]:
    """What each worker was paid this tax year before this run: the approved lines of
    earlier months and those of this month in other runs (a regular run and an award run
    of one month, whichever is approved first, are taxed together as one month), not the
    lines of the run a correction `replaced`. `months` counts the earlier months only: this
    month is counted once, by the line being computed."""
    lines = effective_lines().filter(
        worker_id__in=in_run, run__period__year=first.year, run__period__lte=first
    )
    if replaced is not None:
        lines = lines.exclude(run_id=replaced.pk)
    return {
        row["worker_id"]: rules.YearToDate(
            months=row["months"],
            income=rules.fen(row["income"]),
            personal_contributions=rules.fen(row["personal"]),
            tax=rules.fen(row["tax"]),
        )
        for row in lines.order_by()
        .values("worker_id")
        .annotate(
            months=Count("run__period", distinct=True, filter=Q(run__period__lt=first)),
            income=Sum("gross"),
            personal=Sum("personal_contributions"),
            tax=Sum("income_tax"),
        )
    }


def _read_month(
    unit: Unit, first: datetime.date, last: datetime.date, replaced: PayRun | None
) -> _Month:
    placed = Placement.objects.filter(unit_path__startswith=unit.path).filter(_open_on(first, last))
    workers: dict[int, dict[str, Any]] = {}
    for row in placed.order_by("worker_id", "start").values(
        "worker_id", "unit_path", "worker__name", "worker__education", "worker__work_start_date"
    ):
        workers[row["worker_id"]] = dict(row)  # the later placement wins for a mid-month move
    if not workers:
        raise PayRunRefused([_("%(unit)s在该月没有在岗人员") % {"unit": unit.name}])
    in_run = Subquery(placed.order_by().values("worker_id"))
    # The grade in force on the first of the month or, for a worker who joined during the
    # month, their first grade in it (the earliest grade open in the month: grades of one
    # worker do not overlap).
    assignments: dict[int, Mapping[str, Any]] = {}
    for a in (
        GradeAssignment.objects.filter(worker_id__in=in_run, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .order_by("worker_id", "start")
        .values(
            "worker_id", "scheme_id", "track_id", "track__name", "track__post_pay", "level", "step"
        )
    ):
        assignments.setdefault(a["worker_id"], a)
    cells = {
        (c["track_id"], c["level"], c["step"]): c
        for c in GradeCell.objects.filter(
            track_id__in={a["track_id"] for a in assignments.values()}
        ).values("track_id", "level", "step", "amount", "coefficient", "track__scheme__base_amount")
    }
    fully, enrolled = _enrolments(in_run, first, last)
    return _Month(
        first=first,
        last=last,
        workers=workers,
        assignments=assignments,
        cells=cells,
        dual_role=_dual_role(in_run, last),
        certificates=_certificates(in_run, last),
        fully_enrolled=fully,
        enrolled=enrolled,
        grades={
            worker_id: (grade, source)
            for worker_id, grade, source in YearlyGrade.objects.filter(
                worker_id__in=in_run, year=first.year - 1
            )
            .order_by()
            .values_list("worker_id", "grade", "source_label")
        },
        adjustments=_adjustments(in_run, first),
        ytd=_year_to_date(in_run, first, replaced),
        in_force=settings_in_force({w["unit_path"] for w in workers.values()}, first),
    )


def _settings_faults(in_force: dict[str, InForce], year: int) -> list[str]:
    """Every community without a scheme, a policy, rates or an average wage for the month."""
    names = unit_names(in_force)
    faults: list[str] = []
    for path, f in sorted(in_force.items()):
        unit_name = names.get(path, path)
        if f.scheme is None:
            faults.append(_("%(unit)s:没有生效的等级方案") % {"unit": unit_name})
        if f.policy is None:
            faults.append(_("%(unit)s:没有生效的薪酬构成设置") % {"unit": unit_name})
        if f.rates is None:
            faults.append(
                _("%(unit)s:缺少%(year)s年社保公积金费率") % {"unit": unit_name, "year": year}
            )
        if f.wage is None:
            faults.append(
                _("%(unit)s:缺少%(year)s年职工平均工资") % {"unit": unit_name, "year": year}
            )
    return faults


def _worker_fault(
    m: _Month, w: dict[str, Any], a: Mapping[str, Any] | None
) -> tuple[Mapping[str, Any] | None, str | None]:
    """(the worker's grade cell, None), or (None, what is wrong with their grade)."""
    scheme = m.in_force[w["unit_path"]].scheme
    if a is None:
        return None, _("%(name)s:未定级") % {"name": w["worker__name"]}
    if scheme is not None and a["scheme_id"] != scheme.pk:
        return None, _("%(name)s:定级所在方案不是当月生效的方案(%(scheme)s),须重新定级") % {
            "name": w["worker__name"],
            "scheme": scheme.name,
        }
    cell = m.cells.get((a["track_id"], a["level"], a["step"]))
    if cell is None:
        return None, _("%(name)s:方案中没有%(track)s%(level)s级%(step)s档") % {
            "name": w["worker__name"],
            "track": a["track__name"],
            "level": a["level"],
            "step": a["step"],
        }
    return cell, None


Locality = tuple[rules.Rates, tuple[Decimal, Decimal]]


def _line_input(
    m: _Month,
    worker_id: int,
    w: dict[str, Any],
    a: Mapping[str, Any],
    cell: Mapping[str, Any],
    policy: PayPolicy,
    locality: Locality,
) -> rules.LineInput:
    rates, bounds = locality
    f = m.in_force[w["unit_path"]]
    assert f.wage is not None  # workers of a community without one are refused first
    grade, _source = m.grades.get(worker_id, ("", ""))
    factor = getattr(policy, FACTOR_FIELDS[grade]) if grade else policy.factor_missing
    held = {
        kind
        for kind, issued_on in m.certificates.get(worker_id, ())
        if rules.allowance_started(issued_on, m.first, policy.certificate_start_months)
    }
    certificate = max(
        (getattr(policy, field) for kind, field in CERTIFICATE_FIELDS.items() if kind in held),
        default=rules.ZERO,
    )
    extra = m.adjustments.get(worker_id, {})
    return rules.LineInput(
        post_pay=a["track__post_pay"],
        grade_pay=rules.cell_pay(
            cell["amount"], cell["coefficient"], cell["track__scheme__base_amount"]
        ),
        seniority_pay=rules.seniority_pay(
            w["worker__work_start_date"],
            m.first,
            policy.seniority_per_year,
            policy.seniority_cap_years,
        ),
        certificate_allowance=certificate,
        dual_role_allowance=policy.dual_role_allowance if worker_id in m.dual_role else rules.ZERO,
        other_allowance=policy.other_allowance + extra.get("allowance", rules.ZERO),
        award=extra.get("award", rules.ZERO),
        performance_share=policy.performance_share,
        performance_factor=factor,
        average_wage_yearly=f.wage.amount,
        rates=rates,
        enrolled=None
        if worker_id in m.fully_enrolled
        else frozenset(m.enrolled.get(worker_id, ())),
        ytd=m.ytd.get(worker_id, NO_YTD),
        bounds=bounds,
    )


def _line_row(
    worker_id: int,
    w: dict[str, Any],
    a: Mapping[str, Any],
    grade: tuple[str, str],
    line: rules.Line,
) -> tuple[Any, ...]:
    """One line in the order of LINE_FIELDS."""
    c = line.contributions
    return (
        worker_id,
        w["unit_path"],
        a["track__name"],
        a["level"],
        a["step"],
        *grade,
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
        *(c.employer[k] for k in INSURANCE_KINDS),
        *(c.personal[k] for k in PERSONAL_KINDS),
        c.employer_total,
        c.personal_total,
        line.income_tax,
        line.calibers.net,
        line.calibers.total_cost,
    )


def compute_lines(
    *,
    unit: Unit,
    period: datetime.date,
    progress: ProgressFn | None = None,
    corrects: PayRun | None = None,
) -> list[tuple[Any, ...]]:
    """Every worker's line for `unit` and the month of `period` as a row of LINE_FIELDS,
    unsaved (for a correction, the tax year so far leaves out the run it `corrects`);
    PayRunRefused naming every fault when any worker or setting is missing."""
    first, last = rules.first_of_month(period), rules.last_of_month(period)
    m = _read_month(unit, first, last, corrects)
    faults = _settings_faults(m.in_force, first.year)
    # Per community: its rates and the contribution base's floor and ceiling.
    localities: dict[str, Locality] = {}
    lines: list[tuple[Any, ...]] = []
    ungraded: list[tuple[int, str]] = []  # fixed by 初次定级: no grade, or one in an old scheme
    for n, (worker_id, w) in enumerate(m.workers.items(), 1):
        a = m.assignments.get(worker_id)
        cell, fault = _worker_fault(m, w, a)
        if fault is not None:
            faults.append(fault)
            scheme = m.in_force[w["unit_path"]].scheme
            if a is None or (scheme is not None and a["scheme_id"] != scheme.pk):
                ungraded.append((worker_id, w["worker__name"]))
            continue
        f = m.in_force[w["unit_path"]]
        if f.policy is None or f.rates is None or f.wage is None or a is None or cell is None:
            continue  # already named above
        path = w["unit_path"]
        if path not in localities:
            rates = rates_of(f.rates)
            localities[path] = (
                rates,
                rules.base_bounds(f.wage.amount, rates.floor_share, rates.ceiling_share),
            )
        line = rules.compute_line(_line_input(m, worker_id, w, a, cell, f.policy, localities[path]))
        lines.append(_line_row(worker_id, w, a, m.grades.get(worker_id, ("", "")), line))
        if progress is not None and n % 5000 == 0:
            progress(n)
    if faults:
        raise PayRunRefused(faults, ungraded=ungraded)
    return lines


def award_lines(*, items: list[PayAdjustment], period: datetime.date) -> list[tuple[Any, ...]]:
    """The lines of a run of awards only (奖励发放): one per worker of `items` (awards taken
    for the run, with `worker` loaded), the award alone as gross pay, outside the
    contribution base (no contributions), taxed with the year so far (rules.award_line)."""
    first = rules.first_of_month(period)
    awards: dict[int, Decimal] = defaultdict(Decimal)
    paths: dict[int, str] = {}
    for item in items:
        awards[item.worker_id] += item.amount
        paths[item.worker_id] = item.worker.unit_path
    ytd = _year_to_date(list(awards), first)
    rows = []
    for worker_id, amount in awards.items():
        line = rules.award_line(amount, ytd.get(worker_id, NO_YTD))
        rows.append(_line_row(worker_id, {"unit_path": paths[worker_id]}, NO_GRADE, ("", ""), line))
    return rows


NO_GRADE: Mapping[str, Any] = {"track__name": "", "level": 0, "step": 0}
