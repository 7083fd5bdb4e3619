"""What work functions and pages used before jobs moved to the task queue, kept as names:
`Progress` is what a work function receives, `job_state` what a progress page shows."""

from __future__ import annotations

from typing import Any

from shegong.tasks.models import Job
from shegong.tasks.worker import JobInterrupted, Progress

__all__ = ["JobInterrupted", "Progress", "job_state"]


def job_state(job: Job) -> dict[str, Any]:
    """The job as its row says, failed first if its worker's lease has passed."""
    from shegong.tasks import selectors, services

    return selectors.job_state(job=services.job_expire_if_stale(job=job))
