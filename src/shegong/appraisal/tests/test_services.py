"""The appraisal's writes, as the personas make them: codes spent once, votes unlinked,
scores without self-scoring, results with the quota, publication and objections."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shegong.appraisal import services
from shegong.appraisal.models import (
    Ballot,
    BallotRating,
    Cycle,
    CycleStatus,
    HouseholdCode,
    PartKind,
    PooledBallot,
    Result,
    Scheme,
    Score,
    SelfReport,
    Survey,
    SurveyStatus,
)
from shegong.appraisal.tests.factories import (
    add_worker,
    cast,
    leader_points,
    peer_points,
    published,
    recorded,
    street_a_cycle,
)
from shegong.conftest import Personas, Tree
from shegong.core.audit import audit_kind_label
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry


def test_scheme_creates_a_cycle_with_a_survey_for_each_community_of_the_street(
    tree: Tree, personas: Personas
) -> None:
    scheme = services.scheme_create(
        unit=tree.street_a, year=2025, acting_user=personas.street_a_manager
    )
    assert scheme.name == "街道甲2025年度社区工作者考核"
    assert dict(scheme.parts.values_list("kind", "weight")) == {
        "residents": Decimal(60),
        "leaders": Decimal(30),
        "peers": Decimal(10),
    }
    communities = set(scheme.cycle.surveys.values_list("community__name", flat=True))
    assert communities == {"甲一社区", "甲二社区"}
    assert AuditEntry.objects.filter(target_type="appraisal.Scheme", target_id=str(scheme.pk))


def test_weights_must_add_up_to_100(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="各项权重之和须为100%,现为90"):
        services.scheme_create(
            unit=tree.street_a,
            year=2025,
            weights={"residents": Decimal(60), "leaders": Decimal(30)},
            acting_user=personas.street_a_manager,
        )
    assert not Scheme.objects.exists()


def test_street_b_manager_cannot_set_a_scheme_for_street_a(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError, match="您没有权限为街道甲设立考核方案"):
        services.scheme_create(unit=tree.street_a, year=2025, acting_user=personas.street_b_manager)


def test_copy_forward_keeps_parts_and_indicators(tree: Tree, personas: Personas) -> None:
    scheme = services.scheme_create(
        unit=tree.street_a,
        year=2025,
        values={"top_quota": Decimal(15)},
        acting_user=personas.street_a_manager,
    )
    copy = services.scheme_copy_forward(
        scheme=scheme, year=2026, acting_user=personas.street_a_manager
    )
    assert copy.name == "街道甲2026年度社区工作者考核"
    assert copy.top_quota == Decimal(15)
    assert sorted(copy.parts.values_list("kind", "indicators__name")) == sorted(
        scheme.parts.values_list("kind", "indicators__name")
    )
    assert copy.cycle.surveys.count() == 2


def test_only_hashes_of_codes_are_stored(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    stored = list(HouseholdCode.objects.values_list("code_hash", flat=True))
    assert len(stored) == 6
    for code in setup.codes:
        assert code not in stored
        assert code.replace("-", "") not in stored
    assert {services.hash_code(c) for c in setup.codes} == set(stored)


def test_a_code_votes_once_and_the_vote_cannot_be_traced_to_the_household(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    survey_id = cast(setup, setup.codes[0].lower().replace("-", " "))  # typed sloppily works
    assert survey_id == setup.survey.pk
    assert len(PooledBallot.objects.get().ratings) == 3
    with pytest.raises(services.VoteRefused, match="该评议码已经使用过,每户只能投一次票"):
        cast(setup, setup.codes[0])
    assert recorded() == 1
    assert HouseholdCode.objects.filter(spent=True).count() == 1
    # Nothing on the ballot points back at the code or the household, nor gives its order.
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    ballot = Ballot.objects.get()
    assert {f.name for f in Ballot._meta.get_fields()} == {"id", "survey", "category", "ratings"}
    assert isinstance(ballot.pk, uuid.UUID)
    assert BallotRating.objects.filter(ballot=ballot).count() == 3
    assert {f.name for f in PooledBallot._meta.get_fields()} == {
        "id",
        "survey",
        "category",
        "ratings",
    }
    assert not {f.name for f in HouseholdCode._meta.get_fields()} & {"spent_at", "vote"}


def test_a_guessed_code_is_refused(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    with pytest.raises(services.VoteRefused, match="评议码无效"):
        cast(setup, "ABCD-EFGH-JKMN")
    assert recorded() == 0


def test_repeated_failures_lock_the_address_even_for_a_valid_code(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    for i in range(services.FAILURE_LIMIT):
        with pytest.raises(services.VoteRefused):
            cast(setup, f"WRONG-{i:04d}", address="10.9.9.9")
    with pytest.raises(services.VoteThrottled, match="尝试次数过多"):
        cast(setup, setup.codes[0], address="10.9.9.9")
    assert recorded() == 0
    # Another address is not affected.
    cast(setup, setup.codes[0], address="10.9.9.10")
    assert recorded() == 1


def test_a_closed_or_unopened_survey_takes_no_votes(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas, open_survey=False)
    with pytest.raises(services.VoteRefused, match="评议尚未开始"):
        cast(setup, setup.codes[0])
    services.survey_open(survey=setup.survey, acting_user=setup.clerk)
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    with pytest.raises(services.VoteRefused, match="评议已经结束,不再接受投票"):
        cast(setup, setup.codes[0])
    assert recorded() == 0
    assert not HouseholdCode.objects.filter(spent=True).exists()


def test_an_incomplete_ballot_does_not_spend_the_code(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    with pytest.raises(services.VoteRefused, match="请对名单上的每一位社区工作者作出评价"):
        services.vote_cast(
            code=setup.codes[0], ratings={setup.workers[0].pk: "satisfied"}, address="10.0.0.1"
        )
    assert not HouseholdCode.objects.filter(spent=True).exists()
    cast(setup, setup.codes[0])  # the household can still vote
    assert recorded() == 1


def test_reissuing_a_code_voids_the_old_one(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    request = services.code_request_create(
        survey=setup.survey, households=["1栋101"], acting_user=setup.clerk
    )
    [fresh] = services.code_request_approve(code_request=request, acting_user=setup.manager).issued
    with pytest.raises(services.VoteRefused, match="评议码无效"):
        cast(setup, setup.codes[0])
    cast(setup, fresh.code)
    with pytest.raises(ServiceError, match="以下住户已投票,不能补发:1栋101"):
        services.code_request_create(
            survey=setup.survey, households=["1栋101"], acting_user=setup.clerk
        )


def test_household_lines_take_an_optional_category() -> None:
    assert services.parse_households("3栋201\n\n3栋202,居民代表\n驻区医院\t驻区单位") == [
        ("3栋201", "resident"),
        ("3栋202", "representative"),
        ("驻区医院", "organisation"),
    ]
    with pytest.raises(ServiceError, match="第1行:评议人类别应为"):
        services.parse_households("3栋201,业主")


def test_the_database_refuses_self_scoring(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    worker = setup.workers[0]
    with pytest.raises(ServiceError, match="不能给自己评分"):
        services.score_record(
            cycle=setup.cycle,
            worker=worker,
            part=PartKind.PEERS,
            points=peer_points(setup.cycle, (40, 40)),
            scorer_worker=worker,
            acting_user=setup.clerk,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            cycle=setup.cycle,
            worker=worker,
            part=PartKind.PEERS,
            scorer_worker=worker,
            entered_by=setup.clerk,
            total=Decimal(90),
            unit_path=worker.unit_path,
        )


def test_a_leader_rescoring_replaces_their_sheet_and_is_audited(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    worker = setup.workers[0]
    for values in ((30, 40, 60), (20, 30, 30)):
        services.score_record(
            cycle=setup.cycle,
            worker=worker,
            part=PartKind.LEADERS,
            points=leader_points(setup.cycle, values),
            acting_user=setup.manager,
        )
    score = Score.objects.get(worker=worker, part=PartKind.LEADERS)
    assert score.total == Decimal("65.00")  # 20 + 30 + 15 (a 30% rate earns half of 30 points)
    assert score.scorer_user == setup.manager
    trail = AuditEntry.objects.filter(target_type="appraisal.Score", target_id=str(score.pk))
    assert [e.action for e in trail.order_by("id")] == [
        "appraisal.score_recorded",
        "appraisal.score_replaced",
    ]


def test_a_clerk_cannot_score_as_the_street_leadership(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    with pytest.raises(ServiceError, match="只有街道甲的负责人可以进行街道考核评分"):
        services.score_record(
            cycle=setup.cycle,
            worker=setup.workers[0],
            part=PartKind.LEADERS,
            points=leader_points(setup.cycle, (30, 40, 60)),
            acting_user=setup.clerk,
        )


def test_points_above_an_indicator_are_refused(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    with pytest.raises(ServiceError, match="社区治安与矛盾调解最高30分"):
        services.score_record(
            cycle=setup.cycle,
            worker=setup.workers[0],
            part=PartKind.LEADERS,
            points=leader_points(setup.cycle, (31, 40, 60)),
            acting_user=setup.manager,
        )
    assert not Score.objects.exists()


def test_results_weight_parts_apply_the_quota_and_count_toward_steps(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas, names=("王芳", "李强", "赵敏", "钱进", "孙丽"))
    wang, li, zhao, qian, sun = setup.workers
    ratings = {
        wang.pk: "satisfied",
        li.pk: "satisfied",
        zhao.pk: "fairly",
        qian.pk: "unsatisfied",
        sun.pk: "satisfied",
    }
    for code in setup.codes[:4]:
        services.vote_cast(code=code, ratings=ratings, address="10.0.0.1")
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    sheets = {
        wang: (30, 40, 60),
        li: (30, 40, 60),
        zhao: (20, 30, 30),
        qian: (10, 10, 0),
        sun: (25, 35, 60),
    }
    for worker, values in sheets.items():
        services.score_record(
            cycle=setup.cycle,
            worker=worker,
            part=PartKind.LEADERS,
            points=leader_points(setup.cycle, values),
            acting_user=setup.manager,
        )
    services.score_record(
        cycle=setup.cycle,
        worker=wang,
        part=PartKind.PEERS,
        points=peer_points(setup.cycle, (50, 50)),
        scorer_worker=li,
        acting_user=setup.clerk,
    )
    services.score_record(
        cycle=setup.cycle,
        worker=li,
        part=PartKind.PEERS,
        points=peer_points(setup.cycle, (40, 40)),
        scorer_worker=wang,
        acting_user=setup.clerk,
    )
    assert services.results_compute(cycle=setup.cycle, acting_user=setup.manager) == 5
    got = {r.worker.name: r for r in Result.objects.filter(cycle=setup.cycle)}
    # 王芳 100 on everything; 李强 residents 100, leaders 100, peers 80 → 98.
    assert got["王芳"].score == Decimal("100.00")
    assert got["李强"].score == Decimal("98.00")
    # 孙丽: residents 100, leaders 90, no peers → (60×100 + 30×90) / 90 = 96.67.
    assert got["孙丽"].score == Decimal("96.67")
    assert "无同事互评评分,按其余各项折算" in got["孙丽"].reasons
    # Three above 90 but 20% of 5 workers is 1: only the best is 优秀.
    assert [got[n].grade for n in ("王芳", "李强", "孙丽")] == ["A", "B", "B"]
    assert "优秀名额已满(上限1人)" in got["李强"].reasons
    assert got["王芳"].ten_best and not got["李强"].ten_best
    # 钱进: residents 0, leaders 20 → 6.67: 不合格, warned.
    assert got["钱进"].grade == "D"
    assert got["钱进"].standing == "warn"
    assert [got[n].rank for n in ("王芳", "李强", "孙丽", "赵敏", "钱进")] == [1, 2, 3, 4, 5]


def test_a_survey_with_too_few_raters_is_left_out_with_a_reason(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas, names=("王芳",), min_raters=3)
    cast(setup, setup.codes[0], "unsatisfied")
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    services.score_record(
        cycle=setup.cycle,
        worker=setup.workers[0],
        part=PartKind.LEADERS,
        points=leader_points(setup.cycle, (30, 40, 60)),
        acting_user=setup.manager,
    )
    services.results_compute(cycle=setup.cycle, acting_user=setup.manager)
    result = Result.objects.get(cycle=setup.cycle)
    assert result.resident_score is None
    assert result.score == Decimal("100.00")
    assert "居民评议人数不足3人" in result.reasons


def test_results_wait_for_open_surveys(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    with pytest.raises(ServiceError, match="还有社区的居民评议未结束"):
        services.results_compute(cycle=setup.cycle, acting_user=setup.manager)


def test_two_failing_years_put_a_worker_on_the_exit_list(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas, names=("钱进",))
    worker = setup.workers[0]
    cast(setup, setup.codes[0], "unsatisfied")
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    services.results_compute(cycle=setup.cycle, acting_user=setup.manager)
    assert Result.objects.get(cycle=setup.cycle).standing == "warn"
    services.results_publish(cycle=setup.cycle, acting_user=setup.manager)
    nxt = services.scheme_copy_forward(
        scheme=setup.cycle.scheme, year=2026, acting_user=setup.manager
    ).cycle
    survey = nxt.surveys.get(community=tree.community_a1)
    [code] = services.codes_issue(survey=survey, households=["1栋101"], acting_user=setup.clerk)
    services.survey_open(survey=survey, acting_user=setup.clerk)
    services.vote_cast(code=code.code, ratings={worker.pk: "unsatisfied"}, address="10.0.0.1")
    services.survey_close(survey=survey, acting_user=setup.clerk)
    Survey.objects.filter(cycle=nxt).exclude(pk=survey.pk).update(status=SurveyStatus.CLOSED)
    services.results_compute(cycle=nxt, acting_user=setup.manager)
    result = Result.objects.get(cycle=nxt)
    assert (result.grade, result.standing) == ("D", "exit")
    assert "连续两年考核不合格" in result.reasons


def test_objection_within_the_window_and_a_recorded_decision(
    tree: Tree, personas: Personas
) -> None:
    setup = published(street_a_cycle(tree, personas))
    result = Result.objects.filter(cycle=setup.cycle).first()
    assert result is not None
    objection = services.objection_file(
        result=result, text="漏计了调解工作", acting_user=setup.clerk
    )
    with pytest.raises(ServiceError, match="该结果已有待处理的异议"):
        services.objection_file(result=result, text="再次提出", acting_user=setup.clerk)
    with pytest.raises(ServiceError, match="只有街道甲的负责人可以处理异议"):
        services.objection_decide(
            objection=objection, upheld=False, decision="维持", acting_user=setup.clerk
        )
    services.objection_decide(
        objection=objection, upheld=True, decision="核实后更正评分", acting_user=setup.manager
    )
    objection.refresh_from_db()
    assert (objection.status, objection.decided_by) == ("upheld", setup.manager)
    cycle = Cycle.objects.get(pk=setup.cycle.pk)
    assert cycle.status == CycleStatus.OPEN  # back to scoring for the correction
    # Recomputing keeps the objection on record.
    services.results_compute(cycle=cycle, acting_user=setup.manager)
    assert objection.__class__.objects.filter(pk=objection.pk).exists()


def test_objection_after_the_window_is_refused(tree: Tree, personas: Personas) -> None:
    setup = published(street_a_cycle(tree, personas))
    Cycle.objects.filter(pk=setup.cycle.pk).update(
        objections_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    result = Result.objects.filter(cycle=setup.cycle).first()
    assert result is not None
    with pytest.raises(ServiceError, match=r"异议期已于.*截止"):
        services.objection_file(result=result, text="太晚了", acting_user=setup.clerk)


def test_self_report_is_kept_per_cycle_and_worker(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    worker = setup.workers[0]
    services.self_report_save(
        cycle=setup.cycle, worker=worker, text="一年来……", acting_user=setup.clerk
    )
    services.self_report_save(
        cycle=setup.cycle, worker=worker, text="修改后的述职", acting_user=setup.clerk
    )
    assert SelfReport.objects.get().text == "修改后的述职"
    other = add_worker(tree.community_b1, personas.street_b_manager, "乙一工作者")
    with pytest.raises(ServiceError, match="您没有权限录入乙一社区的述职报告"):
        services.self_report_save(
            cycle=setup.cycle, worker=other, text="x", acting_user=setup.clerk
        )


def test_the_spending_update_matches_no_row_once_a_code_is_spent(
    tree: Tree, personas: Personas
) -> None:
    """The guard against double counting under concurrency (load-tested in bench/)."""
    setup = street_a_cycle(tree, personas)
    args: list[bool | str] = [True, services.hash_code(setup.codes[0]), False, False, "open"]
    with connection.cursor() as cursor:
        cursor.execute(services._SPEND_SQL, args)
        first = cursor.fetchone()
        cursor.execute(services._SPEND_SQL, args)
        second = cursor.fetchone()
    assert first == (setup.survey.pk, "resident")
    assert second is None


def test_indicators_are_fixed_once_someone_has_scored(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    scheme = setup.cycle.scheme
    services.indicators_replace(
        scheme=scheme,
        part=PartKind.PEERS,
        items=services.parse_indicators("工作态度,60\n团结协作,40"),
        acting_user=setup.manager,
    )
    services.score_record(
        cycle=setup.cycle,
        worker=setup.workers[0],
        part=PartKind.PEERS,
        points=peer_points(setup.cycle, (60, 20)),
        scorer_worker=setup.workers[1],
        acting_user=setup.clerk,
    )
    assert Score.objects.get().total == Decimal("80.00")
    with pytest.raises(ServiceError, match="已有人按现有指标评分,不能再修改指标"):
        services.indicators_replace(
            scheme=scheme,
            part=PartKind.PEERS,
            items=services.parse_indicators("工作态度,50\n团结协作,50"),
            acting_user=setup.manager,
        )


def test_other_areas_read_only_published_outcomes(tree: Tree, personas: Personas) -> None:
    from shegong.appraisal import selectors

    setup = street_a_cycle(tree, personas)
    for code in setup.codes[:2]:
        cast(setup, code)
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    services.results_compute(cycle=setup.cycle, acting_user=setup.manager)
    assert selectors.published_outcomes(year=2025) == {}  # computed, not yet published
    services.results_publish(cycle=setup.cycle, acting_user=setup.manager)
    outcomes = selectors.published_outcomes(year=2025, worker_ids=[setup.workers[0].pk])
    assert list(outcomes) == [setup.workers[0].pk]
    # 100 from the residents, but 20% of 3 workers leaves no 优秀 place: 良好.
    assert outcomes[setup.workers[0].pk].grade == "B"


def test_the_trail_names_what_happened_to_a_survey_in_chinese(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    entry = AuditEntry.objects.filter(target_type="appraisal.Survey").order_by("id").last()
    assert entry is not None and entry.action == "appraisal.survey_closed"
    assert audit_kind_label(entry.action) == "结束居民评议"
    assert entry.actor == setup.clerk and entry.unit_path == setup.survey.unit_path


def test_the_service_refuses_a_control_character_in_a_scheme_or_indicator_name(
    tree: Tree, personas: Personas
) -> None:
    from shegong.appraisal.models import Scheme

    user = personas.street_a_manager
    with pytest.raises(ServiceError, match="方案名称"):
        services.scheme_create(unit=tree.street_a, year=2025, name="考核\x00", acting_user=user)
    assert not Scheme.objects.exists()
    scheme = services.scheme_create(unit=tree.street_a, year=2025, acting_user=user)
    with pytest.raises(ServiceError, match="指标名称"):
        services.indicators_replace(
            scheme=scheme, part="leaders",
            items=[("履职\x07尽责", "points", Decimal(100), None)], acting_user=user,
        )  # fmt: skip
