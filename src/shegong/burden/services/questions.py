"""The questions of a workers' questionnaire, built by the district before it opens.

A survey starts from essay 5's four questions (survey.DEFAULT_QUESTIONS); while it is a draft
and no code is issued, its keeper adds, edits, removes and reorders questions of four kinds:
one choice, several choices, a scale and free text. Once codes are issued the questions are
frozen: an answer is kept as the indexes of its options by position, so changing a question
under issued codes would change what earlier answers mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from shegong.burden.models import (
    BurdenEvent,
    QuestionKind,
    SurveyQuestion,
    WorkerCode,
    WorkerSurvey,
    WorkerSurveyStatus,
)
from shegong.burden.services.common import DISTRICT_REFUSED, _choice, _text
from shegong.core.access import Permission, require
from shegong.core.audit import audit_record, snapshot
from shegong.core.errors import ServiceError

if TYPE_CHECKING:
    from shegong.core.models import User

MAX_QUESTIONS = 30
MAX_OPTIONS = 20
OPTION_LIMIT = 50
SCALE_POINTS = (2, 11)
SCALE_LABEL_LIMIT = 20
_RENUMBER = 1000  # positions are moved out of the way first (they are unique per survey)


def _frozen(survey: WorkerSurvey) -> WorkerSurvey:
    """The survey locked for the change, refused once it is not a draft or holds codes."""
    locked = WorkerSurvey.objects.select_for_update().select_related("unit").get(pk=survey.pk)
    if (
        locked.status != WorkerSurveyStatus.DRAFT
        or WorkerCode.objects.filter(survey=locked).exists()
    ):
        raise ServiceError(_("问卷已发放答卷码或已开始,题目已经固定,不能再修改"))
    return locked


def _options(values: Mapping[str, Any]) -> list[str]:
    raw = values.get("options")
    lines = raw.splitlines() if isinstance(raw, str) else [str(o) for o in raw or []]
    options = []
    for line in lines:
        option = _text({"o": line}, "o", _("选项"), OPTION_LIMIT, required=False)
        if option:
            options.append(option)
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise ServiceError(
            _("选择题须有2到%(n)d个选项(每行一个)") % {"n": MAX_OPTIONS}, field="options"
        )
    if len(set(options)) != len(options):
        raise ServiceError(_("选项不能重复"), field="options")
    return options


def _scale(values: Mapping[str, Any]) -> list[str]:
    raw = str(values.get("points") or "")
    low, high = SCALE_POINTS
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ServiceError(
            _("量表的分值个数应为%(low)d到%(high)d") % {"low": low, "high": high}, field="points"
        )
    points = [str(i) for i in range(1, int(raw) + 1)]
    for name, index, label in (
        ("low_label", 0, _("最低分说明")),
        ("high_label", -1, _("最高分说明")),
    ):
        text = _text(values, name, label, SCALE_LABEL_LIMIT, required=False)
        if text:
            points[index] = f"{points[index]}({text})"
    return points


def question_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """A question as submitted (page, API), cleaned: kind, text, choices, required."""
    kind = _choice(values, "kind", _("题型"), QuestionKind.values)
    text = _text(values, "text", _("题目"), 200, required=True)
    choices: list[str] = []
    if kind in (QuestionKind.CHOICE, QuestionKind.MULTI):
        choices = _options(values)
    elif kind == QuestionKind.SCALE:
        choices = _scale(values)
    return {
        "kind": kind,
        "text": text,
        "choices": choices,
        "required": bool(values.get("required")),
    }


def _audit(survey: WorkerSurvey, acting_user: User, **kwargs: Any) -> None:
    audit_record(
        acting_user=acting_user,
        action=BurdenEvent.QUESTIONS_EDITED,
        target=survey,
        unit_path=survey.unit.path,
        **kwargs,
    )


def _question_snapshot(question: SurveyQuestion) -> dict[str, Any]:
    return snapshot(question, ["position", "kind", "text", "choices", "required"])


@transaction.atomic
def survey_question_add(
    *, survey: WorkerSurvey, values: Mapping[str, Any], acting_user: User
) -> SurveyQuestion:
    require(acting_user, Permission.EDIT, survey.unit, message=DISTRICT_REFUSED)
    survey = _frozen(survey)
    clean = question_values(values)
    existing = SurveyQuestion.objects.filter(survey=survey)
    if existing.count() >= MAX_QUESTIONS:
        raise ServiceError(_("一份问卷最多%(n)d道题") % {"n": MAX_QUESTIONS})
    last = existing.aggregate(last=Max("position"))["last"] or 0
    question = SurveyQuestion.objects.create(survey=survey, position=last + 1, **clean)
    _audit(survey, acting_user, after=_question_snapshot(question))
    return question


@transaction.atomic
def survey_question_update(
    *, question: SurveyQuestion, values: Mapping[str, Any], acting_user: User
) -> SurveyQuestion:
    survey = question.survey
    require(acting_user, Permission.EDIT, survey.unit, message=DISTRICT_REFUSED)
    survey = _frozen(survey)
    question = SurveyQuestion.objects.get(pk=question.pk, survey=survey)
    before = _question_snapshot(question)
    for name, value in question_values(values).items():
        setattr(question, name, value)
    question.save()
    _audit(survey, acting_user, before=before, after=_question_snapshot(question))
    return question


def _renumber(survey: WorkerSurvey, ordered: list[int]) -> None:
    """Positions 1, 2, … in the order of the question ids given."""
    SurveyQuestion.objects.filter(survey=survey).update(position=F("position") + _RENUMBER)
    for position, pk in enumerate(ordered, start=1):
        SurveyQuestion.objects.filter(pk=pk).update(position=position)


@transaction.atomic
def survey_question_delete(*, question: SurveyQuestion, acting_user: User) -> None:
    survey = question.survey
    require(acting_user, Permission.EDIT, survey.unit, message=DISTRICT_REFUSED)
    survey = _frozen(survey)
    question = SurveyQuestion.objects.get(pk=question.pk, survey=survey)
    before = _question_snapshot(question)
    question.delete()
    rest = SurveyQuestion.objects.filter(survey=survey).order_by("position")
    _renumber(survey, list(rest.values_list("pk", flat=True)))
    _audit(survey, acting_user, before=before)


@transaction.atomic
def survey_question_move(*, question: SurveyQuestion, offset: int, acting_user: User) -> None:
    """Move a question up (offset −1) or down (+1); at either end it stays."""
    survey = question.survey
    require(acting_user, Permission.EDIT, survey.unit, message=DISTRICT_REFUSED)
    survey = _frozen(survey)
    ordered = list(
        SurveyQuestion.objects.filter(survey=survey)
        .order_by("position")
        .values_list("pk", flat=True)
    )
    if question.pk not in ordered:
        raise ServiceError(_("没有这道题"))
    at = ordered.index(question.pk)
    to = at + (1 if offset > 0 else -1)
    if not 0 <= to < len(ordered):
        return
    ordered[at], ordered[to] = ordered[to], ordered[at]
    _renumber(survey, ordered)
    _audit(
        survey, acting_user, before={"position": at + 1}, after={"position": to + 1},
        note=question.text,
    )  # fmt: skip
