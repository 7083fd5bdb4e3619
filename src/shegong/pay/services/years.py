"""The yearly pay of each worker (WorkerPayYear), kept in step with the approved runs.

It is derived data: written only inside the transaction of the approval that changes it
(audited there as the approval), or rebuilt whole by `shegong pay years` (the sums of the
effective lines never depend on when they are read). An approval refreshes the workers of
every run of its unit and month, so a correction's replaced run is counted out in the same
step. Refreshes of one year queue on a named lock: each then reads the lines the other
committed, and two approvals never write the same worker's row from stale sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from shegong.core.bulk import insert_rows
from shegong.core.db import exclusive_lock
from shegong.pay.models import PayLine, PayRun, WorkerPayYear
from shegong.pay.selectors.withholding import CALIBERS
from shegong.pay.selectors.years import SUMS, line_years

COLUMNS = [
    "worker_id",
    "year",
    "unit_path",
    "track_name",
    "level",
    "months",
    *SUMS,
    *(f"annual_{key}" for key, _label in CALIBERS),
]


def pay_years_refresh(*, year: int, worker_ids: Iterable[int] | QuerySet[Any] | None = None) -> int:
    """Rebuild the WorkerPayYear rows of `year` for `worker_ids` (every worker when None) from
    the effective lines; inside the caller's transaction. Returns the rows written."""
    with transaction.atomic():
        exclusive_lock(f"pay-years-{year}")
        if worker_ids is not None and not isinstance(worker_ids, QuerySet):
            worker_ids = list(worker_ids)
        stale = WorkerPayYear.objects.filter(year=year)
        if worker_ids is not None:
            stale = stale.filter(worker_id__in=worker_ids)
        stale.delete()
        rows = [
            tuple(r[c] if c != "year" else year for c in COLUMNS)
            for r in line_years(year=year, worker_ids=worker_ids)
        ]
        insert_rows(WorkerPayYear, COLUMNS, rows)
    return len(rows)


def pay_years_after_approval(run: PayRun) -> int:
    """The workers of every run of the approved run's unit and month (the run, what it
    corrects, their award runs) get their year rebuilt."""
    workers = PayLine.objects.filter(run__unit_id=run.unit_id, run__period=run.period).values(
        "worker_id"
    )
    return pay_years_refresh(year=run.period.year, worker_ids=workers)
