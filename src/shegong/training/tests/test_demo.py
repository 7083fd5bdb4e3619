from __future__ import annotations

import random

import pytest

from shegong.core.models import User
from shegong.orgs import demo as org_demo
from shegong.people import demo as people_demo
from shegong.people.models import Certificate, Placement
from shegong.training import demo, selectors
from shegong.training.models import Attendance, Award, Course

pytestmark = pytest.mark.django_db


def test_the_demo_year_has_courses_attendance_on_roster_days_and_exam_passes() -> None:
    rng = random.Random(2026)
    tree = org_demo.build_tree(rng)
    workers = people_demo.build_workers(rng, tree)
    counts = demo.build_training(random.Random(2026), tree, workers, people_demo.AS_OF)
    assert counts["courses"] == Course.objects.count() >= 15
    assert Course.objects.filter(enrolled__gt=0).count() == counts["courses"]
    # Every attendance day is a day the worker was on the roster, in that community.
    for a in Attendance.objects.select_related("worker")[:500]:
        assert Placement.objects.filter(
            worker=a.worker, unit=a.community_id, start__lte=a.day
        ).exists()
    assert 0 < counts["passed"] == Award.objects.count() <= counts["exam_registrations"]
    assert Certificate.objects.filter(number__contains="KS").count() == counts["passed"]
    console = User(username="console", is_active=True, is_superuser=True)
    start, end = people_demo.AS_OF.replace(month=1, day=1), people_demo.AS_OF
    figures = selectors.training_figures(viewer=console, unit=tree.district, start=start, end=end)
    assert figures.roster == 651
    assert 90 < figures.coverage <= 100
    short = selectors.compliance_list(viewer=console, unit=tree.district, year=end.year)
    assert short, "a few workers should fall short, so the list has something to show"
