"""The demo district's community resources: each community's own activity room, venues some
units, companies and schools open to residents, two to four culture and sports teams per
community with members who consented, a year of weekly practice bookings (a series per team),
performances and awards. Participants skew old, as essays 2 and 7 say (mostly over 50). Written
in bulk with one summary audit row, like the demo roster. The year's 以奖代补: the street's
ratings of the held activities, the district's team scheme proposed and approved (funding
recorded) and its community scheme proposed, awaiting approval.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from shegong.core.actors import system_actor
from shegong.core.audit import AuditAction, audit_record
from shegong.people.rules import id_check_digit
from shegong.resources import rules
from shegong.resources.models import (
    Activity,
    ActivityKind,
    AwardLevel,
    Booking,
    BookingSeries,
    BookingStatus,
    ItemKind,
    OwnerKind,
    Participation,
    RecordSource,
    RecordStatus,
    Resident,
    ServiceRecord,
    Standard,
    StandardCheck,
    StandardItem,
    Talent,
    TalentCategory,
    TalentLevel,
    Team,
    TeamKind,
    TeamMember,
    TeamRecord,
    TeamRecordKind,
    Venue,
    Volunteer,
)

if TYPE_CHECKING:
    from shegong.orgs.demo import DemoTree
    from shegong.orgs.models import Unit

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曹曾田潘袁蔡蒋余"
FEMALE = "秀英桂兰玉珍凤芳淑华丽萍红梅金兰"
MALE = "建国德明志强国华文军永福海林"
TEAMS = [
    ("腰鼓队", TeamKind.CULTURE),
    ("广场舞队", TeamKind.CULTURE),
    ("合唱团", TeamKind.CULTURE),
    ("太极拳队", TeamKind.SPORTS),
    ("健身气功站", TeamKind.EXERCISE_POINT),
    ("花鼓戏票友会", TeamKind.FOLK_ART),
    ("书画社", TeamKind.FOLK_ART),
    ("门球队", TeamKind.SPORTS),
]
# Ages of team members: most over 50 (essays 2 and 7), a few younger.
AGE_BANDS = [((18, 34), 6), ((35, 49), 12), ((50, 59), 27), ((60, 69), 35), ((70, 82), 20)]
SHARED = [
    (OwnerKind.SCHOOL, "小学操场", "第{n}小学", True),
    (OwnerKind.COMPANY, "物业会所", "{street}物业服务中心", False),
    (OwnerKind.UNIT, "机关职工之家", "{street}街道办事处", True),
]
SLOTS = [(1, 9), (2, 15), (3, 9), (4, 15), (5, 9), (6, 15), (2, 9), (4, 9)]


def _name(rng: random.Random, male: bool) -> str:
    chars = MALE if male else FEMALE
    return rng.choice(SURNAMES) + rng.choice(chars) + rng.choice(chars)


def _age(rng: random.Random) -> int:
    (low, high) = rng.choices([b for b, _w in AGE_BANDS], weights=[w for _b, w in AGE_BANDS])[0]
    return rng.randint(low, high)


def _venues(rng: random.Random, tree: DemoTree) -> list[Venue]:
    venues = []
    for n, community in enumerate(tree.communities):
        area = Decimal(rng.choice([120, 180, 240, 300, 360, 450]))
        venues.append(
            Venue(
                community=community,
                name=f"{community.name}文化活动室",
                owner_kind=OwnerKind.COMMUNITY,
                address=f"{community.name}党群服务中心",
                area=area,
                capacity=int(area // 4),
                opens=datetime.time(8, 30),
                closes=datetime.time(21),
                weekdays="1234567",
            )
        )
        if n % 3 == 0:
            kind, name, owner, approval = SHARED[(n // 3) % len(SHARED)]
            street = community.parent.name if community.parent else ""
            venues.append(
                Venue(
                    community=community,
                    name=f"{community.name}{name}",
                    owner_kind=kind,
                    owner_name=owner.format(n=n // 3 + 1, street=street.removesuffix("街道")),
                    area=Decimal(rng.choice([400, 800, 1200])),
                    capacity=rng.choice([80, 150, 200]),
                    price_per_hour=Decimal(0) if kind != OwnerKind.COMPANY else Decimal(50),
                    opens=datetime.time(17) if kind == OwnerKind.SCHOOL else datetime.time(9),
                    closes=datetime.time(21),
                    weekdays="67" if kind == OwnerKind.SCHOOL else "12345",
                    requires_approval=approval,
                )
            )
    return Venue.objects.bulk_create(venues)


def _residents(
    rng: random.Random, community: Unit, count: int, as_of: datetime.date
) -> list[Resident]:
    residents = []
    for _ in range(count):
        male = rng.random() < 0.3
        age = _age(rng)
        born = as_of.replace(year=as_of.year - age - 1) + datetime.timedelta(
            days=rng.randint(1, 364)
        )
        lapsed = rng.random() < 0.03
        residents.append(
            Resident(
                community=community,
                name=_name(rng, male),
                gender="male" if male else "female",
                birth_date=born,
                phone=f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                consent_on=datetime.date(as_of.year - 1, rng.randint(1, 12), 1),
                consent_until=datetime.date(as_of.year, 6, 30) if lapsed else None,
            )
        )
    return residents


ACTIVITIES = [
    ("邻里节", ActivityKind.CULTURE),
    ("健康讲座", ActivityKind.EDUCATION),
    ("全民健身日", ActivityKind.SPORTS),
    ("敬老助老志愿服务", ActivityKind.VOLUNTEER),
    ("环境整治志愿服务", ActivityKind.VOLUNTEER),
    ("文艺汇演", ActivityKind.CULTURE),
]


def _id_number(born: datetime.date, serial: int) -> str:
    first17 = f"430105{born:%Y%m%d}{serial % 1000:03d}"
    return first17 + id_check_digit(first17)


def _volunteers(
    rng: random.Random,
    tree: DemoTree,
    people_of: dict[int, list[Resident]],
    as_of: datetime.date,
) -> list[Volunteer]:
    """Up to eight volunteers per community, among its residents who consented."""
    volunteers: list[Volunteer] = []
    for community in tree.communities:
        for n, resident in enumerate(people_of.get(community.pk, [])[::5][:8]):
            if resident.consent_until is not None:
                continue
            volunteers.append(
                Volunteer(
                    resident=resident,
                    id_number=_id_number(resident.birth_date, community.pk * 10 + n),
                    skills=rng.choice(["理发", "义诊", "法律咨询", "家电维修", "心理疏导", ""]),
                    registered_on=datetime.date(as_of.year - 1, rng.randint(1, 12), 1),
                )
            )
    Volunteer.objects.bulk_create(volunteers)
    talents = [
        Talent(
            resident=v.resident,
            category=rng.choice(TalentCategory.values),
            skill=v.skills or "文艺表演",
            level=rng.choice(TalentLevel.values),
            availability="周末",
        )
        for v in volunteers[::2]
    ]
    Talent.objects.bulk_create(talents)
    return volunteers


def _activities_and_volunteers(
    rng: random.Random,
    tree: DemoTree,
    people_of: dict[int, list[Resident]],
    own: dict[int, Venue],
    as_of: datetime.date,
) -> dict[str, int]:
    """A monthly activity per community with sign-ups and attendance of its residents (who
    skew old), a handful of volunteers per community with a year of hours: mostly confirmed,
    a few self-reports waiting, a few declined."""
    activities: list[Activity] = []
    for community in tree.communities:
        for month in range(1, as_of.month + 1):
            title, kind = ACTIVITIES[(month + community.pk) % len(ACTIVITIES)]
            day = datetime.date(as_of.year, month, rng.randint(1, 28))
            if day > as_of:
                continue
            activities.append(
                Activity(
                    unit=community,
                    title=f"{month}月{title}",
                    kind=kind,
                    venue=own[community.pk],
                    organiser=f"{community.name}居委会",
                    day=day,
                    held=True,
                )
            )
    Activity.objects.bulk_create(activities, batch_size=2000)
    participations: list[Participation] = []
    for activity in activities:
        people = people_of.get(activity.unit_id, [])
        for resident in rng.sample(people, min(len(people), rng.randint(15, 40))):
            participations.append(
                Participation(activity=activity, resident=resident, attended=rng.random() < 0.85)
            )
    Participation.objects.bulk_create(participations, batch_size=5000)
    volunteers = _volunteers(rng, tree, people_of, as_of)
    by_unit: dict[int, list[Activity]] = {}
    for activity in activities:
        if activity.kind == ActivityKind.VOLUNTEER:
            by_unit.setdefault(activity.unit_id, []).append(activity)
    service: list[ServiceRecord] = []
    for volunteer in volunteers:
        for activity in by_unit.get(volunteer.resident.community_id, []):
            roll = rng.random()
            status = (
                RecordStatus.PENDING
                if roll < 0.04
                else RecordStatus.DECLINED
                if roll < 0.06
                else RecordStatus.CONFIRMED
            )
            service.append(
                ServiceRecord(
                    volunteer=volunteer,
                    activity=activity,
                    hours=Decimal(rng.choice([2, 3, 4, 6])),
                    content=activity.title,
                    source=RecordSource.SELF
                    if status != RecordStatus.CONFIRMED
                    else RecordSource.CLERK,
                    status=status,
                )
            )
    ServiceRecord.objects.bulk_create(service, batch_size=5000)
    return {
        "activities": len(activities),
        "participations": len(participations),
        "volunteers": len(volunteers),
        "service_records": len(service),
    }


def build_resources(rng: random.Random, tree: DemoTree, as_of: datetime.date) -> dict[str, int]:
    """The year up to `as_of` of community resources in the demo district."""
    actor = system_actor()
    venues = _venues(rng, tree)
    own = {v.community_id: v for v in venues if v.owner_kind == OwnerKind.COMMUNITY}
    first_day = datetime.date(as_of.year, 1, 1)
    teams, members = _teams(rng, tree, own, as_of)
    bookings, records = _practice(rng, teams, own, first_day, as_of, actor)
    for team in teams:
        records += _performances(rng, team, first_day, as_of)
    bookings += _shared_bookings(rng, venues, first_day, as_of, actor)
    Booking.objects.bulk_create(bookings, batch_size=2000)
    TeamRecord.objects.bulk_create(records, batch_size=2000)
    people_of: dict[int, list[Resident]] = {}
    for team, people in zip(teams, members, strict=True):
        people_of.setdefault(team.unit_id, []).extend(people)
    extra = _activities_and_volunteers(rng, tree, people_of, own, as_of)
    extra |= _awards(rng, tree, teams, as_of, actor)
    extra["standard_checks"] = _demonstration_standard(rng, tree, as_of, actor)
    counts = {
        "venues": len(venues),
        "teams": len(teams),
        "residents": sum(len(p) for p in members),
        "bookings": len(bookings),
        "team_records": len(records),
        **extra,
    }
    audit_record(
        acting_user=actor,
        action=AuditAction.IMPORT,
        target=Venue(),
        target_repr="演示社区资源数据",
        unit_path=tree.district.path,
        after=counts,
        note="shegong demo",
    )
    return counts


# The district's demonstration-community standard (示范社区): more space than 五有 asks, teams,
# volunteers and activities from the records, and three items an inspector checks on the spot.
DEMONSTRATION_ITEMS: list[tuple[str, str, str, str | None]] = [
    ("space", "办公和活动用房不少于500平方米", "space_area", "500"),
    ("teams", "文体队伍不少于3支", "teams", "3"),
    ("volunteers", "注册志愿者不少于8人", "volunteers", "8"),
    ("activities", "本年度开展活动不少于10场", "activities_held", "10"),
    ("rules", "制度上墙、公开栏及时更新", "", None),
    ("equipment", "办公和活动设备配备齐全", "", None),
    ("station", "党群服务站挂牌运行", "", None),
]
CHECK_NOTES = ["公开栏内容未更新", "缺少投影和音响设备", "服务站未挂牌", "值班制度未落实"]


def _demonstration_standard(
    rng: random.Random, tree: DemoTree, as_of: datetime.date, actor: Any
) -> int:
    """The standard, and a year's inspections of most communities (some items failed)."""
    standard = Standard.objects.create(
        key="demonstration",
        name="示范社区",
        unit=tree.district,
        position=1,
        note="区级示范社区创建标准:在“五有”基础上,用房、队伍、志愿者、活动和现场检查项目",
    )
    items = StandardItem.objects.bulk_create(
        StandardItem(
            standard=standard,
            key=key,
            label=label,
            kind=ItemKind.MEASURED if measure else ItemKind.CHECKED,
            measure=measure,
            threshold=Decimal(threshold) if threshold else None,
            position=position,
        )
        for position, (key, label, measure, threshold) in enumerate(DEMONSTRATION_ITEMS)
    )
    checks = []
    days = max(1, (as_of - datetime.date(as_of.year, 3, 1)).days)
    for community in tree.communities:
        if rng.random() < 0.2:
            continue  # not inspected yet this year: its checks are missing
        day = datetime.date(as_of.year, 3, 1) + datetime.timedelta(days=rng.randrange(days))
        for item in items:
            if item.kind != ItemKind.CHECKED:
                continue
            met = rng.random() < 0.75
            checks.append(
                StandardCheck(
                    item=item,
                    community=community,
                    checked_on=min(day, as_of),
                    met=met,
                    note="" if met else rng.choice(CHECK_NOTES),
                    inspector=actor,
                )
            )
    StandardCheck.objects.bulk_create(checks)
    return len(checks)


def _teams(
    rng: random.Random, tree: DemoTree, own: dict[int, Venue], as_of: datetime.date
) -> tuple[list[Team], list[list[Resident]]]:
    """Two to four teams per community, their members residents who consented."""
    teams: list[Team] = []
    members: list[list[Resident]] = []
    for community in tree.communities:
        for team_name, kind in rng.sample(TEAMS, rng.randint(2, 4)):
            size = rng.randint(12, 32)
            people = Resident.objects.bulk_create(_residents(rng, community, size, as_of))
            teams.append(
                Team(
                    unit=community,
                    name=f"{community.name}{team_name}",
                    kind=kind,
                    leader=people[0],
                    venue=own[community.pk],
                    practice_place=own[community.pk].name,
                    founded_on=datetime.date(
                        rng.randint(2008, as_of.year - 1), rng.randint(1, 12), 1
                    ),
                )
            )
            members.append(people)
    Team.objects.bulk_create(teams)
    TeamMember.objects.bulk_create(
        TeamMember(team=team, resident=r, joined_on=r.consent_on)
        for team, people in zip(teams, members, strict=True)
        for r in people
    )
    return teams, members


def _practice(
    rng: random.Random,
    teams: list[Team],
    own: dict[int, Venue],
    first_day: datetime.date,
    as_of: datetime.date,
    actor: Any,
) -> tuple[list[Booking], list[TeamRecord]]:
    """Each team's weekly series in its community's room, a booking and a practice record a
    week (distinct slots, so no two confirmed bookings meet)."""
    series_rows: list[BookingSeries] = []
    slots_of: list[tuple[Team, int, int]] = []
    used: dict[int, int] = {}
    for team in teams:
        venue = own[team.unit_id]
        slot = used.get(venue.pk, 0)
        used[venue.pk] = slot + 1
        weekday, hour = SLOTS[slot % len(SLOTS)]
        team.practice_time = f"每周{'一二三四五六日'[weekday - 1]}{'上午' if hour < 12 else '下午'}"
        series_rows.append(
            BookingSeries(
                venue=venue,
                title=f"{team.name}训练",
                booker=team.name,
                weekday=weekday,
                start_time=datetime.time(hour),
                end_time=datetime.time(hour + 2),
                first_day=first_day,
                last_day=as_of,
                created_by=actor,
            )
        )
        slots_of.append((team, weekday, hour))
    Team.objects.bulk_update(teams, ["practice_time"])
    BookingSeries.objects.bulk_create(series_rows)
    bookings: list[Booking] = []
    records: list[TeamRecord] = []
    for series, (team, weekday, hour) in zip(series_rows, slots_of, strict=True):
        for day in rules.series_days(first_day, as_of, weekday):
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
            present = rng.randint(8, 25)
            bookings.append(
                Booking(
                    venue=series.venue,
                    series=series,
                    title=series.title,
                    booker=series.booker,
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=2),
                    expected=20,
                    present=present,
                    status=BookingStatus.CONFIRMED,
                    created_by=actor,
                )
            )
            records.append(
                TeamRecord(
                    team=team,
                    kind=TeamRecordKind.PRACTICE,
                    day=day,
                    title="日常训练",
                    participants=present,
                )
            )
    return bookings, records


def _performances(
    rng: random.Random, team: Team, first_day: datetime.date, as_of: datetime.date
) -> list[TeamRecord]:
    """A few performances a year, and now and then an award."""
    titles = ["重阳节文艺演出", "社区邻里节", "广场文化活动", "新春联欢会"]
    records = [
        TeamRecord(
            team=team,
            kind=TeamRecordKind.PERFORMANCE,
            day=first_day + datetime.timedelta(days=rng.randint(0, (as_of - first_day).days)),
            title=rng.choice(titles),
            participants=rng.randint(15, 40),
        )
        for _ in range(rng.randint(1, 6))
    ]
    if rng.random() < 0.25:
        records.append(
            TeamRecord(
                team=team,
                kind=TeamRecordKind.AWARD,
                day=datetime.date(as_of.year, rng.randint(3, 10), 15),
                title="全区群众文艺汇演奖项",
                level=rng.choice([AwardLevel.DISTRICT, AwardLevel.DISTRICT, AwardLevel.CITY]),
            )
        )
    return records


def _shared_bookings(
    rng: random.Random,
    venues: list[Venue],
    first_day: datetime.date,
    as_of: datetime.date,
    actor: Any,
) -> list[Booking]:
    """Venues of units, companies and schools: a community activity every fourth week."""
    bookings = []
    for venue in venues:
        if venue.owner_kind == OwnerKind.COMMUNITY:
            continue
        for day in rules.series_days(first_day, as_of, int(venue.weekdays[0]))[::4]:
            start = timezone.make_aware(datetime.datetime.combine(day, venue.opens))
            bookings.append(
                Booking(
                    venue=venue,
                    title="社区居民活动",
                    booker=f"{venue.community.name}居委会",
                    starts_at=start,
                    ends_at=start + datetime.timedelta(hours=2),
                    expected=40,
                    present=rng.randint(15, 60),
                    status=BookingStatus.CONFIRMED,
                    created_by=actor,
                )
            )
    return bookings


TEAM_SCHEME = {
    "members_weight": "0.5",
    "members_cap": "15",
    "activities_weight": "2",
    "activities_cap": "30",
    "participants_weight": "0.02",
    "participants_cap": "20",
    "quality_weight": "4",
    "quality_cap": "",
    "awards_won_weight": "5",
    "awards_won_cap": "20",
    "min_members": 10,
    "min_activities": 2,
    "min_quality": "3",
    "pay_mode": "per_point",
    "yuan_per_point": "80",
    "tiers": "",
    "budget": "1200000",
}
COMMUNITY_SCHEME = {
    **TEAM_SCHEME,
    "members_weight": "0.2",
    "members_cap": "30",
    "activities_weight": "2",
    "activities_cap": "24",
    "participants_weight": "0.05",
    "participants_cap": "20",
    "min_members": 20,
    "min_activities": 6,
    "pay_mode": "tiers",
    "tiers": "60=8000\n72=14000\n82=20000",
    "budget": "1000000",
}


def _awards(
    rng: random.Random,
    tree: DemoTree,
    teams: list[Team],
    as_of: datetime.date,
    actor: Any,
) -> dict[str, int]:
    """Culture and sports activities credited to one of the community's teams; the street's
    rating of every held activity; the district's 以奖代补 for the year: teams proposed by
    the system and approved by the district's admin (the demo login, when there is one),
    communities proposed and awaiting approval."""
    from shegong.core.models import User
    from shegong.resources import services
    from shegong.resources.models import ActivityRating

    by_unit: dict[int, list[Team]] = {}
    for team in teams:
        by_unit.setdefault(team.unit_id, []).append(team)
    activities = list(Activity.objects.filter(unit__path__startswith=tree.district.path, held=True))
    for activity in activities:
        if activity.kind in (ActivityKind.CULTURE, ActivityKind.SPORTS) and by_unit.get(
            activity.unit_id
        ):
            activity.team = rng.choice(by_unit[activity.unit_id])
    Activity.objects.bulk_update(activities, ["team"], batch_size=2000)
    now = timezone.now()
    ratings = [
        ActivityRating(
            activity=a, score=rng.choice([3, 4, 4, 4, 5, 5]), rated_by=actor, rated_at=now
        )
        for a in activities
    ]
    ActivityRating.objects.bulk_create(ratings, batch_size=5000)
    approver = User.objects.filter(username="kaifu_admin").first() or actor
    schemes = []
    for subject, values in (("team", TEAM_SCHEME), ("community", COMMUNITY_SCHEME)):
        scheme = services.scheme_create(
            district=tree.district,
            year=as_of.year,
            subject=subject,
            values=values,
            acting_user=actor,
        )
        schemes.append(services.awards_propose(scheme=scheme, acting_user=actor))
    services.awards_approve(scheme=schemes[0], acting_user=approver)
    return {
        "ratings": len(ratings),
        "awards": sum(s.awards.filter(amount__gt=0).count() for s in schemes),
    }
