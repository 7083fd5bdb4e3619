"""The annual report's pages as the personas: read, write a part, start the file as a job."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse

from shegong.annual.models import WrittenPart
from shegong.annual.tests.conftest import Essay5
from shegong.conftest import Personas, client_for
from shegong.tasks.models import Job, JobStatus
from shegong.tasks.selectors import job_result_path


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _url(name: str, code: str, **kw: object) -> str:
    return reverse(f"annual:{name}", kwargs={"code": code, "year": 2024, **kw})


def test_the_page_shows_the_chapters_of_the_managers_street(
    essay5: Essay5, personas: Personas
) -> None:
    client = client_for(personas.street_a_manager)
    body = client.get(_url("report", essay5.tree.street_a.code)).content.decode()
    assert "街道甲" in body and "乙一社区" not in body
    assert "一是从性别结构来看,男性170名,占26.1%" in body
    for key in ("basic", "pay", "training", "appraisal"):
        assert f'id="chapter-{key}"' in body
    assert "减负增效" in body and "社区资源" in body  # listed as coming
    assert "cdn" not in body.lower()
    index = client.get(reverse("annual:index")).content.decode()
    assert _url("report", essay5.tree.street_a.code) in index


def test_a_written_part_saved_on_the_page_is_shown_with_its_version(
    essay5: Essay5, personas: Personas
) -> None:
    client = client_for(personas.street_a_manager)
    code = essay5.tree.street_a.code
    response = client.post(
        _url("part-save", code, key="problems"),
        {"problems-key": "problems", "problems-text": "社区工作者流失较多。"},
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "社区工作者流失较多。" in body and "第1版" in body
    assert WrittenPart.objects.get().author == personas.street_a_manager


def test_a_part_with_a_control_character_is_refused_with_a_message(
    essay5: Essay5, personas: Personas
) -> None:
    client = client_for(personas.street_a_manager)
    response = client.post(
        _url("part-save", essay5.tree.street_a.code, key="problems"),
        {"problems-key": "problems", "problems-text": "坏\x01"},
        follow=True,
    )
    assert "内容" in response.content.decode()
    assert not WrittenPart.objects.exists()


def test_the_file_is_made_by_a_job_with_progress(
    essay5: Essay5, personas: Personas, settings
) -> None:
    from docx import Document

    settings.TASKS_EAGER = True
    client = client_for(personas.street_a_manager)
    response = client.post(_url("generate", essay5.tree.street_a.code), {"format": "docx"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "tasks:job", kwargs={"pk": job.pk}
    )
    assert (job.status, job.progress, job.total) == (JobStatus.DONE, 10, 10)
    path = job_result_path(job=job)
    assert path is not None and path.name.endswith(f"annual-{essay5.tree.street_a.code}-2024.docx")
    doc = Document(io.BytesIO(path.read_bytes()))
    assert doc.paragraphs[0].text == "关于街道甲2024年社区工作者队伍建设情况的调研报告"


def test_an_unknown_format_or_year_is_not_found(essay5: Essay5, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    code = essay5.tree.street_a.code
    assert client.post(_url("generate", code), {"format": "exe"}).status_code == 404
    assert (
        client.get(reverse("annual:report", kwargs={"code": code, "year": 3000})).status_code == 404
    )


def test_a_unit_too_large_for_the_page_leaves_its_chapters_to_the_job(
    essay5: Essay5, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shegong.annual import selectors

    monkeypatch.setattr(selectors, "PAGE_MAX_WORKERS", 100)
    client = client_for(personas.street_a_manager)
    body = client.get(_url("report", essay5.tree.street_a.code)).content.decode()
    assert 'id="too-large"' in body and 'id="chapter-basic"' not in body
    assert 'id="part-problems"' in body


def test_a_large_unit_s_page_shows_the_chapters_its_viewer_s_last_job_kept(
    essay5: Essay5, personas: Personas, monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    from django.utils import timezone

    from shegong.annual import selectors
    from shegong.annual.models import AnnualEvent, KeptChapters
    from shegong.core.models import AuditEntry

    settings.TASKS_EAGER = True
    monkeypatch.setattr(selectors, "PAGE_MAX_WORKERS", 100)
    code = essay5.tree.street_a.code
    manager = client_for(personas.street_a_manager)
    manager.post(_url("generate", code), {"format": "docx"})
    body = manager.get(_url("report", code)).content.decode()
    assert 'id="kept"' in body and 'id="too-large"' not in body
    assert 'id="chapter-basic"' in body and 'id="chapter-resources"' in body
    kept = KeptChapters.objects.get()
    assert f"{timezone.localtime(kept.computed_at):%Y-%m-%d %H:%M}" in body
    # The same chapters as the page computes for a unit small enough.
    monkeypatch.setattr(selectors, "PAGE_MAX_WORKERS", 10**6)
    live = manager.get(_url("report", code)).content.decode()
    start = live.index('id="chapter-basic"')
    assert live[start : live.index('id="written-parts"')] in body
    assert AuditEntry.objects.filter(action=AnnualEvent.CHAPTERS_KEPT).count() == 1
    # Another viewer of the unit does not see the manager's figures: their own job's only.
    monkeypatch.setattr(selectors, "PAGE_MAX_WORKERS", 100)
    other = client_for(personas.district_admin).get(_url("report", code)).content.decode()
    assert 'id="too-large"' in other and 'id="chapter-basic"' not in other


def test_a_second_job_replaces_the_kept_chapters(
    essay5: Essay5, personas: Personas, settings
) -> None:
    from shegong.annual.models import KeptChapters

    settings.TASKS_EAGER = True
    manager = client_for(personas.street_a_manager)
    for fmt in ("json", "xlsx"):
        manager.post(_url("generate", essay5.tree.street_a.code), {"format": fmt})
    assert KeptChapters.objects.count() == 1
