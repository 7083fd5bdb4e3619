"""The data a report form's field may be filled from (一表通): a registry of sources, grouped
by area, each read for a unit on a day in the viewer's scope.

A value source is a count or sum; a column source is one column of the roster list (the
workers placed below the unit on that day, in the roster's order), written down the sheet from
the field's cell, row by row, every column of the list in the same order. The roster counts
follow the structure analysis's definitions (reports/selectors.structure): a worker counts
once when placed in a community below the unit on that day. Every other area is read through
its own selectors, as its own report reads it, for the calendar year of the day: funding
(orgs), training up to the day (training_figures), pay (the benchmark's worker years, withheld
below the minimum group as the annual report withholds them), the year's published appraisal
(grade counts and survey turnout) and community resources (resources_summary). The reads of one
area are made once per filling (Reading.once)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shegong.appraisal.models import Grade
from shegong.core.access import path_q
from shegong.orgs.models import CommunityProfile, FundingSource, Unit, UnitKind
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


Value = Decimal | int | str | None
Cell = Value | list[Value]


@dataclass
class Reading:
    """One filling: the viewer, the unit and the day, and the reads made so far."""

    viewer: User
    unit: Unit
    day: datetime.date
    made: dict[str, Any] = field(default_factory=dict)

    def once(self, name: str, read: Callable[[], Any]) -> Any:
        if name not in self.made:
            self.made[name] = read()
        return self.made[name]


def _count(**lookup: object) -> Callable[[Reading], Value]:
    def count(r: Reading) -> Value:
        return roster(r.viewer, r.unit, r.day).filter(**lookup).count()

    return count


def _profile(name: str) -> Callable[[Reading], Value]:
    def total(r: Reading) -> Value:
        found = CommunityProfile.objects.filter(
            path_q(r.viewer, "unit__path"), unit__path__startswith=r.unit.path
        ).aggregate(n=Sum(name))["n"]
        return found or 0

    return total


def _communities(r: Reading) -> Value:
    return Unit.objects.filter(
        path_q(r.viewer, "path"), path__startswith=r.unit.path, kind=UnitKind.COMMUNITY
    ).count()


# ---------------------------------------------------------------- the roster list


def _roster_rows(r: Reading) -> list[dict[str, Value]]:
    """The workers placed below the unit on the day, as the roster list shows them as of that
    day to this viewer: ID-free, the phone masked, the age as the roster gives it."""
    from shegong.people import selectors as people
    from shegong.people.models import PostHolding

    workers = list(
        people.worker_list(
            viewer=r.viewer, filters=people.WorkerFilters(unit=r.unit.code, as_of=r.day)
        )
    )
    held: dict[int, list[str]] = {}
    for worker_id, post in (
        PostHolding.objects.filter(
            Q(start__lte=r.day) & (Q(end__isnull=True) | Q(end__gt=r.day)),
            worker_id__in=[w.pk for w in workers],
        )
        .order_by("post__sort_order", "post__code")
        .values_list("worker_id", "post__name")
    ):
        held.setdefault(worker_id, []).append(post)
    return [
        {
            "community": getattr(w, "placed_unit_name", "") or w.community.name,
            "name": w.name,
            "gender": w.get_gender_display(),
            "birth_year": w.birth_date.year,
            "age": people.age_for(viewer=r.viewer, worker=w, day=r.day),
            "post": "、".join(held.get(w.pk, [])),
            "education": w.get_education_display(),
            "political": w.get_political_display(),
            "source": w.get_source_display(),
            "phone": people.personal_data_for(viewer=r.viewer, worker=w, unmask=False).phone,
        }
        for w in workers
    ]


def _column(name: str) -> Callable[[Reading], list[Value]]:
    def column(r: Reading) -> list[Value]:
        return [row[name] for row in r.once("roster.list", lambda: _roster_rows(r))]

    return column


# ---------------------------------------------------------------- the other areas


def _funding(source: str) -> Callable[[Reading], Value]:
    def amount(r: Reading) -> Value:
        from shegong.orgs.selectors import funding_by_source

        found = r.once(
            "funding",
            lambda: funding_by_source(viewer=r.viewer, unit=r.unit, year=r.day.year),
        )
        return sum(found.values(), Decimal(0)) if source == "" else found.get(source, Decimal(0))

    return amount


def _training(name: str) -> Callable[[Reading], Value]:
    def figure(r: Reading) -> Value:
        from shegong.training.selectors import training_figures

        found = r.once(
            "training",
            lambda: training_figures(
                viewer=r.viewer, unit=r.unit, start=datetime.date(r.day.year, 1, 1), end=r.day
            ),
        )
        value: Value = getattr(found, name)
        return value

    return figure


def _pay_figures(r: Reading) -> dict[str, Value]:
    """Headcount paid and each caliber's total and average (annualised) of the day's year;
    the money withheld (None) below the minimum group without the right to see pay."""
    from shegong.pay import selectors as pay

    found = pay.year_summary(viewer=r.viewer, unit=r.unit, year=r.day.year)
    out: dict[str, Value] = {"workers": found["workers"]}
    for key, _label in CALIBERS:
        out[f"{key}.total"] = found["calibers"][key]["total"]
        out[f"{key}.average"] = found["calibers"][key]["average"]
    return out


def _pay(name: str) -> Callable[[Reading], Value]:
    def figure(r: Reading) -> Value:
        found: dict[str, Value] = r.once("pay", lambda: _pay_figures(r))
        return found[name]

    return figure


def _appraisal_figures(r: Reading) -> dict[str, Value]:
    """The year's published appraisal over the unit: results by grade and the turnout of
    its surveys (the 考核结果 page's reads)."""
    from shegong.appraisal import selectors as appraisal
    from shegong.appraisal.models import CycleStatus
    from shegong.core.shares import share

    above = [r.unit.path[: i + 1] for i, ch in enumerate(r.unit.path) if ch == "/"]
    cycles = (
        appraisal.cycle_list(viewer=r.viewer)
        .filter(scheme__year=r.day.year, status=CycleStatus.PUBLISHED)
        .filter(Q(unit_path__startswith=r.unit.path) | Q(unit_path__in=above))
    )
    grades: dict[str, int] = {}
    issued = spent = 0
    for cycle in cycles:
        results = appraisal.result_list(viewer=r.viewer, cycle=cycle)
        for grade, n in appraisal.grade_counts(
            results.filter(unit_path__startswith=r.unit.path)
        ).items():
            grades[grade] = grades.get(grade, 0) + n
        for t in appraisal.survey_turnout(viewer=r.viewer, cycle=cycle):
            if t.survey.unit_path.startswith(r.unit.path):
                issued, spent = issued + t.issued, spent + t.spent
    out: dict[str, Value] = {f"grade.{g}": grades.get(g, 0) for g in GRADES}
    out |= {"results": sum(grades.values()), "issued": issued, "spent": spent}
    out["turnout"] = share(spent, issued) if issued else None
    return out


def _appraisal(name: str) -> Callable[[Reading], Value]:
    def figure(r: Reading) -> Value:
        found: dict[str, Value] = r.once("appraisal", lambda: _appraisal_figures(r))
        return found[name]

    return figure


def _resources(name: str) -> Callable[[Reading], Value]:
    def figure(r: Reading) -> Value:
        from shegong.resources.selectors import resources_summary

        found = r.once(
            "resources",
            lambda: resources_summary(viewer=r.viewer, unit=r.unit, year=r.day.year),
        )
        value = found[name]
        return Decimal(value) if name == "volunteer_hours" and value is not None else value

    return figure


# ---------------------------------------------------------------- the registry

CALIBERS = (("total_cost", _("总成本")), ("gross", _("应发")), ("net", _("实发")))
GRADES = Grade.values


@dataclass(frozen=True)
class DataSource:
    label: str | Promise
    read: Callable[[Reading], Cell]
    area: str | Promise = ""
    column: bool = False  # a column of a list, written down from the field's cell


def _area(area: str | Promise, entries: dict[str, tuple[str | Promise, Any]], *,
          column: bool = False) -> dict[str, DataSource]:  # fmt: skip
    return {k: DataSource(label, read, area, column) for k, (label, read) in entries.items()}


SOURCES: dict[str, DataSource] = {
    **_area(
        _("花名册人数"),
        {
            "roster.total": (_("社区工作者总数"), _count()),
            "roster.female": (_("女性社区工作者"), _count(gender=Gender.FEMALE)),
            "roster.male": (_("男性社区工作者"), _count(gender=Gender.MALE)),
            "roster.party_member": (_("中共党员"), _count(political=Political.PARTY_MEMBER)),
            "roster.college": (_("大专及以上学历"), _count(education__in=COLLEGE_OR_ABOVE)),
            "roster.elected": (_("选举产生"), _count(source=Source.ELECTED)),
            "roster.hired": (_("聘用"), _count(source=Source.HIRED)),
        },
    ),
    **_area(
        _("花名册名单(逐行填写,个人信息按本人权限遮蔽)"),
        {
            "roster.list.community": (_("名单:所在社区"), _column("community")),
            "roster.list.name": (_("名单:姓名"), _column("name")),
            "roster.list.gender": (_("名单:性别"), _column("gender")),
            "roster.list.birth_year": (_("名单:出生年份"), _column("birth_year")),
            "roster.list.age": (_("名单:年龄"), _column("age")),
            "roster.list.post": (_("名单:岗位"), _column("post")),
            "roster.list.education": (_("名单:学历"), _column("education")),
            "roster.list.political": (_("名单:政治面貌"), _column("political")),
            "roster.list.source": (_("名单:来源方式"), _column("source")),
            "roster.list.phone": (_("名单:联系电话"), _column("phone")),
        },
        column=True,
    ),
    **_area(
        _("组织与社区概况"),
        {
            "org.communities": (_("社区数"), _communities),
            "profile.households": (_("户数"), _profile("households")),
            "profile.residents": (_("常住人口"), _profile("residents")),
            "profile.office_area": (_("办公用房面积(㎡)"), _profile("office_area")),
            "profile.activity_area": (_("活动用房面积(㎡)"), _profile("activity_area")),
        },
    ),
    **_area(
        _("社区经费(当年)"),
        {
            "funding.total": (_("经费合计(元)"), _funding("")),
            **{
                f"funding.{value}": (label, _funding(value))
                for value, label in FundingSource.choices
            },
        },
    ),
    **_area(
        _("教育培训(当年截至统计日)"),
        {
            "training.sessions": (_("培训班次"), _training("sessions")),
            "training.person_times": (_("培训人次"), _training("person_times")),
            "training.people_trained": (_("参训人数"), _training("people_trained")),
            "training.days": (_("培训人天"), _training("days")),
            "training.leaders": (_("书记、主任人数"), _training("leaders")),
            "training.leaders_met": (_("书记、主任达到年度培训天数"), _training("leaders_met")),
        },
    ),
    **_area(
        _("薪酬待遇(当年)"),
        {
            "pay.workers": (_("发放人数"), _pay("workers")),
            **{
                f"pay.{key}.{part}": (f"{label}{what}", _pay(f"{key}.{part}"))
                for key, label in CALIBERS
                for part, what in (("total", _("合计(元)")), ("average", _("人均(元)")))
            },
        },
    ),
    **_area(
        _("考核评议(当年已公示)"),
        {
            **{
                f"appraisal.grade.{g.lower()}": (label, _appraisal(f"grade.{g}"))
                for g, label in Grade.choices
            },
            "appraisal.results": (_("参加考核人数"), _appraisal("results")),
            "appraisal.issued": (_("测评票发放"), _appraisal("issued")),
            "appraisal.spent": (_("测评票收回"), _appraisal("spent")),
            "appraisal.turnout": (_("测评参与率(%)"), _appraisal("turnout")),
        },
    ),
    **_area(
        _("社区资源(当年)"),
        {
            "resources.teams": (_("文体队伍"), _resources("teams")),
            "resources.team_members": (_("队伍成员"), _resources("team_members")),
            "resources.volunteers": (_("志愿者"), _resources("volunteers")),
            "resources.volunteer_hours": (_("志愿服务时长(小时)"), _resources("volunteer_hours")),
            "resources.venues": (_("活动场地"), _resources("venues")),
            "resources.shared_venues": (_("共享场地"), _resources("shared_venues")),
            "resources.activities": (_("活动场次"), _resources("activities")),
            "resources.participants": (_("活动参与人次"), _resources("participants")),
        },
    ),
}


def source_choices() -> list[tuple[str, Any]]:
    """The sources grouped by area, for a select's optgroups."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for key, s in SOURCES.items():
        groups.setdefault(str(s.area), []).append((key, str(s.label)))
    return list(groups.items())


def read(key: str, reading: Reading) -> Cell:
    return SOURCES[key].read(reading)
