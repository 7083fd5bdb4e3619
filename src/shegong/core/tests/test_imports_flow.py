"""The one import flow every area plugs into: the upload is the caller's own and gone when the
import ends, large files are checked and written by jobs, every import hands back the marked
error sheet and previews the rows it would write."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.orgs import views as org_views
from shegong.orgs.models import Unit
from shegong.people.tests.factories import register
from shegong.people.tests.sheetfiles import csv_bytes, xlsx_bytes
from shegong.tasks.models import Job
from shegong.training import import_views as training_views
from shegong.training.models import Attendance
from shegong.training.tests.factories import START, make_course

pytestmark = pytest.mark.django_db

UNITS = [["代码", "名称", "层级", "上级代码"], ["110101001005", "甲五社区", "社区", "110101001000"]]


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS_EAGER = True
    return tmp_path


def _kept_files(media: Path) -> list[str]:
    folder = media / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _upload(client: Any, url: str, content: bytes, name: str) -> Any:
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def test_the_units_import_deletes_its_upload_when_it_ends(
    tree: Tree, personas: Personas, media: Path
) -> None:
    client = client_for(personas.street_a_manager)
    _upload(client, reverse("orgs:import"), csv_bytes(UNITS), "units.csv")
    assert len(_kept_files(media)) == 3  # the sheet, its rows, its check
    response = client.post(reverse("orgs:import-confirm"))
    assert response["Location"] == reverse("orgs:tree")
    assert Unit.objects.filter(code="110101001005").exists()
    assert _kept_files(media) == []


def test_a_units_sheet_with_errors_comes_back_marked(
    tree: Tree, personas: Personas, media: Path
) -> None:
    client = client_for(personas.street_a_manager)
    rows = [*UNITS, ["1101", "坏代码社区", "社区", "110101001000"]]
    page = _upload(client, reverse("orgs:import"), csv_bytes(rows), "units.csv")
    assert 'id="errors-link"' in page.content.decode()
    marked = client.get(reverse("orgs:import-errors"))
    assert marked.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(marked.content)).active
    assert sheet is not None
    header, good, bad = list(sheet.iter_rows(values_only=True))
    assert header[:4] == ("代码", "名称", "层级", "上级代码") and header[-2:] == (
        "错误说明",
        "原行号",
    )
    assert not good[-2] and "12位数字" in bad[-2] and bad[-1] == 3
    # Someone else's session has no upload to mark.
    assert (
        client_for(personas.street_b_manager).get(reverse("orgs:import-errors")).status_code == 404
    )


def test_a_large_units_file_is_checked_and_written_by_jobs(
    tree: Tree, personas: Personas, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(org_views, "INLINE_CHECK_BYTES", 10)
    monkeypatch.setattr(org_views, "BACKGROUND_ROWS", 0)
    client = client_for(personas.street_a_manager)
    response = _upload(client, reverse("orgs:import"), xlsx_bytes(UNITS), "units.xlsx")
    assert response["Location"] == reverse("orgs:import-progress")
    check = Job.objects.get()
    assert (check.kind, check.status) == ("units_check", "done")
    progress = client.get(reverse("orgs:import-progress")).content.decode()
    assert 'id="check-result"' in progress
    preview = client.get(reverse("orgs:import") + "?checked=1").content.decode()
    assert 'id="creates">1<' in preview and "甲五社区" in preview
    response = client.post(reverse("orgs:import-confirm"))
    assert response["Location"] == reverse("orgs:import-progress")
    job = Job.objects.get(kind="units_import")
    assert job.status == "done" and "新增1个" in job.message
    assert Unit.objects.filter(code="110101001005").exists()
    assert _kept_files(media) == []
    other = client_for(personas.street_b_manager)
    assert other.get(reverse("orgs:import-progress-json")).status_code == 404


def test_the_preview_lists_the_rows_it_would_update_with_what_changes(
    tree: Tree, personas: Personas, media: Path
) -> None:
    client = client_for(personas.street_a_manager)
    rows = [*UNITS, ["110101001001", "甲一社区(新名)", "社区", "110101001000"]]
    page = _upload(client, reverse("orgs:import"), csv_bytes(rows), "units.csv").content.decode()
    assert 'id="preview-rows"' in page
    assert "甲五社区" in page and "甲一社区(新名)" in page
    assert "<td>更新</td><td><div>名称:甲一社区 → 甲一社区(新名)</div></td>" in page


def test_a_sign_in_sheet_can_be_written_by_a_job_and_comes_back_to_its_course(
    tree: Tree, personas: Personas, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(training_views, "BACKGROUND_ROWS", 0)
    user = personas.street_a_manager
    course = make_course(tree.street_a, user)
    register(tree.community_a1, user, name="张一")
    client = client_for(user)
    url = reverse("training:import", kwargs={"pk": course.pk})
    page = _upload(client, url, xlsx_bytes([["姓名", "签到日期"], ["张一", START]]), "签到.xlsx")
    assert 'id="new-marks">1<' in page.content.decode()
    response = client.post(reverse("training:import-confirm"))
    assert response["Location"] == reverse("training:import-progress")
    assert Job.objects.get().status == "done"
    assert Attendance.objects.filter(course=course).count() == 1
    progress = client.get(reverse("training:import-progress")).content.decode()
    assert reverse("training:detail", kwargs={"pk": course.pk}) in progress
    assert _kept_files(media) == []


def test_a_sign_in_upload_is_not_confirmed_for_a_course_out_of_reach(
    tree: Tree, personas: Personas, media: Path
) -> None:
    course = make_course(tree.street_b, personas.street_b_manager)
    client = client_for(personas.street_a_manager)
    url = reverse("training:import", kwargs={"pk": course.pk})
    response = _upload(client, url, csv_bytes([["姓名", "签到日期"], ["张一", START]]), "签到.csv")
    assert response.status_code == 404
    assert _kept_files(media) == []


def test_a_confirm_without_an_upload_says_it_is_gone(tree: Tree, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    response = client.post(reverse("training:import-confirm"), follow=True)
    assert response.status_code == 200 and "上传的文件已失效" in response.content.decode()
