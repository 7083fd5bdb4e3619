"""The roster upload flow: a file is read once, a large one is checked by a background job
with progress, and the uploaded sheet (personal data) is gone once its import ends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core import sheets, uploads
from shegong.people import import_views, imports
from shegong.people.models import Worker
from shegong.people.tests.sheetfiles import xlsx_bytes
from shegong.people.tests.test_imports import HEADER, good_rows
from shegong.tasks.models import Job


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS_EAGER = True
    return tmp_path


def _upload(client: Any, content: bytes, name: str, **extra: Any) -> Any:
    data = {"file": SimpleUploadedFile(name, content), **extra}
    return client.post(reverse("people_import:upload"), data)


def _kept_files(media: Path) -> list[str]:
    folder = media / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_a_large_upload_is_checked_by_a_job_and_read_only_once(
    tree: Tree, personas: Personas, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_views, "INLINE_CHECK_BYTES", 10)
    monkeypatch.setattr(imports, "BACKGROUND_THRESHOLD", 1)
    reads: list[str] = []
    real = sheets.read_table

    def counting(*args: Any, **kwargs: Any) -> Any:
        reads.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(sheets, "read_table", counting)
    client = client_for(personas.street_a_manager)
    response = _upload(client, xlsx_bytes([HEADER, *good_rows(tree)]), "名册.xlsx")
    assert response.status_code == 302
    assert response["Location"] == reverse("people_import:progress")
    check = Job.objects.get()
    assert check.kind == import_views.CHECK_KIND and check.status == "done"
    progress = client.get(reverse("people_import:progress")).content.decode()
    assert 'id="check-result"' in progress
    preview = client.get(reverse("people_import:upload") + "?checked=1").content.decode()
    assert 'id="creates">2<' in preview
    response = client.post(reverse("people_import:confirm"))
    assert response["Location"] == reverse("people_import:progress")
    assert Worker.objects.count() == 2
    assert len(reads) == 1  # upload, preview, confirm and job: one read of the sheet
    assert _kept_files(media) == []  # the sheet and its kept rows are gone


def test_an_inline_import_deletes_the_upload_when_it_ends(
    tree: Tree, personas: Personas, media: Path
) -> None:
    client = client_for(personas.street_a_manager)
    _upload(client, xlsx_bytes([HEADER, *good_rows(tree)]), "名册.xlsx")
    assert len(_kept_files(media)) == 3  # the sheet, its rows, its check
    client.post(reverse("people_import:confirm"))
    assert Worker.objects.count() == 2
    assert _kept_files(media) == []


def test_a_refused_file_says_why_in_chinese_and_is_not_kept(
    tree: Tree, personas: Personas, media: Path
) -> None:
    client = client_for(personas.street_a_manager)
    response = _upload(client, b"", "名册.xlsx")
    assert response.status_code == 200
    assert "空文件" in response.content.decode()
    assert _kept_files(media) == []


def test_a_refused_large_file_fails_its_job_with_the_sentence(
    tree: Tree, personas: Personas, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(import_views, "INLINE_CHECK_BYTES", 10)
    client = client_for(personas.street_a_manager)
    _upload(client, b"PK\x03\x04" + b"\x00" * 100, "名册.xlsx")
    job = Job.objects.get()
    assert job.status == "failed" and "损坏" in job.message
    assert _kept_files(media) == []


def test_the_page_asks_for_the_sheet_and_reads_the_one_named(
    tree: Tree, personas: Personas, media: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = "一月"
    second = book.create_sheet("二月")
    for sheet in (first, second):
        for row in [HEADER, *good_rows(tree)]:
            sheet.append(row)
    import io

    out = io.BytesIO()
    book.save(out)
    client = client_for(personas.street_a_manager)
    body = _upload(client, out.getvalue(), "名册.xlsx").content.decode()
    assert "一月、二月" in body and "请选择要导入的工作表" in body
    body = _upload(client, out.getvalue(), "名册.xlsx", sheet="二月").content.decode()
    assert 'id="creates">2<' in body and "读取的是工作表“二月”" in body


def test_hidden_rows_are_skipped_when_the_user_ticks_it(
    tree: Tree, personas: Personas, media: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [HEADER, *good_rows(tree)]:
        sheet.append(row)
    sheet.row_dimensions[3].hidden = True
    import io

    out = io.BytesIO()
    book.save(out)
    client = client_for(personas.street_a_manager)
    body = _upload(client, out.getvalue(), "名册.xlsx").content.decode()
    assert 'id="creates">2<' in body and "第3行在表格中是隐藏的" in body
    body = _upload(client, out.getvalue(), "名册.xlsx", skip_hidden="on").content.decode()
    assert 'id="creates">1<' in body


def test_a_tampered_rows_file_is_not_loaded(tree: Tree, personas: Personas, media: Path) -> None:
    client = client_for(personas.street_a_manager)
    _upload(client, xlsx_bytes([HEADER, *good_rows(tree)]), "名册.xlsx")
    name = client.session[import_views.SESSION_FILE]
    kept = uploads.upload_dir() / f"{name}.rows"
    kept.write_bytes(kept.read_bytes()[:-1] + b"x")
    response = client.post(reverse("people_import:confirm"))
    assert response["Location"] == reverse("people_import:upload")
    assert not Worker.objects.exists()
