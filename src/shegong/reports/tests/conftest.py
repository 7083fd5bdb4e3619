"""Essay 5's district (开福区, 651 社区干部) rebuilt in street A of the personas' tree.

Street A holds exactly essay 5's structure on AS_OF; street B holds a few other workers, and
three people test the roster date: one left street A before AS_OF, one entered after it, one
moved from street A to street B before it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import pytest

from shegong.conftest import Tree
from shegong.orgs.models import CommunityProfile, Unit
from shegong.people import rules as people_rules
from shegong.people.models import (
    Certificate,
    Placement,
    PostHolding,
    PostType,
    RepresentativeRole,
    Worker,
)

AS_OF = datetime.date(2024, 12, 31)
ENTRY = datetime.date(2020, 1, 1)

# Essay 5: 男性170名 of 651; ages; 高中及以下/大专/本科; 选举/聘用/下派/其他.
TOTAL = 651
MEN = 170
AGES = [(116, 1996), (134, 1991), (293, 1984), (102, 1974), (6, 1965)]  # ages 28, 33, 40, 50, 59
EDUCATION = [(210, "high_school"), (350, "college"), (91, "bachelor")]
SOURCES = [(273, "elected"), (217, "hired"), (78, "seconded"), (83, "other")]
# "4年以上的占41.9%,其中10年以上的占20.5%": 273 with 4+ years (41.9%); 20.5% of 651 is no whole
# number, so 133 (20.4%) have 10+ years.
TENURES = [(378, 2022), (140, 2017), (133, 2010)]  # 2, 7 and 14 full years on AS_OF
IN_A1 = 400
T = TypeVar("T")  # the rest of the 651 are in community A2


def _spread(plan: Sequence[tuple[int, T]]) -> list[T]:
    values: list[T] = []
    for count, value in plan:
        values += [value] * count
    assert len(values) == TOTAL
    return values


@dataclass
class Essay5:
    tree: Tree
    workers: list[Worker]
    left_before: Worker
    entered_after: Worker
    moved_to_b: Worker
    street_b_workers: int


class _Ids:
    def __init__(self) -> None:
        self.used: Counter[tuple[datetime.date, bool]] = Counter()

    def __call__(self, birth: datetime.date, male: bool) -> str:
        n = self.used[(birth, male)]
        self.used[(birth, male)] += 1
        first17 = f"110105{birth:%Y%m%d}{n * 2 + (1 if male else 0):03d}"
        return first17 + people_rules.id_check_digit(first17)


def _worker(
    ids: _Ids,
    i: int,
    community: Unit,
    *,
    male: bool,
    birth: datetime.date,
    education: str = "college",
    source: str = "hired",
    work_start: datetime.date | None = None,
    political: str = "masses",
) -> Worker:
    return Worker(
        name=f"工作者{i}",
        name_initials=f"gzz{i}",
        id_number=ids(birth, male),
        gender="male" if male else "female",
        birth_date=birth,
        political=political,
        education=education,
        source=source,
        work_start_date=work_start,
        community=community,
        unit_path=community.path,
    )


def build_essay5(tree: Tree) -> Essay5:
    ids = _Ids()
    workers = _essay5_workers(ids, tree)
    extra = [
        _worker(ids, 900, tree.community_a1, male=True, birth=datetime.date(1980, 5, 5)),
        _worker(ids, 901, tree.community_a1, male=True, birth=datetime.date(1981, 5, 5)),
        _worker(ids, 902, tree.community_b1, male=True, birth=datetime.date(1982, 5, 5)),
    ]
    street_b = [
        _worker(ids, 1000 + j, tree.community_b1, male=j % 2 == 0, birth=datetime.date(1990, 2, 2))
        for j in range(20)
    ]
    Worker.objects.bulk_create([*workers, *extra, *street_b])
    left_before, entered_after, moved = extra
    _essay5_placements(tree, [*workers, *street_b], left_before, entered_after, moved)
    _essay5_posts(workers)
    _essay5_certificates(workers)
    RepresentativeRole.objects.bulk_create(
        [
            RepresentativeRole(worker=workers[0], kind="npc", level="district", start=ENTRY),
            RepresentativeRole(
                worker=workers[5], kind="party_congress", level="district", start=ENTRY
            ),
        ]
    )
    CommunityProfile.objects.filter(unit=tree.community_b1).update(residents=20000)
    return Essay5(
        tree=tree,
        workers=workers,
        left_before=left_before,
        entered_after=entered_after,
        moved_to_b=moved,
        street_b_workers=len(street_b) + 1,
    )


def _essay5_workers(ids: _Ids, tree: Tree) -> list[Worker]:
    births = _spread(AGES)
    education = _spread(EDUCATION)
    sources = _spread(SOURCES)
    # Spread tenures in another order so that dimensions are not all lined up.
    tenures = _spread(TENURES)[::-1]
    workers: list[Worker] = []
    for i in range(TOTAL):
        community = tree.community_a1 if i < IN_A1 else tree.community_a2
        # Birthdays through the year (all before AS_OF, 31 December), so ages are as planned.
        birth = datetime.date(births[i], 1 + i % 12, 1 + i % 28)
        workers.append(
            _worker(
                ids,
                i,
                community,
                male=i % 651 < MEN,
                birth=birth,
                education=education[i],
                source=sources[i],
                work_start=datetime.date(tenures[i], 3, 1),
                political="party_member" if i % 3 == 0 else "masses",
            )
        )
    return workers


def _essay5_placements(
    tree: Tree, placed: list[Worker], left_before: Worker, entered_after: Worker, moved: Worker
) -> None:
    placements = [
        Placement(worker=w, unit_id=w.community_id, unit_path=w.unit_path, start=ENTRY)
        for w in placed
    ]
    placements += [
        Placement(
            worker=left_before,
            unit=tree.community_a1,
            unit_path=tree.community_a1.path,
            start=datetime.date(2015, 1, 1),
            end=datetime.date(2023, 6, 30),
            end_reason="resign",
        ),
        Placement(
            worker=entered_after,
            unit=tree.community_a1,
            unit_path=tree.community_a1.path,
            start=datetime.date(2025, 3, 1),
        ),
        Placement(
            worker=moved,
            unit=tree.community_a1,
            unit_path=tree.community_a1.path,
            start=datetime.date(2018, 1, 1),
            end=datetime.date(2024, 7, 1),
            end_reason="transfer",
        ),
        Placement(
            worker=moved,
            unit=tree.community_b1,
            unit_path=tree.community_b1.path,
            start=datetime.date(2024, 7, 1),
        ),
    ]
    Placement.objects.bulk_create(placements)


def _essay5_posts(workers: list[Worker]) -> None:
    # Posts: secretaries of A1 and A2 (one of them also director), a director of A2; a
    # secretary whose post ended before AS_OF does not count.
    secretary = PostType.objects.get(code="secretary")
    director = PostType.objects.get(code="director")
    PostHolding.objects.bulk_create(
        [
            PostHolding(worker=workers[0], post=secretary, start=ENTRY),
            PostHolding(worker=workers[0], post=director, start=ENTRY),
            PostHolding(worker=workers[400], post=secretary, start=ENTRY),
            PostHolding(worker=workers[401], post=director, start=ENTRY),
            PostHolding(
                worker=workers[2], post=secretary, start=ENTRY, end=datetime.date(2022, 1, 1)
            ),
        ]
    )


def _essay5_certificates(workers: list[Worker]) -> None:
    # Certificates: 100 assistants, 50 social workers (10 of them also hold an older assistant
    # certificate), 10 seniors, 5 "other"; 3 issued after AS_OF do not count.
    issued = datetime.date(2021, 6, 1)
    certificates = [
        Certificate(worker=w, kind="assistant", issued_on=issued) for w in workers[:100]
    ]
    certificates += [
        Certificate(worker=w, kind="social_worker", issued_on=issued) for w in workers[100:150]
    ]
    certificates += [
        Certificate(worker=w, kind="assistant", issued_on=datetime.date(2019, 1, 1))
        for w in workers[100:110]
    ]
    certificates += [
        Certificate(worker=w, kind="senior", issued_on=issued) for w in workers[150:160]
    ]
    certificates += [
        Certificate(worker=w, kind="other", issued_on=issued) for w in workers[160:165]
    ]
    certificates += [
        Certificate(worker=w, kind="senior", issued_on=datetime.date(2025, 1, 1))
        for w in workers[200:203]
    ]
    Certificate.objects.bulk_create(certificates)


@pytest.fixture
def essay5(tree: Tree) -> Essay5:
    return build_essay5(tree)
