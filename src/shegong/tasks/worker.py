"""Running a job: the one task the queue knows, its progress, its lease.

`run_job(job_id)` is the module-level task enqueued on Django's task framework (database
backend); a worker process (`shegong worker`) picks it up and calls the job's work function,
named by its dotted path on the row. While the work runs, a heartbeat thread with its own
database connection writes the progress to the row (at most every JOB_PROGRESS_INTERVAL),
renews the lease and reads a cancel request. The work sees the cancel (or the worker being
stopped) at its next progress call.
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks import task

from shegong.core.errors import ServiceError
from shegong.tasks.models import Job, JobStatus

log = logging.getLogger(__name__)

# Set when this worker process was asked to stop (SIGTERM, Ctrl-C): the running job ends at
# its next progress call, failed and retryable, instead of being cut off unrecorded.
STOPPING = threading.Event()
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


class JobInterrupted(Exception):
    """Raised at a progress call when the job was cancelled or its worker is stopping."""

    def __init__(self, *, cancelled: bool) -> None:
        super().__init__("cancelled" if cancelled else "stopping")
        self.cancelled = cancelled


class Progress:
    """Handed to the work: `progress(n)` records n items done, `progress.phase(message,
    total)` starts a new step. Both are where a cancel or a stop takes effect."""

    def __init__(self, job: Job, *, attempt: int, inline: bool) -> None:
        self.job_id = job.pk
        self.attempt = attempt
        self.inline = inline  # no heartbeat thread: write from the caller's connection
        self._lock = threading.Lock()
        self._state: dict[str, Any] = {"progress": job.progress, "total": job.total}
        self._dirty = False
        self._last_flush = 0.0
        self.cancel_seen = False

    def __call__(self, done: int) -> None:
        with self._lock:
            self._state["progress"] = done
            self._dirty = True
        self._after_change()

    def phase(self, message: str, total: int | None = None) -> None:
        with self._lock:
            self._state["message"] = str(message)
            self._state["progress"] = 0
            if total is not None:
                self._state["total"] = total
            self._dirty = True
        self._after_change()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._state)

    def _after_change(self) -> None:
        if self.inline:
            now = timezone.now().timestamp()
            if now - self._last_flush >= settings.JOB_PROGRESS_INTERVAL:
                self.flush()
        if self.cancel_seen:
            raise JobInterrupted(cancelled=True)
        if STOPPING.is_set():
            raise JobInterrupted(cancelled=False)

    def flush(self) -> None:
        """Write progress and renew the lease on the row; note a cancel request."""
        with self._lock:
            values = dict(self._state) if self._dirty else {}
            self._dirty = False
        self._last_flush = timezone.now().timestamp()
        mine = Job.objects.filter(pk=self.job_id, attempts=self.attempt, status=JobStatus.RUNNING)
        mine.update(lease_until=lease_end(), **values)
        if mine.filter(cancel_requested=True).exists():
            self.cancel_seen = True


def lease_file(job_id: int) -> Path | None:
    """On SQLite (one machine by nature) the heartbeat also touches a file: while a long
    import holds the database's write lock, the row's lease cannot be renewed."""
    if connection.vendor != "sqlite":
        return None
    return Path(settings.MEDIA_ROOT) / "jobs" / "leases" / str(job_id)


def lease_end() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)


class _Heartbeat(threading.Thread):
    """Renews the running job's lease and writes its progress from a connection of its own
    (the work's connection may be inside a long transaction that nobody else can see)."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(daemon=True, name=f"job-{progress.job_id}-heartbeat")
        self.progress = progress
        self.done = threading.Event()

    def run(self) -> None:
        interval = min(settings.JOB_PROGRESS_INTERVAL, settings.JOB_LEASE_SECONDS / 4)
        touch = lease_file(self.progress.job_id)
        if touch is not None:
            touch.parent.mkdir(parents=True, exist_ok=True)
            touch.touch()
            # Never wait on the work's write lock: skip the row this beat, touch the file.
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA busy_timeout = {int(interval * 500)}")
        try:
            while not self.done.wait(interval):
                if touch is not None:
                    touch.touch()
                try:
                    self.progress.flush()
                except DatabaseError:  # SQLite busy under a long write: try again next beat
                    log.debug("job %s: heartbeat not written", self.progress.job_id)
        finally:
            connection.close()


def work_path(work: Callable[..., str]) -> str:
    """The dotted path a worker imports `work` by; refuses lambdas, closures and methods."""
    module = getattr(work, "__module__", None)
    qualname = getattr(work, "__qualname__", "")
    path = f"{module}.{qualname}"
    try:
        found = import_string(path) if module and "<" not in qualname else None
    except ImportError:
        found = None
    if found is not work:
        raise TypeError(
            f"job work must be a module-level function (got {work!r}): a worker process "
            "imports it by its dotted path, so pass values through job params instead of "
            "a closure"
        )
    return path


@task()
def run_job(job_id: int) -> str:
    """The task the queue runs: claim the job, run its work, record how it ended."""
    return execute(job_id, inline=False)


def execute(job_id: int, *, inline: bool) -> str:
    attempt = _claim(job_id)
    if attempt is None:
        return "skipped"  # cancelled while queued, or already taken
    job = Job.objects.select_related("owner").get(pk=job_id)
    progress = Progress(job, attempt=attempt, inline=inline)
    heartbeat = None if inline else _Heartbeat(progress)
    if heartbeat is not None:
        heartbeat.start()
    outcome: dict[str, Any]
    try:
        work: Callable[[Job, Progress], str] = import_string(job.work_path)
        message = work(job, progress)
    except JobInterrupted as exc:
        outcome = _interrupted(exc.cancelled)
    except ServiceError as exc:  # refused with a message meant for the user
        outcome = {"status": JobStatus.FAILED, "message": exc.message, "retryable": False}
    except Exception as exc:
        log.exception("job %s failed", job_id)
        outcome = {"status": JobStatus.FAILED, "message": _failure_message(exc)}
    except BaseException:  # SystemExit from a second signal: record it, then go
        _finish(job_id, attempt, progress, _interrupted(False))
        raise
    else:
        snapshot = progress.snapshot()
        outcome = {
            "status": JobStatus.DONE,
            "message": message,
            "progress": snapshot["total"],
            "total": snapshot["total"],
        }
    finally:
        if heartbeat is not None:
            heartbeat.done.set()
            heartbeat.join()
    _finish(job_id, attempt, progress, outcome)
    return str(outcome["status"])


def _failure_message(exc: Exception) -> str:
    """What the owner reads: the error's own words when they are meant for people (Chinese),
    otherwise a plain sentence; the trace is in the worker's log."""
    text = str(getattr(exc, "message", None) or exc)
    if any("\u4e00" <= char <= "\u9fff" for char in text):
        return text
    return _("任务出错,未完成的部分没有写入(详情已记入日志);可以重试")


def _interrupted(cancelled: bool) -> dict[str, Any]:
    if cancelled:
        return {"status": JobStatus.CANCELLED, "message": _("已取消,未写入任何数据")}
    return {
        "status": JobStatus.FAILED,
        "message": _("后台进程停止,任务已中断,未完成的部分没有写入;可以重试"),
    }


def _claim(job_id: int) -> int | None:
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        worker=WORKER_NAME,
        lease_until=lease_end(),
        started_at=timezone.now(),
        cancel_requested=False,
    )
    if not claimed:
        return None
    return Job.objects.values_list("attempts", flat=True).get(pk=job_id)


def _finish(job_id: int, attempt: int, progress: Progress, outcome: dict[str, Any]) -> None:
    """Record the end; only this attempt's (a sweep that failed it meanwhile is corrected,
    a retry that has taken it since is left alone)."""
    from shegong.tasks.services import job_files_release

    status = outcome["status"]
    touched = lease_file(job_id)
    if touched is not None:
        touched.unlink(missing_ok=True)
    values = {**progress.snapshot(), **outcome}
    mine = Job.objects.filter(pk=job_id, attempts=attempt)
    mine.update(**values, lease_until=None, finished_at=timezone.now(), cancel_requested=False)
    job = mine.first()
    if job is not None and (status != JobStatus.FAILED or not job.retryable):
        job_files_release(job=job, results=False)


def sweep_forever(stop: threading.Event, interval: float) -> None:
    """The worker's sweeper: fail jobs whose lease passed, delete files past retention."""
    from shegong.tasks.services import jobs_sweep

    while not stop.wait(interval):
        try:
            close_old_connections()
            jobs_sweep()
        except DatabaseError:
            log.warning("job sweep not done this time", exc_info=True)
        finally:
            connection.close()
