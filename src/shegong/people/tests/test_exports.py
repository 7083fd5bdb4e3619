"""The roster export: template columns, masking, audit, scoping, and export → import = no change."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.models import AuditEntry
from shegong.core.sheets import read_sheet
from shegong.people import exports, imports, services
from shegong.people.models import PostType, Worker
from shegong.people.selectors import WorkerFilters
from shegong.people.tests.factories import make_id, register
from shegong.people.tests.sheetfiles import read_xlsx


@pytest.fixture
def roster(tree: Tree, personas: Personas) -> list[Worker]:
    manager = personas.street_a_manager
    zhang = register(tree.community_a1, manager, name="张三", id_number=make_id(serial=31),
                     work_start_date=datetime.date(2012, 7, 1))  # fmt: skip
    li = register(tree.community_a2, manager, name="李四", phone="", ethnicity="回族",
                  id_number=make_id(datetime.date(1988, 1, 9), male=False, serial=32),
                  education="college", political="masses", source="elected", major="",
                  work_start_date=None)  # fmt: skip
    wang = register(tree.community_b1, personas.street_b_manager, name="王五",
                    id_number=make_id(serial=33))  # fmt: skip
    services.post_assign(
        worker=zhang,
        post=PostType.objects.get(code="secretary"),
        start=datetime.date(2021, 1, 1),
        acting_user=manager,
    )
    services.post_assign(
        worker=zhang,
        post=PostType.objects.get(code="director"),
        start=datetime.date(2021, 1, 1),
        acting_user=manager,
    )
    return [zhang, li, wang]


def test_export_then_import_changes_nothing(
    tree: Tree, personas: Personas, roster: list[Worker]
) -> None:
    admin = personas.district_admin
    for fmt in ("xlsx", "csv"):
        result = exports.workers_export(viewer=admin, fmt=fmt)
        assert result.rows == 3 and result.unmasked == 3
        columns, rows = read_sheet(result.content, f"x.{fmt}", imports.WORKER_SHEET_ALIASES)
        assert columns == [h for _n, h in imports.COLUMNS] or set(columns) >= set(imports.LABELS)
        audit_before = AuditEntry.objects.exclude(action="export").count()
        plan = imports.workers_import_plan(rows=rows, columns=columns, acting_user=admin)
        assert plan.errors == []
        assert (plan.creates, plan.updates, plan.unchanged) == (0, 0, 3)
        imports.workers_import_apply(plan=plan, acting_user=admin)
        assert AuditEntry.objects.exclude(action="export").count() == audit_before


def test_export_columns_and_values(tree: Tree, personas: Personas, roster: list[Worker]) -> None:
    result = exports.workers_export(viewer=personas.street_a_manager, fmt="xlsx")
    rows = read_xlsx(result.content)
    assert rows[0] == [h for _n, h in imports.COLUMNS]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"张三", "李四"}  # nothing of street B
    zhang = by_name["张三"]
    assert zhang[1] == roster[0].id_number
    assert zhang[10] == tree.community_a1.name
    assert zhang[11] == "党组织书记、居委会主任"
    assert zhang[12].date() == datetime.date(2012, 7, 1)
    assert by_name["李四"][6:10] == ["大专", None, "群众", "选举产生"]


def test_clerk_gets_masked_export_and_no_export_audit(
    tree: Tree, personas: Personas, roster: list[Worker]
) -> None:
    result = exports.workers_export(viewer=personas.community_a1_clerk, fmt="csv")
    text = result.content.decode("utf-8-sig")
    assert "张三" in text and "李四" not in text  # the clerk sees community A1 only
    assert roster[0].id_number not in text and "13812345678" not in text
    assert "110***********" in text and "138****5678" in text
    assert result.unmasked == 0
    assert not AuditEntry.objects.filter(action="export").exists()


def test_unmasked_export_is_audited(tree: Tree, personas: Personas, roster: list[Worker]) -> None:
    filters = WorkerFilters(unit=tree.community_a1.code)
    result = exports.workers_export(viewer=personas.street_a_manager, filters=filters, fmt="xlsx")
    assert result.rows == 1 and result.unmasked == 1
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == personas.street_a_manager
    assert entry.unit_path == tree.community_a1.path
    assert entry.after is not None and entry.after["unmasked"] == 1


def test_street_b_export_has_no_street_a_worker(
    tree: Tree, personas: Personas, roster: list[Worker]
) -> None:
    response = client_for(personas.street_b_manager).get(
        reverse("people_import:export"), {"format": "csv"}
    )
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "王五" in text
    for worker in roster[:2]:
        assert worker.name not in text and worker.id_number not in text
    # Asking for street A's unit explicitly gives nothing either.
    response = client_for(personas.street_b_manager).get(
        reverse("people_import:export"), {"format": "csv", "unit": tree.street_a.code}
    )
    assert response.content.decode("utf-8-sig").strip().count("\n") == 0


def test_cli_export(tree: Tree, personas: Personas, roster: list[Worker], tmp_path: Path) -> None:
    out = tmp_path / "a.xlsx"
    stdout = io.StringIO()
    call_command(
        "export", "workers", "--unit", tree.community_a1.code, "--out", str(out),
        "--user", "community_a1_clerk", stdout=stdout,
    )  # fmt: skip
    rows = read_xlsx(out.read_bytes())
    assert [r[0] for r in rows[1:]] == ["张三"]
    assert "已遮蔽" in stdout.getvalue()


def test_the_list_page_links_to_an_export_of_what_it_filters(
    tree: Tree, personas: Personas
) -> None:
    import re

    register(tree.community_a1, personas.street_a_manager, name="链接甲")
    register(tree.community_a2, personas.street_a_manager, name="链接乙")
    client = client_for(personas.street_a_manager)
    page = client.get("/workers/", {"unit": tree.community_a1.code}).content.decode()
    href = re.search(r'href="([^"]+)" id="export-xlsx"', page)
    assert href is not None
    response = client.get(href.group(1).replace("&amp;", "&"))
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    names = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert names == ["链接甲"]
