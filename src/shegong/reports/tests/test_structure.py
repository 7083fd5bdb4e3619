"""Essay 5's figures, computed by the selectors from a roster built to match them."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from shegong.conftest import Personas
from shegong.reports import rules, selectors
from shegong.reports.exports import report_json
from shegong.reports.tests.conftest import AS_OF, TOTAL, Essay5


def _table(figures: rules.Figures, key: str) -> list[tuple[str, int, str]]:
    return [(r.label, r.count, str(r.share)) for r in figures.breakdowns[key].rows]


@pytest.fixture
def figures(essay5: Essay5, personas: Personas) -> rules.Figures:
    return selectors.structure(
        viewer=personas.street_a_manager, unit=essay5.tree.street_a, as_of=AS_OF
    )


def test_essay5_counts_and_shares(figures: rules.Figures) -> None:
    assert figures.total == TOTAL
    assert _table(figures, "gender") == [("男", 170, "26.1"), ("女", 481, "73.9")]
    assert _table(figures, "age") == [
        ("30岁及以下", 116, "17.8"),
        ("31至35岁", 134, "20.6"),
        ("36至45岁", 293, "45.0"),  # the essay prints 45.9, which does not add up
        ("46至54岁", 102, "15.7"),
        ("55岁及以上", 6, "0.9"),
    ]
    assert _table(figures, "education") == [
        ("高中及以下", 210, "32.2"),  # largest remainder: 32.26 → 32.2, 53.76 → 53.8, 13.98 → 14.0
        ("中专", 0, "0.0"),
        ("大专", 350, "53.8"),
        ("本科", 91, "14.0"),
        ("研究生", 0, "0.0"),
    ]
    assert _table(figures, "source") == [
        ("选举产生", 273, "41.9"),
        ("聘用", 217, "33.3"),
        ("街道下派", 78, "12.0"),
        ("其他", 83, "12.8"),
    ]
    assert _table(figures, "tenure") == [
        ("4年以下", 378, "58.1"),
        ("4至10年", 140, "21.5"),
        ("10年以上", 133, "20.4"),
    ]
    assert _table(figures, "political")[0] == ("中共党员", 217, "33.3")
    assert _table(figures, "certificate") == [
        ("高级社会工作师", 10, "1.5"),
        ("社会工作师", 50, "7.7"),
        ("助理社会工作师", 100, "15.4"),
        ("其他", 5, "0.8"),
        ("未取得证书", 486, "74.6"),
    ]
    assert figures.certified == 160
    assert figures.average_age == Decimal("38.2")  # (116×28+134×33+293×40+102×50+6×59)/651
    assert (figures.leaders, figures.dual_role, figures.leaders_college) == (3, 1, 2)
    posts = {r.label: r.count for r in figures.breakdowns["post"].rows}
    assert posts["党组织书记"] == 2 and posts["居委会主任"] == 2  # the ended post is not counted
    reps = {r.label: r.count for r in figures.breakdowns["representative"].rows}
    assert reps["区级人大代表"] == 1 and reps["区级党代表"] == 1
    assert figures.college == 441 and figures.college_share == Decimal("67.7")


def test_every_partition_adds_up_to_100(figures: rules.Figures) -> None:
    for b in figures.breakdowns.values():
        if b.partition:
            assert sum(r.count for r in b.rows) == TOTAL, b.key
            assert sum(r.share for r in b.rows) == Decimal("100.0"), b.key


def test_average_age_matches_the_rule_for_each_worker(
    essay5: Essay5, figures: rules.Figures
) -> None:
    ages = [rules.full_years(w.birth_date, AS_OF) for w in essay5.workers]
    assert figures.average_age == rules.average(sum(ages), len(ages))


def test_narrative_reads_like_essay5(figures: rules.Figures) -> None:
    text = rules.narrative(figures)
    assert text.startswith("截至2024年12月31日,全街道共有社区工作者651人,平均年龄38.2岁。")
    assert "一是从性别结构来看,男性170名,占26.1%,女性481名,占73.9%。" in text
    assert "二是从年龄结构来看,30岁及以下的116名,占社区工作者总数的17.8%;31至35岁的134名" in text
    assert "三是从文化层次来看,高中及以下学历的210人,占32.2%;大专学历的350人" in text
    assert "四是从来源方式来看,选举产生的273名,占41.9%" in text
    assert "五是从工作年限来看,有4年以上社区工作经历的占41.9%,其中10年以上的占20.4%。" in text
    assert "中专" not in text  # rows with nobody are left out of the prose


def test_roster_date_counts_only_those_placed_that_day(essay5: Essay5, personas: Personas) -> None:
    admin = personas.district_admin
    tree = essay5.tree
    district = selectors.structure(viewer=admin, unit=tree.district, as_of=AS_OF)
    assert district.total == TOTAL + essay5.street_b_workers
    street_b = selectors.structure(viewer=admin, unit=tree.street_b, as_of=AS_OF)
    assert street_b.total == essay5.street_b_workers  # the one who moved counts in B only
    # Before the move the mover was in A, and the one who left was still there.
    earlier = selectors.structure(viewer=admin, unit=tree.street_a, as_of=datetime.date(2023, 1, 1))
    assert earlier.total == TOTAL + 2
    # After the late entry, that worker counts too.
    later = selectors.structure(viewer=admin, unit=tree.street_a, as_of=datetime.date(2025, 3, 1))
    assert later.total == TOTAL + 1
    # Before anyone's entry: nobody, and all-zero shares still print.
    empty = selectors.structure(viewer=admin, unit=tree.street_a, as_of=datetime.date(2010, 1, 1))
    assert empty.total == 0 and empty.average_age is None
    assert all(r.share == Decimal("0.0") for r in empty.breakdowns["gender"].rows)
    assert rules.narrative(empty) == "截至2010年1月1日,街道甲暂无在岗社区工作者。"


def test_street_manager_sees_their_street_only(essay5: Essay5, personas: Personas) -> None:
    tree = essay5.tree
    b = personas.street_b_manager
    assert selectors.structure(viewer=b, unit=tree.street_b, as_of=AS_OF).total == 21
    for unit in (tree.street_a, tree.community_a1, tree.district):
        with pytest.raises(Http404):
            selectors.structure(viewer=b, unit=unit, as_of=AS_OF)
    a = personas.street_a_manager
    assert selectors.structure(viewer=a, unit=tree.community_a1, as_of=AS_OF).total == 400
    with pytest.raises(Http404):
        selectors.standards(viewer=a, unit=tree.district, as_of=AS_OF)


def test_query_count_does_not_grow_with_workers(essay5: Essay5, personas: Personas) -> None:
    with CaptureQueriesContext(connection) as ctx:
        selectors.structure_report(
            viewer=personas.district_admin,
            unit=essay5.tree.district,
            as_of=AS_OF,
            compare=datetime.date(2023, 12, 31),
        )
    assert len(ctx.captured_queries) <= 25


def test_standards_and_targets(essay5: Essay5, personas: Personas) -> None:
    s = selectors.standards(viewer=personas.district_admin, unit=essay5.tree.district, as_of=AS_OF)
    by_code = {x.code: x for x in [*s.streets, *s.communities]}
    b1 = by_code[essay5.tree.community_b1.code]
    assert (b1.workers, b1.residents, b1.per_10k) == (21, 20000, Decimal("10.5"))
    assert b1.below_standard and b1.needed == 15  # 36 needed for 18 per 10,000
    a1 = by_code[essay5.tree.community_a1.code]
    assert a1.workers == 400 and not a1.below_standard
    assert [x.code for x in s.below_standard] == [
        essay5.tree.street_b.code,
        essay5.tree.community_b1.code,
    ]
    street_a = by_code[essay5.tree.street_a.code]
    assert street_a.workers == TOTAL and street_a.certified == 160
    assert street_a.certified_share == Decimal("24.6") and not street_a.meets_certified
    assert street_a.college_share == Decimal("67.7") and street_a.meets_college
    assert s.overall.workers == TOTAL + 21


def test_comparison(essay5: Essay5, personas: Personas) -> None:
    report = selectors.structure_report(
        viewer=personas.district_admin,
        unit=essay5.tree.street_a,
        as_of=AS_OF,
        compare=datetime.date(2023, 12, 31),
    )
    assert report.comparison is not None
    before = report.comparison.before
    assert before.total == TOTAL + 1  # the mover was still in A
    assert report.comparison.phrases[0] == "社区工作者651人,同比减少1人"
    assert "平均年龄38.2岁,同比上升约1岁" in report.comparison.phrases[1]
    gender = {d.label: d for d in report.comparison.deltas["gender"]}
    assert gender["男"].count_change == -1


def test_cli_json(essay5: Essay5, personas: Personas) -> None:
    out = StringIO()
    call_command(
        "report",
        "structure",
        "--unit",
        essay5.tree.street_a.code,
        "--as-of",
        "2024-12-31",
        "--compare",
        "2023-12-31",
        "--format",
        "json",
        "--user",
        "street_a_manager",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["unit"] == {"code": essay5.tree.street_a.code, "name": "街道甲"}
    assert data["as_of"] == "2024-12-31" and data["total"] == TOTAL
    assert data["average_age"] == "38.2"
    assert data["breakdowns"]["gender"][0] == {"label": "男", "count": 170, "share": "26.1"}
    assert set(data["breakdowns"]) >= {
        "gender",
        "age",
        "education",
        "political",
        "source",
        "tenure",
        "certificate",
        "post",
    }
    assert data["comparison"]["total"] == TOTAL + 1
    assert "standards" in data and data["standards"]["per_10k_standard"] == "18"


def test_cli_refuses_units_out_of_scope(essay5: Essay5, personas: Personas) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不在您的范围内"):
        call_command(
            "report",
            "structure",
            "--unit",
            essay5.tree.street_a.code,
            "--as-of",
            "2024-12-31",
            "--user",
            "street_b_manager",
            stdout=StringIO(),
        )


def test_custom_bands(essay5: Essay5, personas: Personas) -> None:
    f = selectors.structure(
        viewer=personas.district_admin,
        unit=essay5.tree.street_a,
        as_of=AS_OF,
        age_bands=(35, 50),
        tenure_bands=(5,),
    )
    assert _table(f, "age") == [
        ("35岁及以下", 250, "38.4"),
        ("36至50岁", 395, "60.7"),
        ("51岁及以上", 6, "0.9"),
    ]
    assert [r.label for r in f.breakdowns["tenure"].rows] == ["5年以下", "5年以上"]
    assert (
        report_json(
            selectors.structure_report(
                viewer=personas.district_admin, unit=essay5.tree.street_a, as_of=AS_OF
            )
        )["breakdowns"]["age"][0]["share"]
        == "17.8"
    )
