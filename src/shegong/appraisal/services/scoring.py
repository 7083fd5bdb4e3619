"""Scoring: the leaders' and peers' sheets, and the workers' self-reports."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.appraisal import rules, selectors
from shegong.appraisal.models import (
    AppraisalEvent,
    Cycle,
    CycleStatus,
    Indicator,
    IndicatorKind,
    PartKind,
    Score,
    ScoreItem,
    SelfReport,
)
from shegong.core.access import Permission, require
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.text import refuse_control_characters
from shegong.people.models import Worker, WorkerStatus

if TYPE_CHECKING:
    from shegong.core.models import User


def _parse_points(raw: Any, indicator: Indicator) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(_("%(name)s须填写数字") % {"name": indicator.name}) from None
    if not value.is_finite() or value < 0:
        raise ServiceError(_("%(name)s不能为负数") % {"name": indicator.name})
    if indicator.kind == IndicatorKind.FIGURE:
        assert indicator.figure_full is not None
        return rules.figure_points(value, indicator.figure_full, indicator.max_points)
    if value > indicator.max_points:
        raise ServiceError(
            _("%(name)s最高%(max)s分")
            % {"name": indicator.name, "max": rules.plain_number(indicator.max_points)}
        )
    return value


def _scorer(
    *, cycle: Cycle, worker: Worker, part: str, acting_user: User, scorer_worker: Worker | None
) -> dict[str, Any]:
    """Who the sheet is by: a leader scores as themself; a peer sheet is entered by a clerk
    for a colleague of the same community. Refuses anyone else."""
    if part == PartKind.LEADERS:
        require(
            acting_user,
            Permission.EDIT,
            cycle.scheme.unit,
            message=_("只有%(unit)s的负责人可以进行街道考核评分"),
        )
        return {"scorer_user": acting_user}
    if part == PartKind.PEERS:
        require(
            acting_user,
            Permission.EDIT,
            worker.community,
            message=_("您没有权限录入%(unit)s的互评"),
        )
        if scorer_worker is None:
            raise ServiceError(_("请选择评分人"), field="scorer")
        if scorer_worker.pk == worker.pk:
            raise ServiceError(_("不能给自己评分"), field="scorer")
        if scorer_worker.community_id != worker.community_id:
            raise ServiceError(_("互评只能在同一社区的同事之间进行"), field="scorer")
        return {"scorer_worker": scorer_worker}
    raise ServiceError(_("居民评议由居民投票产生,不能录入"))


def _sheet_total(
    cycle: Cycle, part: str, points: Mapping[int, Any]
) -> tuple[Decimal, dict[int, Decimal]]:
    """The sheet's total out of 100 and the points of every indicator of the part, checked;
    refuses a missing one."""
    indicators = selectors.indicators(cycle=cycle, part=part)
    if not indicators:
        raise ServiceError(_("本方案没有该项评分"))
    missing = [i.name for i in indicators if points.get(i.pk) in (None, "")]
    if missing:
        raise ServiceError(_("请填写:%(names)s") % {"names": "、".join(missing)})
    values = {i.pk: _parse_points(points[i.pk], i) for i in indicators}
    return rules.sheet_total((values[i.pk], i.max_points) for i in indicators), values


@transaction.atomic
def score_record(
    *,
    cycle: Cycle,
    worker: Worker,
    part: str,
    points: Mapping[int, Any],
    acting_user: User,
    scorer_worker: Worker | None = None,
) -> Score:
    """One scorer's sheet for one worker (replacing their earlier sheet). A leader scores as
    themself; a peer sheet is entered by a clerk for the peer named in `scorer_worker`."""
    cycle = Cycle.objects.select_for_update().select_related("scheme__unit").get(pk=cycle.pk)
    if cycle.status != CycleStatus.OPEN:
        raise ServiceError(_("考核结果已计算或已公示,评分已锁定"))
    if not worker.unit_path.startswith(cycle.unit_path) or worker.status != WorkerStatus.ACTIVE:
        raise ServiceError(_("%(name)s不在本次考核范围内") % {"name": worker.name})
    scorer = _scorer(
        cycle=cycle, worker=worker, part=part, acting_user=acting_user, scorer_worker=scorer_worker
    )
    total, values = _sheet_total(cycle, part, points)
    existing = Score.objects.filter(cycle=cycle, worker=worker, part=part, **scorer).first()
    before = snapshot(existing, ["total"]) if existing else None
    if existing:
        existing.total = total
        existing.entered_by = acting_user
        existing.save(update_fields=["total", "entered_by"])
        existing.items.all().delete()
        score = existing
    else:
        score = Score.objects.create(
            cycle=cycle,
            worker=worker,
            part=part,
            entered_by=acting_user,
            total=total,
            unit_path=worker.unit_path,
            **scorer,
        )
    ScoreItem.objects.bulk_create(
        ScoreItem(score=score, indicator_id=pk, points=v) for pk, v in values.items()
    )
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.SCORE_REPLACED if existing else AppraisalEvent.SCORE_RECORDED,
        target=score,
        before=before,
        after={
            **snapshot(score, ["worker_id", "part", "scorer_user_id", "scorer_worker_id", "total"]),
            "items": {str(k): str(v) for k, v in values.items()},
        },
    )
    return score


@transaction.atomic
def self_report_save(*, cycle: Cycle, worker: Worker, text: str, acting_user: User) -> SelfReport:
    require(
        acting_user,
        Permission.EDIT,
        worker.community,
        message=_("您没有权限录入%(unit)s的述职报告"),
    )
    if not worker.unit_path.startswith(cycle.unit_path):
        raise ServiceError(_("%(name)s不在本次考核范围内") % {"name": worker.name})
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请填写述职报告"), field="text")
    refuse_control_characters({"text": text}, {"text": _("述职报告")}, multiline=["text"])
    report = SelfReport.objects.filter(cycle=cycle, worker=worker).first()
    before = {"length": len(report.text)} if report else None
    if report:
        report.text = text
        report.save(update_fields=["text", "updated_at"])
    else:
        report = SelfReport.objects.create(
            cycle=cycle, worker=worker, text=text, unit_path=worker.unit_path
        )
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.SELF_REPORT_SAVED,
        target=report,
        before=before,
        after={"length": len(text)},
    )
    return report
