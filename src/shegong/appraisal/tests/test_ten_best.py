"""十佳 on its own cycle: every two years by default, drawn from the published results of the
period, its own list and its own award (owed through people.AwardDue, paid once by pay)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from shegong.appraisal import rules, services
from shegong.appraisal.models import Cycle, PartKind, Survey, SurveyStatus, TenBestMember
from shegong.appraisal.tests.factories import Setup, leader_points, street_a_cycle
from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.people.models import AwardDue

D = Decimal
SHEETS = ((30, 40, 60), (25, 35, 55), (10, 10, 0))  # 王芳, 李强, 赵敏


def _publish(setup: Setup, cycle: Cycle, codes: list[str]) -> None:
    """Every household satisfied with everyone; the leaders score as SHEETS; published."""
    survey = cycle.surveys.get(community=setup.tree.community_a1)
    if survey.status == SurveyStatus.DRAFT:
        services.survey_open(survey=survey, acting_user=setup.clerk)
    for code in codes:
        services.vote_cast(
            code=code, ratings={w.pk: "satisfied" for w in setup.workers}, address="10.0.0.1"
        )
    services.survey_close(survey=survey, acting_user=setup.clerk)
    Survey.objects.filter(cycle=cycle).exclude(pk=survey.pk).update(status=SurveyStatus.CLOSED)
    for worker, values in zip(setup.workers, SHEETS, strict=True):
        services.score_record(
            cycle=cycle,
            worker=worker,
            part=PartKind.LEADERS,
            points=leader_points(cycle, values),
            acting_user=setup.manager,
        )
    services.results_compute(cycle=cycle, acting_user=setup.manager)
    services.results_publish(cycle=cycle, acting_user=setup.manager)


def _two_years(tree: Tree, personas: Personas) -> Setup:
    setup = street_a_cycle(tree, personas)
    _publish(setup, setup.cycle, setup.codes[:3])
    nxt = services.scheme_copy_forward(
        scheme=setup.cycle.scheme, year=2026, acting_user=setup.manager
    ).cycle
    survey = nxt.surveys.get(community=tree.community_a1)
    issued = services.codes_issue(survey=survey, acting_user=setup.clerk)
    _publish(setup, nxt, [i.code for i in issued][:3])
    return setup


def test_the_period_list_needs_every_year_and_no_failure() -> None:
    results = {
        1: {2025: (D(90), "B"), 2026: (D(94), "A")},
        2: {2025: (D(99), "A")},  # no result in 2026
        3: {2025: (D(95), "A"), 2026: (D(50), "D")},  # 不合格 in the period
        4: {2025: (D(80), "B"), 2026: (D(84), "B")},
    }
    assert rules.ten_best_of_period(results, [2025, 2026], 10) == [(1, D(92)), (4, D(82))]
    assert rules.ten_best_of_period(results, [2025, 2026], 1) == [(1, D(92))]


def test_an_election_of_two_years_draws_its_list_and_owes_its_award(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    election = services.ten_best_create(
        unit=tree.street_a, first_year=2025, size=2, award=D("800"), acting_user=manager
    )
    assert (election.years, election.last_year) == (2, 2026)  # every two years by default
    with pytest.raises(ServiceError, match="2025、2026年度还没有公示的考核结果"):
        services.ten_best_draw(election=election, acting_user=manager)
    with pytest.raises(ServiceError, match="周期重叠"):
        services.ten_best_create(unit=tree.street_a, first_year=2026, acting_user=manager)
    setup = _two_years(tree, personas)
    assert services.ten_best_draw(election=election, acting_user=manager) == 2
    members = list(TenBestMember.objects.filter(election=election).select_related("worker"))
    assert [m.worker.name for m in members] == ["王芳", "李强"]
    page = client_for(manager).get(reverse("appraisal:ten-best-detail", kwargs={"pk": election.pk}))
    assert "王芳" in page.content.decode() and "赵敏" not in page.content.decode()
    services.ten_best_publish(election=election, acting_user=manager)
    owed = AwardDue.objects.filter(kind="ten_best").select_related("worker")
    assert sorted((d.worker.name, d.amount) for d in owed) == [
        ("李强", D("800")),
        ("王芳", D("800")),
    ]
    assert {d.source_label for d in owed} == {election.name}
    assert AuditEntry.objects.filter(action="appraisal.ten_best_published").exists()
    with pytest.raises(ServiceError, match="已公布"):
        services.ten_best_draw(election=election, acting_user=manager)
    assert setup.workers[0].name == "王芳"


def test_the_ten_best_pages_are_the_organiser_s(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    response = client.post(
        reverse("appraisal:ten-best"),
        {"unit": tree.street_a.pk, "first_year": 2024, "years": 2, "size": 10, "award": "500"},
    )
    assert response.status_code == 302
    page = client.get(reverse("appraisal:ten-best")).content.decode()
    assert "街道甲2024—2025年度十佳社区工作者" in page
    other = client_for(personas.street_b_manager).get(reverse("appraisal:ten-best"))
    assert "街道甲" not in other.content.decode()
