"""The appraisal pages as the personas and a resident use them."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
from django.test import Client
from django.urls import reverse

from shegong.appraisal import charts, services
from shegong.appraisal.models import (
    CodeRequest,
    Household,
    HouseholdCode,
    Objection,
    PartKind,
    PooledBallot,
    Result,
    Score,
    SelfReport,
)
from shegong.appraisal.tests.factories import (
    leader_points,
    peer_points,
    published,
    recorded,
    street_a_cycle,
)
from shegong.conftest import Personas, Tree, client_for


def test_street_manager_sets_a_scheme_from_the_form(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    form = client.get(reverse("appraisal:scheme-create"))
    assert "街道甲" in form.content.decode()
    assert "街道乙" not in form.content.decode()
    data = {
        "unit": tree.street_a.pk,
        "year": 2025,
        "weight_residents": "50",
        "weight_leaders": "40",
        "weight_peers": "0",
        "grade_set": "competence",
        "threshold_a": "90",
        "threshold_b": "75",
        "threshold_c": "60",
        "top_quota": "15",
        "min_raters": "50",
        "min_resident_share": "70",
        "trim": "on",
        "ten_best": "10",
        "objection_days": "7",
    }
    refused = client.post(reverse("appraisal:scheme-create"), data)
    assert "各项权重之和须为100%,现为90" in refused.content.decode()
    response = client.post(
        reverse("appraisal:scheme-create"), {**data, "weight_leaders": "50"}, follow=True
    )
    page = response.content.decode()
    assert "已设立街道甲2025年度社区工作者考核" in page
    assert "甲一社区" in page and "甲二社区" in page
    assert "录入同事互评" not in page  # no peers part when its weight is 0


def test_clerk_issues_codes_and_gets_printable_notices_with_qr_codes(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas, households=1, open_survey=False)
    client = client_for(personas.community_a1_clerk)
    record = reverse("appraisal:households", kwargs={"pk": tree.community_a1.pk})
    added = client.post(record, {"households": "2栋301\n2栋302,居民代表"}, follow=True)
    assert "已登记2户" in added.content.decode()
    assert "名册3户,社区登记户数1200户" in added.content.decode()
    url = reverse("appraisal:survey-codes", kwargs={"pk": setup.survey.pk})
    response = client.post(url, {"households": "", "action": "issue"})  # all without a code
    page = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    codes = re.findall(r'<span class="code">([A-Z0-9-]+)</span>', page)
    assert len(codes) == 2
    assert page.count('<svg width="') == 2  # one QR code per notice, drawn by the app
    # The QR code carries the vote link with the code, so a phone opens the ballot directly.
    assert charts.qr_svg(f"http://testserver/appraisal/vote/?c={codes[0]}") in page
    assert "2栋302" in page
    assert HouseholdCode.objects.filter(survey=setup.survey, voided=False).count() == 3


def test_codes_for_a_household_not_on_record_are_refused_on_the_page(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas, households=1, open_survey=False)
    response = client_for(personas.street_a_manager).post(
        reverse("appraisal:survey-codes", kwargs={"pk": setup.survey.pk}),
        {"households": "9栋901", "action": "issue"},
    )
    assert "以下住户不在甲一社区的住户名册上:9栋901" in response.content.decode()
    assert HouseholdCode.objects.count() == 1


def test_clerk_uploads_the_household_sheet(tree: Tree, personas: Personas) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["门牌号", "类别"])
    sheet.append(["5栋101", "普通居民"])
    sheet.append(["5栋102", "居民代表"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "households.xlsx"
    response = client_for(personas.community_a1_clerk).post(
        reverse("appraisal:households", kwargs={"pk": tree.community_a1.pk}),
        {"sheet": buffer},
        follow=True,
    )
    assert "已登记2户" in response.content.decode()
    assert dict(Household.objects.values_list("label", "category")) == {
        "5栋101": "resident",
        "5栋102": "representative",
    }


def test_a_reissue_asked_by_the_clerk_is_approved_by_the_manager_on_the_page(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    clerk = client_for(personas.community_a1_clerk)
    url = reverse("appraisal:survey-codes", kwargs={"pk": setup.survey.pk})
    asked = clerk.post(url, {"households": "1栋101\n1栋102", "action": "request"}, follow=True)
    assert "已提交2户的补发申请" in asked.content.decode()
    assert "批准并生成" not in asked.content.decode()  # not for the one who asked
    request = CodeRequest.objects.get()
    approve = reverse("appraisal:code-request-approve", kwargs={"pk": request.pk})
    refused = clerk.post(approve, follow=True)
    assert "申请人不能审批自己的申请" in refused.content.decode()
    manager = client_for(personas.street_a_manager)
    assert "批准并生成" in manager.get(url).content.decode()
    page = manager.post(approve).content.decode()
    assert "已审批:为2户生成新评议码,作废未使用的旧评议码2个" in page
    assert len(re.findall(r'<span class="code">', page)) == 2
    assert HouseholdCode.objects.filter(voided=True).count() == 2


def test_another_streets_manager_cannot_see_a_communitys_household_record(
    tree: Tree, personas: Personas
) -> None:
    url = reverse("appraisal:households", kwargs={"pk": tree.community_a1.pk})
    assert client_for(personas.street_b_manager).get(url).status_code == 404
    assert client_for(personas.community_a1_clerk).get(url).status_code == 200


def test_resident_votes_from_the_qr_link_without_logging_in(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    resident = Client()
    ballot = resident.get(reverse("appraisal:vote"), {"c": setup.codes[0]})
    page = ballot.content.decode()
    assert "甲一社区社区工作者满意度评议" in page
    assert all(w.name in page for w in setup.workers)
    ratings = {f"r_{w.pk}": "satisfied" for w in setup.workers}
    ratings[f"r_{setup.workers[-1].pk}"] = "skip"
    done = resident.post(
        reverse("appraisal:vote"), {"code": setup.codes[0], "cast": "1", **ratings}
    )
    assert "投票成功,感谢您的参与!" in done.content.decode()
    assert recorded() == 1
    assert len(PooledBallot.objects.get().ratings) == 2  # 不了解 is not counted
    again = resident.get(reverse("appraisal:vote"), {"c": setup.codes[0]})
    assert again.status_code == 400
    assert "该评议码已经使用过" in again.content.decode()


def test_vote_pages_show_nothing_without_a_valid_code(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    resident = Client()
    for url in (reverse("appraisal:vote"), reverse("appraisal:vote-results")):
        empty = resident.get(url).content.decode()
        wrong = resident.get(url, {"c": "AAAA-BBBB-CCCC"})
        assert wrong.status_code == 400
        for page in (empty, wrong.content.decode()):
            assert "甲一社区" not in page
            assert setup.workers[0].name not in page


def test_an_incomplete_ballot_comes_back_with_the_choices_kept(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    first = setup.workers[0]
    response = Client().post(
        reverse("appraisal:vote"),
        {"code": setup.codes[0], "cast": "1", f"r_{first.pk}": "fairly"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "请对名单上的每一位社区工作者作出评价" in page
    assert f'name="r_{first.pk}" value="fairly" checked' in page
    assert recorded() == 0


def test_residents_see_the_results_with_a_chart_once_closed(tree: Tree, personas: Personas) -> None:
    setup = published(street_a_cycle(tree, personas))
    page = Client().get(reverse("appraisal:vote-results"), {"c": setup.codes[0]}).content.decode()
    assert "甲一社区评议结果" in page
    assert "共发放评议码6个,收回3票,参与率50.0%" in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
    assert "86.67" in page  # two 满意 (100) and one 基本满意 (60)


def test_clerk_sees_live_turnout_for_their_community(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    for code in setup.codes[:2]:
        Client().post(
            reverse("appraisal:vote"),
            {"code": code, "cast": "1", **{f"r_{w.pk}": "satisfied" for w in setup.workers}},
        )
    page = (
        client_for(personas.community_a1_clerk)
        .get(reverse("appraisal:survey", kwargs={"pk": setup.survey.pk}))
        .content.decode()
    )
    assert re.search(r'id="spent">2<', page)
    assert re.search(r'id="percent">33.3%<', page)
    assert 'http-equiv="refresh"' in page
    cycle_page = (
        client_for(personas.community_a1_clerk)
        .get(reverse("appraisal:cycle", kwargs={"pk": setup.cycle.pk}))
        .content.decode()
    )
    assert "甲一社区" in cycle_page and "甲二社区" not in cycle_page


def test_leader_scores_from_the_table_and_sees_only_counts_elsewhere(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    client = client_for(personas.street_a_manager)
    url = reverse("appraisal:score-leaders", kwargs={"pk": setup.cycle.pk})
    points = leader_points(setup.cycle, (28, 36, 45))
    worker = setup.workers[0]
    data = {f"p_{worker.pk}_{i}": v for i, v in points.items()}
    response = client.post(url, data, follow=True)
    assert "已保存1人的评分" in response.content.decode()
    assert Score.objects.get(part=PartKind.LEADERS, worker=worker).total == Decimal(
        "86.50"
    )  # 28 + 36 + 45/60 × 30
    # The clerk cannot open the leaders' form.
    assert client_for(personas.community_a1_clerk).get(url).status_code == 404
    cycle_page = client.get(reverse("appraisal:cycle", kwargs={"pk": setup.cycle.pk}))
    assert "street_a_manager" not in cycle_page.content.decode().split("<main>")[1]


def test_a_bad_row_saves_none_of_the_table(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    points = leader_points(setup.cycle, (28, 36, 45))
    first, second = setup.workers[:2]
    data = {f"p_{first.pk}_{i}": v for i, v in points.items()}
    data |= {f"p_{second.pk}_{i}": "99" for i in points}
    response = client_for(personas.street_a_manager).post(
        reverse("appraisal:score-leaders", kwargs={"pk": setup.cycle.pk}), data
    )
    assert "李强:社区治安与矛盾调解最高30分" in response.content.decode()
    assert not Score.objects.exists()


def test_clerk_enters_a_peer_sheet_never_for_oneself(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    scorer, scored = setup.workers[:2]
    url = reverse("appraisal:score-peers", kwargs={"pk": setup.cycle.pk})
    client = client_for(personas.community_a1_clerk)
    page = client.get(url, {"scorer": scorer.pk}).content.decode()
    assert f"p_{scorer.pk}_" not in page  # the scorer is not on their own sheet
    assert f"p_{scored.pk}_" in page
    points = peer_points(setup.cycle, ("45", "45"))
    response = client.post(
        f"{url}?scorer={scorer.pk}",
        {f"p_{scored.pk}_{i}": v for i, v in points.items()},
        follow=True,
    )
    assert "已保存1人的评分" in response.content.decode()
    score = Score.objects.get(part=PartKind.PEERS)
    assert (score.worker, score.scorer_worker, score.total) == (scored, scorer, Decimal(90))


def test_self_report_page(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    worker = setup.workers[0]
    url = reverse("appraisal:self-report", kwargs={"pk": setup.cycle.pk}) + f"?worker={worker.pk}"
    client = client_for(personas.community_a1_clerk)
    client.post(url, {"text": "全年走访居民三百户"})
    assert SelfReport.objects.get(worker=worker).text == "全年走访居民三百户"
    assert "全年走访居民三百户" in client.get(url).content.decode()


def test_published_results_page_and_workbook(tree: Tree, personas: Personas) -> None:
    setup = published(street_a_cycle(tree, personas))
    client = client_for(personas.street_a_manager)
    page = client.get(reverse("appraisal:results", kwargs={"pk": setup.cycle.pk})).content.decode()
    assert "等次分布" in page and "<svg" in page
    assert "提出异议" in page
    response = client.get(reverse("appraisal:results-xlsx", kwargs={"pk": setup.cycle.pk}))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["考核结果"].iter_rows(min_row=3, values_only=True))
    assert {r[1] for r in rows} == {w.name for w in setup.workers}
    assert book["等次分布"]._charts  # a native Excel chart
    grades = dict(book["等次分布"].iter_rows(min_row=2, values_only=True))
    assert sum(grades.values()) == 3


def test_the_results_sort_by_their_headers(tree: Tree, personas: Personas) -> None:
    setup = published(street_a_cycle(tree, personas))
    client = client_for(personas.street_a_manager)
    url = reverse("appraisal:results", kwargs={"pk": setup.cycle.pk})
    by_rank = client.get(url).context["rows"]
    assert [r.rank for r in by_rank] == sorted(r.rank for r in by_rank)
    lowest_first = client.get(url, {"sort": "score"}).context["rows"]
    scores = [r.score for r in lowest_first]
    assert scores == sorted(scores)
    page = client.get(url, {"sort": "-score"}).content.decode()
    assert 'aria-sort="descending"' in page and "?sort=score" in page
    assert [r.rank for r in client.get(url, {"sort": "grade; drop"}).context["rows"]] == [
        r.rank for r in by_rank
    ]


def test_clerk_objects_from_the_results_and_the_manager_records_a_decision(
    tree: Tree, personas: Personas
) -> None:
    setup = published(street_a_cycle(tree, personas))
    result = Result.objects.filter(cycle=setup.cycle).order_by("rank").last()
    assert result is not None
    clerk = client_for(personas.community_a1_clerk)
    url = reverse("appraisal:objection-file", kwargs={"pk": result.pk})
    empty = clerk.post(url, {"text": "  "})
    assert (
        "这个字段是必填项" in empty.content.decode() or "请写明异议理由" in empty.content.decode()
    )
    clerk.post(url, {"text": "全年防汛值守未计入"})
    objection = Objection.objects.get()
    manager = client_for(personas.street_a_manager)
    cycle_page = manager.get(reverse("appraisal:cycle", kwargs={"pk": setup.cycle.pk}))
    assert "全年防汛值守未计入" in cycle_page.content.decode()
    decide = reverse("appraisal:objection-decide", kwargs={"pk": objection.pk})
    manager.post(decide, {"upheld": "0", "decision": "已计入为民服务指标,维持原结果"})
    objection.refresh_from_db()
    assert (objection.status, objection.decision) == ("rejected", "已计入为民服务指标,维持原结果")
    assert objection.decided_by == personas.street_a_manager


def _settings_post(**changes: str) -> dict[str, str]:
    data = {
        "weight_residents": "60",
        "weight_leaders": "30",
        "weight_peers": "10",
        "grade_set": "standard",
        "threshold_a": "90",
        "threshold_b": "80",
        "threshold_c": "60",
        "top_quota": "20",
        "min_raters": "1",
        "min_resident_share": "50",
        "trim": "on",
        "ten_best": "10",
        "objection_days": "7",
        "indicators_leaders": "社区治安与矛盾调解,30\n为民服务,40\n居民参与活动率(%),30,60",
        "indicators_peers": "工作态度,50\n团结协作,50",
    }
    data.update(changes)
    return data


def test_manager_sets_own_indicators_until_someone_scores(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    client = client_for(personas.street_a_manager)
    url = reverse("appraisal:scheme-edit", kwargs={"pk": setup.cycle.pk})
    form = client.get(url).content.decode()
    assert "居民参与活动率(%),30,60" in form  # the current indicators, one a line
    bad = client.post(url, _settings_post(indicators_leaders="安全稳定,三十"))
    assert "第1行:请写成“指标名称,分值”,分值为正数" in bad.content.decode()
    client.post(
        url,
        _settings_post(
            weight_residents="50",
            weight_leaders="40",
            indicators_leaders="安全稳定,40\n服务满意度,30\n活动参与率(%),30,80",
        ),
    )
    scheme = setup.cycle.scheme
    scheme.refresh_from_db()
    assert dict(scheme.parts.values_list("kind", "weight")) == {
        "residents": 50,
        "leaders": 40,
        "peers": 10,
    }
    leaders = scheme.parts.get(kind="leaders").indicators.order_by("sort_order")
    assert [(i.name, i.max_points, i.figure_full) for i in leaders] == [
        ("安全稳定", Decimal(40), None),
        ("服务满意度", Decimal(30), None),
        ("活动参与率(%)", Decimal(30), Decimal(80)),
    ]
    services.score_record(
        cycle=setup.cycle,
        worker=setup.workers[0],
        part=PartKind.LEADERS,
        points=leader_points(setup.cycle, (40, 30, 80)),
        acting_user=personas.street_a_manager,
    )
    locked = client.get(url).content.decode()
    assert "已有人按现有指标评分,不能再修改" in locked


def test_the_vote_page_throttles_the_client_behind_a_trusted_proxy_not_the_proxy(
    tree: Tree, personas: Personas, settings: Any
) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.254"]
    setup = street_a_cycle(tree, personas)
    attacker = Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.5")
    for i in range(services.FAILURE_LIMIT):
        attacker.get(reverse("appraisal:vote"), {"c": f"JUNK{i}"})
    assert attacker.get(reverse("appraisal:vote"), {"c": setup.codes[0]}).status_code == 429
    resident = Client(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.6")
    ballot = resident.get(reverse("appraisal:vote"), {"c": setup.codes[0]})
    assert ballot.status_code == 200
    assert setup.workers[0].name in ballot.content.decode()
