"""The questionnaire's questions: built by the district before the survey opens (four kinds,
options, order, required), frozen once codes are issued, audited; every kind tallied and
withheld for small groups like the four default questions."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from shegong.burden import selectors, services
from shegong.burden.models import SurveyComment, SurveyQuestion, WorkerSurvey
from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.people.tests.factories import register


def _draft(tree: Tree, personas: Personas) -> WorkerSurvey:
    return services.worker_survey_create(
        unit=tree.street_a, title="2026年社区工作者问卷", acting_user=personas.street_a_manager
    )


def _texts(survey: WorkerSurvey) -> list[str]:
    return list(survey.questions.order_by("position").values_list("text", flat=True))


def _add(survey: WorkerSurvey, personas: Personas, **values: Any) -> SurveyQuestion:
    return services.survey_question_add(
        survey=survey, values=values, acting_user=personas.street_a_manager
    )


def test_a_survey_starts_from_the_four_default_questions(tree: Tree, personas: Personas) -> None:
    survey = _draft(tree, personas)
    rows = list(survey.questions.order_by("position").values_list("kind", "required"))
    assert rows == [("choice", True), ("choice", True), ("choice", True), ("text", False)]
    assert _texts(survey)[0] == "您感到的工作压力"


def test_the_district_adds_questions_of_every_kind(tree: Tree, personas: Personas) -> None:
    survey = _draft(tree, personas)
    options = "政策法规\n社会工作\n\n信息化"
    multi = _add(
        survey, personas, kind="multi", text="您参加过哪些培训", options=options, required=1
    )
    scale = _add(
        survey, personas, kind="scale", text="您对街道支持的评价", points="5",
        low_label="很差", high_label="很好",
    )  # fmt: skip
    text = _add(survey, personas, kind="text", text="还有什么想说的", required=True)
    assert (multi.position, scale.position, text.position) == (5, 6, 7)
    assert multi.choices == ["政策法规", "社会工作", "信息化"]  # the empty line is dropped
    assert scale.choices == ["1(很差)", "2", "3", "4", "5(很好)"] and not scale.required
    assert text.choices == [] and text.required
    entry = AuditEntry.objects.filter(action="burden.questions_edited").order_by("id").first()
    assert entry is not None and entry.after and entry.after["text"] == "您参加过哪些培训"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"kind": "choice", "text": "只有一个选项", "options": "是"}, "2到20个选项"),
        ({"kind": "multi", "text": "重复", "options": "是\n是"}, "选项不能重复"),
        ({"kind": "scale", "text": "分值太多", "points": "12"}, "分值个数应为2到11"),
        ({"kind": "choice", "text": "", "options": "是\n否"}, "请填写题目"),
        ({"kind": "ranking", "text": "排序题", "options": "甲\n乙"}, "请选择题型"),
        ({"kind": "choice", "text": "带控制字符\x07", "options": "是\n否"}, "题目"),
    ],
)
def test_a_question_that_cannot_be_answered_is_refused(
    tree: Tree, personas: Personas, values: dict[str, Any], message: str
) -> None:
    survey = _draft(tree, personas)
    with pytest.raises(ServiceError) as refused:
        _add(survey, personas, **values)
    assert message in refused.value.message
    assert survey.questions.count() == 4


def test_questions_are_edited_reordered_and_removed(tree: Tree, personas: Personas) -> None:
    survey = _draft(tree, personas)
    user = personas.street_a_manager
    first = survey.questions.get(position=1)
    services.survey_question_update(
        question=first,
        values={"kind": "scale", "text": "工作压力(1最小,5最大)", "points": 5, "required": True},
        acting_user=user,
    )
    services.survey_question_move(question=first, offset=1, acting_user=user)
    assert _texts(survey)[:2] == ["您对目前待遇的满意程度", "工作压力(1最小,5最大)"]
    services.survey_question_delete(question=survey.questions.get(position=1), acting_user=user)
    assert _texts(survey) == [
        "工作压力(1最小,5最大)",
        "您觉得负担最重的是",
        "您对减轻社区负担的意见建议",
    ]
    assert list(survey.questions.values_list("position", flat=True).order_by("position")) == [
        1,
        2,
        3,
    ]
    edited = AuditEntry.objects.filter(action="burden.questions_edited").order_by("id")
    assert edited.count() == 3
    assert edited[0].before["kind"] == "choice" and edited[0].after["kind"] == "scale"  # type: ignore[index]


def test_questions_are_frozen_once_codes_are_issued(tree: Tree, personas: Personas) -> None:
    register(tree.community_a1, personas.street_a_manager, name="甲一工作者")
    survey = _draft(tree, personas)
    services.worker_codes_issue(survey=survey, acting_user=personas.street_a_manager)
    question = survey.questions.get(position=1)
    attempts = [
        lambda: _add(survey, personas, kind="text", text="再加一题"),
        lambda: services.survey_question_update(
            question=question,
            values={"kind": "choice", "text": "改了", "options": "是\n否"},
            acting_user=personas.street_a_manager,
        ),
        lambda: services.survey_question_delete(
            question=question, acting_user=personas.street_a_manager
        ),
        lambda: services.survey_question_move(
            question=question, offset=1, acting_user=personas.street_a_manager
        ),
    ]
    for attempt in attempts:
        with pytest.raises(ServiceError) as refused:
            attempt()
        assert "题目已经固定" in refused.value.message
    assert _texts(survey)[0] == "您感到的工作压力"


def test_only_the_surveys_keeper_edits_its_questions(tree: Tree, personas: Personas) -> None:
    survey = _draft(tree, personas)
    for outsider in (personas.street_b_manager, personas.community_a1_clerk):
        with pytest.raises(ServiceError):
            services.survey_question_add(
                survey=survey, values={"kind": "text", "text": "越权"}, acting_user=outsider
            )
    assert survey.questions.count() == 4


def test_codes_are_not_issued_for_a_survey_without_questions(
    tree: Tree, personas: Personas
) -> None:
    register(tree.community_a1, personas.street_a_manager, name="甲一工作者")
    survey = _draft(tree, personas)
    for question in list(survey.questions.all()):
        services.survey_question_delete(question=question, acting_user=personas.street_a_manager)
    with pytest.raises(ServiceError) as refused:
        services.worker_codes_issue(survey=survey, acting_user=personas.street_a_manager)
    assert "还没有题目" in refused.value.message
    assert not survey.codes.exists()


def _built(tree: Tree, personas: Personas, n_a1: int, n_a2: int) -> tuple[WorkerSurvey, list[str]]:
    """A survey of one question of each kind (the defaults removed), codes issued, open."""
    for i in range(n_a1):
        register(tree.community_a1, personas.street_a_manager, name=f"甲一{i}号")
    for i in range(n_a2):
        register(tree.community_a2, personas.street_a_manager, name=f"甲二{i}号")
    survey = _draft(tree, personas)
    for question in list(survey.questions.all()):
        services.survey_question_delete(question=question, acting_user=personas.street_a_manager)
    _add(survey, personas, kind="choice", text="压力", options="大\n小", required=True)
    _add(survey, personas, kind="multi", text="负担", options="台账\n检查\n会议", required=True)
    _add(survey, personas, kind="scale", text="满意度", points="5", required=False)
    _add(survey, personas, kind="text", text="建议", required=False)
    issued = services.worker_codes_issue(
        survey=survey, acting_user=personas.street_a_manager, on=datetime.date(2026, 6, 1)
    )
    services.worker_survey_set_status(
        survey=survey, status="open", acting_user=personas.street_a_manager
    )
    return survey, [code for _w, code in issued]


def test_every_kind_is_answered_checked_and_tallied(tree: Tree, personas: Personas) -> None:
    survey, codes = _built(tree, personas, n_a1=5, n_a2=0)
    with pytest.raises(ServiceError) as refused:
        services.answer_submit(code=codes[0], answers={"1": "0"})
    assert "请回答:负担" in refused.value.message
    with pytest.raises(ServiceError) as refused:
        services.answer_submit(code=codes[0], answers={"1": ["0", "1"], "2": ["0"]})
    assert "请从选项中选择:压力" in refused.value.message  # one choice takes one option
    with pytest.raises(ServiceError):
        services.answer_submit(code=codes[0], answers={"1": "0", "2": ["0", "7"]})
    answers = [
        {"1": "0", "2": ["0", "1"], "3": "4", "4": "少开会"},
        {"1": "0", "2": ["0"], "3": "2"},
        {"1": "1", "2": ["1", "2", "2"], "3": ""},  # a repeated tick counts once
        {"1": "0", "2": ["0", "2"], "3": "4"},
        {"1": ["1"], "2": "0"},  # a getlist of one, and a single value for several choices
    ]
    for code, answer in zip(codes, answers, strict=True):
        services.answer_submit(code=code, answers=answer)
    services.worker_survey_set_status(
        survey=survey, status="closed", acting_user=personas.street_a_manager
    )
    survey.refresh_from_db()
    results = selectors.worker_survey_results(viewer=personas.street_a_manager, survey=survey)
    assert [q["text"] for q in results["questions"]] == ["压力", "负担", "满意度"]
    everyone = next(d for d in results["dimensions"] if d["key"] == "all")["rows"][0]
    assert everyone["respondents"] == 5
    assert everyone["questions"] == [[3, 2], [4, 2, 2], [0, 0, 1, 0, 2]]
    assert everyone["means"] == [None, None, Decimal("4.3")]
    assert list(SurveyComment.objects.values_list("text", flat=True)) == ["少开会"]


def test_small_groups_are_withheld_for_every_kind(tree: Tree, personas: Personas) -> None:
    survey, codes = _built(tree, personas, n_a1=6, n_a2=1)
    for code in codes:
        services.answer_submit(code=code, answers={"1": "0", "2": ["1"], "3": "3"})
    services.worker_survey_set_status(
        survey=survey, status="closed", acting_user=personas.street_a_manager
    )
    survey.refresh_from_db()
    results = selectors.worker_survey_results(viewer=personas.street_a_manager, survey=survey)
    units = next(d for d in results["dimensions"] if d["key"] == "unit")["rows"]
    assert all(r["questions"] is None and r["means"] is None for r in units)


def test_the_district_builds_the_questions_on_a_page(tree: Tree, personas: Personas) -> None:
    survey = _draft(tree, personas)
    client = client_for(personas.street_a_manager)
    url = reverse("burden:survey-questions", kwargs={"pk": survey.pk})
    page = client.post(
        url, {"kind": "multi", "text": "您常用哪些系统", "options": "甲\n乙", "required": "on"}
    )
    assert page.status_code == 302
    added = survey.questions.get(position=5)
    assert added.kind == "multi" and added.choices == ["甲", "乙"]
    refused = client.post(url, {"kind": "choice", "text": "缺选项", "options": ""})
    assert "2到20个选项" in refused.content.decode()
    edit = reverse("burden:question-edit", kwargs={"pk": added.pk})
    shown = client.get(edit).content.decode()
    assert "您常用哪些系统" in shown and "甲\n乙" in shown
    client.post(edit, {"kind": "scale", "text": "系统好用吗", "points": "3", "high_label": "好用"})
    added.refresh_from_db()
    assert added.choices == ["1", "2", "3(好用)"] and not added.required
    change = reverse("burden:question-change", kwargs={"pk": added.pk})
    client.post(change, {"action": "up"})
    assert _texts(survey)[3] == "系统好用吗"
    client.post(change, {"action": "delete"})
    assert "系统好用吗" not in _texts(survey)
    assert client_for(personas.street_b_manager).get(url).status_code == 404


def test_the_questions_page_says_they_are_frozen(tree: Tree, personas: Personas) -> None:
    register(tree.community_a1, personas.street_a_manager, name="甲一工作者")
    survey = _draft(tree, personas)
    services.worker_codes_issue(survey=survey, acting_user=personas.street_a_manager)
    client = client_for(personas.street_a_manager)
    url = reverse("burden:survey-questions", kwargs={"pk": survey.pk})
    page = client.get(url).content.decode()
    assert "题目已经固定" in page and "添加题目" not in page
    question = survey.questions.get(position=1)
    answer = client.post(
        reverse("burden:question-edit", kwargs={"pk": question.pk}),
        {"kind": "choice", "text": "改了", "options": "是\n否"},
    )
    assert "题目已经固定" in answer.content.decode()
    assert _texts(survey)[0] == "您感到的工作压力"


def test_a_worker_ticks_several_choices_on_the_answer_page(tree: Tree, personas: Personas) -> None:
    from django.test import Client

    survey, codes = _built(tree, personas, n_a1=5, n_a2=0)
    page = Client().post(reverse("burden:answer"), {"code": codes[0]}).content.decode()
    assert 'type="checkbox" name="q-2"' in page and "(可多选)" in page
    body = {"code": codes[0], "submit": "1", "q-1": "1", "q-2": ["0", "2"], "q-3": "4"}
    assert "答卷已提交" in Client().post(reverse("burden:answer"), body).content.decode()
    for code in codes[1:]:
        services.answer_submit(code=code, answers={"1": "0", "2": ["1"]})
    services.worker_survey_set_status(
        survey=survey, status="closed", acting_user=personas.street_a_manager
    )
    survey.refresh_from_db()
    results = selectors.worker_survey_results(viewer=personas.street_a_manager, survey=survey)
    everyone = next(d for d in results["dimensions"] if d["key"] == "all")["rows"][0]
    assert everyone["questions"][1] == [1, 4, 1]
    shown = client_for(personas.street_a_manager).get(
        reverse("burden:survey", kwargs={"pk": survey.pk})
    )
    assert "平均 5.0 分" in shown.content.decode()
