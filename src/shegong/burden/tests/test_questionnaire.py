"""The workers' anonymous questionnaire: one code one answer, nothing stored that links an
answer to a worker or code, results withheld for small groups."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse

from shegong.burden import selectors, services
from shegong.burden.models import (
    PooledAnswer,
    SurveyComment,
    SurveyTally,
    WorkerCode,
    WorkerSurvey,
)
from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.people.tests.factories import register

ANSWER = {"1": "0", "2": "3", "3": "0", "4": "台账太多"}


def _survey(
    tree: Tree, personas: Personas, n_a1: int = 4, n_a2: int = 1
) -> tuple[WorkerSurvey, list[str]]:
    for i in range(n_a1):
        register(tree.community_a1, personas.street_a_manager, name=f"甲一{i}号")
    for i in range(n_a2):
        register(tree.community_a2, personas.street_a_manager, name=f"甲二{i}号")
    survey = services.worker_survey_create(
        unit=tree.street_a,
        title="2026年社区工作者负担问卷",
        year=2026,
        acting_user=personas.street_a_manager,
    )
    issued = services.worker_codes_issue(
        survey=survey, acting_user=personas.street_a_manager, on=datetime.date(2026, 6, 1)
    )
    services.worker_survey_set_status(
        survey=survey, status="open", acting_user=personas.street_a_manager
    )
    return survey, [code for _worker, code in issued]


def test_one_code_gives_one_answer(tree: Tree, personas: Personas) -> None:
    _unused, codes = _survey(tree, personas)
    assert len(codes) == 5
    services.answer_submit(code=codes[0], answers=ANSWER)
    with pytest.raises(ServiceError) as refused:
        services.answer_submit(code=codes[0], answers=ANSWER)
    assert "已使用" in refused.value.message
    with pytest.raises(ServiceError):
        services.answer_submit(code="AAAA-BBBB-CCCC", answers=ANSWER)
    assert PooledAnswer.objects.count() == 1


def test_an_incomplete_answer_spends_nothing(tree: Tree, personas: Personas) -> None:
    _unused, codes = _survey(tree, personas)
    with pytest.raises(ServiceError) as refused:
        services.answer_submit(code=codes[0], answers={"1": "0"})
    assert "请回答" in refused.value.message
    assert not WorkerCode.objects.filter(spent=True).exists()


def test_nothing_stored_links_an_answer_to_a_worker_or_a_code(
    tree: Tree, personas: Personas
) -> None:
    survey, codes = _survey(tree, personas)
    for code in codes:
        services.answer_submit(code=code, answers=ANSWER)
    services.worker_survey_set_status(
        survey=survey, status="closed", acting_user=personas.street_a_manager
    )
    assert not PooledAnswer.objects.exists()
    for model in (SurveyTally, SurveyComment):
        names = {f.name for f in model._meta.get_fields()}
        assert not names & {"worker", "code", "code_hash", "created_at", "at", "groups"}
    assert not {f.name for f in WorkerCode._meta.get_fields()} & {"spent_at", "answered_at"}
    assert SurveyComment.objects.count() == 5 and set(
        SurveyComment.objects.values_list("question", flat=True)
    ) == {4}


def test_results_are_withheld_below_the_minimum_group_size(
    tree: Tree, personas: Personas, settings: object
) -> None:
    survey, codes = _survey(tree, personas, n_a1=4, n_a2=1)
    for code in codes:
        services.answer_submit(code=code, answers=ANSWER)
    services.worker_survey_set_status(
        survey=survey, status="closed", acting_user=personas.street_a_manager
    )
    survey.refresh_from_db()
    results = selectors.worker_survey_results(viewer=personas.street_a_manager, survey=survey)
    assert results["respondents"] == 5
    units = next(d for d in results["dimensions"] if d["key"] == "unit")["rows"]
    shown = {r["group"]: r["respondents"] for r in units}
    # 甲二社区 has one respondent: withheld, and 甲一社区 with it (5 − 1 would give it away).
    assert shown == {"甲一社区": None, "甲二社区": None}
    everyone = next(d for d in results["dimensions"] if d["key"] == "all")["rows"][0]
    assert everyone["respondents"] == 5 and everyone["questions"][0][0] == 5


def test_answers_are_tallied_in_batches_leaving_a_random_batch_pooled(
    tree: Tree, personas: Personas
) -> None:
    survey, codes = _survey(tree, personas, n_a1=2 * services.ANSWER_BATCH, n_a2=0)
    for code in codes:
        services.answer_submit(code=code, answers=ANSWER)
    assert PooledAnswer.objects.count() == services.ANSWER_BATCH
    survey.refresh_from_db()
    assert survey.respondents == services.ANSWER_BATCH


@pytest.mark.django_db(transaction=True)
def test_the_same_code_spent_from_many_threads_counts_once(tree: Tree, personas: Personas) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    _unused, codes = _survey(tree, personas)
    results: list[str] = []

    def submit() -> None:
        try:
            services.answer_submit(code=codes[0], answers=ANSWER)
            results.append("ok")
        except ServiceError:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok"] + ["refused"] * 7
    assert PooledAnswer.objects.count() == 1


def test_a_worker_answers_on_the_page_with_a_code(tree: Tree, personas: Personas) -> None:
    from django.test import Client
    from django.urls import reverse

    from shegong.conftest import client_for

    survey, codes = _survey(tree, personas)
    page = Client().post(reverse("burden:answer"), {"code": codes[0]}).content.decode()
    assert "您感到的工作压力" in page
    body = {"code": codes[0], "submit": "1", **{f"q-{k}": v for k, v in ANSWER.items()}}
    page = Client().post(reverse("burden:answer"), body).content.decode()
    assert "答卷已提交" in page
    page = Client().post(reverse("burden:answer"), {"code": codes[0]}).content.decode()
    assert "已使用" in page
    shown = client_for(personas.street_a_manager).get(
        reverse("burden:survey", kwargs={"pk": survey.pk})
    )
    assert "已发放答卷码 5 个" in shown.content.decode()


def test_the_burden_report_carries_the_questionnaire(tree: Tree, personas: Personas) -> None:
    survey, codes = _survey(tree, personas)
    for code in codes:
        services.answer_submit(code=code, answers=ANSWER)
    services.worker_survey_set_status(
        survey=survey, status="closed", acting_user=personas.street_a_manager
    )
    s = selectors.burden_summary(viewer=personas.street_a_manager, unit=tree.street_a, year=2026)
    assert s["survey"]["respondents"] == 5
    assert s["survey"]["questions"][0]["counts"] == [5, 0, 0, 0, 0]


def test_a_year_s_report_shows_that_year_s_questionnaire_never_a_later_one(
    tree: Tree, personas: Personas
) -> None:
    survey, codes = _survey(tree, personas)
    services.answer_submit(code=codes[0], answers=ANSWER)
    manager = personas.street_a_manager
    services.worker_survey_set_status(survey=survey, status="closed", acting_user=manager)
    assert selectors.burden_summary(viewer=manager, unit=tree.street_a, year=2025)["survey"] is None
    later = selectors.burden_summary(viewer=manager, unit=tree.street_a, year=2027)["survey"]
    assert later is not None and later["title"] == "2026年社区工作者负担问卷"
    with pytest.raises(ServiceError, match="问卷年度"):
        services.worker_survey_create(
            unit=tree.street_a, title="远期问卷", year=1999, acting_user=manager
        )


def test_wrong_codes_from_one_address_are_throttled_like_the_residents_vote(
    tree: Tree, personas: Personas, settings: object
) -> None:
    from django.test import Client
    from django.urls import reverse

    from shegong.appraisal.services import votes

    _found, codes = _survey(tree, personas)
    guesser = Client(REMOTE_ADDR="203.0.113.7")
    for n in range(votes.FAILURE_LIMIT):
        guesser.post(reverse("burden:answer"), {"code": f"AAAA-BBBB-{n:04d}"})
    page = guesser.post(reverse("burden:answer"), {"code": codes[0]}).content.decode()
    assert "尝试次数过多" in page and "您感到的工作压力" not in page  # even a right code waits
    elsewhere = Client(REMOTE_ADDR="198.51.100.2")
    page = elsewhere.post(reverse("burden:answer"), {"code": codes[0]}).content.decode()
    assert "您感到的工作压力" in page  # one client's guesses lock out that client only


def test_a_community_clerk_is_not_shown_the_results_of_the_street_s_questionnaire(
    tree: Tree, personas: Personas
) -> None:
    survey, codes = _survey(tree, personas)
    for code in codes:
        services.answer_submit(code=code, answers=ANSWER)
    services.worker_survey_set_status(
        survey=survey, status="closed", acting_user=personas.street_a_manager
    )
    clerk = personas.community_a1_clerk
    s = selectors.burden_summary(viewer=clerk, unit=tree.community_a1, year=2026)
    assert s["survey"]["above"] and s["survey"]["respondents"] is None
    assert all(q["counts"] is None for q in s["survey"]["questions"])
    page = client_for(clerk).get(reverse("burden:index")).content.decode()
    assert "结果由" in page and "份答卷" not in page
    # the clerk's own community is in the unit list of the page (it was empty)
    assert f'<option value="{tree.community_a1.code}" selected>' in page
