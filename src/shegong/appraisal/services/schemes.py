"""Schemes: the indicators, weights and settings a street or district sets for a year, and the
cycle (with a survey per community) that runs it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shegong.appraisal.models import (
    AppraisalEvent,
    Cycle,
    CycleStatus,
    Indicator,
    IndicatorKind,
    PartKind,
    Scheme,
    SchemePart,
    Score,
    Survey,
)
from shegong.core.access import Permission, require
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.text import refuse_control_characters
from shegong.orgs.models import Unit, UnitKind

if TYPE_CHECKING:
    from shegong.core.models import User

IndicatorRow = tuple[str, str, Decimal, Decimal | None]  # name, kind, points, figure at full

DEFAULT_PARTS: list[tuple[str, Decimal, list[IndicatorRow]]] = [
    (
        PartKind.RESIDENTS,
        Decimal(60),
        [("居民满意度", IndicatorKind.SCALE, Decimal(100), None)],
    ),
    (
        PartKind.LEADERS,
        Decimal(30),
        [
            ("社区治安与矛盾调解", IndicatorKind.SCORE, Decimal(30), None),
            ("为民服务", IndicatorKind.SCORE, Decimal(40), None),
            ("居民参与活动率(%)", IndicatorKind.FIGURE, Decimal(30), Decimal(60)),
        ],
    ),
    (
        PartKind.PEERS,
        Decimal(10),
        [
            ("工作态度", IndicatorKind.SCORE, Decimal(50), None),
            ("团结协作", IndicatorKind.SCORE, Decimal(50), None),
        ],
    ),
]

SCHEME_SETTINGS = [
    "grade_set",
    "threshold_a",
    "threshold_b",
    "threshold_c",
    "top_quota",
    "min_raters",
    "min_resident_share",
    "trim",
    "ten_best",
    "objection_days",
]


def _check_weights(weights: Mapping[str, Decimal]) -> None:
    if not weights:
        raise ServiceError(_("请至少设置一项评分来源"), field="weights")
    if any(w <= 0 for w in weights.values()):
        raise ServiceError(_("各项权重须大于0"), field="weights")
    if sum(weights.values(), Decimal(0)) != 100:
        raise ServiceError(
            _("各项权重之和须为100%%,现为%(sum)s%%") % {"sum": sum(weights.values())},
            field="weights",
        )


def _plain(weights: Mapping[str, Decimal]) -> dict[str, str]:
    return {k: str(v) for k, v in weights.items()}


def _refuse_taken_year(unit: Unit, year: int) -> None:
    if Scheme.objects.filter(unit=unit, year=year).exists():
        raise ServiceError(
            _("%(unit)s%(year)s年度已有考核方案") % {"unit": unit.name, "year": year}, "year"
        )


def _save_settings(scheme: Scheme, values: Mapping[str, Any]) -> None:
    """Set the scheme's settings and save it; the database checks the thresholds and shares."""
    for key, value in values.items():
        if key in SCHEME_SETTINGS and value is not None:
            setattr(scheme, key, value)
    try:
        with transaction.atomic():
            scheme.save()
    except IntegrityError:
        raise ServiceError(
            _("分数线须依次降低(优秀>良好>合格),比例在0至100之间,系数不能为负")
        ) from None


def _open_cycle(scheme: Scheme) -> Cycle:
    cycle = Cycle.objects.create(scheme=scheme, unit_path=scheme.unit_path)
    communities = Unit.objects.filter(
        path__startswith=scheme.unit_path, kind=UnitKind.COMMUNITY
    ).order_by("path")
    Survey.objects.bulk_create(
        Survey(cycle=cycle, community=c, unit_path=c.path) for c in communities
    )
    return cycle


@transaction.atomic
def scheme_create(
    *,
    unit: Unit,
    year: int,
    name: str = "",
    weights: Mapping[str, Decimal] | None = None,
    values: Mapping[str, Any] | None = None,
    acting_user: User,
) -> Scheme:
    """A scheme with the default indicators, its cycle and a survey per community."""
    if unit.kind not in (UnitKind.STREET, UnitKind.DISTRICT):
        raise ServiceError(_("考核方案须由街道或区设立"), field="unit")
    require(acting_user, Permission.EDIT, unit, message=_("您没有权限为%(unit)s设立考核方案"))
    refuse_control_characters({"name": name}, {"name": _("方案名称")})
    weights = dict(weights or {k: w for k, w, _items in DEFAULT_PARTS})
    _check_weights(weights)
    _refuse_taken_year(unit, year)
    scheme = Scheme(
        unit=unit,
        unit_path=unit.path,
        year=year,
        name=name or _("%(unit)s%(year)s年度社区工作者考核") % {"unit": unit.name, "year": year},
    )
    _save_settings(scheme, values or {})
    for kind, _w, items in DEFAULT_PARTS:
        if kind not in weights:
            continue
        part = SchemePart.objects.create(scheme=scheme, kind=kind, weight=weights[kind])
        Indicator.objects.bulk_create(
            Indicator(part=part, name=n, kind=k, max_points=m, figure_full=f, sort_order=i)
            for i, (n, k, m, f) in enumerate(items)
        )
    _open_cycle(scheme)
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.SCHEME_CREATED,
        target=scheme,
        after={**snapshot(scheme, ["year", "name", *SCHEME_SETTINGS]), "weights": _plain(weights)},
    )
    return scheme


def _editable_scheme(scheme: Scheme, acting_user: User) -> Scheme:
    scheme = (
        Scheme.objects.select_for_update(of=("self",))
        .select_related("unit", "cycle")
        .get(pk=scheme.pk)
    )
    require(
        acting_user, Permission.EDIT, scheme.unit, message=_("您没有权限修改%(unit)s的考核方案")
    )
    if scheme.cycle.status != CycleStatus.OPEN:
        raise ServiceError(_("考核结果已计算或已公示,方案不能再修改"))
    return scheme


@transaction.atomic
def scheme_update(
    *,
    scheme: Scheme,
    weights: Mapping[str, Decimal],
    values: Mapping[str, Any],
    acting_user: User,
) -> Scheme:
    """Change the settings and the weights of the existing parts while scoring is open."""
    scheme = _editable_scheme(scheme, acting_user)
    parts = {p.kind: p for p in scheme.parts.all()}
    if set(weights) != set(parts):
        raise ServiceError(_("请为每一项评分来源填写大于0的权重"), field="weights")
    _check_weights(weights)
    before = {
        **snapshot(scheme, SCHEME_SETTINGS),
        "weights": _plain({k: p.weight for k, p in parts.items()}),
    }
    _save_settings(scheme, values)
    for kind, part in parts.items():
        if part.weight != weights[kind]:
            part.weight = weights[kind]
            part.save(update_fields=["weight"])
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.SCHEME_UPDATED,
        target=scheme,
        before=before,
        after={**snapshot(scheme, SCHEME_SETTINGS), "weights": _plain(weights)},
    )
    return scheme


def parse_indicators(text: str) -> list[IndicatorRow]:
    """One indicator a line: "名称,分值" (points), or "名称,分值,满分数值" (a figure such as a
    participation rate, full marks at that figure)."""
    rows: list[IndicatorRow] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = [p.strip() for p in line.replace(",", ",").replace("\t", ",").split(",")]
        if parts[0]:
            rows.append(_indicator_row(number, parts))
    return rows


def _indicator_row(number: int, parts: list[str]) -> IndicatorRow:
    try:
        points = Decimal(parts[1]) if len(parts) > 1 else None
        full = Decimal(parts[2]) if len(parts) > 2 and parts[2] else None
    except InvalidOperation:
        points = None
        full = Decimal(-1)
    if points is None or not points.is_finite() or points <= 0 or points > 1000:
        raise ServiceError(
            _("第%(n)d行:请写成“指标名称,分值”,分值为正数") % {"n": number}, "indicators"
        )
    if full is not None and (not full.is_finite() or full <= 0):
        raise ServiceError(_("第%(n)d行:满分对应的数值须为正数") % {"n": number}, "indicators")
    if len(parts[0]) > 100:
        raise ServiceError(_("第%(n)d行:指标名称过长") % {"n": number}, "indicators")
    kind = IndicatorKind.FIGURE if full is not None else IndicatorKind.SCORE
    return (parts[0], kind, points, full)


@transaction.atomic
def indicators_replace(
    *,
    scheme: Scheme,
    part: str,
    items: list[IndicatorRow],
    acting_user: User,
) -> list[Indicator]:
    """Set the indicators of the leaders' or peers' part, before anyone has scored it."""
    scheme = _editable_scheme(scheme, acting_user)
    if part not in (PartKind.LEADERS, PartKind.PEERS):
        raise ServiceError(_("居民评议按满意度计分,不设分项指标"))
    found = scheme.parts.filter(kind=part).first()
    if found is None:
        raise ServiceError(_("本方案没有该项评分"))
    if not items:
        raise ServiceError(_("请至少填写一项指标"), field="indicators")
    for item in items:
        refuse_control_characters({"indicators": item[0]}, {"indicators": _("指标名称")})
    if Score.objects.filter(cycle=scheme.cycle, part=part).exists():
        raise ServiceError(_("已有人按现有指标评分,不能再修改指标"), field="indicators")
    before = [f"{i.name},{i.max_points}" for i in found.indicators.all()]
    found.indicators.all().delete()
    created = Indicator.objects.bulk_create(
        Indicator(part=found, name=n, kind=k, max_points=m, figure_full=f, sort_order=i)
        for i, (n, k, m, f) in enumerate(items)
    )
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.INDICATORS_REPLACED,
        target=scheme,
        before={"indicators": before},
        after={"indicators": [f"{n},{m}" for n, _k, m, _f in items]},
        note=str(PartKind(part).label),
    )
    return created


@transaction.atomic
def scheme_copy_forward(*, scheme: Scheme, year: int, acting_user: User) -> Scheme:
    """Next year's scheme with the same settings, parts and indicators, and a fresh cycle."""
    require(
        acting_user, Permission.EDIT, scheme.unit, message=_("您没有权限为%(unit)s设立考核方案")
    )
    _refuse_taken_year(scheme.unit, year)
    copy = Scheme(
        unit=scheme.unit,
        unit_path=scheme.unit.path,
        year=year,
        name=scheme.name.replace(str(scheme.year), str(year)),
        **{k: getattr(scheme, k) for k in SCHEME_SETTINGS},
    )
    copy.save()
    for part in scheme.parts.prefetch_related("indicators"):
        new_part = SchemePart.objects.create(scheme=copy, kind=part.kind, weight=part.weight)
        Indicator.objects.bulk_create(
            Indicator(
                part=new_part,
                name=i.name,
                kind=i.kind,
                max_points=i.max_points,
                figure_full=i.figure_full,
                sort_order=i.sort_order,
            )
            for i in part.indicators.all()
        )
    _open_cycle(copy)
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.SCHEME_COPIED,
        target=copy,
        after={"year": year, "copied_from": scheme.pk, "copied_from_year": scheme.year},
    )
    return copy
