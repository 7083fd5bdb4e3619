"""`shegong demo --scenario kaifu-2008`: essay 5's district (长沙市开福区) as of September 2008,
rebuilt so that its annual report (year 2008, figures as of 30 September 2008) states each of
the essay's figures.

What is built (all figures from essay 5, 篇5 of the seeds):

- 8 streets, 86 urban and 27 rural communities; 73 urban communities of 1,500 households or
  more; 103 communities in their own premises (90%以上), 93 with 300 m² or more;
- the communities' 2007 funding, 1,173.19万元 in all;
- 651 workers in the urban communities: 170 men and 481 women; 116 aged 30 or under, 134 of
  31–35, 293 of 36–45, 102 of 46–54, 6 of 55 or over; 210 高中及以下, 350 大专, 91 本科; 273
  elected, 217 hired, 78 seconded by the streets, 83 other; 273 with 4 years or more in
  community work, 133 of them with 10 or more;
- 438 两委 members: 95 leaders (党组织书记 or 居委会主任), 37 of whom hold both posts, and 343
  委员; 1 city and 30 district party congress delegates, 4 city and 10 district people's
  congress deputies, 1 city and 4 district CPPCC members;
- insurance: 592 in the pension insurance, 507 in the medical, 345 in the unemployment;
- 2007 pay: the city's average wage of 27,968 元, and approved monthly runs for the 95
  leaders averaging 32,487 元 for the year, 78 of them at or above the average wage.

Where the essay's own arithmetic does not hold, the scenario keeps the counts and the report
prints the shares they give:

- "共有社区196个,其中城市社区86个,农村社区27个": 86 + 27 = 113; the scenario has 113.
- Age shares 17.8 + 20.6 + 45.9 + 15.7 + 1 = 101%: 293 of 651 is 45.0%, not 45.9%; the
  report prints 17.8 / 20.6 / 45 / 15.7 / 0.9, adding to 100.0 (largest remainder).
- Education 32.3 + 53.7 + 14 = 100, but 210, 350 and 91 of 651 are 32.26, 53.76 and 13.98:
  half up they are 32.3 + 53.8 + 14.0 = 100.1, by largest remainder (the rule of every
  breakdown here) 32.2 + 53.8 + 14.0 = 100.0, which the report prints.
- "平均每个社区9.86人": 651 / 86 = 7.57; 9.86 implies 66 communities. So do "平均每个社区
  17.7万元" (1,173.19万元 / 17.7万元 = 66.3 communities; over 86 it is 13.64万元), "84.8%的城市
  社区居民规模在1500户以上" (no count of 86 gives 84.8%: 73 is 84.9%; 56 of 66 is 84.8%) and
  "达到全市城镇在职职工平均工资的社区书记、主任数占81.8%" (no count of 95 gives 81.8%: 78 is
  82.1%; 54 of 66 is 81.8%). The essay seems to have counted 66 communities in places; the
  report prints the figures of the 86 it names.
- "93个社区办公和活动用房面积达到了300平方米以上": more than the 86 urban communities; the
  scenario counts it over all 113 communities.
- "77.8%的社区干部参加了医疗保险": no count of 651 gives 77.8% (506 is 77.7%, 507 is 77.9%);
  the scenario has 507.
- "10年以上的占20.5%": no count of 651 gives 20.5% (133 is 20.4%); the scenario has 133.
- The 248 questionnaires are the 减负 area's workers' questionnaire: codes for the 651 workers,
  248 answered, 206 under heavy pressure (很大 or 较大; the essay's "83%" is 83.1%) and 198
  unhappy with their pay (不满意 or 很不满意, 79.8%); the 减负增效 chapter states both.
- "每年都组织社区书记、主任参加不少于7天的集中培训" gives no count of sessions or person-times:
  the scenario holds no training, so the 教育培训 chapter says none was held; no appraisal
  cycle of 2008 was finished by September either.
- The essay gives only the leaders' 2007 income: the scenario pays only the 95 leaders in
  2007 (gross = net = total cost, as the essay gives one figure), so the 待遇 chapter's
  worker counts are the leaders'.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal as D
from typing import TypeVar

from django.utils import timezone

from shegong.core.actors import system_actor
from shegong.orgs.demo import CITY, DISTRICT, STREETS
from shegong.orgs.models import CommunityFunding, CommunityProfile, Unit, UnitKind
from shegong.pay import services as pay_services
from shegong.pay.models import AverageWage, PayLine, PayRun, RunStatus
from shegong.people import rules as people_rules
from shegong.people.models import (
    InsuranceEnrolment,
    Placement,
    PostHolding,
    PostType,
    RepresentativeRole,
    Worker,
)

T = TypeVar("T")
AS_OF = datetime.date(2008, 9, 30)
YEAR = 2008
RURAL = {"430105007000": 13, "430105008000": 14}  # 27, in the two outer streets
LARGE_URBAN = 73
RENTED = 10
LARGE_PREMISES = 93
FUNDING_2007 = D("11731900.00")
TOTAL = 651
MEN = 170
AGES = [(116, 27), (134, 33), (293, 40), (102, 50), (6, 56)]
EDUCATION = [(210, "high_school"), (350, "college"), (91, "bachelor")]
SOURCES = [(273, "elected"), (217, "hired"), (78, "seconded"), (83, "other")]
TENURE_STARTS = [(133, 1996), (140, 2002), (378, 2006)]  # 12, 6 and 2 full years
DUAL = 37
SEPARATE = 29  # communities with a secretary and a director who are two people
COMMITTEE_MEMBERS = 343
REPRESENTATIVES = [
    ("party_congress", "city", 1),
    ("party_congress", "district", 30),
    ("npc", "city", 4),
    ("npc", "district", 10),
    ("cppcc", "city", 1),
    ("cppcc", "district", 4),
]
INSURED = [("pension", 592), ("medical", 507), ("unemployment", 345)]
AVERAGE_WAGE_2007 = D("27968.00")
# Monthly gross of the leaders in 2007: 77 at 2,861.39, one at 2,861.72, 17 at 2,000.00:
# 95 leaders × 32,487.00 a year in all, 78 of them above 27,968.
LEADER_PAY = [(77, D("2861.39")), (1, D("2861.72")), (17, D("2000.00"))]
ENTRY = datetime.date(2006, 3, 1)  # the 2006 两委 election


@dataclass
class Kaifu2008:
    district: Unit
    communities: list[Unit]
    workers: list[Worker]


def _spread(plan: Sequence[tuple[int, T]]) -> list[T]:
    values: list[T] = []
    for count, value in plan:
        values += [value] * count
    assert len(values) == TOTAL
    return values


def _tree() -> tuple[Unit, list[Unit], list[Unit]]:
    city = Unit.objects.create(code=CITY[0], name=CITY[1], kind=UnitKind.CITY, path=f"{CITY[0]}/")
    district = Unit.objects.create(
        code=DISTRICT[0],
        name=DISTRICT[1],
        kind=UnitKind.DISTRICT,
        parent=city,
        path=f"{city.path}{DISTRICT[0]}/",
    )
    urban: list[Unit] = []
    rural: list[Unit] = []
    for code, name, n_urban in STREETS:
        street = Unit.objects.create(
            code=code,
            name=name,
            kind=UnitKind.STREET,
            parent=district,
            path=f"{district.path}{code}/",
        )
        for i in range(n_urban + RURAL.get(code, 0)):
            c_code = f"{code[:9]}{i + 1:03d}"
            community = Unit.objects.create(
                code=c_code,
                name=f"{name.removesuffix('街道')}{i + 1}社区",
                kind=UnitKind.COMMUNITY,
                parent=street,
                path=f"{street.path}{c_code}/",
            )
            (urban if i < n_urban else rural).append(community)
    return district, urban, rural


def _profiles(urban: list[Unit], rural: list[Unit]) -> None:
    profiles = []
    for i, c in enumerate([*urban, *rural]):
        is_urban = i < len(urban)
        households = (1500 + 20 * i if i < LARGE_URBAN else 1200) if is_urban else 800
        profiles.append(
            CommunityProfile(
                unit=c,
                households=households,
                residents=households * 3,
                area_type="urban" if is_urban else "rural",
                office_area=D("120") if i < LARGE_PREMISES else D("60"),
                activity_area=D("200") if i < LARGE_PREMISES else D("100"),
                premises="rented" if i >= len(urban) + len(rural) - RENTED else "owned",
            )
        )
    CommunityProfile.objects.bulk_create(profiles)


def _funding(urban: list[Unit]) -> None:
    """80 communities at 14万元 (4万 from the city, 10万 from the district: 1:2.5), the
    other six sharing the rest: 1,173.19万元 in all."""
    full = urban[:80]
    rest = FUNDING_2007 - D("140000.00") * len(full)
    rows = [
        CommunityFunding(unit=c, year=2007, source="fiscal", amount=D("140000.00")) for c in full
    ]
    others = urban[80:]
    share = (rest / len(others)).quantize(D("0.01"))
    for i, c in enumerate(others):
        amount = share if i < len(others) - 1 else rest - share * (len(others) - 1)
        rows.append(CommunityFunding(unit=c, year=2007, source="fiscal", amount=amount))
    CommunityFunding.objects.bulk_create(rows)


def _workers(urban: list[Unit]) -> list[Worker]:
    ages, education = _spread(AGES), _spread(EDUCATION)
    sources, tenures = _spread(SOURCES), _spread(TENURE_STARTS)[::-1]
    # 651 = 49 communities of 8 and 37 of 7, in order.
    homes = [c for i, c in enumerate(urban) for _ in range(8 if i < 49 else 7)]
    workers = []
    for i in range(TOTAL):
        birth = datetime.date(YEAR - ages[i], 1 + i % 8, 1 + i % 28)
        male = i * 37 % TOTAL < MEN  # 37 is prime to 651: exactly 170, spread out
        first17 = f"430105{birth:%Y%m%d}{(i % 500) * 2 + (1 if male else 0):03d}"
        community = homes[i]
        workers.append(
            Worker(
                name=f"开福社工{i + 1}",
                name_initials=f"kfsg{i + 1}",
                id_number=first17 + people_rules.id_check_digit(first17),
                gender="male" if male else "female",
                birth_date=birth,
                political="party_member" if i % 2 == 0 else "masses",
                education=education[i],
                source=sources[i],
                work_start_date=datetime.date(tenures[i], 3, 1),
                community=community,
                unit_path=community.path,
            )
        )
    Worker.objects.bulk_create(workers)
    Placement.objects.bulk_create(
        Placement(
            worker=w,
            unit_id=w.community_id,
            unit_path=w.unit_path,
            start=min(w.work_start_date or ENTRY, ENTRY),
        )
        for w in workers
    )
    return workers


def _posts(workers: list[Worker]) -> list[Worker]:
    """The leaders (first of each community: 37 hold both posts, 29 communities have two
    people), then 343 委员 among the others; returns the leaders."""
    post = {p.code: p for p in PostType.objects.all()}
    by_community: dict[int, list[Worker]] = {}
    for w in workers:
        by_community.setdefault(w.community_id, []).append(w)
    holdings: list[PostHolding] = []
    leaders: list[Worker] = []
    for n, people in enumerate(by_community.values()):
        if n < DUAL:
            holdings += [
                PostHolding(worker=people[0], post=post[c], start=ENTRY)
                for c in ("secretary", "director")
            ]
            leaders.append(people[0])
        elif n < DUAL + SEPARATE:
            holdings.append(PostHolding(worker=people[0], post=post["secretary"], start=ENTRY))
            holdings.append(PostHolding(worker=people[1], post=post["director"], start=ENTRY))
            leaders += people[:2]
    leading = {w.pk for w in leaders}
    others = [w for w in workers if w.pk not in leading]
    holdings += [
        PostHolding(worker=w, post=post["member"], start=ENTRY) for w in others[:COMMITTEE_MEMBERS]
    ]
    holdings += [
        PostHolding(worker=w, post=post["staff"], start=ENTRY) for w in others[COMMITTEE_MEMBERS:]
    ]
    PostHolding.objects.bulk_create(holdings)
    Worker.objects.filter(pk__in=[w.pk for w in leaders[:DUAL]]).update(is_dual_role=True)
    return leaders


def _representatives(leaders: list[Worker]) -> None:
    roles, i = [], 0
    for kind, level, n in REPRESENTATIVES:
        for w in leaders[i : i + n]:
            roles.append(RepresentativeRole(worker=w, kind=kind, level=level, start=ENTRY))
        i += n
    RepresentativeRole.objects.bulk_create(roles)


def _insurance(workers: list[Worker]) -> None:
    InsuranceEnrolment.objects.bulk_create(
        InsuranceEnrolment(worker=w, kind=kind, start=ENTRY)
        for kind, n in INSURED
        for w in workers[:n]
    )


def _pay_2007(district: Unit, leaders: list[Worker]) -> None:
    """The city's average wage of 2007 and twelve approved runs per street for the leaders."""
    actor = system_actor()
    AverageWage.objects.create(
        unit=district,
        unit_path=district.path,
        year=2007,
        effective_from=datetime.date(2007, 1, 1),
        amount=AVERAGE_WAGE_2007,
        benchmark_share=D("1.00"),
    )
    monthly = [amount for n, amount in LEADER_PAY for _ in range(n)]
    pay_of = dict(zip([w.pk for w in leaders], monthly, strict=True))
    streets = {w.unit_path.rsplit("/", 2)[0] + "/" for w in leaders}
    units = {u.path: u for u in Unit.objects.filter(path__in=streets)}
    now = timezone.now()
    for month in range(1, 13):
        for path, street in sorted(units.items()):
            paid = [w for w in leaders if w.unit_path.startswith(path)]
            total = sum((pay_of[w.pk] for w in paid), D(0))
            run = PayRun.objects.create(
                unit=street,
                unit_path=path,
                period=datetime.date(2007, month, 1),
                status=RunStatus.APPROVED,
                created_by=actor,
                checked_by=actor,
                checked_at=now,
                approved_by=actor,
                approved_at=now,
                headcount=len(paid),
                gross=total,
                net=total,
                total_cost=total,
                note="开福区2008年调研报告情景:书记、主任2007年收入",
            )
            PayLine.objects.bulk_create(
                PayLine(
                    run=run,
                    worker=w,
                    unit_path=w.unit_path,
                    post_pay=pay_of[w.pk],
                    gross=pay_of[w.pk],
                    net=pay_of[w.pk],
                    total_cost=pay_of[w.pk],
                )
                for w in paid
            )
    # The runs are written as approved, around payrun_approve: their years of pay too.
    pay_services.pay_years_refresh(year=2007)


# The essay's 248 answers: (pressure, pay, heaviest burden) choice indexes and how many gave them.
QUESTIONNAIRE = (
    [(0, 4, 0)] * 78 + [(0, 3, 1)] * 40 + [(1, 3, 0)] * 80 + [(1, 2, 2)] * 8
    + [(2, 2, 0)] * 24 + [(2, 1, 3)] * 10 + [(3, 1, 4)] * 4 + [(3, 0, 1)] * 2
    + [(4, 0, 5)] * 2
)  # fmt: skip


def _questionnaire(district: Unit) -> None:
    """Codes for every worker, 248 answers (206 heavy pressure, 198 unhappy with pay), closed."""
    from shegong.burden import services as burden

    survey = burden.worker_survey_create(
        unit=district, title="2008年社区工作者问卷调查", year=2008, acting_user=system_actor()
    )
    issued = burden.worker_codes_issue(survey=survey, acting_user=system_actor(), on=AS_OF)
    burden.worker_survey_set_status(survey=survey, status="open", acting_user=system_actor())
    for (_worker, code), (pressure, pay, heaviest) in zip(issued, QUESTIONNAIRE, strict=False):
        burden.answer_submit(code=code, answers={"1": pressure, "2": pay, "3": heaviest, "4": ""})
    burden.worker_survey_set_status(survey=survey, status="closed", acting_user=system_actor())


def build_kaifu_2008() -> Kaifu2008:
    district, urban, rural = _tree()
    _profiles(urban, rural)
    _funding(urban)
    workers = _workers(urban)
    leaders = _posts(workers)
    _representatives(leaders)
    _insurance(workers)
    _pay_2007(district, leaders)
    _questionnaire(district)
    return Kaifu2008(district=district, communities=[*urban, *rural], workers=workers)
