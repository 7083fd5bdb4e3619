"""Writes of pay runs: compute (a draft, or a correction of an approved run), review (复核),
approve (审批, locked for good) and discard; the lines are written in bulk. Each step is its
own kind of audit event."""

from __future__ import annotations

import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.actors import is_system_actor
from shegong.core.audit import AuditRow, audit_record, audit_record_many, snapshot
from shegong.core.bulk import insert_rows
from shegong.core.db import exclusive_lock, retrying_atomic, shared_lock
from shegong.core.disclosures import disclosure_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.pay import rules
from shegong.pay.errors import PayRunExists
from shegong.pay.events import PayEvent
from shegong.pay.models import (
    AdjustmentKind,
    AwardsPaid,
    PayAdjustment,
    PayLine,
    PayRun,
    RunKind,
    RunStatus,
)
from shegong.pay.selectors.in_force import settings_in_force
from shegong.pay.selectors.lines import (
    LINE_FIELDS,
    TOTAL_FIELDS,
    ProgressFn,
    award_lines,
    compute_lines,
)
from shegong.pay.services.years import pay_years_after_approval
from shegong.people import services as people_services
from shegong.people.models import Worker

if TYPE_CHECKING:
    from shegong.core.models import User

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


def _run_snapshot(run: PayRun) -> dict[str, Any]:
    return snapshot(
        run,
        [
            "kind",
            "status",
            "period",
            "unit_path",
            "corrects_id",
            "headcount",
            "gross",
            "net",
            "total_cost",
        ],
    )


def _hold_month(unit_path: str, period: datetime.date) -> None:
    """Runs of one month that overlap in the tree (a unit and any unit above or below it)
    cannot both exist, whatever runs at the same instant: creating a run holds its own
    unit's lock for the month exclusively and the lock of every unit above it shared, until
    the transaction ends. A run below waits for a run above and the other way round; runs of
    two sibling units share their parents' locks and go ahead side by side. Taken before
    the clash check, so the check reads every run committed before it."""
    month = f"{period:%Y-%m}"
    *above, own = rules.ancestors(unit_path)
    for path in above:  # top down, the same order in every transaction
        shared_lock(f"pay.run:{month}:{path}")
    exclusive_lock(f"pay.run:{month}:{own}")


def _refuse_second_correction(corrects: PayRun) -> PayRun:
    """The run to correct as committed (we hold its month), refused unless approved and not
    corrected yet."""
    corrects = PayRun.objects.get(pk=corrects.pk)
    if corrects.status != RunStatus.APPROVED:
        raise ServiceError(_("只能更正已审批的工资批次"))
    if corrects.kind != RunKind.REGULAR:
        raise ServiceError(_("奖励发放批次不能更正;多发或少发的奖励请在下月工资中调整"))
    made = PayRun.objects.filter(corrects=corrects).select_related("unit").first()
    if made is not None:
        raise PayRunExists(made, _("该批次已有更正批次“%(run)s”") % {"run": made})
    return corrects


def _refuse_overlap(unit: Unit, period: datetime.date) -> None:
    """A run of the month for this unit (a double submit), or for a unit above or below it."""
    clash = (
        PayRun.objects.filter(period=period, corrects__isnull=True, kind=RunKind.REGULAR)
        .filter(Q(unit_path__startswith=unit.path) | Q(unit_path__in=rules.ancestors(unit.path)))
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


def awards_paid_by(unit: Unit, period: datetime.date) -> str:
    """How the policy in force for the run's unit that month pays the awards owed
    (AwardsPaid): with the regular run (also when no policy is set: the run refuses then)
    or in a run of their own."""
    policy = settings_in_force([unit.path], rules.first_of_month(period))[unit.path].policy
    return policy.awards_paid if policy is not None else AwardsPaid.MONTHLY


def _take_awards(
    unit: Unit, period: datetime.date, acting_user: User, *, own_run: bool = False
) -> list[PayAdjustment]:
    """The one-time amounts owed to the unit's workers (awards from training and
    certificates, people.AwardDue) become one-off items of this month, once: people locks
    and marks them in this transaction (a run computed at the same moment finds them taken),
    and a refused run rolls the taking back. Audited with each source. `own_run`: taken for
    a run of awards only, which alone pays them."""
    taker = (_("%(unit)s%(month)s奖励发放") if own_run else _("%(unit)s%(month)s工资")) % {
        "unit": unit.name,
        "month": f"{period:%Y-%m}",
    }
    taken = people_services.awards_due_take(
        unit=unit,
        up_to=rules.last_of_month(period),
        period=period,
        taker=taker,
        acting_user=acting_user,
    )
    made = PayAdjustment.objects.bulk_create(
        PayAdjustment(
            worker_id=d.worker_id,
            period=period,
            kind=AdjustmentKind.AWARD,
            amount=d.amount,
            note=f"{d.title}({d.source_label})"[:200],
            own_run=own_run,
        )
        for d in taken
    )
    audit_record_many(
        acting_user=acting_user,
        action=PayEvent.ADJUSTMENT_ADDED,
        rows=[
            AuditRow(
                target=d.worker,
                after={**snapshot(a, ["period", "kind", "amount", "note"]), "source": d.source_key},
            )
            for d, a in zip(taken, made, strict=True)
        ],
    )
    return made


@retrying_atomic
def payrun_create(
    *,
    unit: Unit,
    period: datetime.date,
    acting_user: User,
    corrects: PayRun | None = None,
    note: str = "",
    progress: ProgressFn | None = None,
) -> PayRun:
    """Compute and write a draft run for `unit` and the month of `period` (or a correction of
    an approved run: a new run for the same unit and month that references it).

    A second request for a run already made (a double submit) raises PayRunExists naming
    that run; a run overlapping another unit's run of the month is refused."""
    access.require(acting_user, Permission.PAY_COMPUTE, unit)
    period = rules.first_of_month(period)
    if corrects is not None:
        unit, period = corrects.unit, corrects.period
    _hold_month(unit.path, period)
    if corrects is not None:
        corrects = _refuse_second_correction(corrects)
    else:
        _refuse_overlap(unit, period)
        if awards_paid_by(unit, period) == AwardsPaid.MONTHLY:
            _take_awards(unit, period, acting_user)
    lines = compute_lines(unit=unit, period=period, progress=progress, corrects=corrects)
    run = _run_write(
        unit=unit,
        period=period,
        kind=RunKind.REGULAR,
        lines=lines,
        corrects=corrects,
        note=note,
        acting_user=acting_user,
    )
    audit_record(
        acting_user=acting_user,
        action=PayEvent.RUN_CORRECTED if corrects else PayEvent.RUN_COMPUTED,
        target=run,
        after=_run_snapshot(run),
    )
    return run


def _run_write(
    *,
    unit: Unit,
    period: datetime.date,
    kind: str,
    lines: list[tuple[Any, ...]],
    corrects: PayRun | None,
    note: str,
    acting_user: User,
) -> PayRun:
    """The run row with its totals, and its lines in bulk."""
    run = PayRun.objects.create(
        unit=unit,
        unit_path=unit.path,
        period=period,
        kind=kind,
        corrects=corrects,
        note=note,
        created_by=acting_user,
        headcount=len(lines),
        **{
            name: sum(map(itemgetter(LINE_FIELDS.index(name)), lines), rules.ZERO)
            for name in TOTAL_FIELDS
        },
    )
    lines_insert(run_id=run.pk, rows=lines)
    return run


@retrying_atomic
def awardrun_create(
    *, unit: Unit, period: datetime.date, acting_user: User, note: str = ""
) -> PayRun:
    """A run of awards only (奖励发放) for `unit` and the month of `period`, when the pay
    policy in force pays awards in a run of their own: every award owed to the unit's
    workers and due by the month's end (people.AwardDue, taken once under its row lock), and
    the awards of a discarded award run of the unit, one line per worker. It goes through
    review and approval like any run; as many award runs as the month needs, each paying
    what is owed when it is computed: one computed at the same moment finds nothing left
    and is refused."""
    access.require(acting_user, Permission.PAY_COMPUTE, unit)
    period = rules.first_of_month(period)
    if awards_paid_by(unit, period) != AwardsPaid.OWN_RUN:
        raise ServiceError(
            _("%(unit)s的薪酬构成设置为一次性奖励随月度工资发放;如需单独发放,请先修改薪酬构成")
            % {"unit": unit.name}
        )
    _take_awards(unit, period, acting_user, own_run=True)
    items = list(
        PayAdjustment.objects.select_for_update(of=("self",))
        .select_related("worker")
        .filter(own_run=True, run__isnull=True, worker__unit_path__startswith=unit.path)
        .order_by("pk")
    )
    if not items:
        month = f"{period:%Y-%m}"
        raise ServiceError(
            _("%(unit)s%(month)s没有待发的一次性奖励") % {"unit": unit.name, "month": month}
        )
    lines = award_lines(items=items, period=period)
    run = _run_write(
        unit=unit,
        period=period,
        kind=RunKind.AWARDS,
        lines=lines,
        corrects=None,
        note=note,
        acting_user=acting_user,
    )
    attached = PayAdjustment.objects.filter(pk__in=[i.pk for i in items], run__isnull=True).update(
        run=run, period=period
    )
    if attached != len(items):  # cannot happen under the row lock; never pay twice
        raise ServiceError(_("待发奖励正被另一批次计入,请稍后重试"))
    audit_record(
        acting_user=acting_user,
        action=PayEvent.RUN_COMPUTED,
        target=run,
        after={**_run_snapshot(run), "awards": [i.note for i in items]},
    )
    return run


def _locked_run(run: PayRun) -> PayRun:
    fresh = PayRun.objects.select_for_update().get(pk=run.pk)
    if fresh.status == RunStatus.APPROVED:
        raise ServiceError(_("该批次已审批锁定,不能再改动;如有错误请建立更正批次"))
    return fresh


def _four_eyes(run: PayRun, acting_user: User, earlier: dict[str, str]) -> None:
    """Refuse a step by whoever made an earlier step of the run (`earlier`: the field naming
    who made it → the refusal), unless settings.SHEGONG_PAY_ONE_PERSON lets one person make
    every step. The system actor (the console without --user, the demo builder) is no
    person: whoever runs the console holds the database anyway; with --user a command is
    held to the rule like the pages and the API."""
    if settings.SHEGONG_PAY_ONE_PERSON or is_system_actor(acting_user):
        return
    for field, refusal in earlier.items():
        if getattr(run, f"{field}_id") == acting_user.pk:
            raise ServiceError(refusal)


def _run_step(
    run: PayRun,
    acting_user: User,
    *,
    permission: Permission,
    from_status: str,
    refusal: str,
    to_status: str,
    by_field: str,
    at_field: str,
    event: str,
    earlier: dict[str, str],
) -> PayRun:
    """Move a run one step along compute → review → approve, recording who and when; the
    steps before it must have been made by others (`earlier`, see _four_eyes)."""
    access.require(acting_user, permission, run.unit)
    fresh = _locked_run(run)
    if fresh.status != from_status:
        raise ServiceError(refusal)
    _four_eyes(fresh, acting_user, earlier)
    before = _run_snapshot(fresh)
    fresh.status = to_status
    setattr(fresh, by_field, acting_user)
    setattr(fresh, at_field, timezone.now())
    fresh.save(update_fields=["status", by_field, at_field])
    audit_record(
        acting_user=acting_user,
        action=event,
        target=fresh,
        before=before,
        after=_run_snapshot(fresh),
    )
    return fresh


@transaction.atomic
def payrun_check(*, run: PayRun, acting_user: User) -> PayRun:
    """复核: the draft is looked over and marked checked, by someone other than who computed it."""
    return _run_step(
        run,
        acting_user,
        permission=Permission.PAY_REVIEW,
        earlier={"created_by": _("计算工资的人不能复核同一批次,请由另一人复核")},
        from_status=RunStatus.DRAFT,
        refusal=_("只有草稿可以复核"),
        to_status=RunStatus.CHECKED,
        by_field="checked_by",
        at_field="checked_at",
        event=PayEvent.RUN_REVIEWED,
    )


@transaction.atomic
def payrun_approve(*, run: PayRun, acting_user: User) -> PayRun:
    """审批: a checked run is approved and locked for good, by someone who neither computed nor
    reviewed it. The workers' years of pay (WorkerPayYear) follow in the same transaction."""
    approved = _run_step(
        run,
        acting_user,
        permission=Permission.PAY_APPROVE,
        earlier={
            "created_by": _("计算工资的人不能审批同一批次,请由另一人审批"),
            "checked_by": _("复核工资的人不能审批同一批次,请由另一人审批"),
        },
        from_status=RunStatus.CHECKED,
        refusal=_("须先复核再审批"),
        to_status=RunStatus.APPROVED,
        by_field="approved_by",
        at_field="approved_at",
        event=PayEvent.RUN_APPROVED,
    )
    pay_years_after_approval(approved)
    return approved


@transaction.atomic
def payrun_discard(*, run: PayRun, acting_user: User) -> None:
    """A draft or checked run is thrown away (to be computed again)."""
    access.require(acting_user, Permission.PAY_COMPUTE, run.unit)
    fresh = _locked_run(run)
    audit_record(
        acting_user=acting_user,
        action=PayEvent.RUN_DISCARDED,
        target=fresh,
        before=_run_snapshot(fresh),
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
