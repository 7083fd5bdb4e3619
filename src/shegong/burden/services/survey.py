"""The workers' anonymous questionnaire.

One-time codes, pooled answers, and tallies per group of one dimension.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from shegong.appraisal.services.code_hash import hash_code, new_code
from shegong.burden.models import (
    COUNTED_KINDS,
    PooledAnswer,
    QuestionKind,
    SurveyComment,
    SurveyQuestion,
    SurveyTally,
    WorkerCode,
    WorkerSurvey,
    WorkerSurveyStatus,
)
from shegong.burden.services.common import _SHUFFLE, DISTRICT_REFUSED, _text, today
from shegong.core.access import Permission, require
from shegong.core.audit import AuditAction, audit_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.people.models import PostHolding, Worker, WorkerStatus

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- the workers' questionnaire
#
# How an answer stays unlinked from its worker (the residents' vote's design, appraisal/
# services/votes.py): a code row names its worker (one code per worker) and keeps only a keyed
# hash of the code and a spent flag, never a time. Spending the code and pooling the answer
# (PooledAnswer, random key, no code, no worker) is one transaction; tallying is another that
# spends no code: once the pool holds 2 × ANSWER_BATCH answers, all but a random ANSWER_BATCH
# are tallied in shuffled order, and closing the survey tallies the rest. What is kept after
# that holds no answer row at all: counts per group of one dimension at a time (SurveyTally),
# so no stored row carries one person's combination of unit, post, age band and source, and
# free text (SurveyComment) carries no group. Limits as the vote's: while an answer waits in the
# pool it shares the spent code's transaction; dead tuples, WAL and backups hold history.

ANSWER_BATCH = 10
DIMENSIONS = ("all", "unit", "post", "age", "source")
DEFAULT_QUESTIONS = [
    ("choice", "您感到的工作压力", ["很大", "较大", "一般", "较小", "很小"]),
    ("choice", "您对目前待遇的满意程度", ["很满意", "满意", "一般", "不满意", "很不满意"]),
    ("choice", "您觉得负担最重的是",
     ["台账报表", "检查考评", "会议", "盖章证明", "牌子挂牌", "其他"]),
    ("text", "您对减轻社区负担的意见建议", []),
]  # fmt: skip


def _age_band(birth: datetime.date, day: datetime.date) -> str:
    age = day.year - birth.year
    bands = ((35, _("35岁以下")), (45, _("35—44岁")), (55, _("45—54岁")))
    return next((str(label) for top, label in bands if age < top), str(_("55岁及以上")))


@transaction.atomic
def worker_survey_create(
    *, unit: Unit, title: str, acting_user: User, year: int | None = None
) -> WorkerSurvey:
    """A questionnaire of the workers below `unit` for `year` (this year by default), with
    the default questions to edit before the first code is issued."""
    require(acting_user, Permission.EDIT, unit, message=DISTRICT_REFUSED)
    clean = _text({"title": title}, "title", _("问卷名称"), 100, required=True)
    if year is not None and not 2000 <= year <= today().year + 1:
        raise ServiceError(_("问卷年度应在2000年至明年之间"), field="year")
    survey = WorkerSurvey.objects.create(unit=unit, title=clean, year=year or today().year)
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(
            survey=survey,
            position=i,
            kind=kind,
            text=text,
            choices=choices,
            required=kind != QuestionKind.TEXT,
        )
        for i, (kind, text, choices) in enumerate(DEFAULT_QUESTIONS, start=1)
    )
    audit_record(
        acting_user=acting_user, action=AuditAction.CREATE, target=survey, unit_path=unit.path
    )
    return survey


@transaction.atomic
def worker_codes_issue(
    *, survey: WorkerSurvey, acting_user: User, on: datetime.date | None = None
) -> list[tuple[Worker, str]]:
    """One code for every worker on the roster below the survey's unit who holds none yet,
    before the survey opens; the codes are shown once (to be printed and handed out)."""
    require(acting_user, Permission.EDIT, survey.unit, message=DISTRICT_REFUSED)
    # Locked: the questions are frozen from the first code on (services/questions.py).
    survey = WorkerSurvey.objects.select_for_update().select_related("unit").get(pk=survey.pk)
    if survey.status != WorkerSurveyStatus.DRAFT:
        raise ServiceError(_("问卷开始后不能再发放答卷码"))
    if not SurveyQuestion.objects.filter(survey=survey).exists():
        raise ServiceError(_("问卷还没有题目,请先添加题目再发放答卷码"))
    day = on or today()
    holding = WorkerCode.objects.filter(survey=survey).values("worker_id")
    workers = list(
        Worker.objects.filter(unit_path__startswith=survey.unit.path, status=WorkerStatus.ACTIVE)
        .exclude(pk__in=holding)
        .select_related("community")
        .order_by("unit_path", "pk")
    )
    posts = dict(
        PostHolding.objects.filter(worker__in=workers, end__isnull=True)
        .order_by("worker_id", "-start")
        .values_list("worker_id", "post__name")
    )
    issued, rows = [], []
    for worker in workers:
        code = new_code()
        groups = {
            "unit": worker.community.name,
            "post": posts.get(worker.pk, str(_("无岗位"))),
            "age": _age_band(worker.birth_date, day),
            "source": worker.get_source_display(),
        }
        rows.append(
            WorkerCode(survey=survey, worker=worker, code_hash=hash_code(code), groups=groups)
        )
        issued.append((worker, code))
    WorkerCode.objects.bulk_create(rows)
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=survey,
        unit_path=survey.unit.path,
        note=_("发放答卷码 %(n)d 个") % {"n": len(rows)},
    )
    return issued


@transaction.atomic
def worker_survey_set_status(*, survey: WorkerSurvey, status: str, acting_user: User) -> None:
    require(acting_user, Permission.EDIT, survey.unit, message=DISTRICT_REFUSED)
    allowed = {WorkerSurveyStatus.OPEN: "draft", WorkerSurveyStatus.CLOSED: "open"}
    if allowed.get(WorkerSurveyStatus(status)) != survey.status:
        raise ServiceError(_("问卷当前状态不能这样变更"))
    survey.status = status
    survey.save(update_fields=["status"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE,
        target=survey,
        unit_path=survey.unit.path,
        after={"status": status},
    )
    if status == WorkerSurveyStatus.CLOSED:
        answers_tally(survey.pk, leave=0)  # a transaction that spends no code


def _picked(raw: Any) -> list[str]:
    """What was ticked: a list (several choices, a form's getlist) or one value."""
    values = raw if isinstance(raw, list | tuple) else [] if raw in (None, "") else [raw]
    return [str(v) for v in values if str(v) != ""]


def _clean_one(question: SurveyQuestion, raw: Any) -> Any:
    """A question's answer as kept (an index, a sorted list of indexes, or text), or None
    when it was left empty and may be."""
    if question.kind == QuestionKind.TEXT:
        text = raw[0] if isinstance(raw, list | tuple) and raw else raw
        clean = _text({"t": text}, "t", question.text, 500, required=question.required)
        return clean or None
    picked = _picked(raw)
    if not picked:
        if question.required:
            raise ServiceError(_("请回答:%(q)s") % {"q": question.text})
        return None
    if not all(p.isdigit() and int(p) < len(question.choices) for p in picked) or (
        question.kind != QuestionKind.MULTI and len(picked) > 1
    ):
        raise ServiceError(_("请从选项中选择:%(q)s") % {"q": question.text})
    if question.kind == QuestionKind.MULTI:
        return sorted({int(p) for p in picked})
    return int(picked[0])


def _clean_answers(survey_id: int, answers: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for q in SurveyQuestion.objects.filter(survey_id=survey_id).order_by("position"):
        value = _clean_one(q, answers.get(str(q.position)))
        if value is not None:
            clean[str(q.position)] = value
    return clean


def answer_code_check(*, code: str, address: str) -> int:
    """The open questionnaire a code answers (nothing spent), throttled per client address like
    the residents' vote: a wrong or used code counts against the address that tried it."""
    from shegong.core.codes import CodeRefused, code_guarded

    def work() -> int:
        found = (
            WorkerCode.objects.filter(
                code_hash=hash_code(code), spent=False, survey__status=WorkerSurveyStatus.OPEN
            )
            .values_list("survey_id", flat=True)
            .first()
        )
        if found is None:
            raise CodeRefused(_("答卷码无效、已使用或问卷未在进行中"), counts=True)
        return int(found)

    return code_guarded(address, code, work)


def answer_submit(*, code: str, answers: Mapping[str, Any], address: str | None = None) -> int:
    """Spend the code and pool the answer, both or neither (call outside any transaction);
    returns the survey's id. One code, one answer: the conditional UPDATE spends it once.
    With the client's `address` (the API) it runs under the vote's throttle, a wrong or used
    code counting against that address; the page checks the code first (answer_code_check)."""
    from shegong.core.codes import code_guarded

    if address is None:
        survey_id = _spend(code, answers)
    else:
        survey_id = code_guarded(address, code, lambda: _spend(code, answers))
    if PooledAnswer.objects.filter(survey_id=survey_id).count() >= 2 * ANSWER_BATCH:
        answers_tally(survey_id, leave=ANSWER_BATCH)
    return survey_id


def _spend(code: str, answers: Mapping[str, Any]) -> int:
    from shegong.core.codes import CodeRefused

    refused = _("答卷码无效、已使用或问卷未在进行中")
    with transaction.atomic():
        found = (
            WorkerCode.objects.filter(code_hash=hash_code(code), spent=False)
            .filter(survey__status=WorkerSurveyStatus.OPEN)
            .values_list("pk", "survey_id", "groups")
            .first()
        )
        if found is None:
            raise CodeRefused(refused, counts=True)
        pk, survey_id, groups = found
        clean = _clean_answers(survey_id, answers)
        if not WorkerCode.objects.filter(pk=pk, spent=False).update(spent=True):
            raise CodeRefused(refused, counts=True)
        PooledAnswer.objects.create(survey_id=survey_id, groups=groups, answers=clean)
    return int(survey_id)


def answers_tally(survey_id: int, *, leave: int) -> int:
    """Tally the pooled answers but `leave` of them (chosen at random) in one transaction, in
    shuffled order; each pooled row is tallied once and deleted."""
    with transaction.atomic():
        pooled = list(
            PooledAnswer.objects.select_for_update(skip_locked=leave > 0)
            .filter(survey_id=survey_id)
            .values_list("id", "groups", "answers")
        )
        count = len(pooled) - leave
        if count <= 0:
            return 0
        _SHUFFLE.shuffle(pooled)
        chosen = pooled[:count]
        kinds = dict(
            SurveyQuestion.objects.filter(survey_id=survey_id).values_list("position", "kind")
        )
        tallies: Counter[tuple[str, str, int, int]] = Counter()
        comments = []
        for _pk, groups, answers in chosen:
            cells = [("all", "")] + [(d, str(groups.get(d, ""))) for d in DIMENSIONS[1:]]
            for dimension, group in cells:
                tallies[(dimension, group, 0, 0)] += 1
                for position, value in answers.items():
                    if kinds.get(int(position)) not in COUNTED_KINDS:
                        continue
                    for index in value if isinstance(value, list) else [value]:
                        tallies[(dimension, group, int(position), int(index))] += 1
            comments += [
                SurveyComment(survey_id=survey_id, question=int(p), text=v)
                for p, v in answers.items()
                if kinds.get(int(p)) == QuestionKind.TEXT
            ]
        _add_tallies(survey_id, tallies)
        SurveyComment.objects.bulk_create(comments)
        WorkerSurvey.objects.filter(pk=survey_id).update(respondents=F("respondents") + count)
        PooledAnswer.objects.filter(id__in=[pk for pk, _g, _a in chosen]).delete()
    return count


def _add_tallies(survey_id: int, tallies: Counter[tuple[str, str, int, int]]) -> None:
    """Add the counts in one upsert per chunk (INSERT … ON CONFLICT DO UPDATE, on PostgreSQL
    and SQLite alike), rows in key order so that two batches tallied at once lock the shared
    cells (the whole survey's) in the same order; a row per cell was a query per cell."""
    if not tallies:
        return
    quote = connection.ops.quote_name
    table = quote(SurveyTally._meta.db_table)
    keys = [quote(c) for c in ("survey_id", "dimension", "group", "question", "choice")]
    count = quote("count")
    rows = sorted(tallies.items())
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
        params: list[Any] = []
        for (dimension, group, question, choice), n in chunk:
            params += [survey_id, dimension, group, question, choice, n]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(keys)}, {count}) VALUES {values} "
                f"ON CONFLICT ({', '.join(keys)}) "
                f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
                params,
            )
