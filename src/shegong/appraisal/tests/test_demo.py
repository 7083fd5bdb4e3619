"""The demo's appraisal: a published cycle with votes, scores and results."""

from __future__ import annotations

import random

from shegong.appraisal import demo
from shegong.appraisal.models import Ballot, CycleStatus, HouseholdCode, Objection, Result
from shegong.appraisal.tests.factories import add_worker
from shegong.conftest import Personas, Tree


def test_demo_cycle_is_published_with_valid_surveys_and_graded_results(
    tree: Tree, personas: Personas
) -> None:
    for name in ("王芳", "李强", "赵敏", "钱进"):
        add_worker(tree.community_a1, personas.street_a_manager, name)
    cycle = demo.build_cycle(
        random.Random(1),
        tree.street_a,
        manager=personas.street_a_manager,
        clerk=personas.community_a1_clerk,
    )
    assert cycle.status == CycleStatus.PUBLISHED
    votes = Ballot.objects.filter(survey__cycle=cycle).count()  # all filed once closed
    assert 52 <= votes <= 78
    assert HouseholdCode.objects.filter(spent=True).count() == votes
    results = Result.objects.filter(cycle=cycle)
    assert results.count() == 4
    assert all(r.resident_score is not None and r.peer_score is not None for r in results)
    assert Objection.objects.get().status == "rejected"
