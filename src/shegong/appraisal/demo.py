"""Demo: last year's appraisal of the first street, closed and published — codes issued per
household, residents' votes cast through the same service as the phone page, leaders' and
peers' scores, self-reports, results and one objection with its decision."""

from __future__ import annotations

import random
from decimal import Decimal

from django.utils import timezone

from shegong.appraisal import selectors, services
from shegong.appraisal.models import Cycle, PartKind, RaterCategory, Result, Survey
from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.people.models import Worker, WorkerStatus

VOTES_PER_COMMUNITY = (52, 78)


def _households() -> list[tuple[str, str]]:
    """A community's households on record: rooms of buildings, every tenth a representative."""
    households: list[tuple[str, str]] = []
    for i in range(VOTES_PER_COMMUNITY[1] + 12):
        building, room = divmod(i, 12)
        category = RaterCategory.RESIDENT
        if i % 10 == 9:
            category = RaterCategory.REPRESENTATIVE
        households.append((f"{building + 1}栋{room // 4 + 1}0{room % 4 + 1}", category))
    return households


def _ballot(rng: random.Random, workers: list[Worker], liking: dict[int, float]) -> dict[int, str]:
    ratings: dict[int, str] = {}
    for w in workers:
        roll = rng.random()
        like = liking[w.pk]
        ratings[w.pk] = (
            "satisfied"
            if roll < like
            else "fairly"
            if roll < like + (1 - like) * 0.6
            else "unsatisfied"
            if roll < 0.98
            else services.SKIP
        )
    if all(r == services.SKIP for r in ratings.values()):
        ratings[workers[0].pk] = "satisfied"
    return ratings


def _vote(
    rng: random.Random,
    survey: Survey,
    workers: list[Worker],
    liking: dict[int, float],
    manager: User,
) -> None:
    """Households on record, codes, the survey opened, residents' votes cast, closed."""
    services.households_import(community=survey.community, rows=_households(), acting_user=manager)
    issued = services.codes_issue(survey=survey, acting_user=manager)
    services.survey_open(survey=survey, acting_user=manager)
    for item in issued[: rng.randint(*VOTES_PER_COMMUNITY)]:
        services.vote_cast(
            code=item.code, ratings=_ballot(rng, workers, liking), address="127.0.0.1"
        )
    services.survey_close(survey=survey, acting_user=manager)


def _score(
    rng: random.Random,
    cycle: Cycle,
    workers: list[Worker],
    liking: dict[int, float],
    manager: User,
) -> None:
    """The leaders' sheet of each worker (after how residents feel) and two peers' sheets."""
    leader_items = selectors.indicators(cycle=cycle, part=PartKind.LEADERS)
    peer_items = selectors.indicators(cycle=cycle, part=PartKind.PEERS)
    for w in workers:
        base = Decimal(str(liking[w.pk]))
        points = {
            i.pk: (
                (Decimal(40) + base * 50).quantize(Decimal(1))
                if i.kind == "figure"
                else (i.max_points * (Decimal("0.55") + base * Decimal("0.45"))).quantize(
                    Decimal(1)
                )
            )
            for i in leader_items
        }
        services.score_record(
            cycle=cycle, worker=w, part=PartKind.LEADERS, points=points, acting_user=manager
        )
        for peer in rng.sample([p for p in workers if p != w], k=min(2, len(workers) - 1)):
            services.score_record(
                cycle=cycle,
                worker=w,
                part=PartKind.PEERS,
                points={
                    i.pk: (i.max_points * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal(1))
                    for i in peer_items
                },
                scorer_worker=peer,
                acting_user=manager,
            )


def _objection(cycle: Cycle, *, manager: User, clerk: User) -> None:
    """The clerk objects to the lowest result of their community; the street rejects it."""
    clerk_paths = list(clerk.memberships.values_list("unit__path", flat=True))
    lowest = (
        Result.objects.filter(cycle=cycle, unit_path__in=clerk_paths)
        .order_by("-rank", "worker_id")
        .first()
    )
    if lowest is None:
        return
    objection = services.objection_file(
        result=lowest, text="本人全年参与防汛值守,街道考核未予计入。", acting_user=clerk
    )
    services.objection_decide(
        objection=objection,
        upheld=False,
        decision="经核实,防汛值守已计入为民服务指标,维持原结果。",
        acting_user=manager,
    )


def build_cycle(rng: random.Random, street: Unit, *, manager: User, clerk: User) -> Cycle:
    year = timezone.localdate().year - 1
    scheme = services.scheme_create(unit=street, year=year, acting_user=manager)
    cycle = scheme.cycle
    workers_by_community: dict[int, list[Worker]] = {}
    for w in Worker.objects.filter(unit_path__startswith=street.path, status=WorkerStatus.ACTIVE):
        workers_by_community.setdefault(w.community_id, []).append(w)
    # How residents feel about each worker: most are liked, a few are not.
    liking = {
        w.pk: rng.choice([0.95, 0.9, 0.85, 0.8, 0.7, 0.5, 0.25])
        for ws in workers_by_community.values()
        for w in ws
    }
    for survey in cycle.surveys.select_related("community"):
        workers = workers_by_community.get(survey.community_id, [])
        if not workers:
            continue
        _vote(rng, survey, workers, liking, manager)
        _score(rng, cycle, workers, liking, manager)
        services.self_report_save(
            cycle=cycle,
            worker=workers[0],
            text=f"{year}年,本人在{survey.community.name}负责网格走访、矛盾调解和为民服务工作……",
            acting_user=manager,
        )
    services.results_compute(cycle=cycle, acting_user=manager)
    services.results_publish(cycle=cycle, acting_user=manager)
    _objection(cycle, manager=manager, clerk=clerk)
    cycle.refresh_from_db()
    return cycle
