"""Report files are generated as background jobs; only their owner sees them."""

import io

import pytest
from django.http import FileResponse
from django.urls import reverse
from docx import Document

from shegong.conftest import Personas, Tree, client_for
from shegong.tasks.models import Job


@pytest.fixture(autouse=True)
def _inline_jobs(settings, tmp_path) -> None:
    settings.TASKS_EAGER = True  # the thread would not see the test's transaction
    settings.MEDIA_ROOT = tmp_path


def _generate(client, unit_code: str, fmt: str = "docx"):
    return client.post(
        reverse("reports:structure-generate"),
        {"unit": unit_code, "as_of": "2026-11-29", "format": fmt},
    )


def test_a_word_report_is_generated_and_downloaded_from_the_job_page(
    tree: Tree, personas: Personas
) -> None:
    client = client_for(personas.street_a_manager)
    response = _generate(client, tree.street_a.code)
    job = Job.objects.get()
    # the job page, asked to start the download by itself once the file is ready
    assert response["Location"] == reverse("tasks:job", kwargs={"pk": job.pk}) + "?download=1"
    state = client.get(reverse("tasks:job-state", kwargs={"pk": job.pk})).json()
    assert state["finished"] and state["percent"] == 100 and state["has_file"]
    page = client.get(response["Location"]).content.decode()
    assert reverse("tasks:job-file", kwargs={"pk": job.pk}) in page
    assert "data-autostart" in page
    assert "街道甲社区工作者队伍结构分析(Word文件) · 统计日期:2026-11-29" in page
    download = client.get(reverse("tasks:job-file", kwargs={"pk": job.pk}))
    assert isinstance(download, FileResponse)
    document = Document(io.BytesIO(b"".join(download.streaming_content)))
    assert any("街道甲" in p.text for p in document.paragraphs)


def test_another_user_gets_404_for_the_job_and_its_file(tree: Tree, personas: Personas) -> None:
    _generate(client_for(personas.street_a_manager), tree.street_a.code, "xlsx")
    job = Job.objects.get()
    other = client_for(personas.district_admin)
    for name in ("tasks:job", "tasks:job-state", "tasks:job-file"):
        assert other.get(reverse(name, kwargs={"pk": job.pk})).status_code == 404


def test_a_report_of_another_street_cannot_be_started(tree: Tree, personas: Personas) -> None:
    response = _generate(client_for(personas.street_b_manager), tree.street_a.code)
    assert response.status_code == 404
    assert not Job.objects.exists()


def test_an_unknown_format_is_refused(tree: Tree, personas: Personas) -> None:
    response = _generate(client_for(personas.street_a_manager), tree.street_a.code, "exe")
    assert response.status_code == 404
