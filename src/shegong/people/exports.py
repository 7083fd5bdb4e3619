"""The roster as a sheet (.xlsx or .csv), in the import template's columns.

Rows come from the people selectors' `worker_list` (scoped, filtered). ID numbers and phones
are masked unless the viewer holds the personal-data permission on the worker's community;
an export that shows any unmasked value is recorded in the audit trail (action "export").
Exporting and importing the same file changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from shegong.core.access import Permission, root_paths, sees_everything
from shegong.core.models import AuditAction, AuditEntry
from shegong.core.text import csv_row, xlsx_cell, xlsx_value
from shegong.orgs.models import Unit, UnitKind
from shegong.people import rules
from shegong.people.imports import COLUMNS
from shegong.people.models import Education, Gender, Political, PostHolding, Source, Worker
from shegong.people.selectors import WorkerFilters, worker_list

if TYPE_CHECKING:
    from shegong.core.models import User

HEADERS = [header for _name, header in COLUMNS]
CHUNK = 2000
LABELS = {
    "gender": dict(Gender.choices),
    "education": dict(Education.choices),
    "political": dict(Political.choices),
    "source": dict(Source.choices),
}


@dataclass
class Export:
    content: bytes
    filename: str
    content_type: str
    rows: int
    unmasked: int


def _personal_data_roots(viewer: User) -> list[str] | None:
    """None: everything unmasked; else the subtrees where the viewer sees personal data."""
    if sees_everything(viewer):
        return None
    return root_paths(viewer, Permission.PERSONAL_DATA)


def worker_export_rows(
    *, viewer: User, filters: WorkerFilters | None = None
) -> tuple[Iterator[list[Any]], dict[str, int]]:
    """The rows (template columns) and a running tally {"rows", "unmasked"} filled as the
    iterator is consumed."""
    workers = worker_list(viewer=viewer, filters=filters)
    roots = _personal_data_roots(viewer)
    # Community names that are not unique are written as codes, so the file imports back.
    duplicated = set(
        Unit.objects.filter(kind=UnitKind.COMMUNITY)
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )
    tally = {"rows": 0, "unmasked": 0}
    fields = [
        "id",
        "name",
        "id_number",
        "gender",
        "birth_date",
        "ethnicity",
        "phone",
        "education",
        "major",
        "political",
        "source",
        "community__name",
        "community__code",
        "work_start_date",
        "unit_path",
    ]

    def rows() -> Iterator[list[Any]]:
        ordered = workers.values_list(*fields)
        # Read with a streaming iterator; the posts of each chunk come in one query.
        chunk: list[tuple[Any, ...]] = []
        for record in ordered.iterator(chunk_size=CHUNK):
            chunk.append(record)
            if len(chunk) >= CHUNK:
                yield from _emit(chunk)
                chunk = []
        if chunk:
            yield from _emit(chunk)

    def _emit(chunk: list[tuple[Any, ...]]) -> Iterator[list[Any]]:
        posts: dict[int, list[str]] = {}
        for worker_id, post_name in (
            PostHolding.objects.filter(worker_id__in=[r[0] for r in chunk], end__isnull=True)
            .order_by("post__sort_order", "post__code")
            .values_list("worker_id", "post__name")
        ):
            posts.setdefault(worker_id, []).append(post_name)
        for (
            pk,
            name,
            id_number,
            gender,
            birth_date,
            ethnicity,
            phone,
            education,
            major,
            political,
            source,
            community_name,
            community_code,
            work_start_date,
            unit_path,
        ) in chunk:
            unmasked = roots is None or any(unit_path.startswith(r) for r in roots)
            tally["rows"] += 1
            if unmasked:
                tally["unmasked"] += 1
            else:
                id_number, phone = rules.mask_id_number(id_number), rules.mask_phone(phone)
                birth_date = rules.mask_birth_date(birth_date)  # read from the ID number
            yield [
                name,
                id_number,
                str(LABELS["gender"].get(gender, gender)),
                birth_date,
                ethnicity,
                phone,
                str(LABELS["education"].get(education, education)),
                major,
                str(LABELS["political"].get(political, political)),
                str(LABELS["source"].get(source, source)),
                community_code if community_name in duplicated else community_name,
                "、".join(posts.get(pk, [])),
                work_start_date,
            ]

    return rows(), tally


def _xlsx(rows: Iterator[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("社区工作者")
    sheet.freeze_panes = "A2"
    for index, width in enumerate([10, 22, 6, 12, 8, 14, 12, 16, 14, 10, 18, 22, 16]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    header = []
    for text in HEADERS:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        out: list[Any] = []
        for index, value in enumerate(row):
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                out.append(cell)
            elif index in (1, 5):  # ID number and phone stay text
                cell = xlsx_cell(sheet, value)
                cell.number_format = "@"
                out.append(cell)
            else:
                out.append(xlsx_value(sheet, value))  # a name is never a formula
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


def _csv(rows: Iterator[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow(
            csv_row(  # a cell starting with = + - @ is neutralised, never run by a spreadsheet
                v.isoformat() if isinstance(v, datetime.date) else ("" if v is None else v)
                for v in row
            )
        )
    # UTF-8 with a byte-order mark, so Excel opens it with the right encoding.
    return buffer.getvalue().encode("utf-8-sig")


def workers_export(
    *, viewer: User, filters: WorkerFilters | None = None, fmt: str = "xlsx"
) -> Export:
    """The filtered roster as a file; an export showing personal data is audited."""
    if fmt not in {"xlsx", "csv"}:
        raise ValueError(fmt)
    rows, tally = worker_export_rows(viewer=viewer, filters=filters)
    content = _xlsx(rows) if fmt == "xlsx" else _csv(rows)
    if tally["unmasked"]:
        _audit_export(viewer=viewer, filters=filters, fmt=fmt, tally=tally)
    stamp = datetime.date.today().strftime("%Y%m%d")
    return Export(
        content=content,
        filename=f"社区工作者花名册_{stamp}.{fmt}",
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            if fmt == "xlsx"
            else "text/csv; charset=utf-8"
        ),
        rows=tally["rows"],
        unmasked=tally["unmasked"],
    )


@transaction.atomic
def _audit_export(
    *, viewer: User, filters: WorkerFilters | None, fmt: str, tally: dict[str, int]
) -> AuditEntry:
    unit_path = ""
    if filters is not None and filters.unit:
        unit = Unit.objects.filter(code=filters.unit).only("path").first()
        unit_path = unit.path if unit else ""
    if not unit_path:
        roots = root_paths(viewer)
        unit_path = roots[0] if len(roots) == 1 else ""
    return AuditEntry.objects.create(
        actor=viewer if viewer.pk else None,
        action=AuditAction.EXPORT,
        target_type=Worker._meta.label,
        target_id="",
        target_repr=_("社区工作者花名册(%(fmt)s)") % {"fmt": fmt},
        unit_path=unit_path,
        after={
            "rows": tally["rows"],
            "unmasked": tally["unmasked"],
            "filters": {
                k: (v.isoformat() if isinstance(v, datetime.date) else v)
                for k, v in (vars(filters) if filters else {}).items()
                if v not in ("", None)
            },
        },
        note=_("导出%(n)d人,含未遮蔽的身份证号码和联系电话") % {"n": tally["unmasked"]},
    )
