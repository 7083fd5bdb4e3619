"""Jobs end honestly: queued, cancelled, retried, swept when their worker died, their files
deleted after the retention time; the list is the owner's alone."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shegong.conftest import Personas, client_for
from shegong.core.models import User
from shegong.tasks import services
from shegong.tasks.models import Job, JobStatus
from shegong.tasks.tests import work


@pytest.fixture(autouse=True)
def _media(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path


def _start(owner: User, **params: object) -> Job:
    return services.job_start(
        kind="test",
        unit_path="/1/",
        total=3,
        message="排队中",
        work=work.count,
        acting_user=owner,
        params=params,
    )


def _work_in_a_function(job: Job, progress: object) -> str:
    return ""


def test_it_refuses_a_lambda_or_a_closure_as_work(personas: Personas) -> None:
    def inner(job: Job, progress: object) -> str:
        return ""

    for bad in (lambda job, progress: "", inner):
        with pytest.raises(TypeError, match="module-level function"):
            services.job_start(
                kind="test",
                unit_path="",
                total=1,
                message="",
                work=bad,
                acting_user=personas.street_a_manager,
            )
    assert not Job.objects.exists()


def test_a_job_is_queued_on_the_task_backend_with_its_row(personas: Personas) -> None:
    job = _start(personas.street_a_manager, steps=2)
    assert job.status == JobStatus.PENDING
    queued = DBTaskResult.objects.get(id=job.task_result_id)
    assert queued.task_path == "shegong.tasks.worker.run_job"
    assert queued.args_kwargs["args"] == [job.pk]
    assert job.work_path == "shegong.tasks.tests.work.count"


def test_an_inline_job_runs_to_done_with_its_message_and_progress(
    settings, personas: Personas
) -> None:
    settings.TASKS_EAGER = True
    job = _start(personas.street_a_manager, steps=4)
    assert (job.status, job.message, job.progress, job.total) == (JobStatus.DONE, "数到4", 4, 4)


def test_a_failing_job_is_failed_with_its_message_and_can_be_retried(
    settings, personas: Personas
) -> None:
    settings.TASKS_EAGER = True
    job = services.job_start(
        kind="test",
        unit_path="",
        total=1,
        message="",
        work=work.broken,
        acting_user=personas.street_a_manager,
    )
    assert (job.status, job.message) == (JobStatus.FAILED, "文件无法读取")
    assert services.job_can_retry(job=job)


def test_cancelling_a_queued_job_means_it_never_runs(settings, personas: Personas) -> None:
    job = _start(personas.street_a_manager)
    services.job_cancel(job=job, acting_user=personas.street_a_manager)
    from shegong.tasks.worker import execute

    assert execute(job.pk, inline=True) == "skipped"
    job.refresh_from_db()
    assert (job.status, job.message) == (JobStatus.CANCELLED, "已取消")


def test_a_running_job_stops_at_its_next_progress_call_once_cancelled(
    settings, personas: Personas
) -> None:
    settings.JOB_PROGRESS_INTERVAL = 0  # the inline progress reads the cancel at each step
    job = _start(personas.street_a_manager, steps=50)
    from shegong.tasks import worker

    original = work.count

    def cancel_midway(job: Job, progress: worker.Progress) -> str:
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
        return original(job, progress)

    work_path = job.work_path
    Job.objects.filter(pk=job.pk).update(work_path="shegong.tasks.tests.test_services._cancel")
    globals()["_cancel"] = cancel_midway
    try:
        worker.execute(job.pk, inline=True)
    finally:
        del globals()["_cancel"]
    job.refresh_from_db()
    assert work_path and job.status == JobStatus.CANCELLED
    assert job.message == "已取消,未写入任何数据"
    assert job.progress < 50


def test_a_job_whose_lease_passed_is_failed_on_reading_and_its_retry_succeeds(
    settings, personas: Personas
) -> None:
    owner = personas.street_a_manager
    job = _start(owner, steps=2)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING,
        attempts=1,
        lease_until=timezone.now() - datetime.timedelta(seconds=1),
    )
    state = client_for(owner).get(reverse("tasks:job-state", kwargs={"pk": job.pk})).json()
    assert state["status"] == "failed" and state["finished"] and state["can_retry"]
    assert "后台进程意外停止" in state["message"]
    settings.TASKS_EAGER = True
    response = client_for(owner).post(reverse("tasks:job-retry", kwargs={"pk": job.pk}))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.message, job.attempts) == (JobStatus.DONE, "数到2", 2)


def test_the_sweep_fails_jobs_whose_lease_passed_and_keeps_live_ones(
    personas: Personas,
) -> None:
    owner = personas.street_a_manager
    dead, alive = _start(owner), _start(owner)
    now = timezone.now()
    Job.objects.filter(pk=dead.pk).update(
        status=JobStatus.RUNNING, lease_until=now - datetime.timedelta(seconds=1)
    )
    Job.objects.filter(pk=alive.pk).update(
        status=JobStatus.RUNNING, lease_until=now + datetime.timedelta(seconds=30)
    )
    assert services.jobs_sweep()["failed"] == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, alive.status) == (JobStatus.FAILED, JobStatus.RUNNING)


def test_an_input_is_kept_for_a_retry_and_deleted_once_the_job_succeeded(
    settings, personas: Personas, tmp_path: Path
) -> None:
    upload = tmp_path / "imports" / "sheet.xlsx"
    upload.parent.mkdir()
    upload.write_bytes(b"ID numbers")
    job = services.job_start(
        kind="test",
        unit_path="",
        total=1,
        message="",
        work=work.broken,
        acting_user=personas.street_a_manager,
        input_file=upload.name,
    )
    settings.TASKS_EAGER = True
    from shegong.tasks.worker import execute

    execute(job.pk, inline=True)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and upload.exists()
    Job.objects.filter(pk=job.pk).update(work_path="shegong.tasks.tests.work.count")
    services.job_retry(job=job, acting_user=personas.street_a_manager)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert not upload.exists() and job.input_file == ""


def test_abandoning_a_failed_job_deletes_its_input(personas: Personas, tmp_path: Path) -> None:
    upload = tmp_path / "imports" / "sheet.xlsx"
    upload.parent.mkdir()
    upload.write_bytes(b"ID numbers")
    job = _start(personas.street_a_manager)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, input_file=upload.name)
    job.refresh_from_db()
    services.job_cancel(job=job, acting_user=personas.street_a_manager)
    job.refresh_from_db()
    assert not upload.exists() and not services.job_can_retry(job=job)


def test_result_files_are_deleted_after_the_retention_time(settings, personas: Personas) -> None:
    settings.JOB_FILE_RETENTION_HOURS = 24
    job = _start(personas.street_a_manager)
    services.job_attach_file(job=job, filename="报告.docx", content=b"report")
    finished = timezone.now() - datetime.timedelta(hours=25)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, finished_at=finished)
    recent = _start(personas.street_a_manager)
    services.job_attach_file(job=recent, filename="新报告.docx", content=b"report")
    Job.objects.filter(pk=recent.pk).update(status=JobStatus.DONE, finished_at=timezone.now())
    assert services.jobs_sweep()["purged"] == 1
    job.refresh_from_db()
    assert job.result_file == ""
    assert not (services.jobs_dir() / f"{job.pk}-报告.docx").exists()
    assert (services.jobs_dir() / f"{recent.pk}-新报告.docx").exists()


def test_each_user_lists_only_their_own_jobs(personas: Personas) -> None:
    mine = _start(personas.street_a_manager)
    theirs = _start(personas.street_b_manager)
    page = client_for(personas.street_a_manager).get(reverse("tasks:list")).content.decode()
    assert reverse("tasks:job", kwargs={"pk": mine.pk}) in page
    assert reverse("tasks:job", kwargs={"pk": theirs.pk}) not in page
    assert "我的任务" in page


def test_another_user_cannot_cancel_or_retry_a_job(personas: Personas) -> None:
    job = _start(personas.street_a_manager)
    other = client_for(personas.street_b_manager)
    for name in ("tasks:job-cancel", "tasks:job-retry"):
        assert other.post(reverse(name, kwargs={"pk": job.pk})).status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.PENDING


def test_on_sqlite_a_job_whose_heartbeat_file_is_fresh_is_not_swept(
    personas: Personas,
) -> None:
    """A long import holds SQLite's write lock: the row's lease cannot be renewed, the
    heartbeat's file can."""
    from django.db import connection

    from shegong.tasks.worker import lease_file

    if connection.vendor != "sqlite":
        pytest.skip("the lease file is SQLite's")
    job = _start(personas.street_a_manager)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, lease_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    path = lease_file(job.pk)
    assert path is not None
    path.parent.mkdir(parents=True)
    path.touch()
    assert services.jobs_sweep()["failed"] == 0
    path.unlink()
    assert services.jobs_sweep()["failed"] == 1


def test_a_queued_job_whose_task_a_dead_worker_took_is_failed_by_the_sweep(
    settings, personas: Personas
) -> None:
    settings.JOB_LEASE_SECONDS = 2
    job = _start(personas.street_a_manager)
    waiting = _start(personas.street_a_manager)
    DBTaskResult.objects.filter(id=job.task_result_id).update(
        status="RUNNING", started_at=timezone.now() - datetime.timedelta(seconds=5)
    )
    assert services.jobs_sweep()["failed"] == 1
    job.refresh_from_db()
    waiting.refresh_from_db()
    assert (job.status, waiting.status) == (JobStatus.FAILED, JobStatus.PENDING)
    assert services.job_can_retry(job=job)
