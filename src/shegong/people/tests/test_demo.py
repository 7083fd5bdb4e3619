from __future__ import annotations

import random
from collections import Counter

import pytest

from shegong.orgs import demo as org_demo
from shegong.people import demo, rules
from shegong.people.models import Worker

pytestmark = pytest.mark.django_db


def _band(age: int) -> str:
    if age <= 30:
        return "≤30"
    if age <= 35:
        return "31–35"
    if age <= 45:
        return "36–45"
    return "46–54" if age <= 54 else "≥55"


def test_the_demo_roster_matches_the_structure_of_essay_5() -> None:
    rng = random.Random(2026)
    tree = org_demo.build_tree(rng)
    demo.build_workers(rng, tree)
    workers = list(Worker.objects.prefetch_related("posts__post"))
    assert len(workers) == 651
    assert Counter(w.gender for w in workers)["male"] == 170
    assert Counter(_band(rules.age_on(w.birth_date, demo.AS_OF)) for w in workers) == {
        "≤30": 116,
        "31–35": 134,
        "36–45": 293,
        "46–54": 102,
        "≥55": 6,
    }
    assert Counter(w.education for w in workers) == {
        "high_school": 210,
        "college": 350,
        "bachelor": 91,
    }
    assert Counter(w.source for w in workers) == {
        "elected": 273,
        "hired": 217,
        "seconded": 78,
        "other": 83,
    }
    for w in workers:
        assert rules.id_number_error(w.id_number, today=demo.AS_OF) is None
        assert rules.birth_date_from_id(w.id_number) == w.birth_date
        assert rules.gender_from_id(w.id_number) == w.gender
        flags = [(h.post.is_secretary, h.post.is_director) for h in w.posts.all() if h.end is None]
        assert rules.is_dual_role(flags) == w.is_dual_role
    posts = Counter(
        (w.community_id, h.post.code) for w in workers for h in w.posts.all() if h.end is None
    )
    for community in tree.communities:
        assert posts[(community.pk, "secretary")] == 1
        assert posts[(community.pk, "director")] == 1
    assert sum(w.is_dual_role for w in workers) > 43
