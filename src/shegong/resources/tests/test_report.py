"""`shegong report resources` in its three formats, read back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from docx import Document

from shegong.conftest import Personas, Tree, _person
from shegong.core.models import Role
from shegong.resources import services
from shegong.resources.tests.factories import (
    DAY,
    active_team,
    at,
    book,
    make_scheme,
    make_team,
    make_venue,
)

KEYS = {
    "teams",
    "team_members",
    "talents",
    "volunteers",
    "volunteer_hours",
    "venues",
    "shared_venues",
    "bookings",
    "venue_use",
    "activities",
    "participants",
    "participants_by_age",
    "awards",
    "standards",
}


@pytest.fixture
def booked(tree: Tree, personas: Personas) -> None:
    manager = personas.street_a_manager
    venue = make_venue(tree.community_a1, manager, owner_kind="school", owner_name="一中")
    book(venue, manager, at(DAY, 9), at(DAY, 12))
    make_team(tree.community_a1, manager)


def test_the_json_holds_the_keys_of_the_issue(tree: Tree, booked: None) -> None:
    out = io.StringIO()
    call_command("report", "resources", "--unit", tree.street_a.code, "--year", "2026", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) >= KEYS
    assert data["venues"] == data["shared_venues"] == 1 and data["bookings"] == 1
    assert data["teams"] == 1 and data["venue_use"]["booked_hours"] == "3.0"
    assert (
        data["talents"] == 0 and data["awards"] is None
    )  # nothing proposed: null, never a made-up 0


def test_excel_and_word_read_back(tree: Tree, booked: None, tmp_path: Path) -> None:
    xlsx, docx = tmp_path / "r.xlsx", tmp_path / "r.docx"
    for fmt, path in (("xlsx", xlsx), ("docx", docx)):
        call_command(
            "report", "resources", "--unit", tree.street_a.code, "--year", "2026",
            "--format", fmt, "--out", str(path), stderr=io.StringIO(),
        )  # fmt: skip
    book = openpyxl.load_workbook(xlsx)
    rows = {r[0]: r[1] for r in book["社区资源"].iter_rows(values_only=True) if r[0]}
    assert rows["场地(处)"] == 1 and rows["以奖代补"] == "未登记"
    assert [c.value for c in book["场地使用"][2]][:2] == ["社区文化活动室", "甲一社区"]
    # The standards: 五有 against street A's two communities, neither meeting all of it.
    assert [c.value for c in book["达标情况"][2]][2:] == [2, 0, 2]
    short = [r for r in book["未达标社区"].iter_rows(min_row=2, values_only=True)]
    assert {r[1] for r in short} == {"甲一社区", "甲二社区"} and "无在岗人员" in short[0][2]
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "共享场地 1 处" in text and "文体队伍 1 支" in text
    assert "2个社区中“五有”全部达标的0个" in text


def test_a_user_of_another_street_gets_no_report(
    tree: Tree, personas: Personas, booked: None
) -> None:
    with pytest.raises(CommandError, match="不存在或不在您的范围内"):
        call_command(
            "report", "resources", "--unit", tree.street_a.code, "--year", "2026",
            "--user", personas.street_b_manager.username, stdout=io.StringIO(),
        )  # fmt: skip


def test_the_report_fills_awards_with_the_years_proposed_and_approved_awards(
    tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    active_team(tree.community_a1, personas.street_a_manager)
    scheme = make_scheme(tree.district, personas.district_admin)
    services.awards_propose(scheme=scheme, acting_user=personas.district_admin)
    services.awards_approve(
        scheme=scheme, acting_user=_person("district_manager", tree.district, Role.MANAGER)
    )
    out = io.StringIO()
    call_command("report", "resources", "--unit", tree.street_a.code, "--year", "2026", stdout=out)
    awards = json.loads(out.getvalue())["awards"]
    assert (awards["awarded"], awards["approved"], awards["approved_amount"]) == (1, 1, "6600.00")
    (one,) = awards["schemes"]
    assert (one["subject"], one["status"], one["top"][0]["name"]) == (
        "team",
        "approved",
        "甲一腰鼓队",
    )
    xlsx, docx = tmp_path / "r.xlsx", tmp_path / "r.docx"
    for fmt, path in (("xlsx", xlsx), ("docx", docx)):
        call_command(
            "report", "resources", "--unit", tree.street_a.code, "--year", "2026",
            "--format", fmt, "--out", str(path), stderr=io.StringIO(),
        )  # fmt: skip
    book = openpyxl.load_workbook(xlsx)
    rows = {r[0]: r[1] for r in book["社区资源"].iter_rows(values_only=True) if r[0]}
    assert rows["以奖代补"] == "1个,6,600.00元(已审批1个,6,600.00元)"
    assert [c.value for c in book["以奖代补"][2]] == [
        "文体队伍",
        "甲一腰鼓队",
        "甲一社区",
        66,
        6600,
        "已审批",
    ]
    text = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    assert "以奖代补:1个,6,600.00元" in text
