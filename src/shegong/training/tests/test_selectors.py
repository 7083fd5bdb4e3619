from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.http import Http404

from shegong.conftest import Personas, Tree
from shegong.orgs.models import Unit
from shegong.people import services as people_services
from shegong.people.models import Placement, PostType
from shegong.people.tests.factories import make_id, register
from shegong.training import rules, selectors, services
from shegong.training.models import Attendance, Enrolment
from shegong.training.tests.factories import START, attend, enrol, make_course

pytestmark = pytest.mark.django_db
YEAR_START, YEAR_END = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def _build(tree: Tree, personas: Personas) -> None:
    """Three courses at three levels, 12 workers, attendance drawn from a fixed seed; one
    worker moves from A1 to B1 in the middle of the district course, one leaves."""
    admin = personas.district_admin
    rng = random.Random(7)
    communities = [tree.community_a1, tree.community_a2, tree.community_b1]
    workers = [
        register(
            communities[i % 3],
            admin,
            name=f"人员{i}",
            id_number=make_id(datetime.date(1980 + i, 1, 2), serial=i),
        )
        for i in range(12)
    ]
    courses = [
        make_course(tree.district, admin, title="区级班", start=START),
        make_course(tree.street_a, admin, title="甲街道班", start=datetime.date(2026, 5, 11)),
        make_course(tree.street_b, admin, title="乙街道班", start=datetime.date(2025, 12, 30)),
    ]
    mover, leaver = workers[0], workers[4]
    enrolled = {
        course.pk: enrol(
            course, [w for w in workers if w.unit_path.startswith(course.organiser.path)], admin
        )
        for course in courses
    }
    people_services.worker_move(
        worker=mover,
        community=tree.community_b1,
        date=START + datetime.timedelta(days=1),
        acting_user=admin,
    )
    people_services.worker_exit(
        worker=leaver, date=datetime.date(2026, 5, 12), reason="resign", acting_user=admin
    )
    for course in courses:
        for day in rules.course_days(course.start, course.end):
            on_roster = services.placements_on([w.pk for w in workers], day)
            present = [
                e for e in enrolled[course.pk] if rng.random() < 0.7 and e.worker_id in on_roster
            ]
            if present:
                attend(course, day, present, admin)


def _brute(unit: Unit, start: datetime.date, end: datetime.date) -> dict[str, object]:
    rows = [
        a
        for a in Attendance.objects.select_related("community")
        if start <= a.day <= end and a.community.path.startswith(unit.path)
    ]
    day = min(end, datetime.date.today())
    roster = {
        p.worker_id
        for p in Placement.objects.all()
        if p.unit_path.startswith(unit.path) and rules.on_roster([(p.start, p.end)], day)
    }
    anywhere = {a.worker_id for a in Attendance.objects.all() if start <= a.day <= end}
    return {
        "sessions": len({a.course_id for a in rows}),
        "person_times": len({(a.course_id, a.worker_id) for a in rows}),
        "people_trained": len({a.worker_id for a in rows}),
        "days": len(rows),
        "roster": len(roster),
        "trained_on_roster": len(roster & anywhere),
        "coverage": rules.share(len(roster & anywhere), len(roster)),
    }


@pytest.mark.parametrize(
    "unit_name", ["district", "street_a", "street_b", "community_a1", "community_b1"]
)
@pytest.mark.parametrize(
    "period",
    [
        (YEAR_START, YEAR_END),
        (datetime.date(2025, 12, 1), datetime.date(2026, 3, 3)),
        (START, START),
    ],
)
def test_figures_agree_with_a_brute_force_count(
    tree: Tree, personas: Personas, unit_name: str, period: tuple[datetime.date, datetime.date]
) -> None:
    _build(tree, personas)
    assert Attendance.objects.count() > 10
    unit = getattr(tree, unit_name)
    figures = selectors.training_figures(
        viewer=personas.district_admin, unit=unit, start=period[0], end=period[1]
    )
    expected = _brute(unit, *period)
    got = {key: getattr(figures, key) for key in expected}
    assert got == expected


def test_figures_count_the_community_of_the_day(tree: Tree, personas: Personas) -> None:
    admin = personas.district_admin
    course = make_course(tree.district, admin)
    worker = register(tree.community_a1, admin, name="调动者")
    enrolments = enrol(course, [worker], admin)
    people_services.worker_move(
        worker=worker,
        community=tree.community_b1,
        date=START + datetime.timedelta(days=1),
        acting_user=admin,
    )
    attend(course, START, enrolments, admin)
    attend(course, START + datetime.timedelta(days=1), enrolments, admin)
    a = selectors.training_figures(viewer=admin, unit=tree.street_a, start=YEAR_START, end=YEAR_END)
    b = selectors.training_figures(viewer=admin, unit=tree.street_b, start=YEAR_START, end=YEAR_END)
    assert (a.days, a.person_times, a.roster) == (1, 1, 0)
    assert (b.days, b.person_times, b.roster, b.coverage) == (1, 1, 1, Decimal("100.0"))
    assert a.hours == Decimal("6.0")


def test_figures_break_down_by_kind_post_and_child(tree: Tree, personas: Personas) -> None:
    admin = personas.district_admin
    secretary = PostType.objects.get(code="secretary")
    boss = register(tree.community_a1, admin, name="书记")
    people_services.post_assign(
        worker=boss, post=secretary, start=datetime.date(2020, 1, 1), acting_user=admin
    )
    other = register(tree.community_a2, admin, name="干事")
    course = make_course(tree.district, admin, kind="rotation")
    enrolments = enrol(course, [boss, other], admin)
    attend(course, START, enrolments, admin)
    attend(course, START + datetime.timedelta(days=1), enrolments[:1], admin)
    f = selectors.training_figures(viewer=admin, unit=tree.district, start=YEAR_START, end=YEAR_END)
    assert {b.label: b.value for b in f.by_kind}["轮训"] == 2
    by_post = {row["post"].code: row for row in f.by_post}
    assert (by_post["secretary"]["people"], by_post["secretary"]["days"]) == (1, 2)
    assert by_post["secretary"]["per_person"] == Decimal("2.0")
    children = {row["unit"].name: row for row in f.by_child}
    assert children["街道甲"]["coverage"] == Decimal("100.0")
    assert children["街道乙"]["roster"] == 0
    assert [b.label for b in f.by_month] == ["2026-03"]


def test_figures_refuse_a_unit_out_of_scope(tree: Tree, personas: Personas) -> None:
    with pytest.raises(Http404):
        selectors.training_figures(
            viewer=personas.street_b_manager, unit=tree.street_a, start=YEAR_START, end=YEAR_END
        )


def test_compliance_lists_who_is_short_and_by_how_much(tree: Tree, personas: Personas) -> None:
    admin = personas.district_admin
    secretary = PostType.objects.get(code="secretary")
    boss = register(tree.community_a1, admin, name="书记")
    people_services.post_assign(
        worker=boss, post=secretary, start=datetime.date(2020, 1, 1), acting_user=admin
    )
    last_year = register(tree.community_a1, admin, name="去年受训")
    register(tree.community_a2, admin, name="从未受训")
    old = make_course(
        tree.district, admin, start=datetime.date(2025, 6, 2), end=datetime.date(2025, 6, 3)
    )
    attend(old, datetime.date(2025, 6, 2), enrol(old, [last_year], admin), admin)
    course = make_course(tree.district, admin, end=START + datetime.timedelta(days=4))
    enrolments = enrol(course, [boss], admin)
    for i in range(5):
        attend(course, START + datetime.timedelta(days=i), enrolments, admin)
    short = selectors.compliance_list(viewer=admin, unit=tree.district, year=2026)
    got = [(s.worker.name, s.required, s.every_years, s.attended, s.missing) for s in short]
    assert got == [("书记", 7, 1, 5, 2), ("从未受训", 1, 2, 0, 1)]
    # Street B sees nobody of street A.
    assert (
        selectors.compliance_list(viewer=personas.street_b_manager, unit=tree.street_b, year=2026)
        == []
    )


def test_street_b_does_not_see_street_a_courses_but_sees_district_ones(
    tree: Tree, personas: Personas
) -> None:
    a = make_course(tree.street_a, personas.street_a_manager, title="甲班")
    d = make_course(tree.district, personas.district_admin, title="区班")
    seen = set(selectors.course_list(viewer=personas.street_b_manager))
    assert seen == {d}
    with pytest.raises(Http404):
        selectors.course_get(viewer=personas.street_b_manager, pk=a.pk)
    worker = register(tree.community_a1, personas.district_admin, name="甲一人员")
    enrol(d, [worker], personas.district_admin)
    assert not selectors.enrolment_list(viewer=personas.street_b_manager, course=d).exists()
    assert Enrolment.objects.filter(course=d).count() == 1


def test_the_narrative_counts_leaders_who_met_the_minimum(tree: Tree, personas: Personas) -> None:
    admin = personas.district_admin
    secretary = PostType.objects.get(code="secretary")
    bosses = [register(tree.community_a1, admin, name=n) for n in ("书记一", "书记二")]
    for boss in bosses:
        people_services.post_assign(
            worker=boss, post=secretary, start=datetime.date(2020, 1, 1), acting_user=admin
        )
    course = make_course(tree.district, admin, end=START + datetime.timedelta(days=6))
    enrolments = enrol(course, bosses, admin)
    for i in range(7):
        attend(course, START + datetime.timedelta(days=i), enrolments[: 1 if i == 6 else 2], admin)
    f = selectors.training_figures(viewer=admin, unit=tree.district, start=YEAR_START, end=YEAR_END)
    assert (f.leaders, f.leaders_met, f.leader_minimum) == (2, 1, 7)
    assert f.narrative == (
        "测试区共举办各级各类培训班1期,培训社区工作者2人次(2人),受训面达到100.0%;"
        "社区书记、主任2人中1人参加了不少于7天的培训,1人尚未达到。"
    )
