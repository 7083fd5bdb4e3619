"""一表通: a department's report form and the answers a community gives once.

The form is the department's own .xlsx layout with cells mapped to data Shegong holds or asked
of the community.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from shegong.burden.models import (
    ASKED,
    AskedAnswer,
    Department,
    FormField,
    ReportForm,
)
from shegong.burden.services.applications import _member_of
from shegong.burden.services.common import RECORD_REFUSED, _text
from shegong.burden.services.district import _require_district
from shegong.burden.sources import SOURCES
from shegong.core.access import Permission, require
from shegong.core.audit import AuditAction, audit_record, snapshot
from shegong.core.errors import ServiceError
from shegong.core.sheets import Limits, SheetError, fold, read_layout
from shegong.orgs.models import Unit, UnitKind

if TYPE_CHECKING:
    from shegong.core.models import User


# ---------------------------------------------------------------- 一表通: report forms

CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,5})$")
KEY = re.compile(r"^[a-z][a-z0-9_.]{0,59}$")


def cell_position(ref: str) -> tuple[int, int] | None:
    """(row, column) of an A1 reference, or None."""
    found = CELL.match(ref)
    if found is None:
        return None
    column = 0
    for letter in found.group(1):
        column = column * 26 + ord(letter) - 64
    return int(found.group(2)), column


Grids = list[tuple[str, list[list[Any]]]]


@dataclasses.dataclass
class Marked:
    """The cells of a workbook that are fields, and so not part of its layout: each marked
    cell, and below a column source's cell the whole column (the list is written there)."""

    cells: set[tuple[str, int, int]] = dataclasses.field(default_factory=set)
    # (sheet, column): the row a column source starts at.
    columns: dict[tuple[str, int], int] = dataclasses.field(default_factory=dict)

    def __contains__(self, where: tuple[str, int, int]) -> bool:
        sheet, row, column = where
        start = self.columns.get((sheet, column))
        return where in self.cells or (start is not None and row >= start)


def marked_of(fields: Iterable[FormField]) -> Marked:
    marked = Marked()
    for f in fields:
        position = cell_position(f.cell)
        if position is None:
            continue
        marked.cells.add((f.sheet, *position))
        source = SOURCES.get(f.source)
        if source is not None and source.column:
            marked.columns[(f.sheet, position[1])] = position[0]
    return marked


def _grid_text(grids: Grids, skip: Marked) -> str:
    """A digest of every filled cell of the layout that is not a field, on every sheet (the
    first sheet's cells unprefixed, as when only the first sheet was read)."""
    texts = [
        f"{name}!{r}:{c}:{fold(value)}" if i else f"{r}:{c}:{fold(value)}"
        for i, (name, rows) in enumerate(grids)
        for r, row in enumerate(rows, start=1)
        for c, value in enumerate(row, start=1)
        if fold(value) and (name, r, c) not in skip
    ]
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


def _read_layout(path: Path | bytes, filename: str) -> tuple[bytes, Grids]:
    try:
        raw, grids = read_layout(path, filename)
    except SheetError as exc:
        raise ServiceError(str(exc), field="layout") from None
    if not grids:
        raise ServiceError(_("工作簿中没有工作表"), field="layout")
    return raw, grids


def _require_form_keeper(department: Department, acting_user: User) -> None:
    if _member_of(acting_user, department):
        return
    _require_district(department.district, acting_user)


@transaction.atomic
def form_create(
    *, department: Department, title: str, path: Path, filename: str, acting_user: User
) -> ReportForm:
    """Define a department's form once from its own .xlsx layout (every sheet of it; the
    first is the form's own name for where a field goes when no sheet is named)."""
    _require_form_keeper(department, acting_user)
    clean = _text({"title": title}, "title", _("报表名称"), 100, required=True)
    if ReportForm.objects.filter(department=department, title=clean).exists():
        raise ServiceError(_("本部门已有同名报表"), field="title")
    raw, grids = _read_layout(path, filename)
    form = ReportForm.objects.create(
        department=department,
        title=clean,
        sheet=grids[0][0],
        layout=raw,
        fingerprint=_grid_text(grids, Marked()),
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=form,
        after={"title": form.title, "sheets": [name for name, _rows in grids], "bytes": len(raw)},
    )
    return form


def _field_place(values: Mapping[str, Any], form: ReportForm, grids: Grids) -> tuple[str, str]:
    """(sheet, cell) of a new field: the sheet named (else the first), the cell within the
    row and column limits of every upload (core/sheets)."""
    sheet = fold(values.get("sheet")) or form.sheet
    if sheet not in {name for name, _rows in grids}:
        raise ServiceError(_("工作簿中没有工作表“%(sheet)s”") % {"sheet": sheet}, field="sheet")
    ref = fold(values.get("cell")).upper()
    position = cell_position(ref)
    if position is None:
        raise ServiceError(_("单元格应写作 C5 这样的列字母加行号"), field="cell")
    limits = Limits.from_settings()
    if position[0] > limits.sheet_rows or position[1] > limits.max_columns:
        raise ServiceError(_("单元格%(cell)s超出报表范围") % {"cell": ref}, field="cell")
    if form.fields.filter(sheet=sheet, cell=ref).exists():
        raise ServiceError(_("单元格%(cell)s已经标记过") % {"cell": ref}, field="cell")
    return sheet, ref


@transaction.atomic
def form_field_add(*, form: ReportForm, values: Mapping[str, Any], acting_user: User) -> FormField:
    """Mark a cell of the layout and map it to a data source, or to a question asked of the
    community (its key shared by every form that asks the same)."""
    _require_form_keeper(form.department, acting_user)
    _raw, grids = _read_layout(bytes(form.layout), "layout.xlsx")
    sheet, ref = _field_place(values, form, grids)
    label = _text(values, "label", _("指标"), 100, required=True)
    source = str(values.get("source") or "")
    if source not in SOURCES and source != ASKED:
        raise ServiceError(_("请为该指标选择数据来源,或标为向社区询问"), field="source")
    key = fold(values.get("key")) if source == ASKED else source
    if not KEY.match(key):
        raise ServiceError(
            _("询问指标代码应为小写字母开头的字母、数字、点或下划线,如 grid.count"), field="key"
        )
    field = FormField.objects.create(
        form=form, sheet=sheet, cell=ref, label=label, source=source, key=key
    )
    form.fingerprint = _grid_text(grids, marked_of(form.fields.all()))
    form.save(update_fields=["fingerprint"])
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=field,
        unit_path=form.unit_path,
        after=snapshot(field),
    )
    return field


@transaction.atomic
def answer_set(
    *, community: Unit, period: datetime.date, key: str, value: str, acting_user: User
) -> AskedAnswer:
    """A community's answer to an asked field: once per (community, period, key)."""
    require(acting_user, Permission.EDIT, community, message=RECORD_REFUSED)
    if community.kind != UnitKind.COMMUNITY:
        raise ServiceError(_("请选择一个社区"))
    clean = _text({"value": value}, "value", _("填报值"), 200, required=True)
    found = AskedAnswer.objects.filter(community=community, period=period, key=key).first()
    before = snapshot(found) if found else None
    answer, _made = AskedAnswer.objects.update_or_create(
        community=community,
        period=period,
        key=key,
        defaults={"value": clean, "answered_by": acting_user},
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        target=answer,
        before=before,
        after=snapshot(answer),
    )
    return answer


@transaction.atomic
def answers_from_sheet(
    *,
    form: ReportForm,
    community: Unit,
    period: datetime.date,
    path: Path,
    filename: str,
    acting_user: User,
) -> int:
    """Take the asked fields' answers from the form filled in by hand in its own layout; a
    sheet that is not this form's layout is refused whole."""
    _raw, grids = _read_layout(path, filename)
    fields = list(form.fields.all())
    if _grid_text(grids, marked_of(fields)) != form.fingerprint:
        raise ServiceError(
            _("这个表格不是《%(title)s》的报表样式(表头或栏目不一致);请用本系统导出的报表填写")
            % {"title": form.title},
            field="layout",
        )
    count = 0
    for f in fields:
        position = cell_position(f.cell)
        if f.source != ASKED or position is None:
            continue
        row, column = position
        rows = dict(grids).get(f.sheet, [])
        value = (
            rows[row - 1][column - 1] if row <= len(rows) and column <= len(rows[row - 1]) else ""
        )
        if fold(value):
            answer_set(
                community=community,
                period=period,
                key=f.key,
                value=fold(value),
                acting_user=acting_user,
            )
            count += 1
    return count
