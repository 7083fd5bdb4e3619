"""Writes of what a pay office sets: grade schemes (from a preset, from the configuration file,
or a new version of one with other amounts), the pay policy, the contribution rates and the
average wage. Each is set on a unit and applies to the units below it (selectors.in_force
reads which applies where).

A change is a new version from the first of a month: the months before it keep the values
they were paid with. Only the pay office (the unit's admin: Permission.PAY_SETTINGS) sets
them; what the values may be is `pay.validation`, the same rules the configuration file is
checked with. A version used by an approved run is not changed (a new version from a later
month is); a new version cannot start in a month whose pay is approved, except the average
wage, which is published after the year it is for."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from shegong.core import access
from shegong.core.access import Permission
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.pay import validation
from shegong.pay.errors import SET_PAY, SettingsInvalid
from shegong.pay.events import PayEvent
from shegong.pay.models import (
    AverageWage,
    ContributionRates,
    GradeAssignment,
    GradeCell,
    GradeScheme,
    GradeTrack,
    PayPolicy,
    PayRun,
    RunStatus,
)
from shegong.pay.presets import DEGREE_CREDITS, PRESETS
from shegong.pay.rules import ancestors

if TYPE_CHECKING:
    from shegong.core.models import User

SetOnUnit = TypeVar("SetOnUnit", ContributionRates, AverageWage, PayPolicy)
Cell = tuple[int, int, Decimal | None, Decimal | None]


def _require(acting_user: User, unit: Unit) -> None:
    access.require(acting_user, Permission.PAY_SETTINGS, unit, message=str(SET_PAY))


def _check(faults: validation.Faults) -> None:
    if faults:
        raise SettingsInvalid(faults)


def _approved_from(unit: Unit, day: datetime.date, *, same_year: bool) -> PayRun | None:
    """The earliest approved run from `day` on that a setting on `unit` reaches."""
    runs = PayRun.objects.filter(
        Q(unit_path__startswith=unit.path) | Q(unit_path__in=ancestors(unit.path)),
        status=RunStatus.APPROVED,
        period__gte=day,
    )
    if same_year:
        runs = runs.filter(period__year=day.year)
    return runs.order_by("period").first()


def _refuse_if_paid(unit: Unit, day: datetime.date, *, same_year: bool) -> None:
    run = _approved_from(unit, day, same_year=same_year)
    if run is not None:
        raise ServiceError(
            _(
                "%(month)s的工资(%(run)s)已审批,不能改变那时起的设置;"
                "请把生效月份定在已审批月份之后,或先建立更正批次"
            )
            % {"month": f"{run.period:%Y-%m}", "run": run},
            field="effective_from",
        )


def _set_version(
    model: type[SetOnUnit],
    *,
    unit: Unit,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    event: PayEvent,
    acting_user: User,
    guard_year: bool | None,
) -> SetOnUnit:
    """Create or change the version of `unit` at `key`; nothing is written (or audited) when
    the values are those already stored. `guard_year` None: no approved-run guard."""
    manager: models.Manager[SetOnUnit] = model._default_manager
    row = manager.select_for_update().filter(unit=unit, **key).first()
    before = snapshot(row) if row else None
    if row is not None and all(getattr(row, k) == v for k, v in values.items()):
        return row  # numbers compare as numbers: "0.2" is 0.2000
    if row is None:
        row = model(unit=unit, unit_path=unit.path, **key)
    for name, value in values.items():
        setattr(row, name, value)
    row.unit_path = unit.path
    if guard_year is not None:
        _refuse_if_paid(unit, key["effective_from"], same_year=guard_year)
    row.save()
    row.refresh_from_db()  # the audit row holds what is stored ("0.16" is 0.1600)
    audit_record(
        acting_user=acting_user,
        action=event,
        target=row,
        before=before,
        after=snapshot(row),
        target_repr=_("%(unit)s %(kind)s %(day)s起")
        % {
            "unit": unit.name,
            "kind": model._meta.verbose_name,
            "day": f"{key['effective_from']:%Y-%m-%d}",
        },
    )
    return row


def _from_date(effective_from: datetime.date | None, year: int | None) -> datetime.date:
    if effective_from is not None:
        return effective_from
    if year is None:
        raise ServiceError(_("请填写生效月份"), field="effective_from")
    return datetime.date(year, 1, 1)


@transaction.atomic
def rates_set(
    *,
    unit: Unit,
    values: Mapping[str, Any],
    acting_user: User,
    effective_from: datetime.date | None = None,
    year: int | None = None,
) -> ContributionRates:
    """The five insurances and the housing fund of `unit` from `effective_from` (the first
    of a month) to the year's end or the next version; `year` alone means from 1 January."""
    _require(acting_user, unit)
    day = _from_date(effective_from, year)
    values = {k: Decimal(str(v)) for k, v in values.items()}
    _check(validation.first_of_month_fault(day) + validation.rates_faults(values))
    return _set_version(
        ContributionRates,
        unit=unit,
        key={"effective_from": day},
        values={**values, "year": day.year},
        event=PayEvent.RATES_SET,
        acting_user=acting_user,
        guard_year=True,
    )


@transaction.atomic
def average_wage_set(
    *,
    unit: Unit,
    amount: Decimal,
    benchmark_share: Decimal,
    acting_user: User,
    effective_from: datetime.date | None = None,
    year: int | None = None,
) -> AverageWage:
    """The local average wage (元/年) and the benchmark share of `unit` from a month of its
    year (`year` alone: from 1 January)."""
    _require(acting_user, unit)
    day = _from_date(effective_from, year)
    _check(validation.first_of_month_fault(day) + validation.wage_faults(amount, benchmark_share))
    return _set_version(
        AverageWage,
        unit=unit,
        key={"effective_from": day},
        values={"amount": amount, "benchmark_share": benchmark_share, "year": day.year},
        event=PayEvent.WAGE_SET,
        acting_user=acting_user,
        guard_year=None,
    )


def _policy_in_force(unit: Unit, day: datetime.date) -> PayPolicy | None:
    return (
        PayPolicy.objects.filter(unit_path__in=ancestors(unit.path), effective_from__lte=day)
        .order_by("-unit_path", "-effective_from")
        .first()
    )


POLICY_CHOICES = ("seniority_cap_years", "certificate_start_months", "awards_paid")
POLICY_FIELDS = (*validation.POLICY_RATES, *validation.POLICY_MONEY, *POLICY_CHOICES)


@transaction.atomic
def policy_set(
    *,
    unit: Unit,
    effective_from: datetime.date,
    values: Mapping[str, Any],
    acting_user: User,
) -> PayPolicy:
    """The pay components of `unit` from `effective_from`. A field not given keeps the value
    of the version in force for the unit that day (the appraisal factors, set elsewhere,
    carry over to a new version)."""
    _require(acting_user, unit)
    values = {k: v if k in POLICY_CHOICES else Decimal(str(v)) for k, v in values.items()}
    _check(validation.policy_faults(values))
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ServiceError(_("未知的薪酬构成项:%(names)s") % {"names": ", ".join(sorted(unknown))})
    exists = PayPolicy.objects.filter(unit=unit, effective_from=effective_from).exists()
    previous = None if exists else _policy_in_force(unit, effective_from)
    carried = {f: getattr(previous, f) for f in POLICY_FIELDS} if previous else {}
    return _set_version(
        PayPolicy,
        unit=unit,
        key={"effective_from": effective_from},
        values={**carried, **values},
        event=PayEvent.POLICY_SET,
        acting_user=acting_user,
        guard_year=False,
    )


# ---------------------------------------------------------------- grade schemes


@dataclass
class TrackValues:
    """One track of a scheme as the configuration file or a page gives it."""

    code: str
    name: str
    post_codes: str = ""
    post_pay: Decimal = Decimal(0)
    entry: tuple[int, int] = (1, 1)
    cells: Sequence[Cell] = field(default_factory=list)


SCHEME_LABELS = {"name": _lazy("方案名称")}


def scheme_faults(values: Mapping[str, Any], tracks: Sequence[TrackValues]) -> validation.Faults:
    """Everything wrong with a scheme and its tracks (fields named `tracks.<code>.<field>`)."""
    faults = validation.name_faults("name", values.get("name"), str(SCHEME_LABELS["name"]))
    years = values.get("step_years", 1)
    if not isinstance(years, int) or isinstance(years, bool) or not 1 <= years <= 10:
        faults.append(("step_years", _("晋档年限应为 1–10 的整数")))
    base = values.get("base_amount", Decimal(0))
    if not isinstance(base, Decimal) or not base.is_finite() or base < 0:
        faults.append(("base_amount", _("基数不能为负数")))
    if not tracks:
        faults.append(("tracks", _("至少要有一个岗位序列")))
    seen: set[str] = set()
    for t in tracks:
        where = f"tracks.{t.code}"
        if not t.code or t.code in seen:
            faults.append((f"{where}.code", _("岗位序列代码缺少或重复")))
        seen.add(t.code)
        faults += validation.name_faults(f"{where}.name", t.name, _("岗位序列名称"))
        if not t.post_pay.is_finite() or t.post_pay < 0:
            faults.append((f"{where}.post_pay", _("岗位工资不能为负数")))
        faults += [
            (f"{where}.{name}", reason)
            for name, reason in validation.cells_faults(t.cells, t.entry)
        ]
    return faults


def _write_tracks(scheme: GradeScheme, tracks: Sequence[TrackValues]) -> None:
    keep = []
    for order, t in enumerate(tracks):
        track, _c = GradeTrack.objects.update_or_create(
            scheme=scheme,
            code=t.code,
            defaults={
                "name": t.name,
                "sort_order": order,
                "post_codes": t.post_codes,
                "post_pay": t.post_pay,
                "entry_level": t.entry[0],
                "entry_step": t.entry[1],
            },
        )
        keep.append(track.pk)
        track.cells.all().delete()
        GradeCell.objects.bulk_create(
            GradeCell(track=track, level=lv, step=st, amount=a, coefficient=k)
            for lv, st, a, k in t.cells
        )
    dropped = scheme.tracks.exclude(pk__in=keep)
    if GradeAssignment.objects.filter(track__in=dropped).exists():
        raise ServiceError(
            _("方案 %(scheme)s: 已有人员定级的岗位序列不能删除") % {"scheme": scheme.name},
            field="tracks",
        )
    dropped.delete()


def _scheme_state(scheme: GradeScheme) -> dict[str, Any]:
    """What an audit row holds of a scheme: its fields, then every track's post pay and
    cells under the names the trail shows ("正职 岗位工资", "正职 7级1档")."""
    state = snapshot(scheme)
    for t in scheme.tracks.prefetch_related("cells"):
        state[_("%(track)s 岗位工资") % {"track": t.name}] = str(t.post_pay)
        for c in t.cells.all():
            place = _("%(track)s %(level)s级%(step)s档") % {
                "track": t.name,
                "level": c.level,
                "step": c.step,
            }
            state[place] = str(c.amount) if c.amount is not None else f"×{c.coefficient}"
    return state


@transaction.atomic
def scheme_set(
    *,
    unit: Unit,
    effective_from: datetime.date,
    values: Mapping[str, Any],
    tracks: Sequence[TrackValues],
    acting_user: User,
) -> GradeScheme:
    """The scheme of `unit` from `effective_from`, with exactly these tracks and cells (the
    configuration file's way: a track left out is removed unless someone is placed on it)."""
    _require(acting_user, unit)
    _check(scheme_faults(values, tracks))
    scheme = (
        GradeScheme.objects.select_for_update()
        .filter(unit=unit, effective_from=effective_from)
        .first()
    )
    before = _scheme_state(scheme) if scheme else None
    if scheme is None:
        scheme = GradeScheme(unit=unit, effective_from=effective_from)
    for name, value in values.items():
        setattr(scheme, name, value)
    scheme.unit_path = unit.path
    scheme.save()
    _write_tracks(scheme, tracks)
    scheme.refresh_from_db()  # amounts as stored ("2000" is 2000.00)
    after = _scheme_state(scheme)
    if before is not None and before == after:
        return scheme
    if before is not None:
        _refuse_if_paid(unit, effective_from, same_year=False)
    audit_record(
        acting_user=acting_user,
        action=PayEvent.SCHEME_SET,
        target=scheme,
        before=before,
        after=after,
    )
    return scheme


def _tracks_of(scheme: GradeScheme) -> list[TrackValues]:
    return [
        TrackValues(
            code=t.code,
            name=t.name,
            post_codes=t.post_codes,
            post_pay=t.post_pay,
            entry=(t.entry_level, t.entry_step),
            cells=[(c.level, c.step, c.amount, c.coefficient) for c in t.cells.all()],
        )
        for t in scheme.tracks.prefetch_related("cells")
    ]


def _revised(
    tracks: list[TrackValues],
    post_pays: Mapping[str, Decimal],
    cells: Mapping[tuple[str, int, int], Decimal],
) -> list[TrackValues]:
    """`tracks` with the post pays and cell values (an amount, or a coefficient where the
    cell holds one) replaced where given."""
    out = []
    for t in tracks:
        new_cells: list[Cell] = []
        for level, step, amount, coefficient in t.cells:
            value = cells.get((t.code, level, step))
            if value is None:
                new_cells.append((level, step, amount, coefficient))
            elif coefficient is not None:
                new_cells.append((level, step, None, value))
            else:
                new_cells.append((level, step, value, None))
        out.append(
            TrackValues(
                code=t.code,
                name=t.name,
                post_codes=t.post_codes,
                post_pay=post_pays.get(t.code, t.post_pay),
                entry=t.entry,
                cells=new_cells,
            )
        )
    return out


def _carry_placements(old: GradeScheme, new: GradeScheme, day: datetime.date) -> int:
    """Open placements on `old` end the day before `day` and continue unchanged on `new`."""
    tracks = {t.code: t for t in new.tracks.all()}
    open_rows = list(
        GradeAssignment.objects.select_for_update()
        .filter(scheme=old, end__isnull=True)
        .select_related("track")
    )
    if any(a.start >= day for a in open_rows):
        raise ServiceError(
            _("有人员的定级起始日期不早于%(day)s,不能从这一天建立新版本") % {"day": day},
            field="effective_from",
        )
    for a in open_rows:
        a.end = day - datetime.timedelta(days=1)
    GradeAssignment.objects.bulk_update(open_rows, ["end"])
    GradeAssignment.objects.bulk_create(
        GradeAssignment(
            worker_id=a.worker_id,
            scheme=new,
            track=tracks[a.track.code],
            level=a.level,
            step=a.step,
            start=day,
            reason=a.reason,
            note=_("方案调整,等级档次不变"),
            decided_by=a.decided_by,
        )
        for a in open_rows
    )
    return len(open_rows)


@transaction.atomic
def scheme_revise(
    *,
    scheme: GradeScheme,
    effective_from: datetime.date,
    acting_user: User,
    base_amount: Decimal | None = None,
    name: str | None = None,
    step_years: int | None = None,
    post_pays: Mapping[str, Decimal] | None = None,
    cells: Mapping[tuple[str, int, int], Decimal] | None = None,
) -> GradeScheme:
    """A new version of `scheme` from `effective_from` (a later day) with other amounts: its
    tracks and cells copied, the given post pays, cell values and base replaced; everyone
    placed in `scheme` keeps their track, level and step in the new version from that day
    (the months before keep the old amounts)."""
    unit = scheme.unit
    _require(acting_user, unit)
    if effective_from <= scheme.effective_from:
        raise ServiceError(
            _("新版本的生效日期须晚于%(day)s") % {"day": scheme.effective_from},
            field="effective_from",
        )
    later = GradeScheme.objects.filter(unit=unit, effective_from__gt=scheme.effective_from)
    if later.filter(effective_from__lte=effective_from).exists():
        raise ServiceError(_("该方案之后已有新版本,请在最新版本上调整"), field="effective_from")
    _refuse_if_paid(unit, effective_from, same_year=False)
    values = {
        f: getattr(scheme, f)
        for f in ("name", "kind", "base_amount", "step_years", "degree_credits")
    } | {"steps_cross_levels": scheme.steps_cross_levels}
    given = {"base_amount": base_amount, "name": name, "step_years": step_years}
    values |= {k: v for k, v in given.items() if v is not None}
    tracks = _revised(_tracks_of(scheme), post_pays or {}, cells or {})
    _check(scheme_faults(values, tracks))
    new = GradeScheme.objects.create(
        unit=unit, unit_path=unit.path, effective_from=effective_from, **values
    )
    _write_tracks(new, tracks)
    carried = _carry_placements(scheme, new, effective_from)
    audit_record(
        acting_user=acting_user,
        action=PayEvent.SCHEME_REVISED,
        target=new,
        before=_scheme_state(scheme),
        after=_scheme_state(new),
        note=_("由%(old)s调整,%(n)s人的定级延续到新版本") % {"old": scheme, "n": carried},
    )
    return new


@transaction.atomic
def scheme_from_preset(
    *,
    preset: str,
    unit: Unit,
    effective_from: datetime.date,
    acting_user: User,
    name: str = "",
) -> GradeScheme:
    """Copy a preset (三级九档, 三岗十八级) into a scheme of `unit`, to be edited."""
    _require(acting_user, unit)
    chosen = PRESETS.get(preset)
    if chosen is None:
        raise ServiceError(_("没有这个方案模板"), field="preset")
    _check(validation.name_faults("name", name, str(SCHEME_LABELS["name"]), required=False))
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
    _write_tracks(
        scheme,
        [
            TrackValues(
                code=t.code,
                name=t.name,
                post_codes=t.post_codes,
                post_pay=t.post_pay,
                entry=t.entry,
                cells=[
                    (
                        level,
                        step,
                        None if chosen.uses_coefficients else value,
                        value if chosen.uses_coefficients else None,
                    )
                    for (level, step), value in sorted(t.cells.items())
                ],
            )
            for t in chosen.tracks
        ],
    )
    audit_record(
        acting_user=acting_user,
        action=PayEvent.SCHEME_CREATED,
        target=scheme,
        after=snapshot(scheme),
        note=_("由模板%(name)s建立") % {"name": chosen.name},
    )
    return scheme
