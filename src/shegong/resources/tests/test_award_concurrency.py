"""Two managers approving the same year's awards at the same instant, each on their own
connection as two server processes would: exactly one approval goes through, the others are
told it is approved already, and each community's 以奖代补 funding holds the awards once. Runs
on SQLite (a file copy of the test database, BEGIN IMMEDIATE) and on PostgreSQL
(DATABASE_URL=postgres://…, the scheme's row lock)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from shegong.conftest import Personas, Tree, _person
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry, Role
from shegong.core.tests.concurrency import own_database_file, run_together
from shegong.orgs.models import CommunityFunding, FundingSource
from shegong.resources import services
from shegong.resources.models import AwardScheme, ResourceEvent, SchemeStatus
from shegong.resources.tests.factories import AWARD_YEAR, active_team, make_scheme

CLIENTS = 4


@pytest.fixture
def proposed(
    transactional_db: None, tmp_path: Path, tree: Tree, personas: Personas
) -> Iterator[AwardScheme]:
    with own_database_file(tmp_path):
        active_team(tree.community_a1, personas.street_a_manager)
        active_team(tree.community_a2, personas.street_a_manager, name="甲二合唱团")
        scheme = make_scheme(tree.district, personas.district_admin)
        yield services.awards_propose(scheme=scheme, acting_user=personas.district_admin)


def test_parallel_approvals_record_the_funding_exactly_once(
    proposed: AwardScheme, tree: Tree
) -> None:
    managers = [_person(f"district_manager_{n}", tree.district, Role.MANAGER) for n in range(2)]
    outcomes = run_together(
        *(
            (lambda m=managers[n % 2]: services.awards_approve(scheme=proposed, acting_user=m))
            for n in range(CLIENTS)
        )
    )
    refused = [o.error for o in outcomes if o.error is not None]
    assert sum(o.error is None for o in outcomes) == 1, refused
    assert all(isinstance(e, ServiceError) and "已审批" in e.message for e in refused)
    amounts = dict(
        CommunityFunding.objects.filter(year=AWARD_YEAR, source=FundingSource.AWARD).values_list(
            "unit__code", "amount"
        )
    )
    assert amounts == {
        tree.community_a1.code: Decimal("6600.00"),
        tree.community_a2.code: Decimal("6600.00"),
    }
    assert AuditEntry.objects.filter(action=ResourceEvent.AWARDS_APPROVED).count() == 1
    proposed.refresh_from_db()
    assert proposed.status == SchemeStatus.APPROVED
