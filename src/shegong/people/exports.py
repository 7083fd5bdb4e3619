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
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from shegong.core import access
from shegong.core.access import root_paths
from shegong.core.audit import AuditAction, audit_record
from shegong.core.models import AuditEntry
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


# The columns read for each worker, in this order (the export's row is built from them).
EXPORT_FIELDS = [
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


def worker_export_rows(
    *, viewer: User, filters: WorkerFilters | None = None
) -> tuple[Iterator[list[Any]], dict[str, int]]:
    """The rows (template columns) and a running tally {"rows", "unmasked"} filled as the
    iterator is consumed."""
    workers = worker_list(viewer=viewer, filters=filters)
    may_see = access.personal_data_checker(viewer)
    duplicated = _duplicated_community_names()
    tally = {"rows": 0, "unmasked": 0}

    def rows() -> Iterator[list[Any]]:
        for chunk in _chunks(workers.values_list(*EXPORT_FIELDS)):
            posts = _current_posts([record[0] for record in chunk])
            for record in chunk:
                unmasked = may_see(record[-1])
                tally["rows"] += 1
                tally["unmasked"] += unmasked
                yield _export_row(record, posts, unmasked=unmasked, duplicated=duplicated)

    return rows(), tally


def _duplicated_community_names() -> set[str]:
    """Community names that are not unique: written as codes, so the file imports back."""
    return set(
        Unit.objects.filter(kind=UnitKind.COMMUNITY)
        .values("name")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("name", flat=True)
    )


def _chunks(records: QuerySet[Any, tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    """The records read with a streaming iterator, CHUNK at a time."""
    chunk: list[tuple[Any, ...]] = []
    for record in records.iterator(chunk_size=CHUNK):
        chunk.append(record)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _current_posts(worker_ids: list[int]) -> dict[int, list[str]]:
    """The posts each worker holds now, in the posts' order: one query per chunk."""
    posts: dict[int, list[str]] = {}
    for worker_id, post_name in (
        PostHolding.objects.filter(worker_id__in=worker_ids, end__isnull=True)
        .order_by("post__sort_order", "post__code")
        .values_list("worker_id", "post__name")
    ):
        posts.setdefault(worker_id, []).append(post_name)
    return posts


def _export_row(
    record: tuple[Any, ...],
    posts: dict[int, list[str]],
    *,
    unmasked: bool,
    duplicated: set[str],
) -> list[Any]:
    """One worker's row (template columns); ID number, phone and birth date masked unless
    `unmasked`."""
    (
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
        _unit_path,
    ) = record
    if not unmasked:
        id_number, phone = rules.mask_id_number(id_number), rules.mask_phone(phone)
        birth_date = rules.mask_birth_date(birth_date)  # read from the ID number
    return [
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
    return audit_record(
        acting_user=viewer,
        action=AuditAction.EXPORT,
        target=Worker(),  # the roster as a whole: no one worker's id
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
