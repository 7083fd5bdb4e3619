"""The default task backend: a thread in the web process, no extra server.

While a job writes inside its own transaction (SQLite allows one writer at a time), its
progress is kept in memory and read from there by `job_state`; the row is written when the
job starts and ends. With TASKS_EAGER = True (tests) the work runs inline.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from shegong.tasks.models import Job, JobStatus

log = logging.getLogger(__name__)
_live: dict[int, dict[str, Any]] = {}
_lock = threading.Lock()


class Progress:
    """Handed to the work: `progress(n)` records n items done."""

    def __init__(self, job: Job) -> None:
        self.job_id = job.pk

    def __call__(self, done: int) -> None:
        with _lock:
            _live.setdefault(self.job_id, {})["progress"] = done

    def phase(self, message: str, total: int | None = None) -> None:
        with _lock:
            state = _live.setdefault(self.job_id, {})
            state["message"] = message
            state["progress"] = 0
            if total is not None:
                state["total"] = total


def start(job: Job, work: Callable[[Job, Progress], str]) -> None:
    """Run `work(job, progress)` in the background; its return value is the final message."""
    if getattr(settings, "TASKS_EAGER", False):
        _run(job.pk, work)
        return
    thread = threading.Thread(target=_run, args=(job.pk, work), daemon=True, name=f"job-{job.pk}")
    # The thread reads the job through a connection of its own, which sees the row only once
    # it is committed: start it then (at once outside a transaction).
    transaction.on_commit(thread.start)


def _run(job_id: int, work: Callable[[Job, Progress], str]) -> None:
    threaded = not getattr(settings, "TASKS_EAGER", False)
    if threaded:
        # A fresh thread gets its own connection; inline (tests) it must keep the caller's,
        # which may be inside a transaction.
        close_old_connections()
    try:
        _run_job(job_id, work)
    finally:
        with _lock:
            _live.pop(job_id, None)
        if threaded:
            connection.close()  # whatever happened, no session is left behind


def _run_job(job_id: int, work: Callable[[Job, Progress], str]) -> None:
    job = Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id).update(status=JobStatus.RUNNING)
    progress = Progress(job)
    try:
        message = work(job, progress)
    except Exception as exc:  # the user sees the message; the log keeps the trace
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, message=getattr(exc, "message", None) or str(exc)
        )
    else:
        state = _live.get(job_id, {})
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.DONE,
            message=message,
            progress=state.get("total", job.total),
            total=state.get("total", job.total),
        )


def job_state(job: Job) -> dict[str, Any]:
    """The job as a page shows it, with live progress when it runs in this process."""
    with _lock:
        live = dict(_live.get(job.pk, {}))
    total = live.get("total", job.total)
    done = live.get("progress", job.progress)
    return {
        "id": job.pk,
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": done,
        "total": total,
        "percent": min(100, done * 100 // total) if total else 0,
        "message": live.get("message") or job.message,
        "finished": job.status in {JobStatus.DONE, JobStatus.FAILED},
    }
