"""Results: computed from every score (the rules weigh and grade), reopened, published; and
the objections filed against a published result and decided."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.appraisal import rules, selectors
from shegong.appraisal.models import (
    COMMON_GRADE,
    AppraisalEvent,
    Cycle,
    CycleStatus,
    Objection,
    ObjectionStatus,
    PartKind,
    RaterCategory,
    Result,
    Scheme,
    SurveyStatus,
)
from shegong.appraisal.services.votes import file_pool
from shegong.core.access import Permission, require
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.text import refuse_control_characters
from shegong.people import services as people_services

if TYPE_CHECKING:
    from shegong.core.models import User

RESULT_FIELDS = [
    "unit_path",
    "resident_score",
    "leader_score",
    "peer_score",
    "score",
    "rank",
    "grade",
    "standing",
    "ten_best",
    "reasons",
]


def _lock_cycle(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update().select_related("scheme__unit").get(pk=cycle.pk)


def _require_leader(acting_user: User, cycle: Cycle, message: str) -> None:
    require(acting_user, Permission.EDIT, cycle.scheme.unit, message=message)


def _invalid_survey_paths(cycle: Cycle, scheme: Scheme) -> set[str]:
    """The communities whose residents' vote does not count (too few raters or residents).
    A ballot still pooled (spent as its survey closed) is filed first."""
    for survey_id in selectors.pooled_survey_ids(cycle=cycle):
        file_pool(survey_id, leave=0)
    survey_counts = selectors.ballot_counts(cycle=cycle)
    invalid: set[str] = set()
    for survey_id, path in selectors.survey_paths(cycle=cycle):
        counts = survey_counts.get(survey_id, {})
        if not rules.survey_valid(
            votes=sum(counts.values()),
            residents=counts.get(RaterCategory.RESIDENT, 0),
            min_raters=scheme.min_raters,
            min_resident_share=scheme.min_resident_share,
        ):
            invalid.add(path)
    return invalid


def _sheet_means(
    cycle: Cycle, scheme: Scheme
) -> tuple[dict[tuple[int, str], Decimal | None], set[int]]:
    """The (trimmed) mean sheet per worker and part, and the workers whose sheets were trimmed."""
    means: dict[tuple[int, str], Decimal | None] = {}
    trimmed: set[int] = set()
    for row in selectors.sheet_aggregates(cycle=cycle):
        means[(row.worker_id, row.part)] = rules.trimmed_mean(
            total=row.total,
            highest=row.highest,
            lowest=row.lowest,
            count=row.count,
            trim=scheme.trim,
        )
        if scheme.trim and row.count >= rules.TRIM_MIN_SCORES:
            trimmed.add(row.worker_id)
    return means, trimmed


def _weigh_reasons(
    scheme: Scheme, weights: dict[str, Decimal], missing: list[str], vote_invalid: bool
) -> list[str]:
    """Why a worker's score is weighed as it is: a residents' vote that does not count, a part
    nobody scored."""
    reasons: list[str] = []
    if PartKind.RESIDENTS in weights and vote_invalid:
        reasons.append(
            _("所在社区居民评议人数不足%(n)d人或普通居民占比不足%(p)s%%,未计入")
            % {"n": scheme.min_raters, "p": scheme.min_resident_share}
        )
    part_labels = dict(PartKind.choices)
    for kind in missing:
        if kind == PartKind.RESIDENTS and vote_invalid:
            continue
        reasons.append(_("无%(part)s评分,按其余各项折算") % {"part": part_labels[kind]})
    return reasons


def _result_rows(cycle: Cycle, scheme: Scheme, workers: list[tuple[int, str]]) -> list[Result]:
    """A result per worker: weighted (rules.weigh_residents_vote), then graded with the quota
    and its consequences (rules.grades_from_scores), with the reasons a person reads."""
    weights = dict(scheme.parts.values_list("kind", "weight"))
    invalid_paths = _invalid_survey_paths(cycle, scheme)
    ratings = selectors.rating_counts(cycle=cycle, excluding_paths=invalid_paths)
    means, trimmed = _sheet_means(cycle, scheme)
    weighed: dict[int, rules.Weighted] = {}
    notes: dict[int, list[str]] = {}
    for worker_id, path in workers:
        weighed[worker_id] = w = rules.weigh_residents_vote(
            ratings=ratings.get(worker_id, {}),
            other_parts={
                PartKind.LEADERS: means.get((worker_id, PartKind.LEADERS)),
                PartKind.PEERS: means.get((worker_id, PartKind.PEERS)),
            },
            weights=weights,
        )
        notes[worker_id] = _weigh_reasons(scheme, weights, w.missing, path in invalid_paths)
        if worker_id in trimmed:
            notes[worker_id].append(_("评分已去掉一个最高分和一个最低分"))
    entries = [
        rules.Entry(
            key=worker_id,
            score=w.score,
            resident=w.parts[PartKind.RESIDENTS],
            leader=w.parts[PartKind.LEADERS],
        )
        for worker_id, w in weighed.items()
    ]
    outcomes = rules.grades_from_scores(
        entries,
        thresholds=(scheme.threshold_a, scheme.threshold_b, scheme.threshold_c),
        quota_percent=scheme.top_quota,
        ten_best_count=scheme.ten_best,
        previous_grades=selectors.previous_grades(scheme=scheme),
    )
    quota = rules.quota_count(len(entries), scheme.top_quota)
    path_of = dict(workers)
    rows = []
    for worker_id, w in weighed.items():
        outcome = outcomes[worker_id]
        if outcome.capped:
            notes[worker_id].append(_("达到优秀分数线,但优秀名额已满(上限%(n)d人)") % {"n": quota})
        if outcome.standing == "exit":
            notes[worker_id].append(_("连续两年考核不合格"))
        rows.append(
            Result(
                cycle=cycle,
                worker_id=worker_id,
                unit_path=path_of[worker_id],
                resident_score=w.parts[PartKind.RESIDENTS],
                leader_score=w.parts[PartKind.LEADERS],
                peer_score=w.parts[PartKind.PEERS],
                score=w.score,
                rank=outcome.rank,
                grade=outcome.grade,
                standing=outcome.standing,
                ten_best=outcome.ten_best,
                reasons=";".join(notes[worker_id]),
            )
        )
    return rows


@transaction.atomic
def results_compute(*, cycle: Cycle, acting_user: User) -> int:
    """Weighted scores, ranks, grades with the quota, consequences; replaces earlier results.
    Aggregates are computed in the database; the rules decide."""
    cycle = _lock_cycle(cycle)
    scheme = cycle.scheme
    _require_leader(acting_user, cycle, _("只有%(unit)s的负责人可以计算考核结果"))
    if cycle.status == CycleStatus.PUBLISHED:
        raise ServiceError(_("结果已公示,不能重新计算"))
    if cycle.surveys.filter(status=SurveyStatus.OPEN).exists():
        raise ServiceError(_("还有社区的居民评议未结束,请先结束评议"))
    workers = selectors.cycle_workers(scheme=scheme)
    if not workers:
        raise ServiceError(_("%(unit)s没有在岗社区工作者") % {"unit": scheme.unit.name})
    rows = _result_rows(cycle, scheme, workers)
    # Upsert, so the objections filed against a result keep pointing at it.
    cycle.results.exclude(worker_id__in=[r.worker_id for r in rows]).delete()
    Result.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["cycle", "worker"],
        update_fields=RESULT_FIELDS,
    )
    before = snapshot(cycle, ["status"])
    cycle.status = CycleStatus.COMPUTED
    cycle.computed_at = timezone.now()
    cycle.save(update_fields=["status", "computed_at"])
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.RESULTS_COMPUTED,
        target=cycle,
        before=before,
        after={
            "status": cycle.status,
            "results": len(rows),
            "grades": rules.grade_counts(r.grade for r in rows),
        },
    )
    return len(rows)


@transaction.atomic
def results_reopen(*, cycle: Cycle, acting_user: User) -> Cycle:
    """Back to scoring while nothing is published; the results are recomputed later."""
    cycle = _lock_cycle(cycle)
    _require_leader(acting_user, cycle, _("只有%(unit)s的负责人可以重新开放评分"))
    if cycle.status != CycleStatus.COMPUTED:
        raise ServiceError(_("只有已计算、未公示的考核可以重新开放评分"))
    cycle.status = CycleStatus.OPEN
    cycle.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.RESULTS_REOPENED,
        target=cycle,
        before={"status": CycleStatus.COMPUTED},
        after={"status": CycleStatus.OPEN},
    )
    return cycle


def source_prefix(cycle: Cycle) -> str:
    """The start of the source key of every grade this cycle recorded."""
    return f"appraisal.cycle:{cycle.pk}/"


def _record_grades(cycle: Cycle, acting_user: User) -> int:
    """Every result's grade, in the one vocabulary, into the worker's yearly grade record
    (people.YearlyGrade) with the result it came from: pay's next run and the grade steps
    read it. A republication after an objection replaces what the last one recorded."""
    scheme = cycle.scheme
    prefix = source_prefix(cycle)
    return people_services.yearly_grades_record(
        unit=scheme.unit,
        entries=[
            people_services.GradeEntry(
                worker_id=worker_id,
                year=scheme.year,
                grade=COMMON_GRADE[grade],
                source_key=f"{prefix}result:{pk}",
            )
            for pk, worker_id, grade in cycle.results.values_list("pk", "worker_id", "grade")
        ],
        source_label=str(scheme),
        replaces_prefix=prefix,
        acting_user=acting_user,
    )


# The appraisal's standing onto the roster's proposals (续聘, 诫勉, 解聘).
ROSTER_PROPOSAL = {"renew": "renew", "warn": "warn", "exit": "dismiss"}


def _propose_standing(cycle: Cycle, acting_user: User) -> int:
    """The renewal, warning and exit lists as proposals on the roster, each with its result,
    for a manager to decide (people.services.standing_decide)."""
    scheme = cycle.scheme
    prefix = source_prefix(cycle)
    return people_services.standing_proposals_record(
        unit=scheme.unit,
        entries=[
            people_services.ProposalEntry(
                worker_id=worker_id,
                year=scheme.year,
                kind=ROSTER_PROPOSAL[standing],
                source_key=f"{prefix}result:{pk}",
            )
            for pk, worker_id, standing in cycle.results.values_list("pk", "worker_id", "standing")
        ],
        source_label=str(scheme),
        replaces_prefix=prefix,
        acting_user=acting_user,
    )


@transaction.atomic
def results_publish(*, cycle: Cycle, acting_user: User) -> Cycle:
    """Published, and open to objections for the scheme's number of days; the grades go into
    the workers' yearly grade record at once (`_record_grades`). An upheld objection takes the
    cycle back to scoring; the grades recorded stay until the corrected results are published
    again, which replaces them (a pay run already approved is not changed)."""
    cycle = _lock_cycle(cycle)
    _require_leader(acting_user, cycle, _("只有%(unit)s的负责人可以公示考核结果"))
    if cycle.status != CycleStatus.COMPUTED:
        raise ServiceError(_("请先计算考核结果再公示"))
    before = snapshot(cycle, ["status", "published_at", "objections_until"])
    cycle.status = CycleStatus.PUBLISHED
    cycle.published_at = timezone.now()
    cycle.objections_until = timezone.localdate() + datetime.timedelta(
        days=cycle.scheme.objection_days
    )
    cycle.save(update_fields=["status", "published_at", "objections_until"])
    recorded = _record_grades(cycle, acting_user)
    proposed = _propose_standing(cycle, acting_user)
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.RESULTS_PUBLISHED,
        target=cycle,
        before=before,
        after={
            **snapshot(cycle, ["status", "published_at", "objections_until"]),
            "grades_recorded": recorded,
            "proposals": proposed,
        },
    )
    return cycle


@transaction.atomic
def objection_file(*, result: Result, text: str, acting_user: User) -> Objection:
    """An objection on the worker's behalf, within the window after publication."""
    result = Result.objects.select_related("cycle", "worker__community").get(pk=result.pk)
    require(
        acting_user,
        Permission.EDIT,
        result.worker.community,
        message=_("您没有权限为%(unit)s的工作者提出异议"),
    )
    cycle = result.cycle
    if cycle.status != CycleStatus.PUBLISHED or cycle.objections_until is None:
        raise ServiceError(_("结果尚未公示,不能提出异议"))
    if timezone.localdate() > cycle.objections_until:
        raise ServiceError(
            _("异议期已于%(date)s截止") % {"date": cycle.objections_until.isoformat()}
        )
    text = (text or "").strip()
    if not text:
        raise ServiceError(_("请写明异议理由"), field="text")
    refuse_control_characters({"text": text}, {"text": _("异议理由")}, multiline=["text"])
    try:
        with transaction.atomic():
            objection = Objection.objects.create(
                result=result, unit_path=result.unit_path, text=text, filed_by=acting_user
            )
    except IntegrityError:
        raise ServiceError(_("该结果已有待处理的异议")) from None
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.OBJECTION_FILED,
        target=objection,
        after={"result_id": result.pk, "text": text[:200]},
    )
    return objection


@transaction.atomic
def objection_decide(
    *, objection: Objection, upheld: bool, decision: str, acting_user: User
) -> Objection:
    """A recorded decision. Upholding an objection takes the cycle back from publication so
    the scores can be corrected and the results computed and published again."""
    objection = (
        Objection.objects.select_for_update()
        .select_related("result__cycle__scheme__unit")
        .get(pk=objection.pk)
    )
    cycle = objection.result.cycle
    _require_leader(acting_user, cycle, _("只有%(unit)s的负责人可以处理异议"))
    if objection.status != ObjectionStatus.OPEN:
        raise ServiceError(_("该异议已处理"))
    decision = (decision or "").strip()
    if not decision:
        raise ServiceError(_("请填写处理意见"), field="decision")
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
    objection.decision = decision
    objection.decided_by = acting_user
    objection.decided_at = timezone.now()
    objection.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.OBJECTION_DECIDED,
        target=objection,
        before={"status": ObjectionStatus.OPEN},
        after={"status": objection.status, "decision": decision[:200]},
    )
    if upheld:
        _withdraw_publication(cycle, acting_user)
    return objection


def _withdraw_publication(cycle: Cycle, acting_user: User) -> None:
    """An upheld objection takes the cycle back to scoring."""
    Cycle.objects.filter(pk=cycle.pk).update(
        status=CycleStatus.OPEN, published_at=None, objections_until=None
    )
    audit_record(
        acting_user=acting_user,
        action=AppraisalEvent.PUBLICATION_WITHDRAWN,
        target=cycle,
        before={"status": CycleStatus.PUBLISHED},
        after={"status": CycleStatus.OPEN},
    )
