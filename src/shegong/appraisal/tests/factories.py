"""Builders for appraisal tests: a street A cycle with workers, codes, votes and scores."""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from shegong.appraisal import services
from shegong.appraisal.models import (
    Ballot,
    CodeRequest,
    Cycle,
    Indicator,
    Objection,
    PartKind,
    PooledBallot,
    RaterCategory,
    Result,
    Survey,
)
from shegong.conftest import Personas, Tree
from shegong.people.models import Worker
from shegong.people.tests.factories import make_id, register

if TYPE_CHECKING:
    from shegong.core.tests.test_scoping import StreetAObjects

_serials = itertools.count(1)


def add_worker(tree_unit: Any, acting_user: Any, name: str) -> Worker:
    serial = next(_serials)
    return register(
        tree_unit,
        acting_user,
        name=name,
        id_number=make_id(datetime.date(1970 + serial % 25, 1 + serial % 12, 3), serial=serial),
    )


@dataclass
class Setup:
    tree: Tree
    personas: Personas
    cycle: Cycle
    survey: Survey  # community A1's
    workers: list[Worker]  # in community A1
    codes: list[str] = field(default_factory=list)

    @property
    def manager(self) -> Any:
        return self.personas.street_a_manager

    @property
    def clerk(self) -> Any:
        return self.personas.community_a1_clerk


def street_a_cycle(
    tree: Tree,
    personas: Personas,
    *,
    names: tuple[str, ...] = ("王芳", "李强", "赵敏"),
    households: int = 6,
    min_raters: int = 1,
    open_survey: bool = True,
    workers: list[Worker] | None = None,
) -> Setup:
    manager = personas.street_a_manager
    people = (
        workers
        if workers is not None
        else [add_worker(tree.community_a1, manager, n) for n in names]
    )
    scheme = services.scheme_create(
        unit=tree.street_a,
        year=2025,
        values={"min_raters": min_raters, "min_resident_share": Decimal(50)},
        acting_user=manager,
    )
    cycle = scheme.cycle
    survey = cycle.surveys.get(community=tree.community_a1)
    services.households_import(
        community=tree.community_a1,
        rows=[(f"1栋{101 + i}", RaterCategory.RESIDENT) for i in range(households)],
        acting_user=personas.community_a1_clerk,
    )
    issued = services.codes_issue(survey=survey, acting_user=personas.community_a1_clerk)
    if open_survey:
        services.survey_open(survey=survey, acting_user=personas.community_a1_clerk)
    return Setup(
        tree=tree,
        personas=personas,
        cycle=cycle,
        survey=survey,
        workers=people,
        codes=[i.code for i in issued],
    )


def cast(setup: Setup, code: str, rating: str = "satisfied", address: str = "10.0.0.1") -> Any:
    return services.vote_cast(
        code=code, ratings={w.pk: rating for w in setup.workers}, address=address
    )


def recorded() -> int:
    """Votes recorded: ballots filed into the ballot box and ballots waiting in the pool."""
    return Ballot.objects.count() + PooledBallot.objects.count()


def leader_points(cycle: Cycle, values: tuple[Any, Any, Any]) -> dict[int, Any]:
    items = list(
        Indicator.objects.filter(part__scheme=cycle.scheme, part__kind=PartKind.LEADERS).order_by(
            "sort_order", "id"
        )
    )
    return {i.pk: v for i, v in zip(items, values, strict=True)}


def peer_points(cycle: Cycle, values: tuple[Any, Any]) -> dict[int, Any]:
    items = list(
        Indicator.objects.filter(part__scheme=cycle.scheme, part__kind=PartKind.PEERS).order_by(
            "sort_order", "id"
        )
    )
    return {i.pk: v for i, v in zip(items, values, strict=True)}


def published(setup: Setup) -> Setup:
    """Votes cast, survey closed, leaders scored, results computed and published."""
    for i, code in enumerate(setup.codes[:3]):
        cast(setup, code, "satisfied" if i else "fairly")
    services.survey_close(survey=setup.survey, acting_user=setup.clerk)
    for w in setup.workers:
        services.score_record(
            cycle=setup.cycle,
            worker=w,
            part=PartKind.LEADERS,
            points=leader_points(setup.cycle, (25, 35, 50)),
            acting_user=setup.manager,
        )
    services.results_compute(cycle=setup.cycle, acting_user=setup.manager)
    services.results_publish(cycle=setup.cycle, acting_user=setup.manager)
    setup.cycle.refresh_from_db()
    return setup


def from_street_a(o: StreetAObjects) -> Setup:
    """For the scoping walk: a published street-A cycle whose workers include the walk's."""
    setup = street_a_cycle(o.tree, o.personas, workers=[o.worker])
    return published(setup)


def objection_of(o: StreetAObjects) -> Objection:
    setup = from_street_a(o)
    result = Result.objects.get(cycle=setup.cycle, worker=o.worker)
    return services.objection_file(
        result=result, text="街道评分漏计了调解工作", acting_user=o.personas.community_a1_clerk
    )


def street_a_code_request(o: StreetAObjects) -> CodeRequest:
    """A pending request, by community A1's clerk, for a new code for one household."""
    setup = street_a_cycle(o.tree, o.personas, workers=[o.worker])
    return services.code_request_create(
        survey=setup.survey, households=["1栋101"], acting_user=o.personas.community_a1_clerk
    )


def street_a_survey(o: StreetAObjects) -> Survey:
    """Community A1's survey, codes issued, not yet open."""
    return street_a_cycle(o.tree, o.personas, workers=[o.worker], open_survey=False).survey


def street_a_result(o: StreetAObjects) -> Result:
    return Result.objects.get(cycle=from_street_a(o).cycle, worker=o.worker)


def street_a_ten_best(o: StreetAObjects) -> Any:
    """A draft 十佳 election of street A (2024—2025), for the scoping walk."""
    from shegong.appraisal.models import TenBestElection

    found = TenBestElection.objects.filter(unit=o.tree.street_a).first()
    if found is None:
        found = services.ten_best_create(
            unit=o.tree.street_a, first_year=2024, acting_user=o.personas.street_a_manager
        )
    return found
