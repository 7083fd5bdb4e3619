"""What a run changes against the month before: what the approver looks at before locking it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, QuerySet

from shegong.core.access import path_q
from shegong.pay import rules
from shegong.pay.models import PayLine, PayRun, RunKind, RunStatus
from shegong.pay.selectors.lines import effective_lines

if TYPE_CHECKING:
    from shegong.core.models import User

CALIBER_FIELDS = ("total_cost", "gross", "net")  # the three calibers of pay (DESIGN)
MOST_CHANGED = 10


@dataclass
class Caliber:
    key: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass
class WorkerChange:
    worker_id: int
    name: str
    before: Decimal | None  # gross; None for a worker added or removed
    after: Decimal | None

    @property
    def change(self) -> Decimal:
        return (self.after or rules.ZERO) - (self.before or rules.ZERO)


@dataclass
class RunChanges:
    previous: PayRun | None
    headcount_before: int
    headcount_after: int
    calibers: list[Caliber] = field(default_factory=list)
    added: list[WorkerChange] = field(default_factory=list)
    removed: list[WorkerChange] = field(default_factory=list)
    changed: list[WorkerChange] = field(default_factory=list)  # the largest changes first

    @property
    def headcount_change(self) -> int:
        return self.headcount_after - self.headcount_before


def previous_run(run: PayRun) -> PayRun | None:
    """The approved run of the unit for the month before, as corrected (the latest approved
    correction replaces the run it corrects)."""
    month = run.period - datetime.timedelta(days=1)
    replaced = PayRun.objects.filter(corrects=OuterRef("pk"), status=RunStatus.APPROVED)
    return (
        PayRun.objects.filter(
            unit_id=run.unit_id,
            period=rules.first_of_month(month),
            status=RunStatus.APPROVED,
            kind=RunKind.REGULAR,
        )
        .filter(~Exists(replaced))
        .order_by("-pk")
        .first()
    )


Table = dict[int, tuple[str, dict[str, Decimal]]]  # worker id → (name, the three calibers)


def _by_worker(viewer: User, lines: QuerySet[PayLine]) -> Table:
    return {
        row["worker_id"]: (row["worker__name"], {k: row[k] for k in CALIBER_FIELDS})
        for row in lines.filter(path_q(viewer, "unit_path")).values(
            "worker_id", "worker__name", *CALIBER_FIELDS
        )
    }


def _month_before(run: PayRun) -> QuerySet[PayLine]:
    """What was paid (approved, as corrected) the month before to the workers of the run's
    unit, whichever runs paid it (the unit's own, or its streets' in a city-wide run)."""
    month = rules.first_of_month(run.period - datetime.timedelta(days=1))
    return effective_lines().filter(
        run__period=month, run__kind=RunKind.REGULAR, unit_path__startswith=run.unit_path
    )


def run_changes(*, viewer: User, run: PayRun, amounts: bool) -> RunChanges:
    """Headcount, the three calibers, workers added and removed and those whose gross pay
    changed most, against the month before, over the viewer's part of the run (`amounts`
    False: counts and names only, for a viewer who may not see pay)."""
    before = _by_worker(viewer, _month_before(run))
    after = _by_worker(viewer, run.lines.all())
    changes = RunChanges(
        previous=previous_run(run), headcount_before=len(before), headcount_after=len(after)
    )

    def gross(table: Table, pk: int) -> Decimal | None:
        return table[pk][1]["gross"] if amounts and pk in table else None

    changes.added = [
        WorkerChange(pk, after[pk][0], None, gross(after, pk)) for pk in after if pk not in before
    ]
    changes.removed = [
        WorkerChange(pk, before[pk][0], gross(before, pk), None) for pk in before if pk not in after
    ]
    if not amounts:
        return changes
    changes.calibers = [
        Caliber(
            key,
            sum((v[key] for _n, v in before.values()), rules.ZERO),
            sum((v[key] for _n, v in after.values()), rules.ZERO),
        )
        for key in CALIBER_FIELDS
    ]
    both = [
        WorkerChange(pk, after[pk][0], before[pk][1]["gross"], after[pk][1]["gross"])
        for pk in after
        if pk in before
    ]
    changes.changed = sorted((c for c in both if c.change), key=lambda c: (-abs(c.change), c.name))[
        :MOST_CHANGED
    ]
    return changes
