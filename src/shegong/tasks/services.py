"""Starting background jobs and keeping what they produce."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from shegong.core.audit import AuditAction, audit_record
from shegong.tasks import runner
from shegong.tasks.models import Job

if TYPE_CHECKING:
    from shegong.core.models import User


def jobs_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def job_start(
    *,
    kind: str,
    unit_path: str,
    total: int,
    message: str,
    work: Callable[[Job, runner.Progress], str],
    acting_user: User,
    input_file: str = "",
) -> Job:
    """Record the job (audited) and run `work` in the background; the owner polls it.

    `input_file` names a file the work reads (an uploaded sheet); it is kept in
    `result_file` until the work replaces it with what it produced."""
    job = Job.objects.create(
        kind=kind,
        owner=acting_user,
        unit_path=unit_path,
        total=total,
        message=message,
        result_file=input_file,
    )
    audit_record(
        acting_user=acting_user,
        action=AuditAction.CREATE,
        target=job,
        unit_path=unit_path,
        after={"kind": kind, "total": total},
        note=message,
    )
    runner.start(job, work)
    return job


def job_attach_file(*, job: Job, filename: str, content: bytes) -> None:
    """Keep the job's result under the data folder; the owner downloads it from the job page."""
    stored = f"{job.pk}-{filename}"
    (jobs_dir() / stored).write_bytes(content)
    Job.objects.filter(pk=job.pk).update(result_file=stored)
