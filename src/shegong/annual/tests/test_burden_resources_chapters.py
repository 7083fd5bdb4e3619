"""减负增效 and 社区资源 against their areas' summaries for the same unit and year."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal as D

import pytest

from shegong.annual import selectors
from shegong.annual.chapters import Chapter
from shegong.burden import demo as burden_demo
from shegong.burden.selectors import burden_summary
from shegong.burden.tests import factories as bf
from shegong.conftest import Personas, Tree
from shegong.core.models import User
from shegong.orgs import demo as org_demo
from shegong.orgs.models import Unit
from shegong.people import demo as people_demo
from shegong.resources import demo as resources_demo
from shegong.resources.selectors import resources_summary
from shegong.resources.tests import factories as rf

YEAR = 2026
DAY = datetime.date(YEAR, 12, 31)


def _chapter(viewer: User, unit: Unit, key: str, year: int = YEAR) -> Chapter:
    report = selectors.annual_report(viewer=viewer, unit=unit, year=year, as_of=DAY)
    return report.chapter(key)


def _text(chapter: Chapter) -> str:
    return " ".join(p for s in chapter.sections for p in s.paragraphs)


def _console() -> User:
    return User(username="console", is_active=True, is_superuser=True)


def _partitions_add_up(chapter: Chapter) -> None:
    for section in chapter.sections:
        for chart in section.charts:
            if sum(r.count for r in chart.rows):
                assert sum(r.share for r in chart.rows) == D("100.0"), chart.title


@pytest.mark.django_db
def test_the_burden_chapter_is_the_burden_summary_of_the_demo_district() -> None:
    tree = org_demo.build_tree(random.Random(2026))
    people_demo.build_workers(random.Random(2026), tree)
    burden_demo.build_burden(random.Random(2026), tree, people_demo.AS_OF)
    year = people_demo.AS_OF.year
    viewer = _console()
    s = burden_summary(viewer=viewer, unit=tree.district, year=year)
    chapter = _chapter(viewer, tree.district, "burden", year)
    f = chapter.figures
    assert f["communities"] == len(s["communities"]) == 86
    keys = ("items", "unfunded_items", "ledgers", "signboards", "inspections", "meetings",
            "hours", "without_admission", "forms", "fields_from_data", "hours_saved")  # fmt: skip
    for key in keys:
        assert f[key] == s[key], key
    assert f["departments"] == s["departments"]
    assert f["survey_respondents"] == s["survey"]["respondents"]
    pressure = s["survey"]["questions"][0]["counts"]
    heavy = sum(pressure[:2])
    assert f["pressure_heavy"] == heavy
    assert f["pressure_share"] == str((D(heavy) * 100 / sum(pressure)).quantize(D("0.1")))
    assert D(f["per_community"]["ledgers"]) == (D(s["ledgers"]) / 86).quantize(D("0.1"))
    text = _text(chapter)
    assert f"实行社区工作准入事项{s['items']}项" in text
    assert f"未经准入进入社区的事项{s['without_admission']}项" in text
    assert f"摊派最多的是{s['departments'][0]['department']}" in text
    assert f"占{f['pressure_share']}%" in text
    _partitions_add_up(chapter)


@pytest.mark.django_db
def test_the_resources_chapter_is_the_resources_summary_of_the_demo_district() -> None:
    tree = org_demo.build_tree(random.Random(2026))
    resources_demo.build_resources(random.Random(2026), tree, people_demo.AS_OF)
    viewer = _console()
    s = resources_summary(viewer=viewer, unit=tree.district, year=YEAR)
    chapter = _chapter(viewer, tree.district, "resources")
    f = chapter.figures
    for key in ("teams", "team_members", "talents", "volunteers", "volunteer_hours", "venues",
                "shared_venues", "bookings", "activities", "participants"):  # fmt: skip
        assert f[key] == s[key], key
    assert f["team_records"] == s["team_records"]
    assert f["venue_use"]["share"] == s["venue_use"]["share"]
    by_age = s["participants_by_age"]
    assert f["young_middle_share"] == by_age["young_middle_share"]
    assert f["participants_by_age"] == {b["band"]: b["count"] for b in by_age["bands"]}
    five = next(st for st in s["standards"] if st["key"] == "five-haves")
    assert f["standards"]["five-haves"]["meeting_all"] == five["meeting_all"]
    assert f["standards"]["five-haves"]["short"] == len(five["short"])
    assert f["awards"] == s["awards"] and f["awards"]["approved"] > 0  # the demo's 以奖代补
    text = _text(chapter)
    assert f"有社区群众团队{s['teams']}支" in text
    assert f"登记志愿者{s['volunteers']}人" in text
    assert f"中青年{by_age['young_middle']}人次,占{by_age['young_middle_share']}%" in text
    _partitions_add_up(chapter)


def _street_a_burden(tree: Tree, personas: Personas) -> None:
    b = bf.burden(tree, personas)
    bf.item(tree, personas, b)
    bf.record(tree, personas, b)
    bf.record(tree, personas, b, kind="signboard", title="创卫牌子", frequency="")
    bf.record(tree, personas, b, kind="ledger", title="去年的台账", year=YEAR - 1)


def test_a_street_managers_burden_chapter_covers_their_street_only(
    tree: Tree, personas: Personas
) -> None:
    _street_a_burden(tree, personas)
    a = _chapter(personas.street_a_manager, tree.street_a, "burden")
    b = _chapter(personas.street_b_manager, tree.street_b, "burden")
    s = burden_summary(viewer=personas.street_a_manager, unit=tree.street_a, year=YEAR)
    assert (a.figures["ledgers"], a.figures["signboards"]) == (s["ledgers"], s["signboards"])
    assert a.figures["ledgers"] == 1 and b.figures["ledgers"] == 0
    assert b.figures["signboards"] == 0 and b.figures["departments"] == []
    assert "同比持平" in _text(a)  # one ledger this year and one last year
    assert "本年度未开展社区工作者问卷" in _text(a)


def test_a_street_managers_resources_chapter_covers_their_street_only(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    venue = rf.make_venue(tree.community_a1, manager, owner_kind="school", owner_name="一中")
    rf.book(venue, manager, rf.at(rf.DAY, 9), rf.at(rf.DAY, 12))
    rf.make_team(tree.community_a1, manager)
    a = _chapter(manager, tree.street_a, "resources")
    b = _chapter(personas.street_b_manager, tree.street_b, "resources")
    s = resources_summary(viewer=manager, unit=tree.street_a, year=YEAR)
    assert a.figures["venues"] == s["venues"] == 1 and a.figures["shared_venues"] == 1
    assert a.figures["venue_use"]["booked_hours"] == "3.0" and a.figures["teams"] == 1
    assert b.figures["venues"] == 0 and b.figures["teams"] == 0
    assert "占100.0%" in _text(a)  # the one venue is a school's
    five = a.figures["standards"]["five-haves"]
    assert five["communities"] == s["standards"][0]["communities"] == 2


@pytest.mark.django_db
def test_the_resources_chapter_reads_the_summary_once_and_last_year_s_figures_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from shegong.annual.chapters import resources as chapter_module
    from shegong.resources.selectors import resources_year_figures

    tree = org_demo.build_tree(random.Random(2026))
    resources_demo.build_resources(random.Random(2026), tree, people_demo.AS_OF)
    viewer = _console()
    calls: list[int] = []

    def counted(**kwargs: object) -> dict[str, object]:
        calls.append(kwargs["year"])  # type: ignore[arg-type]
        return resources_summary(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(chapter_module, "resources_summary", counted)
    _chapter(viewer, tree.district, "resources")
    assert calls == [YEAR]
    # Last year's figures of the year are those its own summary states.
    before = resources_year_figures(viewer=viewer, unit=tree.district, year=YEAR - 1)
    full = resources_summary(viewer=viewer, unit=tree.district, year=YEAR - 1)
    assert before == {k: full[k] for k in before}
