"""A district sees its streets' appraisals of a year side by side, and combined in the one
grade vocabulary: on the page, in `shegong report appraisal --unit DISTRICT`, in the API."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from shegong.appraisal import services
from shegong.appraisal.models import PartKind, RaterCategory
from shegong.appraisal.tests.factories import add_worker, leader_points, published, street_a_cycle
from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import User


def _street_b(tree: Tree, personas: Personas) -> None:
    """Street B appraises its two workers with its own names (优秀/称职/基本称职/不称职)."""
    manager = personas.street_b_manager
    workers = [add_worker(tree.community_b1, manager, n) for n in ("周一", "吴二")]
    scheme = services.scheme_create(
        unit=tree.street_b,
        year=2025,
        values={"min_raters": 1, "min_resident_share": 50, "grade_set": "competence"},
        acting_user=manager,
    )
    survey = scheme.cycle.surveys.get(community=tree.community_b1)
    services.households_import(
        community=tree.community_b1,
        rows=[(f"2栋{101 + i}", RaterCategory.RESIDENT) for i in range(4)],
        acting_user=manager,
    )
    codes = [i.code for i in services.codes_issue(survey=survey, acting_user=manager)]
    services.survey_open(survey=survey, acting_user=manager)
    for code in codes[:2]:
        services.vote_cast(code=code, ratings={w.pk: "fairly" for w in workers}, address="10.0.0.2")
    services.survey_close(survey=survey, acting_user=manager)
    for w in workers:
        services.score_record(
            cycle=scheme.cycle,
            worker=w,
            part=PartKind.LEADERS,
            points=leader_points(scheme.cycle, (25, 35, 50)),
            acting_user=manager,
        )
    services.results_compute(cycle=scheme.cycle, acting_user=manager)
    services.results_publish(cycle=scheme.cycle, acting_user=manager)


def _both(tree: Tree, personas: Personas) -> None:
    published(street_a_cycle(tree, personas))
    _street_b(tree, personas)


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _grades(column: dict[str, object]) -> dict[str, int]:
    return {str(g["grade"]): int(g["count"]) for g in column["grades"]}  # type: ignore[attr-defined]


def test_the_command_combines_the_streets_schemes_in_one_vocabulary(
    tree: Tree, personas: Personas
) -> None:
    _both(tree, personas)
    out = io.StringIO()
    call_command("report", "appraisal", "--unit", tree.district.code, "--year", "2025", stdout=out)
    data = json.loads(out.getvalue())
    a, b = data["appraisals"]
    assert (a["unit_name"], a["workers"], b["unit_name"], b["workers"]) == (
        "街道甲",
        3,
        "街道乙",
        2,
    )
    # 街道乙 calls them 称职/基本称职; side by side they count as 良好/合格.
    assert list(_grades(b)) == ["优秀", "良好", "合格", "不合格"]
    total = _grades(data["total"])
    assert total == {g: _grades(a)[g] + _grades(b)[g] for g in total}
    assert data["total"]["workers"] == 5
    assert b["average_score"] is None  # two workers: fewer than the minimum group
    assert a["average_score"] is not None and data["total"]["average_score"] is not None
    assert (a["codes_issued"], a["votes"], a["turnout"]) == (6, 3, "50.0")


def test_the_command_writes_the_side_by_side_workbook(
    tree: Tree, personas: Personas, tmp_path: Path
) -> None:
    _both(tree, personas)
    target = tmp_path / "d.xlsx"
    call_command(
        "report",
        "appraisal",
        "--unit",
        tree.district.code,
        "--year",
        "2025",
        "--format",
        "xlsx",
        "--out",
        str(target),
        stderr=io.StringIO(),
    )
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "测试区2025年度社区工作者考核汇总"
    assert [r[0] for r in rows[2:]] == ["街道甲", "街道乙", "合计"]
    assert rows[4][3] == 5


def test_the_district_page_and_api_show_every_street_and_answer_404_outside_scope(
    tree: Tree, personas: Personas
) -> None:
    _both(tree, personas)
    admin = client_for(personas.district_admin)
    url = reverse("appraisal:district")
    page = admin.get(url, {"unit": tree.district.code, "year": "2025"}).content.decode()
    assert "街道甲" in page and "街道乙" in page and "合计" in page
    api = _api(personas.district_admin).get(
        "/api/appraisal/cycles/overview/", {"unit": tree.district.code, "year": "2025"}
    )
    assert [c["unit_name"] for c in api.json()["appraisals"]] == ["街道甲", "街道乙"]
    # Street B's manager: the district and street A are outside their scope.
    b = client_for(personas.street_b_manager)
    assert b.get(url, {"unit": tree.district.code, "year": "2025"}).status_code == 404
    assert b.get(url, {"unit": tree.street_a.code, "year": "2025"}).status_code == 404
    own = b.get(url, {"year": "2025"}).content.decode()
    assert "街道乙" in own and "街道甲" not in own
    b_api = _api(personas.street_b_manager)
    for code in (tree.district.code, tree.street_a.code):
        found = b_api.get("/api/appraisal/cycles/overview/", {"unit": code, "year": "2025"})
        assert found.status_code == 404
    bad = b_api.get("/api/appraisal/cycles/overview/", {"year": "soon"})
    assert bad.status_code == 400
