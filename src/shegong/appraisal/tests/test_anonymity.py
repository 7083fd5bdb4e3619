"""Nothing stored links a residents' vote to the household code that cast it: not the
transaction that wrote it (PostgreSQL's xmin), not its key, not the order it was written in."""

from __future__ import annotations

import pytest
from django.db import connection

from shegong.appraisal import selectors, services
from shegong.appraisal.models import (
    Ballot,
    BallotRating,
    HouseholdCode,
    PooledBallot,
    Survey,
    SurveyStatus,
)
from shegong.appraisal.tests.factories import cast, street_a_cycle
from shegong.conftest import Personas, Tree

BALLOT_TABLE = "appraisal_ballot"

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="xmin is a PostgreSQL system column"
)


def _xids(sql: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [int(row[0]) for row in cursor.fetchall()]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_ballot_and_its_spent_code_are_written_by_different_transactions(
    tree: Tree, personas: Personas
) -> None:
    setup = street_a_cycle(tree, personas)
    for code in setup.codes[:3]:
        cast(setup, code)
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    code_xids = _xids("SELECT xmin::text FROM appraisal_householdcode WHERE spent")
    ballot_xids = _xids(f"SELECT xmin::text FROM {BALLOT_TABLE}")
    assert len(code_xids) == 3 and len(ballot_xids) == 3
    assert not set(code_xids) & set(ballot_xids)
    # The three ballots were filed together, by one transaction: none stands out.
    assert len(set(ballot_xids)) == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_batch_filed_during_the_vote_shares_no_transaction_with_any_code(
    tree: Tree, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.votes, "BALLOT_BATCH", 2)
    setup = street_a_cycle(tree, personas)
    for code in setup.codes[:4]:
        cast(setup, code)
    code_xids = set(_xids("SELECT xmin::text FROM appraisal_householdcode WHERE spent"))
    ballot_xids = _xids(f"SELECT xmin::text FROM {BALLOT_TABLE}")
    assert len(code_xids) == 4
    assert len(ballot_xids) == 2 and len(set(ballot_xids)) == 1  # two filed, together
    assert not code_xids & set(ballot_xids)


def test_ballots_wait_in_the_pool_and_are_filed_in_batches(
    tree: Tree, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services.votes, "BALLOT_BATCH", 2)
    setup = street_a_cycle(tree, personas)
    for code in setup.codes[:3]:
        cast(setup, code)
    assert (Ballot.objects.count(), PooledBallot.objects.count()) == (0, 3)
    cast(setup, setup.codes[3])  # the pool reaches 2 × 2: two of the four are filed
    assert (Ballot.objects.count(), PooledBallot.objects.count()) == (2, 2)
    cast(setup, setup.codes[4])
    assert (Ballot.objects.count(), PooledBallot.objects.count()) == (2, 3)
    assert selectors.survey_turnout_of(setup.survey).residents == 5  # pooled ones count
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    assert (Ballot.objects.count(), PooledBallot.objects.count()) == (5, 0)
    assert BallotRating.objects.count() == 5 * len(setup.workers)
    assert HouseholdCode.objects.filter(spent=True).count() == 5


def test_computing_results_files_a_ballot_left_in_the_pool(tree: Tree, personas: Personas) -> None:
    setup = street_a_cycle(tree, personas)
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    Survey.objects.filter(cycle=setup.cycle).update(status=SurveyStatus.CLOSED)
    # A code spent while the survey was being closed leaves its ballot behind in the pool.
    PooledBallot.objects.create(
        survey=setup.survey,
        category="resident",
        ratings={str(w.pk): "satisfied" for w in setup.workers},
    )
    services.results_compute(cycle=setup.cycle, acting_user=setup.manager)
    assert PooledBallot.objects.count() == 0
    assert Ballot.objects.filter(survey=setup.survey).count() == 1
