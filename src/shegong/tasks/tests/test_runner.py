"""The thread backend: a job's thread starts once its row is committed and ends cleanly."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from shegong.core.models import User
from shegong.tasks import services
from shegong.tasks.models import Job, JobStatus


def _finished(job: Job) -> Job:
    for _ in range(200):
        job.refresh_from_db()
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            break
        time.sleep(0.05)
    return job


@pytest.mark.django_db(transaction=True)
def test_a_background_job_starts_once_its_row_is_committed(settings) -> None:
    settings.TASKS_EAGER = False
    owner = User.objects.create_user("owner", password="Owner-Pass-2026")
    ran = threading.Event()

    def work(job: Job, progress: services.runner.Progress) -> str:
        progress(1)
        ran.set()
        return "完成"

    with transaction.atomic():
        job = services.job_start(
            kind="test", unit_path="/1/", total=1, message="排队", work=work, acting_user=owner
        )
        assert not ran.wait(0.3)  # the thread could not see the job yet
    assert ran.wait(10)
    job = _finished(job)
    assert (job.status, job.message, job.progress) == (JobStatus.DONE, "完成", 1)


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_marked_failed_with_its_message(settings) -> None:
    settings.TASKS_EAGER = False
    owner = User.objects.create_user("owner", password="Owner-Pass-2026")

    def work(job: Job, progress: services.runner.Progress) -> str:
        raise ValueError("文件无法读取")

    job = services.job_start(
        kind="test", unit_path="/1/", total=1, message="排队", work=work, acting_user=owner
    )
    job = _finished(job)
    assert (job.status, job.message) == (JobStatus.FAILED, "文件无法读取")
