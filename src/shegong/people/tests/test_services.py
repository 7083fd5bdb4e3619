from __future__ import annotations

import datetime
from typing import Any

import pytest

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditAction, AuditEntry
from shegong.people import services
from shegong.people.models import Placement, PostType, Worker, WorkerStatus
from shegong.people.tests.factories import make_id, register, worker_values

pytestmark = pytest.mark.django_db


def _refused(field: str | None, text: str, call: object) -> None:
    with pytest.raises(ServiceError) as caught:
        call()  # type: ignore[operator]
    assert caught.value.field == field
    assert text in caught.value.message


def test_it_registers_a_worker_with_derived_fields_placement_and_audit(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.community_a1_clerk, name="张三")
    assert worker.name_initials == "zs"
    assert worker.gender == "male"
    assert worker.birth_date == datetime.date(1990, 3, 7)
    assert worker.unit_path == tree.community_a1.path
    placement = worker.placements.get()
    assert (placement.start, placement.end, placement.unit) == (
        datetime.date(2020, 1, 1),
        None,
        tree.community_a1,
    )
    entry = AuditEntry.objects.get(target_type="people.Worker", target_id=str(worker.pk))
    assert entry.action == AuditAction.CREATE
    assert entry.unit_path == tree.community_a1.path
    assert entry.after is not None
    assert entry.after["id_number"].startswith("110***")


@pytest.mark.parametrize(
    ("overrides", "field", "text"),
    [
        ({"id_number": make_id()[:-1] + "X"}, "id_number", "校验位"),
        ({"id_number": "110101199002301231"}, "id_number", "不存在"),
        ({"birth_date": datetime.date(1990, 3, 8)}, "birth_date", "不一致"),
        ({"gender": "female"}, "gender", "不一致"),
        ({"name": " "}, "name", "姓名"),
        ({"education": "phd"}, "education", "学历"),
        ({"ethnicity": "火星族"}, "ethnicity", "56个民族"),
        ({"work_start_date": datetime.date(1995, 1, 1)}, "work_start_date", "16周岁"),
        ({"phone": "138-1234-abcd"}, "phone", "联系电话"),
        ({"phone": "1" * 21}, "phone", "过长"),
        ({"phone": "845678"}, "phone", "手机号为1开头的11位数字"),
        ({"phone": "8456789"}, "phone", "固定电话为区号加7至8位号码"),
    ],
)
def test_it_refuses_bad_worker_values(
    tree: Tree, personas: Personas, overrides: dict[str, Any], field: str, text: str
) -> None:
    _refused(
        field, text, lambda: register(tree.community_a1, personas.community_a1_clerk, **overrides)
    )
    assert not Worker.objects.exists()


def test_it_accepts_an_ethnicity_without_the_suffix(tree: Tree, personas: Personas) -> None:
    worker = register(tree.community_a1, personas.street_a_manager, ethnicity="回")
    assert worker.ethnicity == "回族"


def test_it_refuses_a_duplicate_id_number(tree: Tree, personas: Personas) -> None:
    number = make_id()
    register(tree.community_a1, personas.street_a_manager, id_number=number)
    _refused(
        "id_number",
        "已登记",
        lambda: register(tree.community_a2, personas.street_a_manager, id_number=number),
    )
    assert Worker.objects.count() == 1


def test_it_refuses_a_community_outside_scope_or_not_a_community(
    tree: Tree, personas: Personas
) -> None:
    _refused(
        "community", "没有权限", lambda: register(tree.community_b1, personas.street_a_manager)
    )
    _refused("community", "不是社区", lambda: register(tree.street_a, personas.street_a_manager))
    _refused(
        "community", "没有权限", lambda: register(tree.community_a2, personas.community_a1_clerk)
    )


def test_it_refuses_an_entry_before_birth_or_in_the_future(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    _refused(
        "entry_date",
        "早于出生日期",
        lambda: register(tree.community_a1, user, entry_date=datetime.date(1980, 1, 1)),
    )
    _refused(
        "entry_date",
        "不能晚于今天",
        lambda: register(tree.community_a1, user, entry_date=datetime.date(2999, 1, 1)),
    )


def test_it_updates_a_worker_and_audits_only_what_changed(tree: Tree, personas: Personas) -> None:
    worker = register(tree.community_a1, personas.community_a1_clerk)
    values = worker_values(id_number=worker.id_number, name="李四", education="postgraduate")
    services.worker_update(worker=worker, values=values, acting_user=personas.community_a1_clerk)
    worker.refresh_from_db()
    assert (worker.name, worker.name_initials, worker.education) == ("李四", "ls", "postgraduate")
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
    assert entry.before == {"education": "bachelor", "name": "张三"}


def test_it_refuses_an_update_to_another_workers_id_number(tree: Tree, personas: Personas) -> None:
    first = register(tree.community_a1, personas.street_a_manager)
    second = register(tree.community_a1, personas.street_a_manager)
    _refused(
        "id_number",
        "已登记",
        lambda: services.worker_update(
            worker=second,
            values=worker_values(id_number=first.id_number),
            acting_user=personas.street_a_manager,
        ),
    )


def test_a_move_closes_the_placement_opens_another_and_keeps_history(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.district_admin)
    secretary = PostType.objects.get(code="secretary")
    services.post_assign(
        worker=worker,
        post=secretary,
        start=datetime.date(2021, 1, 1),
        acting_user=personas.district_admin,
    )
    services.worker_move(
        worker=worker,
        community=tree.community_b1,
        date=datetime.date(2024, 6, 1),
        acting_user=personas.district_admin,
    )
    worker.refresh_from_db()
    assert worker.community == tree.community_b1
    assert worker.unit_path == tree.community_b1.path
    old, new = worker.placements.order_by("start")
    assert (old.unit, old.end, old.end_reason) == (
        tree.community_a1,
        datetime.date(2024, 6, 1),
        "transfer",
    )
    assert (new.unit, new.end) == (tree.community_b1, None)
    assert worker.posts.get().end == datetime.date(2024, 6, 1)
    move_entry = AuditEntry.objects.filter(note__contains="调至").get()
    assert move_entry.unit_path == tree.community_b1.path


def test_a_move_needs_edit_on_both_communities(tree: Tree, personas: Personas) -> None:
    worker = register(tree.community_a1, personas.street_a_manager)
    _refused(
        "community",
        "没有权限",
        lambda: services.worker_move(
            worker=worker,
            community=tree.community_b1,
            date=datetime.date(2024, 6, 1),
            acting_user=personas.street_a_manager,
        ),
    )
    _refused(
        None,
        "没有权限",
        lambda: services.worker_move(
            worker=worker,
            community=tree.community_b1,
            date=datetime.date(2024, 6, 1),
            acting_user=personas.street_b_manager,
        ),
    )
    assert Placement.objects.get().end is None


def test_it_refuses_a_move_before_the_current_placement_began(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager)
    _refused(
        "date",
        "不能早于",
        lambda: services.worker_move(
            worker=worker,
            community=tree.community_a2,
            date=datetime.date(2019, 1, 1),
            acting_user=personas.street_a_manager,
        ),
    )


def test_an_exit_closes_placement_posts_and_insurance(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    services.post_assign(
        worker=worker,
        post=PostType.objects.get(code="grid"),
        start=datetime.date(2020, 1, 1),
        acting_user=user,
    )
    services.insurance_set(
        worker=worker,
        kind="pension",
        enrolled=True,
        date=datetime.date(2020, 1, 1),
        acting_user=user,
    )
    services.worker_exit(
        worker=worker, date=datetime.date(2025, 3, 31), reason="resign", acting_user=user
    )
    worker.refresh_from_db()
    assert worker.status == WorkerStatus.LEFT
    placement = worker.placements.get()
    assert (placement.end, placement.end_reason) == (datetime.date(2025, 3, 31), "resign")
    assert worker.posts.get().end == datetime.date(2025, 3, 31)
    assert worker.insurances.get().end == datetime.date(2025, 3, 31)


@pytest.mark.parametrize(
    ("date", "reason", "field", "text"),
    [
        (datetime.date(2019, 12, 31), "resign", "date", "不能早于入职日期"),
        (datetime.date(2025, 1, 1), "transfer", "reason", "离岗原因"),
        (datetime.date(2999, 1, 1), "resign", "date", "不能晚于今天"),
    ],
)
def test_it_refuses_a_bad_exit(
    tree: Tree, personas: Personas, date: datetime.date, reason: str, field: str, text: str
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager)
    _refused(
        field,
        text,
        lambda: services.worker_exit(
            worker=worker, date=date, reason=reason, acting_user=personas.street_a_manager
        ),
    )


def test_a_worker_who_left_can_reenter_after_the_exit(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    services.worker_exit(
        worker=worker, date=datetime.date(2023, 1, 1), reason="resign", acting_user=user
    )
    _refused(
        "date",
        "不能早于上次离岗",
        lambda: services.worker_reenter(
            worker=worker,
            community=tree.community_a2,
            date=datetime.date(2022, 1, 1),
            acting_user=user,
        ),
    )
    services.worker_reenter(
        worker=worker, community=tree.community_a2, date=datetime.date(2024, 1, 1), acting_user=user
    )
    worker.refresh_from_db()
    assert (worker.status, worker.community) == (WorkerStatus.ACTIVE, tree.community_a2)
    assert worker.placements.count() == 2


def test_holding_a_secretary_and_a_director_post_makes_a_dual_role(
    tree: Tree, personas: Personas
) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    services.post_assign(
        worker=worker,
        post=PostType.objects.get(code="secretary"),
        start=datetime.date(2021, 1, 1),
        acting_user=user,
    )
    worker.refresh_from_db()
    assert not worker.is_dual_role
    director = services.post_assign(
        worker=worker,
        post=PostType.objects.get(code="director"),
        start=datetime.date(2021, 1, 1),
        acting_user=user,
    )
    worker.refresh_from_db()
    assert worker.is_dual_role
    _refused(
        "post",
        "已担任",
        lambda: services.post_assign(
            worker=worker,
            post=PostType.objects.get(code="director"),
            start=datetime.date(2022, 1, 1),
            acting_user=user,
        ),
    )
    services.post_end(holding=director, end=datetime.date(2024, 1, 1), acting_user=user)
    worker.refresh_from_db()
    assert not worker.is_dual_role


def test_it_refuses_a_duplicate_certificate_number(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    services.certificate_add(
        worker=worker,
        kind="assistant",
        number="A-0001",
        issued_on=datetime.date(2022, 6, 1),
        acting_user=user,
    )
    _refused(
        "number",
        "已登记",
        lambda: services.certificate_add(
            worker=worker,
            kind="assistant",
            number="A-0001",
            issued_on=datetime.date(2022, 6, 1),
            acting_user=user,
        ),
    )


def test_insurance_set_opens_and_closes_an_enrolment_once(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    day = datetime.date(2020, 1, 1)
    kw = {"worker": worker, "kind": "medical", "acting_user": user}
    assert services.insurance_set(enrolled=True, date=day, **kw) is not None  # type: ignore[arg-type]
    assert services.insurance_set(enrolled=True, date=day, **kw) is None  # type: ignore[arg-type]
    closed = services.insurance_set(enrolled=False, date=datetime.date(2021, 1, 1), **kw)  # type: ignore[arg-type]
    assert closed is not None and closed.end == datetime.date(2021, 1, 1)


def test_it_records_representative_roles(tree: Tree, personas: Personas) -> None:
    user = personas.street_a_manager
    worker = register(tree.community_a1, user)
    role = services.representative_role_add(
        worker=worker,
        kind="npc",
        level="district",
        start=datetime.date(2021, 1, 1),
        acting_user=user,
    )
    assert str(role).endswith("区级人大代表")
    _refused(
        "end",
        "不能早于",
        lambda: services.representative_role_add(
            worker=worker,
            kind="npc",
            level="city",
            start=datetime.date(2021, 1, 1),
            end=datetime.date(2020, 1, 1),
            acting_user=user,
        ),
    )


def test_disclosing_personal_data_writes_an_audit_row_and_needs_the_permission(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.community_a1_clerk)
    services.personal_data_disclose(worker=worker, acting_user=personas.street_a_manager)
    entry = AuditEntry.objects.get(action=AuditAction.DISCLOSE)
    assert entry.actor == personas.street_a_manager
    with pytest.raises(ServiceError):
        services.personal_data_disclose(worker=worker, acting_user=personas.community_a1_clerk)
    assert AuditEntry.objects.filter(action=AuditAction.DISCLOSE).count() == 1


def test_a_clerks_edit_is_not_refused_for_a_stored_phone_of_the_old_rule(
    tree: Tree, personas: Personas
) -> None:
    worker = register(tree.community_a1, personas.street_a_manager)
    Worker.objects.filter(pk=worker.pk).update(phone="8456789")  # before the rule
    values = {**worker_values(id_number=worker.id_number, name="李四"), "phone": ""}
    services.worker_update(worker=worker, values=values, acting_user=personas.community_a1_clerk)
    worker.refresh_from_db()
    assert (worker.name, worker.phone) == ("李四", "8456789")
    with pytest.raises(ServiceError, match="不是有效的号码"):
        services.worker_update(
            worker=worker,
            values={**values, "phone": worker.phone},  # the manager's form shows it
            acting_user=personas.street_a_manager,
        )
