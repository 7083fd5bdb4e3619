from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
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


def job_list(*, viewer: User, limit: int = 200) -> QuerySet[Job]:
    """The viewer's own jobs, newest first."""
    return Job.objects.filter(owner=viewer).order_by("-created_at", "-id")[:limit]


def job_result_path(*, job: Job) -> Path | None:
    if job.status != JobStatus.DONE or not job.result_file or job.result_file == job.input_file:
        return None
    path = jobs_dir() / Path(job.result_file).name
    return path if path.is_file() else None


def job_state(*, job: Job) -> dict[str, Any]:
    """The job as a page shows it (and its JSON poll answers): every process reads the row."""
    from shegong.tasks.services import job_can_retry

    return {
        "id": job.pk,
        "kind_label": job.kind_label,
        "description": str(job.params.get("title", "")) if isinstance(job.params, dict) else "",
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": job.progress,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "finished": job.finished,
        "can_cancel": job.status in (JobStatus.PENDING, JobStatus.RUNNING)
        and not job.cancel_requested,
        "can_retry": job_can_retry(job=job),
    }
