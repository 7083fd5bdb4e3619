"""The demo roster: 651 community workers over the 86 demo communities, from a fixed seed.

The structure follows essay 5 exactly (as of 2026-11-29): 170 men; ages 116 ≤30, 134 31–35,
293 36–45, 102 46–54, 6 ≥55; education 210 高中及以下, 350 大专, 91 本科; source 273 elected,
217 hired, 78 seconded, 83 other. Every community has a party secretary and a committee
director, most of them one person (一肩挑). ID numbers are valid and match birth date and gender.
"""

from __future__ import annotations

import datetime
import random
from typing import TYPE_CHECKING

from shegong.core.actors import system_actor
from shegong.core.audit import AuditAction, audit_record
from shegong.people import rules
from shegong.people.models import (
    Certificate,
    CertificateKind,
    Education,
    Gender,
    InsuranceEnrolment,
    InsuranceKind,
    Placement,
    Political,
    PostHolding,
    PostType,
    RepresentativeKind,
    RepresentativeLevel,
    RepresentativeRole,
    Source,
    Worker,
)

if TYPE_CHECKING:
    from shegong.orgs.demo import DemoTree
    from shegong.orgs.models import Unit

AS_OF = datetime.date(2026, 11, 29)
TOTAL = 651
MEN = 170
AGE_BANDS = [((22, 30), 116), ((31, 35), 134), ((36, 45), 293), ((46, 54), 102), ((55, 58), 6)]
EDUCATION = [(Education.HIGH_SCHOOL, 210), (Education.COLLEGE, 350), (Education.BACHELOR, 91)]
SOURCES = [(Source.ELECTED, 273), (Source.HIRED, 217), (Source.SECONDED, 78), (Source.OTHER, 83)]
DUAL_ROLE_SHARE = 0.7
REGIONS = ["430105", "430102", "430103", "430104", "430111", "430121", "430181", "430502"]
SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曹曾田萧潘袁蔡蒋余于"
    "杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏韦付方邹熊白孟秦邱侯江尹薛闫段雷龙"
    "黎史陶贺毛郝顾龚邵万覃武钱戴严欧莫孔向常汤康易乔赖文"
)
FEMALE_CHARS = "芳娟敏静丽艳娜霞燕玲婷雪慧琳颖倩洁莉红梅兰英华萍琴云露佳欣怡晶月"
MALE_CHARS = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳"
MAJORS = ["社会工作", "行政管理", "汉语言文学", "会计", "法学", "计算机应用", "公共事业管理", ""]
ETHNIC_MINORITIES = ["土家族", "苗族", "回族", "侗族", "瑶族", "满族"]


def _spread(rng: random.Random, counts: list[tuple[str, int]]) -> list[str]:
    values = [value for value, n in counts for _ in range(n)]
    rng.shuffle(values)
    return values


def _birth_date(rng: random.Random, age: int) -> datetime.date:
    """A birth date of someone exactly `age` years old on AS_OF."""
    latest = rules.born_on_or_before_for_age(age, AS_OF)
    earliest = rules.born_on_or_before_for_age(age + 1, AS_OF) + datetime.timedelta(days=1)
    return earliest + datetime.timedelta(days=rng.randint(0, (latest - earliest).days))


def _id_number(rng: random.Random, born: datetime.date, male: bool, taken: set[str]) -> str:
    while True:
        serial = rng.randrange(0, 500) * 2 + (1 if male else 0)
        first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{serial:03d}"
        number = first17 + rules.id_check_digit(first17)
        if number not in taken:
            taken.add(number)
            return number


def _name(rng: random.Random, male: bool) -> str:
    chars = MALE_CHARS if male else FEMALE_CHARS
    given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def _community_sizes(rng: random.Random, communities: int) -> list[int]:
    base, extra = divmod(TOTAL, communities)
    sizes = [base + 1] * extra + [base] * (communities - extra)
    rng.shuffle(sizes)
    return sizes


def _new_workers(rng: random.Random, communities: list[Unit]) -> list[Worker]:
    """The workers, unsaved, spread over the communities with essay 5's structure."""
    genders = [True] * MEN + [False] * (TOTAL - MEN)
    rng.shuffle(genders)
    ages = [rng.randint(low, high) for (low, high), n in AGE_BANDS for _ in range(n)]
    rng.shuffle(ages)
    educations = _spread(rng, [(str(v), n) for v, n in EDUCATION])
    sources = _spread(rng, [(str(v), n) for v, n in SOURCES])
    taken: set[str] = set()
    sizes = _community_sizes(rng, len(communities))
    slots = [c for c, size in zip(communities, sizes, strict=True) for _ in range(size)]
    return [
        _new_worker(
            rng,
            community,
            male=genders[index],
            age=ages[index],
            education=educations[index],
            source=sources[index],
            taken=taken,
        )
        for index, community in enumerate(slots)
    ]


def _new_worker(
    rng: random.Random,
    community: Unit,
    *,
    male: bool,
    age: int,
    education: str,
    source: str,
    taken: set[str],
) -> Worker:
    born = _birth_date(rng, age)
    name = _name(rng, male)
    started = max(
        born + datetime.timedelta(days=365 * 20 + rng.randint(0, 400)),
        AS_OF - datetime.timedelta(days=365 * min(age - 20, 25)),
    )
    started = min(started, AS_OF - datetime.timedelta(days=rng.randint(30, 400)))
    return Worker(
        name=name,
        name_initials=rules.pinyin_initials(name),
        id_number=_id_number(rng, born, male, taken),
        gender=Gender.MALE if male else Gender.FEMALE,
        birth_date=born,
        ethnicity=rng.choice(ETHNIC_MINORITIES) if rng.random() < 0.05 else "汉族",
        phone=f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
        political=Political.MASSES,
        education=education,
        major=rng.choice(MAJORS) if education != Education.HIGH_SCHOOL else "",
        source=source,
        work_start_date=started,
        community=community,
        unit_path=community.path,
    )


def _leaders_and_posts(rng: random.Random, workers: list[Worker]) -> list[tuple[Worker, str]]:
    """(worker, post code) for every community: a secretary and a director (often one person,
    一肩挑), deputies, a member, then grid and staff."""
    holdings: list[tuple[Worker, str]] = []
    by_community: dict[int, list[Worker]] = {}
    for worker in workers:
        by_community.setdefault(worker.community.pk, []).append(worker)
    for members in by_community.values():
        # Leaders: elected, middle-aged people first.
        ranked = sorted(
            members,
            key=lambda w: (
                w.source != Source.ELECTED,
                not 36 <= rules.age_on(w.birth_date, AS_OF) <= 54,
                rng.random(),
            ),
        )
        secretary = ranked[0]
        secretary.political = Political.PARTY_MEMBER
        holdings.append((secretary, "secretary"))
        if rng.random() < DUAL_ROLE_SHARE:
            secretary.is_dual_role = True
            holdings.append((secretary, "director"))
            rest = ranked[1:]
        else:
            holdings.append((ranked[1], "director"))
            rest = ranked[2:]
        for worker, post in zip(
            rest, ["deputy_secretary", "deputy_director", "member"], strict=False
        ):
            if post == "deputy_secretary":
                worker.political = Political.PARTY_MEMBER
            holdings.append((worker, post))
        for worker in rest[3:]:
            holdings.append((worker, "grid" if rng.random() < 0.4 else "staff"))
    return holdings


def _party_membership(rng: random.Random, workers: list[Worker]) -> None:
    for worker in workers:
        if worker.political == Political.MASSES:
            roll = rng.random()
            if roll < 0.35:
                worker.political = Political.PARTY_MEMBER
            elif roll < 0.38:
                worker.political = Political.PROBATIONARY
            elif roll < 0.50 and rules.age_on(worker.birth_date, AS_OF) <= 28:
                worker.political = Political.LEAGUE
            elif roll < 0.52:
                worker.political = Political.DEMOCRATIC


def _save_roster(
    rng: random.Random, workers: list[Worker], holdings: list[tuple[Worker, str]]
) -> None:
    posts = {p.code: p for p in PostType.objects.all()}
    Worker.objects.bulk_create(workers)
    Placement.objects.bulk_create(
        Placement(
            worker=w, unit=w.community, unit_path=w.unit_path, start=w.work_start_date or AS_OF
        )
        for w in workers
    )
    PostHolding.objects.bulk_create(
        PostHolding(
            worker=w,
            post=posts[code],
            start=max(
                w.work_start_date or AS_OF,
                AS_OF.replace(year=2021, month=rng.choice([1, 3, 6]), day=1),
            ),
        )
        for w, code in holdings
    )


def _save_insurances(rng: random.Random, workers: list[Worker]) -> None:
    insurances: list[InsuranceEnrolment] = []
    for w in workers:
        for kind in InsuranceKind.values:
            if kind == InsuranceKind.HOUSING_FUND and rng.random() < 0.25:
                continue
            insurances.append(
                InsuranceEnrolment(worker=w, kind=kind, start=w.work_start_date or AS_OF)
            )
    InsuranceEnrolment.objects.bulk_create(insurances)


def _save_certificates(rng: random.Random, workers: list[Worker]) -> None:
    certificates: list[Certificate] = []
    for n, w in enumerate(workers):
        roll = rng.random()
        if roll < 0.04:
            kind = CertificateKind.SOCIAL_WORKER
        elif roll < 0.30:
            kind = CertificateKind.ASSISTANT
        else:
            continue
        start = w.work_start_date or AS_OF
        issued = start + datetime.timedelta(days=rng.randint(0, max(0, (AS_OF - start).days)))
        number = f"{issued:%Y}{'Z' if kind == CertificateKind.ASSISTANT else 'S'}{n:06d}"
        certificates.append(Certificate(worker=w, kind=kind, number=number, issued_on=issued))
    Certificate.objects.bulk_create(certificates)


def _save_representatives(rng: random.Random, secretaries: list[Worker]) -> None:
    RepresentativeRole.objects.bulk_create(
        RepresentativeRole(
            worker=w,
            kind=rng.choice(RepresentativeKind.values),
            level=RepresentativeLevel.DISTRICT if rng.random() < 0.8 else RepresentativeLevel.CITY,
            start=datetime.date(2022, 1, 1),
        )
        for w in rng.sample(secretaries, k=min(12, len(secretaries)))
    )


def build_workers(rng: random.Random, tree: DemoTree) -> list[Worker]:
    """Create the demo roster for `tree` with bulk writes and one audit row (each step draws
    from `rng` in turn, so a seed always gives the same roster)."""
    workers = _new_workers(rng, list(tree.communities))
    holdings = _leaders_and_posts(rng, workers)
    _party_membership(rng, workers)
    _save_roster(rng, workers, holdings)
    _save_insurances(rng, workers)
    _save_certificates(rng, workers)
    _save_representatives(rng, [w for w, code in holdings if code == "secretary"])
    audit_record(
        acting_user=system_actor(),
        action=AuditAction.IMPORT,
        target=Worker(),  # the demo's workers as a whole
        target_repr=f"{len(workers)}名社区工作者",
        unit_path=tree.district.path,
        note="演示数据",
    )
    return workers
