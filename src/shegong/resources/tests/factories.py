"""Small builders for resources tests: venues and bookings in the shared personas' tree."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from shegong.core.models import User
from shegong.orgs.models import Unit
from shegong.resources import services
from shegong.resources.models import (
    Activity,
    Booking,
    BookingSeries,
    Resident,
    ServiceRecord,
    Standard,
    Team,
    TeamMember,
    Venue,
    Volunteer,
    VolunteerCertificate,
)

if TYPE_CHECKING:
    from shegong.core.tests.test_scoping import StreetAObjects

# A Thursday.
DAY = datetime.date(2026, 3, 5)


def venue_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "社区文化活动室",
        "owner_kind": "community",
        "owner_name": "",
        "address": "东风路1号",
        "area": "320",
        "capacity": 60,
        "price_per_hour": "0",
        "opens": datetime.time(8, 0),
        "closes": datetime.time(21, 0),
        "weekdays": "1234567",
        "requires_approval": False,
    }
    values.update(overrides)
    return values


def make_venue(community: Unit, acting_user: User, **overrides: Any) -> Venue:
    return services.venue_create(
        community=community, values=venue_values(**overrides), acting_user=acting_user
    )


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def book(
    venue: Venue,
    acting_user: User,
    start: datetime.datetime,
    end: datetime.datetime,
    **values: Any,
) -> Booking:
    return services.booking_create(
        venue=venue,
        starts_at=start,
        ends_at=end,
        values={"title": "太极拳队训练", "booker": "太极拳队", "expected": 20, **values},
        acting_user=acting_user,
    )


def street_a_venue(o: StreetAObjects) -> Venue:
    found = Venue.objects.filter(community=o.tree.community_a1, name="甲一活动室").first()
    return found or make_venue(o.tree.community_a1, o.personas.street_a_manager, name="甲一活动室")


def street_a_booking(o: StreetAObjects) -> Booking:
    venue = street_a_venue(o)
    found = Booking.objects.filter(venue=venue).first()
    return found or book(venue, o.personas.street_a_manager, at(DAY, 9), at(DAY, 11))


def street_a_series(o: StreetAObjects) -> BookingSeries:
    venue = street_a_venue(o)
    found = BookingSeries.objects.filter(venue=venue).first()
    return found or services.booking_series_create(
        venue=venue,
        weekday=4,
        start_time=datetime.time(15),
        end_time=datetime.time(17),
        first_day=DAY + datetime.timedelta(days=7),
        last_day=DAY + datetime.timedelta(days=60),
        values={"title": "腰鼓队训练", "booker": "腰鼓队", "expected": 10},
        acting_user=o.personas.street_a_manager,
    )


def resident_values(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "王秀英",
        "gender": "female",
        "birth_date": datetime.date(1958, 6, 1),
        "phone": "13812345678",
        "consent_on": datetime.date(2025, 1, 1),
        "consent_until": None,
    }
    values.update(overrides)
    return values


def make_resident(community: Unit, acting_user: User, **overrides: Any) -> Resident:
    return services.resident_register(
        community=community, values=resident_values(**overrides), acting_user=acting_user
    )


def make_team(unit: Unit, acting_user: User, **overrides: Any) -> Team:
    values = {"name": "夕阳红腰鼓队", "kind": "culture", "practice_time": "每周四下午", **overrides}
    return services.team_create(unit=unit, values=values, acting_user=acting_user)


def street_a_team(o: StreetAObjects) -> Team:
    found = Team.objects.filter(unit=o.tree.community_a1, name="甲一腰鼓队").first()
    return found or make_team(o.tree.community_a1, o.personas.street_a_manager, name="甲一腰鼓队")


def street_a_member(o: StreetAObjects) -> TeamMember:
    team = street_a_team(o)
    found = TeamMember.objects.filter(team=team).first()
    if found:
        return found
    resident = make_resident(o.tree.community_a1, o.personas.street_a_manager, name="甲一居民")
    return services.team_member_add(
        team=team,
        resident=resident,
        joined_on=datetime.date(2025, 3, 1),
        acting_user=o.personas.street_a_manager,
    )


def make_activity(unit: Unit, acting_user: User, **overrides: Any) -> Activity:
    values = {"title": "敬老院志愿服务", "kind": "volunteer", "day": DAY, **overrides}
    return services.activity_create(unit=unit, values=values, acting_user=acting_user)


def make_volunteer(community: Unit, acting_user: User, **overrides: Any) -> Volunteer:
    resident = make_resident(community, acting_user, **overrides)
    return services.volunteer_register(
        resident=resident,
        values={"id_number": "11010519491231002X", "skills": "理发"},
        acting_user=acting_user,
    )


def street_a_activity(o: StreetAObjects) -> Activity:
    found = Activity.objects.filter(unit=o.tree.community_a1).first()
    return found or make_activity(o.tree.community_a1, o.personas.street_a_manager)


def street_a_volunteer(o: StreetAObjects) -> Volunteer:
    found = Volunteer.objects.filter(resident__community=o.tree.community_a1).first()
    return found or make_volunteer(
        o.tree.community_a1, o.personas.street_a_manager, name="甲一志愿者"
    )


def street_a_service(o: StreetAObjects) -> ServiceRecord:
    found = ServiceRecord.objects.filter(activity__unit=o.tree.community_a1).first()
    return found or services.hours_enter(
        volunteer=street_a_volunteer(o),
        activity=street_a_activity(o),
        hours="2",
        acting_user=o.personas.street_a_manager,
    )


def street_a_certificate(o: StreetAObjects) -> VolunteerCertificate:
    record = street_a_service(o)
    found = VolunteerCertificate.objects.filter(volunteer=record.volunteer).first()
    return found or services.certificate_issue(
        volunteer=record.volunteer, first=DAY, last=DAY, acting_user=o.personas.street_a_manager
    )


# ---------------------------------------------------------------- 以奖代补

AWARD_YEAR = DAY.year


def scheme_values(**overrides: Any) -> dict[str, Any]:
    """Members 1 point each (at most 20), an activity 5, a participant 0.5 (at most 30), the
    average rating 4 points a point, an award won 10; at least 3 members and 1 activity;
    100 yuan a point, 100,000 yuan for the year."""
    values: dict[str, Any] = {
        "members_weight": "1",
        "members_cap": "20",
        "activities_weight": "5",
        "activities_cap": "",
        "participants_weight": "0.5",
        "participants_cap": "30",
        "quality_weight": "4",
        "quality_cap": "",
        "awards_won_weight": "10",
        "awards_won_cap": "",
        "min_members": 3,
        "min_activities": 1,
        "min_quality": "",
        "pay_mode": "per_point",
        "yuan_per_point": "100",
        "tiers": "",
        "budget": "100000",
    }
    values.update(overrides)
    return values


def make_scheme(district: Unit, acting_user: User, subject: str = "team", **overrides: Any) -> Any:
    return services.scheme_create(
        district=district,
        year=AWARD_YEAR,
        subject=subject,
        values=scheme_values(**overrides),
        acting_user=acting_user,
    )


def active_team(
    community: Unit, manager: User, *, members: int = 4, name: str = "甲一腰鼓队"
) -> Team:
    """A team with `members` members, one held activity of its own that 2 of them attended,
    rated 4 by the street, one performance before 50 people and one award won."""
    team = make_team(community, manager, name=name)
    people = [make_resident(community, manager, name=f"{name}队员{n}") for n in range(members)]
    for resident in people:
        services.team_member_add(
            team=team, resident=resident, joined_on=datetime.date(2025, 3, 1), acting_user=manager
        )
    activity = services.activity_create(
        unit=community,
        team=team,
        values={"title": f"{name}汇演", "kind": "culture", "day": DAY},
        acting_user=manager,
    )
    for resident in people[:2]:
        services.participant_sign_up(activity=activity, resident=resident, acting_user=manager)
    services.attendance_mark(
        activity=activity,
        present=set(activity.participants.values_list("pk", flat=True)),
        acting_user=manager,
    )
    services.activity_mark_held(activity=activity, acting_user=manager)
    services.activity_rate(activity=activity, score=4, acting_user=manager)
    for kind, level, count in (("performance", "", 50), ("award", "district", 0)):
        services.team_record_add(
            team=team,
            values={
                "kind": kind,
                "level": level,
                "day": DAY,
                "title": f"{name}{kind}",
                "participants": count,
            },
            acting_user=manager,
        )
    return team


def street_a_scheme(o: StreetAObjects) -> Any:
    from shegong.resources.models import AwardScheme

    found = AwardScheme.objects.filter(district=o.tree.district).first()
    if found:
        return found
    active_team(o.tree.community_a1, o.personas.street_a_manager, name="甲一评奖队")
    scheme = make_scheme(o.tree.district, o.personas.district_admin)
    return services.awards_propose(scheme=scheme, acting_user=o.personas.district_admin)


def street_a_award(o: StreetAObjects) -> Any:
    return street_a_scheme(o).awards.get(community=o.tree.community_a1)


def _other_district_manager(o: StreetAObjects) -> User:
    from shegong.core.models import Membership, Role
    from shegong.orgs.models import UnitKind

    other = User.objects.filter(username="other_district_manager").first()
    if other is None:
        city = o.tree.city
        district = Unit.objects.create(
            code="110102000000",
            name="测试二区",
            kind=UnitKind.DISTRICT,
            parent=city,
            path=f"{city.path}110102000000/",
        )
        other = User.objects.create_user(username="other_district_manager", password="x")
        Membership.objects.create(user=other, unit=district, role=Role.MANAGER)
    return other


def walk_award_scheme(o: StreetAObjects) -> tuple[dict[str, Any], User, User]:
    """The district's proposed scheme: (route kwargs, a street-A manager who sees it, a
    manager of another district who must not)."""
    return {"pk": street_a_scheme(o).pk}, o.personas.street_a_manager, _other_district_manager(o)


def walk_award(o: StreetAObjects) -> tuple[dict[str, Any], User, User]:
    return {"pk": street_a_award(o).pk}, o.personas.street_a_manager, _other_district_manager(o)


def make_standard(unit: Unit, user: User, *, key: str = "demo-a", checked: bool = True) -> Standard:
    """A standard of `unit` with one measured item (≥ 2 teams) and, when `checked`, one item an
    inspector checks (制度上墙)."""
    standard = services.standard_create(
        unit=unit, values={"key": key, "name": "示范社区"}, acting_user=user
    )
    services.standard_item_add(
        standard=standard,
        values={
            "key": "teams",
            "label": "文体队伍不少于2支",
            "kind": "measured",
            "measure": "teams",
            "threshold": 2,
        },
        acting_user=user,
    )
    if checked:
        services.standard_item_add(
            standard=standard,
            values={"key": "rules", "label": "制度上墙", "kind": "checked"},
            acting_user=user,
        )
    return standard


def street_a_standard(o: StreetAObjects) -> Standard:
    found = Standard.objects.filter(key="street-a-demo").first()
    return found or make_standard(o.tree.street_a, o.personas.street_a_manager, key="street-a-demo")
