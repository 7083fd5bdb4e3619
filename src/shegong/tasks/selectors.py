from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.http import Http404

from shegong.tasks.models import Job, JobStatus
from shegong.tasks.services import jobs_dir

if TYPE_CHECKING:
    from shegong.core.models import User


def job_get(*, viewer: User, pk: int) -> Job:
    """A job is its owner's alone: anyone else gets 404, as for a missing one."""
    job = Job.objects.filter(pk=pk, owner=viewer).first()
    if job is None:
        raise Http404
    return job


def job_result_path(*, job: Job) -> Path | None:
    if job.status != JobStatus.DONE or not job.result_file:
        return None
    path = jobs_dir() / job.result_file
    return path if path.is_file() else None
