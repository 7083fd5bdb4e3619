"""Personal data cannot be derived by a role without the personal-data right (issue 11,
classes 1, 2 and 7): searches, filters, sorts, pages, API, exports and the import preview
answer a clerk no more than the masked values show, and every write path keeps the ID
number, phone and birth date of a clerk's workers as they are."""

from __future__ import annotations

import datetime
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from shegong.conftest import Personas, Tree, client_for
from shegong.core.errors import ServiceError
from shegong.core.models import AuditAction, AuditEntry, User
from shegong.core.sheets import read_sheet
from shegong.people import exports, imports, selectors, services
from shegong.people.models import Worker
from shegong.people.selectors import WorkerFilters
from shegong.people.tests.factories import make_id, register, worker_values
from shegong.people.tests.sheetfiles import xlsx_bytes

pytestmark = pytest.mark.django_db

BORN = datetime.date(1990, 3, 7)
ID = make_id(BORN, serial=7)
PHONE = "13812345678"


def _api(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def worker(tree: Tree, personas: Personas) -> Worker:
    return register(
        tree.community_a1, personas.street_a_manager, name="张三", id_number=ID, phone=PHONE
    )


def _found(viewer: User, **filters: object) -> list[str]:
    found = selectors.worker_list(viewer=viewer, filters=WorkerFilters(**filters))  # type: ignore[arg-type]
    return [w.name for w in found]


# ---------------------------------------------------------------- searching


def test_a_clerk_finds_a_worker_only_by_exactly_the_last_four_id_characters(
    personas: Personas, worker: Worker
) -> None:
    clerk = personas.community_a1_clerk
    assert _found(clerk, q=ID[-4:]) == ["张三"]
    for guess in (ID[-5:], ID[-6:], ID[-10:], ID, ID[-3:], ID[:6], ID[:10]):
        assert _found(clerk, q=guess) == [], guess


def test_a_manager_finds_a_worker_by_any_id_tail(personas: Personas, worker: Worker) -> None:
    manager = personas.street_a_manager
    for tail in (ID[-4:], ID[-8:], ID):
        assert _found(manager, q=tail) == ["张三"], tail


def test_the_api_and_the_export_refuse_a_clerk_a_longer_id_tail(
    personas: Personas, worker: Worker
) -> None:
    clerk = personas.community_a1_clerk
    api = _api(clerk)
    assert api.get("/api/workers/", {"q": ID[-4:]}).json()["count"] == 1
    assert api.get("/api/workers/", {"q": ID[-6:]}).json()["count"] == 0
    rows, _tally = exports.worker_export_rows(viewer=clerk, filters=WorkerFilters(q=ID[-6:]))
    assert list(rows) == []


def test_a_managers_search_that_hits_an_id_number_is_recorded_as_a_disclosure(
    personas: Personas, worker: Worker
) -> None:
    before = AuditEntry.objects.filter(action=AuditAction.DISCLOSE).count()
    response = client_for(personas.street_a_manager).get("/workers/", {"q": ID[-8:]})
    assert "张三" in response.content.decode()
    hits = AuditEntry.objects.filter(action=AuditAction.DISCLOSE, target_id=str(worker.pk))
    assert hits.count() == before + 1
    last = hits.last()
    assert (
        last is not None and ID[-8:] not in last.note
    )  # the trail does not hold the digits searched
    _api(personas.street_a_manager).get("/api/workers/", {"q": ID[-8:]})
    assert hits.count() == before + 2


def test_a_name_search_by_a_manager_is_not_recorded_as_a_disclosure(
    personas: Personas, worker: Worker
) -> None:
    client_for(personas.street_a_manager).get("/workers/", {"q": "张三"})
    assert not AuditEntry.objects.filter(action=AuditAction.DISCLOSE).exists()


# ---------------------------------------------------------------- birth dates and ages


def test_a_clerk_sees_only_the_birth_year_on_the_page_in_the_api_and_in_the_export(
    personas: Personas, worker: Worker
) -> None:
    clerk = personas.community_a1_clerk
    page = client_for(clerk).get(f"/workers/{worker.pk}/").content.decode()
    assert "1990年" in page and "1990-03" not in page and "1990-3" not in page
    data = _api(clerk).get(f"/api/workers/{worker.pk}/").json()
    assert data["birth_date"] is None and data["birth_year"] == 1990
    listed = _api(clerk).get("/api/workers/").json()["results"][0]
    assert listed["birth_date"] is None and listed["birth_year"] == 1990
    rows, _tally = exports.worker_export_rows(viewer=clerk)
    (row,) = list(rows)
    assert row[3] == "1990年"


def test_a_manager_still_sees_the_birth_date(personas: Personas, worker: Worker) -> None:
    manager = personas.street_a_manager
    assert "1990-03-07" in client_for(manager).get(f"/workers/{worker.pk}/").content.decode()
    data = _api(manager).get(f"/api/workers/{worker.pk}/").json()
    assert data["birth_date"] == "1990-03-07" and data["birth_year"] == 1990
    rows, _tally = exports.worker_export_rows(viewer=manager)
    (row,) = list(rows)
    assert row[3] == BORN


def test_an_age_filter_on_a_chosen_day_does_not_tell_a_clerk_the_birthday(
    personas: Personas, worker: Worker
) -> None:
    clerk = personas.community_a1_clerk
    day_before, birthday = datetime.date(2026, 3, 6), datetime.date(2026, 3, 7)
    # For a clerk an age is the one reached within the year: the same on both days.
    assert _found(clerk, age_min=36, as_of=day_before) == _found(clerk, age_min=36, as_of=birthday)
    assert _found(clerk, age_max=35, as_of=day_before) == _found(clerk, age_max=35, as_of=birthday)
    # A manager's ages are full years on the day.
    manager = personas.street_a_manager
    assert _found(manager, age_min=36, as_of=day_before) == []
    assert _found(manager, age_min=36, as_of=birthday) == ["张三"]


def test_the_list_shows_a_clerk_the_same_age_the_day_before_the_birthday(
    personas: Personas, worker: Worker
) -> None:
    client = client_for(personas.community_a1_clerk)
    ages = []
    for day in ("2026-03-06", "2026-03-07"):
        page = client.get("/workers/", {"as_of": day}).content.decode()
        assert "张三" in page
        ages.append(re.findall(r'<td class="num">(\d+)</td>', page))
    assert ages[0] == ages[1] == ["36"]
    # The manager's list counts full years on the day.
    client = client_for(personas.street_a_manager)
    page = client.get("/workers/", {"as_of": "2026-03-06"}).content.decode()
    assert re.findall(r'<td class="num">(\d+)</td>', page) == ["35"]


def test_sorting_by_age_orders_a_clerks_list_by_birth_year_only(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    register(tree.community_a1, manager, name="年底", id_number=make_id(datetime.date(1990, 12, 1)))
    register(tree.community_a1, manager, name="年初", id_number=make_id(datetime.date(1990, 1, 2)))
    register(tree.community_a1, manager, name="更早", id_number=make_id(datetime.date(1989, 6, 1)))
    assert _found(manager, sort="-age") == ["更早", "年初", "年底"]
    # Within a year the clerk's list keeps registration order, whatever the birthdays.
    assert _found(personas.community_a1_clerk, sort="-age") == ["更早", "年底", "年初"]
    assert _found(personas.community_a1_clerk, sort="age") == ["年底", "年初", "更早"]


# ---------------------------------------------------------------- worker_update and its paths


def test_worker_update_keeps_id_number_phone_and_birth_date_for_a_clerk(
    personas: Personas, worker: Worker
) -> None:
    other = make_id(datetime.date(1991, 5, 5), serial=9)
    services.worker_update(
        worker=worker,
        values=worker_values(name="张三丰", id_number=other, phone="13900000000"),
        acting_user=personas.community_a1_clerk,
    )
    worker.refresh_from_db()
    assert (worker.name, worker.id_number, worker.phone, worker.birth_date) == (
        "张三丰",
        ID,
        PHONE,
        BORN,
    )


def test_worker_update_lets_a_manager_correct_the_id_number_and_phone(
    personas: Personas, worker: Worker
) -> None:
    other = make_id(datetime.date(1991, 5, 5), serial=9)
    services.worker_update(
        worker=worker,
        values=worker_values(id_number=other, phone="13900000000"),
        acting_user=personas.street_a_manager,
    )
    worker.refresh_from_db()
    assert (worker.id_number, worker.phone) == (other, "13900000000")


def test_a_work_start_date_does_not_test_a_clerks_guess_of_the_birthday(
    personas: Personas, worker: Worker
) -> None:
    clerk = personas.community_a1_clerk
    # One day before and on the 16th birthday answer alike for a clerk.
    for start in (datetime.date(2006, 3, 6), datetime.date(2006, 3, 7)):
        services.worker_update(
            worker=worker, values=worker_values(work_start_date=start), acting_user=clerk
        )
    with pytest.raises(ServiceError):  # a start year that is surely too early is still refused
        services.worker_update(
            worker=worker,
            values=worker_values(work_start_date=datetime.date(2005, 12, 31)),
            acting_user=clerk,
        )
    with pytest.raises(ServiceError):  # the manager's check is to the day
        services.worker_update(
            worker=worker,
            values=worker_values(id_number=ID, work_start_date=datetime.date(2006, 3, 6)),
            acting_user=personas.street_a_manager,
        )


def test_a_certificate_date_does_not_test_a_clerks_guess_of_the_birthday(
    personas: Personas, worker: Worker
) -> None:
    clerk = personas.community_a1_clerk
    for day in (datetime.date(1990, 3, 6), datetime.date(1990, 3, 7)):
        services.certificate_add(
            worker=worker, kind="assistant", number="", issued_on=day, acting_user=clerk
        )
    with pytest.raises(ServiceError):
        services.certificate_add(
            worker=worker,
            kind="assistant",
            number="",
            issued_on=datetime.date(1989, 12, 31),
            acting_user=clerk,
        )


def test_the_api_answers_a_right_and_a_wrong_phone_guess_alike(
    personas: Personas, worker: Worker
) -> None:
    api = _api(personas.community_a1_clerk)
    url = f"/api/workers/{worker.pk}/"
    right = api.patch(url, {"phone": PHONE}, format="json")
    wrong = api.patch(url, {"phone": "13800000000"}, format="json")
    assert right.status_code == wrong.status_code == 400
    assert right.json() == wrong.json()
    right = api.patch(url, {"id_number": ID}, format="json")
    wrong = api.patch(url, {"id_number": make_id(BORN, serial=8)}, format="json")
    assert right.status_code == wrong.status_code == 400
    # Sending back what the API showed is fine.
    shown = api.get(url).json()
    changed = api.patch(
        url,
        {"name": "张三丰", "id_number": shown["id_number"], "phone": shown["phone"]},
        format="json",
    )
    assert changed.status_code == 200
    worker.refresh_from_db()
    assert (worker.name, worker.id_number, worker.phone) == ("张三丰", ID, PHONE)


def test_the_worker_form_keeps_a_clerks_id_number_and_phone(
    personas: Personas, worker: Worker
) -> None:
    values = worker_values(name="张三丰", id_number=make_id(BORN, serial=8), phone="139")
    values = {k: ("" if v is None else str(v)) for k, v in values.items()}
    client = client_for(personas.community_a1_clerk)
    form = client.get(f"/workers/{worker.pk}/edit/").content.decode()
    assert "1990-03-07" not in form and ID not in form and PHONE not in form
    response = client.post(f"/workers/{worker.pk}/edit/", values)
    assert response.status_code == 302
    worker.refresh_from_db()
    assert (worker.name, worker.id_number, worker.phone) == ("张三丰", ID, PHONE)


# ---------------------------------------------------------------- the import preview

HEADER = ["姓名", "公民身份号码", "联系电话", "学历", "政治面貌", "来源方式", "所属社区"]


def _plan(user: User, phone: str, community: str) -> imports.WorkerImportPlan:
    content = xlsx_bytes([HEADER, ["张三", ID, phone, "本科", "中共党员", "聘用", community]])
    columns, rows = read_sheet(content, "roster.xlsx", imports.WORKER_SHEET_ALIASES)
    return imports.workers_import_plan(rows=rows, columns=columns, acting_user=user)


def test_the_import_preview_answers_a_clerks_right_and_wrong_phone_guess_alike(
    tree: Tree, personas: Personas, worker: Worker
) -> None:
    clerk = personas.community_a1_clerk
    right = _plan(clerk, PHONE, tree.community_a1.name)
    wrong = _plan(clerk, "13800000000", tree.community_a1.name)
    assert right.ok and wrong.ok
    assert (right.creates, right.updates, right.unchanged) == (
        wrong.creates,
        wrong.updates,
        wrong.unchanged,
    )
    assert wrong.workers[0].changes == []
    assert any("联系电话" in notice for notice in wrong.notices)
    imports.workers_import_apply(plan=wrong, acting_user=clerk)
    worker.refresh_from_db()
    assert worker.phone == PHONE


def test_the_import_still_updates_a_phone_for_a_manager(
    tree: Tree, personas: Personas, worker: Worker
) -> None:
    plan = _plan(personas.street_a_manager, "13800000000", tree.community_a1.name)
    assert plan.ok and plan.updates == 1 and plan.workers[0].changes == ["phone"]
    assert plan.notices == []
    imports.workers_import_apply(plan=plan, acting_user=personas.street_a_manager)
    worker.refresh_from_db()
    assert worker.phone == "13800000000"


def test_the_import_command_keeps_a_clerks_phone(
    tree: Tree, personas: Personas, worker: Worker, tmp_path: Path
) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                HEADER,
                ["张三", ID, "13800000000", "本科", "中共党员", "聘用", tree.community_a1.name],
            ]
        )
    )
    out = io.StringIO()
    call_command("import", "workers", str(path), "--user", "community_a1_clerk", stdout=out)
    assert "联系电话" in out.getvalue()
    worker.refresh_from_db()
    assert worker.phone == PHONE


# ---------------------------------------------------------------- registering a known number


def test_registering_a_number_held_outside_the_scope_does_not_confirm_it_exists(
    tree: Tree, personas: Personas
) -> None:
    held = register(tree.community_b1, personas.street_b_manager, name="王五")
    clerk = personas.community_a1_clerk
    with pytest.raises(ServiceError) as refused:
        services.worker_create(
            community=tree.community_a1,
            entry_date=datetime.date(2024, 1, 1),
            values=worker_values(id_number=held.id_number),
            acting_user=clerk,
        )
    message = refused.value.message
    assert "已登记" not in message and held.id_number[-4:] not in message
    assert "管理员" in message
    # The attempt stays on the record, in the trail of the worker who holds the number.
    attempt = AuditEntry.objects.get(actor=clerk, target_id=str(held.pk))
    assert attempt.unit_path == held.unit_path and "未登记" in attempt.note
    assert Worker.objects.filter(id_number=held.id_number).count() == 1


def test_registering_a_number_held_in_scope_names_the_duplicate(
    tree: Tree, personas: Personas, worker: Worker
) -> None:
    with pytest.raises(ServiceError, match="已登记"):
        register(tree.community_a1, personas.community_a1_clerk, id_number=ID)


def test_the_import_page_tells_a_clerk_once_that_phones_are_kept(
    tree: Tree, personas: Personas, worker: Worker, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    second = register(tree.community_a1, personas.street_a_manager, name="李四")
    rows = [
        ["张三", ID, "13800000000", "本科", "中共党员", "聘用", tree.community_a1.name],
        [
            "李四",
            second.id_number,
            "13800000001",
            "本科",
            "中共党员",
            "聘用",
            tree.community_a1.name,
        ],
    ]
    content = xlsx_bytes([HEADER, *rows])
    response = client_for(personas.community_a1_clerk).post(
        reverse("people_import:upload"), {"file": SimpleUploadedFile("roster.xlsx", content)}
    )
    body = response.content.decode()
    assert 'id="preview"' in body
    assert body.count("不作比对,也不会被修改") == 1
