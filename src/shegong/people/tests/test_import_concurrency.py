"""Imports that meet other writers: an apply re-checks, under its write lock, that the workers
it updates are still as the preview saw them; a file over the row limit is refused with the
limit and how to split it; a database that stays busy is said in Chinese, not a traceback."""

from __future__ import annotations

import datetime
import io
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shegong.conftest import Personas, Tree
from shegong.core.errors import ServiceError
from shegong.core.models import AuditEntry, User
from shegong.core.sheets import read_sheet
from shegong.core.tests.concurrency import own_database_file, run_together
from shegong.people import imports, rules, services
from shegong.people.models import Worker
from shegong.people.tests.factories import make_id
from shegong.people.tests.sheetfiles import csv_bytes, xlsx_bytes

HEADER = ["姓名", "公民身份号码", "联系电话", "学历", "政治面貌", "来源方式", "所属社区"]
PEOPLE = 60
STALE = "名单在预览后已被修改"


def _ids() -> list[str]:
    start = datetime.date(1980, 1, 1)
    return [make_id(start + datetime.timedelta(days=i), serial=1) for i in range(PEOPLE)]


def _sheet(tree: Tree, phone_prefix: str) -> bytes:
    rows: list[list[Any]] = [HEADER]
    for i, number in enumerate(_ids()):
        phone = f"{phone_prefix}{i:04d}"
        rows.append([f"工作者{i}", number, phone, "本科", "群众", "聘用", tree.community_a1.name])
    return csv_bytes(rows)


def _plan(user: User, content: bytes) -> imports.WorkerImportPlan:
    columns, rows = read_sheet(content, "名册.csv", imports.WORKER_SHEET_ALIASES)
    return imports.workers_import_plan(rows=rows, columns=columns, acting_user=user)


def _imported(tree: Tree, user: User) -> None:
    plan = _plan(user, _sheet(tree, "1380000"))
    assert plan.ok and plan.creates == PEOPLE
    imports.workers_import_apply(plan=plan, acting_user=user)


def _phones() -> set[str]:
    return set(Worker.objects.values_list("phone", flat=True))


def _before_phones() -> set[str]:
    return {
        e.before["phone"]
        for e in AuditEntry.objects.filter(action="import", before__isnull=False)
        if e.before and "phone" in e.before
    }


def test_the_second_of_two_previewed_imports_refuses_instead_of_undoing_the_first(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    _imported(tree, manager)
    first = _plan(manager, _sheet(tree, "1391111"))
    second = _plan(manager, _sheet(tree, "1372222"))
    assert first.updates == second.updates == PEOPLE  # both previews say "update 60"
    imports.workers_import_apply(plan=first, acting_user=manager)
    with pytest.raises(ServiceError, match=STALE) as refused:
        imports.workers_import_apply(plan=second, acting_user=manager)
    assert f"{PEOPLE}人" in refused.value.message and "请重新上传校验" in refused.value.message
    # The first import's changes stand, and the trail's "before" is what the roster held.
    assert {p[:7] for p in _phones()} == {"1391111"}
    assert {p[:3] for p in _before_phones()} == {rules.mask_phone("13800000000")[:3]}
    assert AuditEntry.objects.filter(action="import", before__isnull=False).count() == PEOPLE
    # Checked again, the second file is a plain update of what is there now.
    again = _plan(manager, _sheet(tree, "1372222"))
    imports.workers_import_apply(plan=again, acting_user=manager)
    assert {p[:7] for p in _phones()} == {"1372222"}


def test_an_edit_on_the_page_after_the_preview_is_not_silently_undone(
    tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    _imported(tree, manager)
    plan = _plan(manager, _sheet(tree, "1391111"))
    worker = Worker.objects.get(id_number=_ids()[7])
    values = {name: getattr(worker, name) for name in services.WORKER_FIELDS}
    services.worker_update(
        worker=worker, values={**values, "phone": "13655556666"}, acting_user=manager
    )
    with pytest.raises(ServiceError, match=r"1人,如第9行"):
        imports.workers_import_apply(plan=plan, acting_user=manager)
    assert Worker.objects.get(pk=worker.pk).phone == "13655556666"
    assert Worker.objects.filter(phone__startswith="1391111").count() == 0


def test_two_imports_applied_at_the_same_instant_leave_one_whole_and_refuse_the_other(
    transactional_db: None, tmp_path: Path, tree: Tree, personas: Personas
) -> None:
    manager = personas.street_a_manager
    with own_database_file(tmp_path):
        _imported(tree, manager)
        plans = {prefix: _plan(manager, _sheet(tree, prefix)) for prefix in ("1391111", "1372222")}
        outcomes = run_together(
            *(
                (lambda plan=plan: imports.workers_import_apply(plan=plan, acting_user=manager))
                for plan in plans.values()
            )
        )
        errors = [o.error for o in outcomes if o.error is not None]
        assert len(errors) == 1, errors
        assert isinstance(errors[0], ServiceError) and STALE in errors[0].message
        winner = next(p for p, o in zip(plans, outcomes, strict=True) if o.error is None)
        assert {p[:7] for p in _phones()} == {winner}
        assert AuditEntry.objects.filter(action="import", before__isnull=False).count() == PEOPLE
        assert {p[:3] for p in _before_phones()} == {"138"}


def test_a_file_over_the_row_limit_is_refused_with_the_limit_and_how_to_split_it(
    tree: Tree, personas: Personas, settings: Any
) -> None:
    settings.SHEGONG_IMPORT_MAX_ROWS = PEOPLE - 1
    plan = _plan(personas.street_a_manager, _sheet(tree, "1380000"))
    [error] = plan.errors
    assert f"共有{PEOPLE}行数据" in error.reason and f"上限{PEOPLE - 1}行" in error.reason
    assert "拆分" in error.reason and plan.workers == []
    with pytest.raises(ServiceError, match="未导入任何数据"):
        imports.workers_import_apply(plan=plan, acting_user=personas.street_a_manager)
    settings.SHEGONG_IMPORT_MAX_ROWS = PEOPLE
    assert _plan(personas.street_a_manager, _sheet(tree, "1380000")).ok


def test_the_command_says_the_database_stayed_busy_instead_of_a_traceback(
    transactional_db: None, tmp_path: Path, tree: Tree, personas: Personas
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("holds SQLite's write lock from a second connection")
    path = tmp_path / "名册.xlsx"
    path.write_bytes(
        xlsx_bytes([HEADER, ["张三", make_id(), "13800000000", "本科", "群众", "聘用", "甲一社区"]])
    )
    with own_database_file(tmp_path, busy_timeout=0.2) as database:
        assert database is not None
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than it waits
        try:
            with pytest.raises(CommandError, match="数据库正忙") as refused:
                call_command(
                    "import", "workers", str(path), "--user", "street_a_manager",
                    stdout=io.StringIO(),
                )  # fmt: skip
        finally:
            holder.rollback()
            holder.close()
        assert "未写入任何数据" in str(refused.value)
        assert not Worker.objects.exists()
