from __future__ import annotations

import random

import pytest

from shegong.burden import demo, selectors
from shegong.burden.models import AdmissionItem, StampEntry
from shegong.core.models import User
from shegong.orgs import demo as org_demo
from shegong.people import demo as people_demo

pytestmark = pytest.mark.django_db


def test_the_demo_district_carries_a_list_of_the_anchors_size_and_more_beyond_it() -> None:
    tree = org_demo.build_tree(random.Random(2026))
    people_demo.build_workers(random.Random(2026), tree)
    counts = demo.build_burden(random.Random(2026), tree, people_demo.AS_OF)
    assert AdmissionItem.objects.filter(kind="duty").count() == 12
    assert AdmissionItem.objects.filter(kind="assist").count() == 46
    assert StampEntry.objects.filter(listing="negative").count() == 26
    assert StampEntry.objects.filter(listing="positive").count() == 4
    console = User(username="console", is_active=True, is_superuser=True)
    s = selectors.burden_summary(viewer=console, unit=tree.district, year=people_demo.AS_OF.year)
    assert len(s["communities"]) == 86 and s["items"] == 58
    assert s["without_admission"] > 0 and counts["records"] > 5000
    assert (s["forms"], s["fields_from_data"], s["fields_asked"]) == (3, 15, 3)
    # Most of the 651 workers answered the questionnaire; most report heavy pressure.
    assert s["survey"]["respondents"] == counts["answers"] > 0.75 * 651
    heavy = sum(s["survey"]["questions"][0]["counts"][:2])
    assert heavy > 0.7 * counts["answers"]
    worst = next(r for r in s["communities"] if r["code"] == s["worst"][0]["code"])
    lightest = min(s["communities"], key=lambda r: r["without_admission"])
    assert worst["ledgers"] > 2 * lightest["ledgers"] - 7
    assert worst["without_admission"] > 3 * max(lightest["without_admission"], 1)
    # The health department's account reaches its applications and no unit.
    account = User.objects.get(username="health_dept")
    assert selectors.application_list(viewer=account).count() == 1
    assert not selectors.record_list(viewer=account, unit=tree.district).exists()
