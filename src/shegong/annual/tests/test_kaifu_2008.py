"""`shegong demo --scenario kaifu-2008`: essay 5's district, and its 2008 annual report stating
each of the essay's figures (and the correct share where the essay's arithmetic is off)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from shegong.annual.demo import AS_OF


@pytest.fixture
def report(db: None) -> dict:  # type: ignore[type-arg]
    call_command("demo", "--scenario", "kaifu-2008", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "report",
        "annual",
        "--unit",
        "430105000000",
        "--year",
        "2008",
        "--as-of",
        AS_OF.isoformat(),
        stdout=out,
    )
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def _text(report: dict, key: str) -> str:  # type: ignore[type-arg]
    chapter = report["chapters"][key]
    return "".join(p for s in chapter["sections"] for p in s["paragraphs"])


def test_the_basic_chapter_states_essay_5s_figures(report: dict) -> None:  # type: ignore[type-arg]
    text = _text(report, "basic")
    for figure in (
        "共有街道8个、社区113个,其中城市社区86个,农村社区27个",
        "84.9%的城市社区居民规模在1500户以上",  # the essay's 84.8% is no count of 86
        "93个社区办公和活动用房面积达到了300平方米以上",
        "2007年各社区经费共计1,173.19万元,平均每个社区13.64万元",
        "共有社区工作者651人",
        "男性170名,占26.1%,女性481名,占73.9%",
        "30岁及以下的116名,占社区工作者总数的17.8%;31至35岁的134名,占20.6%;"
        "36至45岁的293名,占45%;46至54岁的102名,占15.7%;55岁及以上的6名,占0.9%",  # not 45.9
        # Largest remainder: 32.2 / 53.8 / 14 (the essay rounds half up to 32.3 / 53.7 / 14).
        "高中及以下学历的210人,占32.2%;大专学历的350人,占53.8%;本科学历的91人,占14%",
        "选举产生的273名,占41.9%;聘用的217名,占33.3%;街道下派的78名,占12%;其他的83名,占12.8%",
        "有4年以上社区工作经历的占41.9%,其中10年以上的占20.4%",
        "“两委”成员438名,同比持平,主职(党组织书记、居委会主任)95人,同比持平,其中交叉任职的37人",
        "平均每个社区7.57人",
        "市级党代表1名、区级党代表30名、市级人大代表4名、区级人大代表10名、市级政协委员1名、区级政协委员4名",
        "90.9%的社区工作者参加了养老保险",
        "77.9%的社区工作者参加了医疗保险",
        "53%的社区工作者参加了失业保险",
    ):
        assert figure in text, figure
    ages = report["chapters"]["basic"]["figures"]["workforce"]["breakdowns"]["age"]
    assert [r["share"] for r in ages] == ["17.8", "20.6", "45.0", "15.7", "0.9"]


def test_the_pay_chapter_states_the_leaders_income_against_the_average_wage(
    report: dict,  # type: ignore[type-arg]
) -> None:
    text = _text(report, "pay")
    assert "2007年职工平均工资为27,968元" in text
    assert "社区党组织书记、主任年平均收入(应发)为32,487元" in text
    assert "达到职工平均工资的社区书记、主任78人,占82.1%" in text  # 81.8% is no count of 95


def test_the_burden_chapter_states_the_248_questionnaires(report: dict) -> None:  # type: ignore[type-arg]
    assert report["absent_chapters"] == []
    text = _text(report, "burden")
    assert "共回收问卷248份,感到工作压力很大或较大的206人,占83.1%" in text  # the essay's 83%
    assert "对目前待遇不满意或很不满意的198人,占79.8%" in text
    figures = report["chapters"]["burden"]["figures"]
    assert (figures["survey_respondents"], figures["pressure_heavy"]) == (248, 206)


def test_the_scenario_refuses_a_database_with_data(report: dict) -> None:  # type: ignore[type-arg]
    with pytest.raises(CommandError, match="空数据库"):
        call_command("demo", "--scenario", "kaifu-2008", stdout=io.StringIO())
