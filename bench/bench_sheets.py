"""Real office sheets: 100,000 valid workers as .xlsx, read + check + write, beside the same
rows as .csv and beside django-import-export reading the same rows as .xlsx; peak memory of
each child process; a sheet past the row limit refused in bounded memory; a 200,000-row .xlsx
web upload answered while its check runs in the background.

The rows are bench_roster_import's (13 template columns, 86 demo communities). The .xlsx is
written by openpyxl (shared strings, as Excel writes them), untimed. django-import-export reads
an .xlsx of the same rows under model field names with stored values (prepared untimed, so the
comparison flatters it: it neither matches headers nor parses dates, vocabularies or ID
numbers) through its own XLSX format (openpyxl), on a 10,000-row slice scaled ×10; it writes
Worker rows only. Every leg runs in a process of its own on a fresh database.

    python -m bench sheets
    BENCH_ROWS=20000 python -m bench sheets
"""

from __future__ import annotations

import io
import json
import os
import resource
import sys
import tempfile
import time
import zipfile
from typing import Any
from xml.sax.saxutils import escape

from bench._support import postgres_database, run_leg, setup_django
from bench.bench_roster_import import HEADER, csv_bytes, make_rows, xlsx_bytes

ROWS = int(os.environ.get("BENCH_ROWS", "100000"))
IE_ROWS = min(ROWS, int(os.environ.get("BENCH_IE_ROWS", "10000")))
UPLOAD_ROWS = int(os.environ.get("BENCH_UPLOAD_ROWS", "200000"))
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432/")
PG_DB = "shegong_bench_sheets"
MEMORY_TARGET_MB = 600


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quick_xlsx(rows: list[list[str]]) -> bytes:
    """An .xlsx of inline strings written directly (seconds instead of minutes for the
    oversized sheets of the limit leg)."""

    def column(i: int) -> str:
        return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]

    parts = ['<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
             'openxmlformats.org/spreadsheetml/2006/main"><sheetData>']  # fmt: skip
    for r, row in enumerate([HEADER, *rows], start=1):
        cells = "".join(
            f'<c r="{column(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>'
            for c, v in enumerate(row)
            if v
        )
        parts.append(f'<row r="{r}">{cells}</row>')
    parts.append("</sheetData></worksheet>")
    ns = "http://schemas.openxmlformats.org"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
            'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.worksheet+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{ns}/spreadsheetml/2006/main" '
            f'xmlns:r="{ns}/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", "".join(parts))
    return out.getvalue()


def leg(database_url: str, part: str) -> dict[str, Any]:
    import random

    with tempfile.TemporaryDirectory(prefix="shegong-bench-") as data_dir:
        setup_django(database_url, data_dir)
        from django.db import connection

        from shegong.core.models import User
        from shegong.core.sheets import SheetError, read_table
        from shegong.orgs import demo
        from shegong.people import imports
        from shegong.people.models import Worker

        tree = demo.build_tree(random.Random(2026))
        user = User.objects.create_superuser("bench", password="Bench-Pass-2026")
        communities = [(c.code, c.name) for c in tree.communities]
        result: dict[str, Any] = {"vendor": connection.vendor, "rows": ROWS}

        if part == "limit":
            # A sheet twice the row limit: refused by the scan before any cell is built.
            from django.conf import settings

            settings.SHEGONG_IMPORT_MAX_ROWS = ROWS
            for factor in (2, 4):
                content = quick_xlsx(make_rows(communities, ROWS * factor))
                before = _peak_mb()
                began = time.perf_counter()
                try:
                    read_table(content, "big.xlsx", imports.WORKER_SHEET_ALIASES)
                except SheetError as exc:
                    result[f"refused_{factor}"] = str(exc)
                result[f"seconds_{factor}"] = time.perf_counter() - began
                result[f"mb_{factor}"] = len(content) / 1048576
                result[f"grew_{factor}"] = _peak_mb() - before
                del content
            return result

        if part == "upload":
            return _upload_leg(communities, user, result)

        rows = make_rows(communities, ROWS if part != "import-export" else IE_ROWS)
        if part == "import-export":
            from import_export.formats.base_formats import XLSX
            from import_export.resources import modelresource_factory

            from bench.bench_roster_import import _import_export_dataset

            content = XLSX().export_data(_import_export_dataset(rows))
            del rows
            resource = modelresource_factory(model=Worker)()
            began = time.perf_counter()
            dataset = XLSX().create_dataset(content)
            outcome = resource.import_data(
                dataset, dry_run=False, raise_errors=True, use_transactions=True
            )
            result["ie_seconds"] = time.perf_counter() - began
            result["ie_rows"] = IE_ROWS
            assert not outcome.has_errors() and Worker.objects.count() == IE_ROWS
            connection.close()
            return result

        content = xlsx_bytes(rows) if part == "xlsx" else csv_bytes(rows)
        del rows
        before = _peak_mb()
        began = time.perf_counter()
        table = read_table(content, f"bench.{part}", imports.WORKER_SHEET_ALIASES)
        result["read"] = time.perf_counter() - began
        del content
        began = time.perf_counter()
        plan = imports.workers_import_plan(rows=table.rows, columns=table.columns, acting_user=user)
        result["check"] = time.perf_counter() - began
        assert plan.ok, plan.errors[:5]
        assert plan.creates == ROWS
        began = time.perf_counter()
        imports.workers_import_apply(plan=plan, acting_user=user)
        result["write"] = time.perf_counter() - began
        assert Worker.objects.count() == ROWS
        result["peak_mb"] = _peak_mb()
        result["before_mb"] = before
        connection.close()
    return result


def _upload_leg(communities: list[tuple[str, str]], user: Any, result: dict[str, Any]) -> Any:
    """The roster page answers a 200,000-row .xlsx upload at once; the check runs in the
    background job (the thread runner here) and the page polls it."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    from shegong.tasks.models import Job, JobStatus

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.TASKS_EAGER = False
    content = quick_xlsx(make_rows(communities, UPLOAD_ROWS))
    client = Client()
    client.force_login(user)
    client.get(reverse("people_import:upload"), secure=True)  # a served process is warm
    began = time.perf_counter()
    response = client.post(
        reverse("people_import:upload"),
        {"file": SimpleUploadedFile("roster.xlsx", content)},
        secure=True,
    )
    result["answer_seconds"] = time.perf_counter() - began
    result["status"] = response.status_code
    result["upload_rows"] = UPLOAD_ROWS
    result["upload_mb"] = len(content) / 1048576
    while True:
        job = Job.objects.get()
        if job.status in {JobStatus.DONE, JobStatus.FAILED}:
            break
        time.sleep(0.2)
    result["checked_seconds"] = time.perf_counter() - began
    result["job"] = job.status
    result["job_message"] = job.message
    return result


def _run(database_url: str, part: str) -> dict[str, Any]:
    return run_leg("bench_sheets", database_url, part)


def _report(label: str, csv: dict[str, Any], xlsx: dict[str, Any], ie: dict[str, Any]) -> None:
    def total(r: dict[str, Any]) -> float:
        return float(r["read"] + r["check"] + r["write"])

    for name, r in (("csv", csv), ("xlsx", xlsx)):
        print(
            f"  {label}: .{name} {r['rows']:,} rows: read {r['read']:.2f} s + check "
            f"{r['check']:.2f} s + write {r['write']:.2f} s = {total(r):.2f} s; peak memory "
            f"{r['peak_mb']:.0f} MB (child process ru_maxrss)"
        )
    ratio = total(xlsx) / total(csv)
    ie_scaled = ie["ie_seconds"] * xlsx["rows"] / ie["ie_rows"]
    faster = ie_scaled / total(xlsx)
    print(
        f"  {label}: django-import-export reading the same .xlsx: {ie['ie_rows']:,} rows in "
        f"{ie['ie_seconds']:.2f} s → {ie_scaled:.1f} s for {xlsx['rows']:,} "
        f"(scaled ×{xlsx['rows'] / ie['ie_rows']:g})"
    )
    print(
        f"  {label}: .xlsx / .csv = {ratio:.2f}× (target ≤ 1.5×: "
        f"{'OK' if ratio <= 1.5 else 'MISSED'}); django-import-export / ours on .xlsx = "
        f"{faster:.1f}× (target ≥ 10×: {'OK' if faster >= 10 else 'MISSED'}); .xlsx peak "
        f"{xlsx['peak_mb']:.0f} MB (target < {MEMORY_TARGET_MB} MB: "
        f"{'OK' if xlsx['peak_mb'] < MEMORY_TARGET_MB else 'MISSED'})"
    )


def main() -> None:
    print(
        f"office sheets: {ROWS:,} valid workers as .xlsx (openpyxl-written) beside .csv and "
        f"django-import-export on a {IE_ROWS:,}-row slice of the same .xlsx"
    )
    with tempfile.TemporaryDirectory(prefix="shegong-bench-db-") as folder:
        legs = {
            part: _run(f"sqlite:///{folder}/{part}.sqlite3", part)
            for part in ("csv", "xlsx", "import-export")
        }
        _report("SQLite", legs["csv"], legs["xlsx"], legs["import-export"])
        limit = _run(f"sqlite:///{folder}/limit.sqlite3", "limit")
        for factor in (2, 4):
            print(
                f"  limit {ROWS:,} rows: a {ROWS * factor:,}-row .xlsx "
                f"({limit[f'mb_{factor}']:.1f} MB) refused in {limit[f'seconds_{factor}']:.2f} s, "
                f"the process grew {limit[f'grew_{factor}']:.0f} MB while reading: "
                f"“{limit.get(f'refused_{factor}', 'NOT REFUSED')}”"
            )
        upload = _run(f"sqlite:///{folder}/upload.sqlite3", "upload")
        print(
            f"  web upload of a {upload['upload_rows']:,}-row .xlsx ({upload['upload_mb']:.1f} MB):"
            f" answered {upload['status']} in {upload['answer_seconds']:.2f} s (target ≤ 2 s: "
            f"{'OK' if upload['answer_seconds'] <= 2 else 'MISSED'}); background check "
            f"{upload['job']} after {upload['checked_seconds']:.1f} s: {upload['job_message']}"
        )
    pg: dict[str, dict[str, Any]] = {}
    for part in ("csv", "xlsx", "import-export"):
        if not postgres_database("create", PG_SERVER, PG_DB):
            return
        try:
            pg[part] = _run(PG_SERVER + PG_DB, part)
        finally:
            postgres_database("drop", PG_SERVER, PG_DB)
    _report("PostgreSQL", pg["csv"], pg["xlsx"], pg["import-export"])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--leg":
        print(json.dumps(leg(sys.argv[2], sys.argv[3])))
    else:
        main()
