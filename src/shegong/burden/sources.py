"""The data a report form's field may be filled from (一表通): a registry of sources, each a
count or sum over a unit on a day, read for the viewer's scope. The roster counts follow the
structure analysis's definitions (reports/selectors.structure): a worker counts once when
placed in a community below the unit on that day."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shegong.core.access import path_q
from shegong.orgs.models import CommunityProfile, Unit, UnitKind
from shegong.people.models import Education, Gender, Placement, Political, Source, Worker

if TYPE_CHECKING:
    from shegong.core.models import User

COLLEGE_OR_ABOVE = (Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE)


def roster(viewer: User, unit: Unit, day: datetime.date) -> QuerySet[Worker]:
    placed = Placement.objects.filter(
        Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gt=day)),
        path_q(viewer, "unit_path"),
        unit_path__startswith=unit.path,
    )
    return Worker.objects.filter(pk__in=placed.values("worker_id"))


def _count(**lookup: object) -> Callable[[User, Unit, datetime.date], int]:
    def count(viewer: User, unit: Unit, day: datetime.date) -> int:
        return roster(viewer, unit, day).filter(**lookup).count()

    return count


def _profile(field: str) -> Callable[[User, Unit, datetime.date], Decimal | int]:
    def total(viewer: User, unit: Unit, day: datetime.date) -> Decimal | int:
        found = CommunityProfile.objects.filter(
            path_q(viewer, "unit__path"), unit__path__startswith=unit.path
        ).aggregate(n=Sum(field))["n"]
        return found or 0

    return total


def _communities(viewer: User, unit: Unit, day: datetime.date) -> int:
    return Unit.objects.filter(
        path_q(viewer, "path"), path__startswith=unit.path, kind=UnitKind.COMMUNITY
    ).count()


@dataclass(frozen=True)
class DataSource:
    label: str | Promise
    read: Callable[[User, Unit, datetime.date], Decimal | int]


SOURCES: dict[str, DataSource] = {
    "roster.total": DataSource(_("社区工作者总数"), _count()),
    "roster.female": DataSource(_("女性社区工作者"), _count(gender=Gender.FEMALE)),
    "roster.male": DataSource(_("男性社区工作者"), _count(gender=Gender.MALE)),
    "roster.party_member": DataSource(_("中共党员"), _count(political=Political.PARTY_MEMBER)),
    "roster.college": DataSource(_("大专及以上学历"), _count(education__in=COLLEGE_OR_ABOVE)),
    "roster.elected": DataSource(_("选举产生"), _count(source=Source.ELECTED)),
    "roster.hired": DataSource(_("聘用"), _count(source=Source.HIRED)),
    "org.communities": DataSource(_("社区数"), _communities),
    "profile.households": DataSource(_("户数"), _profile("households")),
    "profile.residents": DataSource(_("常住人口"), _profile("residents")),
    "profile.office_area": DataSource(_("办公用房面积(㎡)"), _profile("office_area")),
    "profile.activity_area": DataSource(_("活动用房面积(㎡)"), _profile("activity_area")),
}


def source_choices() -> list[tuple[str, str]]:
    return [(key, str(s.label)) for key, s in SOURCES.items()]
