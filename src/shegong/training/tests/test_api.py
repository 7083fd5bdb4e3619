from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree
from shegong.core.models import User
from shegong.people.models import Certificate
from shegong.people.tests.factories import register
from shegong.training.models import Attendance, Enrolment
from shegong.training.tests.factories import START, enrol, make_course

pytestmark = pytest.mark.django_db


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_street_b_sees_district_courses_but_not_street_a_ones(
    tree: Tree, personas: Personas
) -> None:
    a = make_course(tree.street_a, personas.street_a_manager, title="甲班")
    make_course(tree.district, personas.district_admin, title="区班")
    client = _api(personas.street_b_manager)
    titles = [c["title"] for c in client.get("/api/training/").json()["results"]]
    assert titles == ["区班"]
    assert client.get(f"/api/training/{a.pk}/").status_code == 404
    assert client.get(f"/api/training/{a.pk}/enrolments/").status_code == 404


def test_creating_a_course_refuses_end_before_start(tree: Tree, personas: Personas) -> None:
    response = _api(personas.street_a_manager).post(
        "/api/training/",
        {
            "title": "倒序班",
            "kind": "centralised",
            "organiser": tree.street_a.code,
            "start": "2026-05-02",
            "end": "2026-05-01",
            "capacity": 10,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "早于开始日期" in response.json()["end"][0]


def test_enrolment_over_capacity_is_refused_and_nothing_changes(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user, capacity=1)
    workers = [register(tree.community_a1, user, name=n) for n in ("甲", "乙")]
    response = _api(user).post(
        f"/api/training/{course.pk}/enrolments/",
        {"workers": [w.pk for w in workers]},
        format="json",
    )
    assert response.status_code == 400
    assert "名额不足" in response.json()["workers"][0]
    assert not Enrolment.objects.exists()


def test_attendance_over_the_api_refuses_a_worker_off_the_roster(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    late = register(
        tree.community_a1, user, name="后入职", entry_date=START + datetime.timedelta(days=1)
    )
    (enrolment,) = enrol(course, [late], user)
    client = _api(user)
    url = f"/api/training/{course.pk}/attendance/"
    refused = client.post(url, {"day": START.isoformat(), "present": [enrolment.pk]}, format="json")
    assert refused.status_code == 400
    assert "不在社区工作者名册上" in refused.json()["present"][0]
    day2 = (START + datetime.timedelta(days=1)).isoformat()
    done = client.post(url, {"day": day2, "present": [enrolment.pk]}, format="json")
    assert done.json() == [{"enrolment": enrolment.pk, "name": "后入职", "present": True}]
    assert Attendance.objects.count() == 1


def test_exam_results_over_the_api_put_the_certificate_on_the_record(
    tree: Tree, personas: Personas
) -> None:
    user = personas.community_a1_clerk
    worker = register(tree.community_a1, user, name="考生")
    client = _api(user)
    created = client.post(
        "/api/training/exams/",
        {"worker": worker.pk, "level": "assistant", "year": 2026},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert (
        _api(personas.street_b_manager)
        .post(
            f"/api/training/exams/{pk}/results/", {"scores": {"comprehensive": 90}}, format="json"
        )
        .status_code
        == 404
    )
    response = client.post(
        f"/api/training/exams/{pk}/results/",
        {"scores": {"comprehensive": 90, "practice": 60}, "passed_on": "2026-11-20"},
        format="json",
    )
    assert response.json()["passed_on"] == "2026-11-20"
    assert Certificate.objects.get(worker=worker).kind == "assistant"


def test_figures_over_the_api_have_the_cli_keys(tree: Tree, personas: Personas) -> None:
    data = (
        _api(personas.street_a_manager)
        .get("/api/training/figures/", {"from": "2026-01-01", "to": "2026-12-31"})
        .json()
    )
    assert data["unit"]["code"] == tree.street_a.code
    assert {"sessions", "person_times", "people_trained", "coverage", "short"} <= set(data)


def test_an_unknown_course_kind_is_refused_in_chinese(tree: Tree, personas: Personas) -> None:
    response = _api(personas.street_a_manager).post(
        "/api/training/",
        {
            "title": "班",
            "kind": "party",
            "organiser": tree.street_a.code,
            "start": "2026-05-01",
            "end": "2026-05-01",
            "capacity": 10,
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["kind"] == ["请选择培训类别"]
