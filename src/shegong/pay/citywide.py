"""A district- or city-wide pay run as one background job per street.

`payrun_citywide_start` checks the whole request first (the right to run pay for the unit,
no run of the month anywhere in or above it, no street's run already queued) and then
queues, in one transaction, one job per street with workers in post, largest street first
(so several workers finish together). Each job creates its street's run with
`services.payrun_create` as the job's owner, scope and rights checked again in the worker;
sibling streets run side by side, each in its own transaction. The jobs share a batch key
in their params: `citywide_get` sums them (streets done and failed, progress, headcount and
the totals of the runs made) in the database, for the page, its poll and the console.

Services and selectors of this one feature live here, beside each other, until the pay
area's split gives them their rooms.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shegong.core.access import Permission, path_q, require
from shegong.core.audit import audit_kinds, audit_record
from shegong.core.db import exclusive_lock, retrying_atomic, shared_lock
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit, UnitKind
from shegong.pay import rules, selectors, services
from shegong.pay.models import PayRun
from shegong.people.models import Worker
from shegong.tasks.models import Job, JobStatus
from shegong.tasks.services import job_start
from shegong.tasks.worker import Progress

if TYPE_CHECKING:
    from shegong.core.models import User

# The kind of each street's job; the pages name it (KIND_LABELS falls back to 后台任务).
STREET_JOB = "pay_citywide_street"
TOTAL_FIELDS = (
    "gross",
    "employer_contributions",
    "personal_contributions",
    "income_tax",
    "net",
    "total_cost",
)
OPEN = (JobStatus.PENDING, JobStatus.RUNNING)


@audit_kinds
class CitywideEvent(models.TextChoices):
    STARTED = "pay.citywide_started", gettext_lazy("发起分街道工资计算")


# ---------------------------------------------------------------- writes


@dataclass(frozen=True)
class CitywideStarted:
    batch: str
    jobs: list[Job]


def _street_headcounts(unit: Unit) -> list[tuple[Unit, int]]:
    """The streets below `unit` with the workers in post below each, in one query."""
    in_post = (
        Worker.objects.filter(unit_path__startswith=OuterRef("path"), status="active")
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values("n")
    )
    streets = (
        Unit.objects.filter(path__startswith=unit.path, kind=UnitKind.STREET)
        .annotate(headcount=Coalesce(Subquery(in_post), 0))
        .order_by("path")
    )
    return [(street, street.headcount) for street in streets]


def _overlapping(unit: Unit) -> Q:
    """Records of `unit` and below it, or of a unit above it (by their unit_path)."""
    return Q(unit_path__startswith=unit.path) | Q(unit_path__in=services.ancestors(unit.path))


def _refuse_clashes(unit: Unit, period: datetime.date) -> None:
    """Refuse, naming them, if a run of the month exists in or above `unit`, or a run of a
    unit in it is queued or running as a job."""
    month = f"{period:%Y-%m}"
    runs = (
        PayRun.objects.filter(_overlapping(unit), period=period, corrects__isnull=True)
        .select_related("unit")
        .order_by("unit_path")
    )
    made = [_("%(unit)s(批次 #%(pk)s)") % {"unit": r.unit.name, "pk": r.pk} for r in runs[:20]]
    if made:
        raise ServiceError(
            _("以下单位%(month)s的工资已经计算,未排队任何任务:%(units)s")
            % {"month": month, "units": "、".join(made)}
        )
    queued = Job.objects.filter(
        _overlapping(unit),
        kind__in=[STREET_JOB, "pay_run"],
        status__in=OPEN,
        params__period=period.isoformat(),
    ).values_list("unit_path", flat=True)
    paths = sorted(set(queued[:200]))
    if paths:
        names = dict(Unit.objects.filter(path__in=paths).values_list("path", "name"))
        raise ServiceError(
            _("以下单位%(month)s的工资计算正在排队或进行中,未排队任何任务:%(units)s")
            % {"month": month, "units": "、".join(names.get(p, p) for p in paths)}
        )


def _hold_citywide(unit: Unit, period: datetime.date) -> None:
    """Two starts over overlapping parts of the tree for one month go one after the other
    (a city's waits for its districts' and the other way round); siblings side by side."""
    month = f"{period:%Y-%m}"
    *above, own = services.ancestors(unit.path)
    for path in above:
        shared_lock(f"pay.citywide:{month}:{path}")
    exclusive_lock(f"pay.citywide:{month}:{own}")


@retrying_atomic
def payrun_citywide_start(
    *, unit: Unit, period: datetime.date, acting_user: User, note: str = ""
) -> CitywideStarted:
    """Queue one pay-run job per street of the district or city `unit` for the month of
    `period`; all or nothing, audited. Refused, naming them, when a unit in or above it
    already has a run of the month (or one queued)."""
    require(acting_user, Permission.PAY_COMPUTE, unit)
    if unit.kind not in (UnitKind.CITY, UnitKind.DISTRICT):
        raise ServiceError(
            _("分街道计算只能为区(县)或市发起;%(unit)s请直接计算工资") % {"unit": unit.name}
        )
    period = services.first_of_month(period)
    _hold_citywide(unit, period)
    _refuse_clashes(unit, period)
    streets = [(s, n) for s, n in _street_headcounts(unit) if n]
    if not streets:
        raise ServiceError(_("%(unit)s下没有在岗的社区工作者,未排队任何任务") % {"unit": unit.name})
    streets.sort(key=lambda s: (-s[1], s[0].path))  # largest first: workers end together
    batch = str(uuid.uuid4())
    month = f"{period:%Y-%m}"
    jobs = [
        job_start(
            kind=STREET_JOB,
            unit_path=street.path,
            total=headcount,
            message=_("排队计算%(unit)s%(month)s的工资") % {"unit": street.name, "month": month},
            work=street_payrun_job,
            acting_user=acting_user,
            params={
                "batch": batch,
                "top": unit.code,
                "unit": street.code,
                "period": period.isoformat(),
                "note": note,
                "title": _("%(unit)s%(month)s的工资批次") % {"unit": street.name, "month": month},
            },
        )
        for street, headcount in streets
    ]
    audit_record(
        acting_user=acting_user,
        action=CitywideEvent.STARTED,
        target=unit,
        after={
            "period": month,
            "batch": batch,
            "streets": [s.name for s, _n in streets],
            "jobs": [job.pk for job in jobs],
            "headcount": sum(n for _s, n in streets),
        },
        note=_("分街道计算%(unit)s%(month)s的工资:%(n)s个街道")
        % {"unit": unit.name, "month": month, "n": len(streets)},
    )
    return CitywideStarted(batch=batch, jobs=jobs)


def street_payrun_job(job: Job, progress: Progress) -> str:
    """One street's run of a city-wide batch, computed by a worker as the job's owner (the
    street must still be in their scope; payrun_create checks their right to run it)."""
    params = job.params
    try:
        street = selectors.unit_get(viewer=job.owner, code=params["unit"])
    except Http404:
        raise ServiceError(
            _("单位 %(code)s 不存在或已不在您的范围内,未计算") % {"code": params["unit"]}
        ) from None
    progress.phase(_("计算%(unit)s的工资") % {"unit": street.name}, job.total)
    try:
        run = services.payrun_create(
            unit=street,
            period=datetime.date.fromisoformat(params["period"]),
            acting_user=job.owner,
            note=params.get("note") or _("分街道计算"),
            progress=progress,
        )
    except services.PayRunExists as exc:  # a retry after the run was written: not twice
        return exc.message
    return _("已生成工资批次 #%(pk)s:%(run)s,%(n)s人") % {
        "pk": run.pk,
        "run": run,
        "n": run.headcount,
    }


# ---------------------------------------------------------------- reads


@dataclass
class StreetRow:
    job: Job
    name: str
    run: PayRun | None


@dataclass
class CitywideSummary:
    batch: str
    unit: Unit
    period: datetime.date
    streets: int
    done: int
    failed: int
    cancelled: int
    running: int
    pending: int
    progress: int
    total: int
    runs: int
    headcount: int
    totals: dict[str, Decimal | str]
    withheld: bool
    rows: list[StreetRow] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return not (self.running or self.pending)

    @property
    def percent(self) -> int:
        return min(100, self.progress * 100 // self.total) if self.total else 0

    @property
    def status_label(self) -> str:
        if not self.finished:
            return _("进行中") if self.running or self.done or self.failed else _("排队中")
        if self.failed or self.cancelled:
            return _("部分未完成") if self.done else _("未完成")
        return _("已完成")

    @property
    def message(self) -> str:
        text = _("%(done)s / %(n)s 个街道已完成") % {"done": self.done, "n": self.streets}
        if self.failed:
            text += _(",%(n)s 个失败") % {"n": self.failed}
        if self.cancelled:
            text += _(",%(n)s 个已取消") % {"n": self.cancelled}
        return text

    def state(self) -> dict[str, Any]:
        """What the page's poll reads (the same keys as a single job's state)."""
        return {
            "status_label": self.status_label,
            "message": self.message,
            "percent": self.percent,
            "progress": self.progress,
            "total": self.total,
            "finished": self.finished,
            "has_file": False,
        }


def _batch_jobs(viewer: User, batch: str) -> Any:
    """The viewer's own street jobs of the batch, within their units."""
    return Job.objects.filter(
        path_q(viewer, "unit_path"), owner=viewer, kind=STREET_JOB, params__batch=batch
    )


def citywide_get(*, viewer: User, batch: str, rows: bool = True) -> CitywideSummary:
    """The batch as its owner sees it (404 for anyone else or a batch that does not exist):
    counts and sums computed in the database; `rows` adds one row per street."""
    jobs = _batch_jobs(viewer, batch)
    first = jobs.order_by("pk").first()
    if first is None:
        raise Http404
    top = selectors.unit_get(viewer=viewer, code=first.params["top"])
    period = datetime.date.fromisoformat(first.params["period"])
    counts = jobs.aggregate(
        streets=Count("pk"),
        progress=Coalesce(Sum("progress"), 0),
        total=Coalesce(Sum("total"), 0),
        **{
            str(status): Count("pk", filter=Q(status=status))
            for status in (*OPEN, JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)
        },
    )
    runs = PayRun.objects.filter(
        period=period, corrects__isnull=True, unit_path__in=jobs.values("unit_path")
    )
    sums = runs.aggregate(
        runs=Count("pk"),
        headcount=Coalesce(Sum("headcount"), 0),
        **{name: Sum(name) for name in TOTAL_FIELDS},
    )
    # Rounded to the fen: SQLite sums decimals without their scale.
    totals: dict[str, Decimal | str] = {n: rules.fen(sums[n] or rules.ZERO) for n in TOTAL_FIELDS}
    withheld = (
        not selectors.may_see_pay(viewer=viewer, unit_path=top.path)
        and 0 < sums["headcount"] < selectors.min_group_size()
    )
    if withheld:
        totals = dict.fromkeys(TOTAL_FIELDS, str(selectors.WITHHELD))
    summary = CitywideSummary(
        batch=batch,
        unit=top,
        period=period,
        streets=counts["streets"],
        done=counts[JobStatus.DONE],
        failed=counts[JobStatus.FAILED],
        cancelled=counts[JobStatus.CANCELLED],
        running=counts[JobStatus.RUNNING],
        pending=counts[JobStatus.PENDING],
        progress=counts["progress"],
        total=counts["total"],
        runs=sums["runs"],
        headcount=sums["headcount"],
        totals=totals,
        withheld=withheld,
    )
    if rows:
        listed = list(jobs.order_by("unit_path"))
        paths = [job.unit_path for job in listed]
        names = dict(Unit.objects.filter(path__in=paths).values_list("path", "name"))
        made = {run.unit_path: run for run in runs.filter(unit_path__in=paths)}
        summary.rows = [
            StreetRow(job=job, name=names.get(job.unit_path, ""), run=made.get(job.unit_path))
            for job in listed
        ]
    return summary


@dataclass(frozen=True)
class BatchRow:
    batch: str
    unit_name: str
    period: str
    streets: int
    done: int
    failed: int
    open: int
    started: datetime.datetime


def citywide_list(*, viewer: User, limit: int = 20) -> list[BatchRow]:
    """The viewer's own batches, newest first, counted by the database."""
    grouped = (
        Job.objects.filter(path_q(viewer, "unit_path"), owner=viewer, kind=STREET_JOB)
        .values("params__batch", "params__top", "params__period")
        .annotate(
            streets=Count("pk"),
            done=Count("pk", filter=Q(status=JobStatus.DONE)),
            failed=Count("pk", filter=Q(status__in=[JobStatus.FAILED, JobStatus.CANCELLED])),
            open=Count("pk", filter=Q(status__in=OPEN)),
            started=models.Min("created_at"),
        )
        .order_by("-started")[:limit]
    )
    found = list(grouped)
    names = dict(
        Unit.objects.filter(code__in={row["params__top"] for row in found}).values_list(
            "code", "name"
        )
    )
    return [
        BatchRow(
            batch=row["params__batch"],
            unit_name=names.get(row["params__top"], ""),
            period=str(row["params__period"])[:7],
            streets=row["streets"],
            done=row["done"],
            failed=row["failed"],
            open=row["open"],
            started=row["started"],
        )
        for row in found
    ]
