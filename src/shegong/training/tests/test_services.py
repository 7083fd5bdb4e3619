from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry
from shegong.people import services as people_services
from shegong.people.models import Certificate
from shegong.people.tests.factories import register
from shegong.training import services
from shegong.training.models import Attendance, Award, Course, Enrolment
from shegong.training.tests.factories import START, attend, course_values, enrol, make_course

pytestmark = pytest.mark.django_db
DAY2 = START + datetime.timedelta(days=1)


def test_it_refuses_a_course_that_ends_before_it_starts(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ServiceError) as caught:
        make_course(
            tree.street_a, personas.street_a_manager, end=START - datetime.timedelta(days=1)
        )
    assert caught.value.field == "end"
    assert "早于开始日期" in caught.value.message
    assert not Course.objects.exists()
    assert not AuditEntry.objects.filter(target_type="training.Course").exists()


def test_the_database_refuses_a_course_ending_before_it_starts(tree: Tree) -> None:
    values = course_values(end=START - datetime.timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.create(organiser=tree.street_a, **values)


def test_it_refuses_a_course_for_a_unit_the_user_cannot_edit(
    tree: Tree, personas: Personas
) -> None:
    with pytest.raises(ServiceError) as caught:
        make_course(tree.street_a, personas.street_b_manager)
    assert "没有权限" in caught.value.message
    assert not Course.objects.exists()


def test_it_refuses_enrolment_over_capacity_and_changes_nothing(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user, capacity=2)
    workers = [register(tree.community_a1, user, name=f"工作者{i}") for i in range(3)]
    with pytest.raises(ServiceError) as caught:
        enrol(course, workers, user)
    assert "名额不足" in caught.value.message
    assert "名额2人" in caught.value.message
    course.refresh_from_db()
    assert course.enrolled == 0
    assert not Enrolment.objects.exists()
    enrol(course, workers[:2], user)
    with pytest.raises(ServiceError):
        enrol(course, workers[2:], user)
    course.refresh_from_db()
    assert (course.enrolled, Enrolment.objects.count()) == (2, 2)


def test_the_database_refuses_over_capacity(tree: Tree, personas: Personas) -> None:
    course = make_course(tree.street_a, personas.street_a_manager, capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Course.objects.filter(pk=course.pk).update(enrolled=3)


def test_it_refuses_credit_for_a_worker_not_on_the_roster_that_day(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    veteran = register(tree.community_a1, user, name="老队员")
    newcomer = register(tree.community_a1, user, name="新队员", entry_date=DAY2)
    enrolments = enrol(course, [veteran, newcomer], user)
    with pytest.raises(ServiceError) as caught:
        attend(course, START, enrolments, user)
    assert "新队员" in caught.value.message
    assert "不在社区工作者名册上" in caught.value.message
    assert not Attendance.objects.exists()  # not even the veteran's day
    attend(course, DAY2, enrolments, user)
    assert Attendance.objects.filter(day=DAY2).count() == 2


def test_it_refuses_credit_after_the_worker_left(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    worker = register(tree.community_a1, user, name="离岗者")
    enrolments = enrol(course, [worker], user)
    people_services.worker_exit(worker=worker, date=DAY2, reason="resign", acting_user=user)
    attend(course, START, enrolments, user)
    with pytest.raises(ServiceError) as caught:
        attend(course, DAY2, enrolments, user)
    assert "离岗者" in caught.value.message
    assert list(Attendance.objects.values_list("day", flat=True)) == [START]


def test_attendance_records_the_community_of_the_day(tree: Tree, personas: Personas) -> None:
    admin = personas.district_admin
    course = make_course(tree.district, admin)
    worker = register(tree.community_a1, admin, name="调动者")
    enrolments = enrol(course, [worker], admin)
    people_services.worker_move(
        worker=worker, community=tree.community_b1, date=DAY2, acting_user=admin
    )
    attend(course, START, enrolments, admin)
    attend(course, DAY2, enrolments, admin)
    assert dict(Attendance.objects.values_list("day", "community")) == {
        START: tree.community_a1.pk,
        DAY2: tree.community_b1.pk,
    }


def test_it_refuses_days_outside_the_course_or_in_the_future(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    future = make_course(
        tree.street_a, user, start=datetime.date(2099, 1, 1), end=datetime.date(2099, 1, 2)
    )
    worker = register(tree.community_a1, user)
    enrolments = enrol(course, [worker], user)
    with pytest.raises(ServiceError, match="不在培训日期"):
        attend(course, START - datetime.timedelta(days=1), enrolments, user)
    future_enrolments = enrol(future, [worker], user)
    with pytest.raises(ServiceError, match="今天以后"):
        attend(future, datetime.date(2099, 1, 1), future_enrolments, user)
    assert not Attendance.objects.exists()


def test_unticking_a_worker_removes_that_day_only(tree: Tree, personas: Personas) -> None:
    user = personas.community_a1_clerk
    course = make_course(tree.street_a, personas.street_a_manager)
    a, b = (register(tree.community_a1, user, name=n) for n in ("甲", "乙"))
    enrolments = enrol(course, [a, b], user)
    attend(course, START, enrolments, user)
    attend(course, DAY2, enrolments, user)
    added, removed = services.attendance_mark(
        course=course,
        day=START,
        present=[enrolments[0].pk],
        scope=[e.pk for e in enrolments],
        acting_user=user,
    )
    assert (added, removed) == (0, 1)
    assert sorted(Attendance.objects.values_list("worker__name", "day")) == [
        ("乙", DAY2),
        ("甲", START),
        ("甲", DAY2),
    ]


def test_a_street_organiser_enrols_only_workers_in_its_scope(
    tree: Tree, personas: Personas
) -> None:
    course = make_course(tree.street_a, personas.street_a_manager)
    outsider = register(tree.community_b1, personas.district_admin, name="乙街道人员")
    for user in (personas.street_a_manager, personas.district_admin):
        with pytest.raises(ServiceError) as caught:
            enrol(course, [outsider], user)
        assert "不在街道甲范围内" in caught.value.message
    assert not Enrolment.objects.exists()


def test_a_district_course_may_enrol_anyone_below_the_district(
    tree: Tree, personas: Personas
) -> None:
    course = make_course(tree.district, personas.district_admin)
    a1 = register(tree.community_a1, personas.district_admin, name="甲一")
    b1 = register(tree.community_b1, personas.district_admin, name="乙一")
    enrol(course, [a1, b1], personas.district_admin)
    assert Enrolment.objects.filter(course=course).count() == 2


def test_a_street_manager_enrols_own_workers_in_a_district_course_only(
    tree: Tree, personas: Personas
) -> None:
    course = make_course(tree.district, personas.district_admin)
    a1 = register(tree.community_a1, personas.district_admin, name="甲一")
    b1 = register(tree.community_b1, personas.district_admin, name="乙一")
    with pytest.raises(ServiceError, match="没有权限为乙一报名"):
        enrol(course, [a1, b1], personas.street_a_manager)
    assert not Enrolment.objects.exists()
    enrol(course, [a1], personas.street_a_manager)
    assert list(Enrolment.objects.values_list("worker__name", flat=True)) == ["甲一"]


def test_writes_are_audited_against_the_course(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    worker = register(tree.community_a1, user)
    enrolments = enrol(course, [worker], user)
    attend(course, START, enrolments, user)
    trail = AuditEntry.objects.filter(target_type="training.Course", target_id=str(course.pk))
    assert [e.note for e in trail.order_by("id")][1:] == [
        "报名1人",
        "2026-03-02签到:新增1人,取消0人",
    ]
    assert {e.unit_path for e in trail} == {tree.street_a.path}
    assert all(e.actor == user for e in trail)


def test_capacity_cannot_drop_below_the_enrolled(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user, capacity=5)
    enrol(course, [register(tree.community_a1, user, name=n) for n in "甲乙"], user)
    with pytest.raises(ServiceError, match="已有2人报名"):
        services.course_update(course=course, values=course_values(capacity=1), acting_user=user)
    course.refresh_from_db()
    assert course.capacity == 5


def test_withdrawal_frees_a_place_but_not_after_attendance(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    course = make_course(tree.street_a, user, capacity=1)
    first, second = (register(tree.community_a1, user, name=n) for n in "甲乙")
    (enrolment,) = enrol(course, [first], user)
    services.enrolment_withdraw(enrolment=enrolment, acting_user=user)
    (enrolment,) = enrol(course, [second], user)
    attend(course, START, [enrolment], user)
    with pytest.raises(ServiceError, match="已有签到记录"):
        services.enrolment_withdraw(enrolment=enrolment, acting_user=user)
    course.refresh_from_db()
    assert course.enrolled == 1


def test_passing_an_exam_puts_a_certificate_on_the_record_and_awards_once(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user, name="考生")
    first = services.exam_register(worker=worker, level="assistant", year=2025, acting_user=user)
    services.exam_results_record(
        registration=first,
        scores={"comprehensive": "72", "practice": "55.5"},
        passed_on=None,
        acting_user=user,
    )
    assert not Certificate.objects.filter(worker=worker).exists()
    assert not Award.objects.exists()
    with pytest.raises(ServiceError, match="请填写通过"):
        services.exam_results_record(
            registration=first, scores={"practice": "66"}, passed_on=None, acting_user=user
        )
    services.exam_results_record(
        registration=first,
        scores={"practice": "66"},
        passed_on=datetime.date(2025, 11, 20),
        certificate_number="ZL2025001",
        acting_user=user,
    )
    certificate = Certificate.objects.get(worker=worker)
    assert (certificate.kind, certificate.number) == ("assistant", "ZL2025001")
    award = Award.objects.get(worker=worker)
    assert award.amount == Decimal("1000.00")
    assert award.paid_on is None
    # The award is one-time: passing the same level again (a lost certificate, a re-sit)
    # gives no second award.
    again = services.exam_register(worker=worker, level="assistant", year=2026, acting_user=user)
    services.exam_results_record(
        registration=again,
        scores={"comprehensive": "80", "practice": "80"},
        passed_on=datetime.date(2026, 11, 1),
        acting_user=user,
    )
    assert Award.objects.count() == 1
    assert Certificate.objects.filter(worker=worker).count() == 2


def test_it_refuses_a_subject_of_another_level(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    registration = services.exam_register(
        worker=worker, level="senior", year=2026, acting_user=user
    )
    with pytest.raises(ServiceError, match="没有科目"):
        services.exam_results_record(
            registration=registration, scores={"practice": "70"}, passed_on=None, acting_user=user
        )
    assert not registration.results.exists()


def test_a_secondment_goes_and_comes_back(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    away = services.secondment_start(
        worker=worker,
        kind="secondment",
        host="南京市鼓楼区",
        start=datetime.date(2026, 3, 1),
        acting_user=user,
    )
    with pytest.raises(ServiceError, match="正在挂职交流中"):
        services.secondment_start(
            worker=worker,
            kind="rotation",
            host="甲二社区",
            start=datetime.date(2026, 4, 1),
            acting_user=user,
        )
    with pytest.raises(ServiceError, match="不能早于起始日期"):
        services.secondment_return(
            secondment=away, returned_on=datetime.date(2026, 2, 1), acting_user=user
        )
    services.secondment_return(
        secondment=away, returned_on=datetime.date(2026, 9, 1), acting_user=user
    )
    away.refresh_from_db()
    assert away.returned_on == datetime.date(2026, 9, 1)
    with pytest.raises(ServiceError, match="没有权限"):
        services.secondment_start(
            worker=worker,
            kind="rotation",
            host="乙",
            start=datetime.date(2026, 10, 1),
            acting_user=personas.street_b_manager,
        )


def test_only_district_editors_change_requirements_and_awards(
    tree: Tree, personas: Personas
) -> None:
    from shegong.people.models import PostType
    from shegong.training.models import AwardRule, Requirement

    grid = PostType.objects.get(code="grid")
    with pytest.raises(ServiceError, match="只有区级"):
        services.requirement_set(
            post=grid, min_days=3, every_years=1, acting_user=personas.street_a_manager
        )
    assert not Requirement.objects.filter(post=grid).exists()
    services.requirement_set(
        post=grid, min_days=3, every_years=1, acting_user=personas.district_admin
    )
    services.award_rule_set(
        level="senior", amount=Decimal("5000"), acting_user=personas.district_admin
    )
    assert AwardRule.objects.get(level="senior").amount == Decimal("5000.00")
    assert AuditEntry.objects.filter(target_type="training.Requirement").count() == 1
    with pytest.raises(ServiceError, match="不能删除"):
        services.requirement_remove(
            requirement=Requirement.objects.get(is_default=True),
            acting_user=personas.district_admin,
        )


def test_a_new_requirement_changes_who_is_short(tree: Tree, personas: Personas) -> None:
    from shegong.people.models import PostType
    from shegong.training import selectors

    admin = personas.district_admin
    grid = PostType.objects.get(code="grid")
    worker = register(tree.community_a1, admin, name="网格员")
    people_services.post_assign(
        worker=worker, post=grid, start=datetime.date(2021, 1, 1), acting_user=admin
    )
    course = make_course(tree.district, admin)
    attend(course, START, enrol(course, [worker], admin), admin)
    assert selectors.compliance_list(viewer=admin, unit=tree.district, year=2026) == []
    services.requirement_set(post=grid, min_days=3, every_years=1, acting_user=admin)
    (short,) = selectors.compliance_list(viewer=admin, unit=tree.district, year=2026)
    assert (short.worker.name, short.required, short.attended, short.missing) == ("网格员", 3, 1, 2)


def test_the_service_refuses_a_control_character_in_a_secondment_host(
    tree: Tree, personas: Personas
) -> None:
    from shegong.training.models import Secondment

    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    with pytest.raises(ServiceError, match="去向单位"):
        services.secondment_start(
            worker=worker, kind="secondment", host="南京\x1b[31m鼓楼",
            start=datetime.date(2026, 3, 1), acting_user=user,
        )  # fmt: skip
    assert not Secondment.objects.exists()
