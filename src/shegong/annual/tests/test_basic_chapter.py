"""基本情况 against the structure report and the org tree for the same unit and day."""

from __future__ import annotations

import datetime
from decimal import Decimal as D

import pytest
from django.http import Http404

from shegong.annual import selectors
from shegong.annual.chapters import Chapter
from shegong.annual.tests.conftest import AS_OF, Essay5
from shegong.conftest import Personas
from shegong.core.models import User
from shegong.orgs.models import CommunityFunding, CommunityProfile, Unit
from shegong.orgs.selectors import subtree_summary
from shegong.people.models import InsuranceEnrolment
from shegong.reports.exports import figures_json
from shegong.reports.selectors import structure, structure_report

YEAR = AS_OF.year


def _insure(essay5: Essay5, kind: str, n: int) -> None:
    InsuranceEnrolment.objects.bulk_create(
        InsuranceEnrolment(worker=w, kind=kind, start=datetime.date(2020, 1, 1))
        for w in essay5.workers[:n]
    )


@pytest.fixture
def district(essay5: Essay5) -> Essay5:
    """Essay 5's insurance (90.9%, 53%) and a year of funding for street A."""
    _insure(essay5, "pension", 592)
    _insure(essay5, "unemployment", 345)
    tree = essay5.tree
    CommunityProfile.objects.filter(unit=tree.community_a1).update(
        households=1600, office_area=D("120"), activity_area=D("200"), premises="owned"
    )
    CommunityProfile.objects.filter(unit=tree.community_a2).update(premises="rented")
    for unit, amounts in (
        (tree.community_a1, {"fiscal": D("140000.00"), "award": D("37000.50")}),
        (tree.community_a2, {"fiscal": D("140000.00")}),
    ):
        for source, amount in amounts.items():
            CommunityFunding.objects.create(unit=unit, year=YEAR, source=source, amount=amount)
    CommunityFunding.objects.create(
        unit=tree.community_a1, year=YEAR - 1, source="fiscal", amount=D("250000.00")
    )
    return essay5


def _basic(viewer: User, unit: Unit) -> Chapter:
    report = selectors.annual_report(viewer=viewer, unit=unit, year=YEAR, as_of=AS_OF)
    return report.chapter("basic")


def test_the_workforce_figures_are_the_structure_reports(
    district: Essay5, personas: Personas
) -> None:
    viewer, unit = personas.street_a_manager, district.tree.street_a
    chapter = _basic(viewer, unit)
    assert chapter.figures["workforce"] == figures_json(
        structure(viewer=viewer, unit=unit, as_of=AS_OF)
    )
    assert chapter.figures["workforce"]["total"] == 651
    # The narrative is the structure report's own, word for word.
    report = structure_report(
        viewer=viewer, unit=unit, as_of=AS_OF, compare=datetime.date(YEAR - 1, 12, 31)
    )
    paragraphs = [p for s in chapter.sections for p in s.paragraphs]
    assert report.narrative in paragraphs
    assert "一是从性别结构来看,男性170名,占26.1%" in report.narrative


def test_every_breakdown_adds_up_to_exactly_100(district: Essay5, personas: Personas) -> None:
    chapter = _basic(personas.street_a_manager, district.tree.street_a)
    workforce = chapter.figures["workforce"]
    for key in ("gender", "age", "education", "political", "source", "tenure", "certificate"):
        assert sum(D(r["share"]) for r in workforce["breakdowns"][key]) == D("100.0"), key
    funding_table = next(t for s in chapter.sections for t in s.tables if t.title == "经费来源")
    assert sum(D(row[2]) for row in funding_table.rows[:-1]) == D("100.0")


def test_units_premises_and_funding_agree_with_the_org_tree(
    district: Essay5, personas: Personas
) -> None:
    viewer, unit = personas.street_a_manager, district.tree.street_a
    chapter = _basic(viewer, unit)
    summary = subtree_summary(viewer=viewer, unit=unit)
    communities = chapter.figures["communities"]
    assert communities["communities"] == summary["communities"] == 2
    assert communities["rented"] == summary["rented"] == 1
    assert communities["residents"] == summary["residents"]
    assert communities["large"] == 1 and communities["large_premises"] == 1
    funding = chapter.figures["funding"]
    assert funding["total"] == "317000.50"
    assert funding["average"] == "158500.25"
    assert (funding["least"], funding["most"]) == ("140000.00", "177000.50")
    text = " ".join(p for s in chapter.sections for p in s.paragraphs)
    assert "50%的城市社区居民规模在1500户以上" in text
    assert f"{YEAR}年各社区经费共计31.70万元,同比增长26.8%" in text
    assert "平均每个社区15.85万元" in text


def test_insurance_coverage_and_committees_as_essay_5_states_them(
    district: Essay5, personas: Personas
) -> None:
    chapter = _basic(personas.street_a_manager, district.tree.street_a)
    assert chapter.figures["insurance"]["养老保险"] == {"count": 592, "share": "90.9"}
    assert chapter.figures["insurance"]["失业保险"] == {"count": 345, "share": "53.0"}
    text = " ".join(p for s in chapter.sections for p in s.paragraphs)
    assert "90.9%的社区工作者参加了养老保险" in text
    assert "53%的社区工作者参加了失业保险" in text
    # Posts of the fixture: two secretaries (one also director) and a director.
    assert "“两委”成员3名,同比持平,主职(党组织书记、居委会主任)3人,同比持平," in text
    assert "其中交叉任职的1人,同比持平" in text
    assert chapter.figures["committee_members"] == 3
    assert "区级人大代表1名,合计2名,同比持平。" in text


def test_last_years_figures_are_compared(district: Essay5, personas: Personas) -> None:
    chapter = _basic(personas.street_a_manager, district.tree.street_a)
    assert any("同比" in phrase for phrase in chapter.figures["comparison"])


def test_a_street_manager_sees_their_street_only(district: Essay5, personas: Personas) -> None:
    manager = personas.street_b_manager
    with pytest.raises(Http404):
        selectors.annual_report(viewer=manager, unit=district.tree.street_a, year=YEAR)
    with pytest.raises(Http404):
        selectors.annual_report(viewer=manager, unit=district.tree.district, year=YEAR)
    own = _basic(manager, district.tree.street_b)
    assert own.figures["workforce"]["total"] == district.street_b_workers
    assert own.figures["funding"] is None


def test_the_data_proposes_communities_below_the_headcount_standard(
    district: Essay5, personas: Personas
) -> None:
    chapter = _basic(personas.district_admin, district.tree.district)
    # 乙一社区 has 20,000 residents and 21 workers: 10.5 per 10,000 against 18.
    assert any(
        f.startswith("乙一社区每万名居民10.5名社区工作者,低于配备标准18名")
        for f in chapter.findings
    )
