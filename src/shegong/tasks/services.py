"""Starting, cancelling and retrying background jobs, keeping what they produce, sweeping
the ones whose worker died."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from shegong.core.audit import AuditAction, audit_record
from shegong.core.errors import ServiceError
from shegong.tasks import worker
from shegong.tasks.models import FINISHED, Job, JobStatus, TaskEvent

if TYPE_CHECKING:
    from shegong.core.models import User


def jobs_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def job_input_path(*, job: Job) -> Path | None:
    """The uploaded file the job reads (kept under MEDIA_ROOT/imports until released)."""
    if not job.input_file:
        return None
    return Path(settings.MEDIA_ROOT) / "imports" / Path(job.input_file).name


def job_start(
    *,
    kind: str,
    unit_path: str,
    total: int,
    message: str,
    work: Callable[[Job, worker.Progress], str],
    acting_user: User,
    input_file: str = "",
    params: dict[str, Any] | None = None,
    retryable: bool = True,
) -> Job:
    """Record the job (audited) and queue `work` for a worker; the owner polls the row.

    `work` is a module-level function `(job, progress) -> str` (its return value is the
    final message); a lambda or closure is refused, since another process imports it by
    name. What it needs goes in `params` (plain JSON values: ids, dates as text).
    `input_file` names an upload under MEDIA_ROOT/imports that the work reads; it is also
    in `result_file` until the work attaches its own result. It is kept while the job can
    be retried and deleted once it succeeded, was cancelled or abandoned."""
    path = worker.work_path(work)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            owner=acting_user,
            unit_path=unit_path,
            total=total,
            message=message,
            result_file=input_file,
            input_file=input_file,
            work_path=path,
            params=params or {},
            retryable=retryable,
        )
        audit_record(
            acting_user=acting_user,
            action=AuditAction.CREATE,
            target=job,
            unit_path=unit_path,
            after={"kind": kind, "total": total},
            note=message,
        )
        _enqueue(job)
    job.refresh_from_db()
    return job


def _enqueue(job: Job) -> None:
    if getattr(settings, "TASKS_EAGER", False):
        worker.execute(job.pk, inline=True)
        return
    # Queued in the same transaction as the row: both exist, or neither.
    result = worker.run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))


def job_cancel(*, job: Job, acting_user: User) -> Job:
    """Cancel a queued job at once, a running one at its next progress step; abandon a
    failed one (its kept input is deleted, it can no longer be retried)."""
    if job.owner_id != acting_user.pk:
        raise ServiceError(_("只能取消自己的任务"))
    now = timezone.now()
    with transaction.atomic():
        if Job.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(
            status=JobStatus.CANCELLED, message=_("已取消"), finished_at=now
        ):
            note, event = _("取消排队中的任务"), TaskEvent.JOB_CANCELLED
        elif Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            cancel_requested=True, message=_("正在取消……")
        ):
            note, event = _("请求取消进行中的任务"), TaskEvent.JOB_CANCEL_REQUESTED
        elif Job.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            retryable=False, message=_("已放弃:%(message)s") % {"message": job.message}
        ):
            note, event = _("放弃失败的任务"), TaskEvent.JOB_ABANDONED
        else:
            raise ServiceError(_("任务已结束,无法取消"))
        audit_record(
            acting_user=acting_user,
            action=event,
            target=job,
            unit_path=job.unit_path,
            before={"status": job.status},
            after={"status": "cancel"},
            note=note,
        )
    job.refresh_from_db()
    if job.status != JobStatus.RUNNING:
        job_files_release(job=job, results=False)
    return job


def job_can_retry(*, job: Job) -> bool:
    if job.status != JobStatus.FAILED or not job.retryable:
        return False
    path = job_input_path(job=job)
    return path is None or path.is_file()


def job_retry(*, job: Job, acting_user: User) -> Job:
    """Queue a failed job again, from its kept input; the next worker starts it afresh."""
    if job.owner_id != acting_user.pk:
        raise ServiceError(_("只能重试自己的任务"))
    if not job_can_retry(job=job):
        raise ServiceError(_("该任务不能重试,请重新提交"))
    with transaction.atomic():
        if not Job.objects.filter(pk=job.pk, status=JobStatus.FAILED, retryable=True).update(
            status=JobStatus.PENDING,
            progress=0,
            message=_("排队重试"),
            lease_until=None,
            finished_at=None,
            cancel_requested=False,
        ):
            raise ServiceError(_("该任务不能重试,请重新提交"))
        audit_record(
            acting_user=acting_user,
            action=TaskEvent.JOB_RETRIED,
            target=job,
            unit_path=job.unit_path,
            before={"status": job.status},
            after={"status": JobStatus.PENDING.value},
            note=_("重试任务"),
        )
        _enqueue(job)
    job.refresh_from_db()
    return job


def job_attach_file(*, job: Job, filename: str, content: bytes) -> None:
    """Keep the job's result under the data folder; the owner downloads it from the job page."""
    stored = f"{job.pk}-{filename}"
    (jobs_dir() / stored).write_bytes(content)
    Job.objects.filter(pk=job.pk).update(result_file=stored)


def job_files_release(*, job: Job, results: bool) -> None:
    """Delete the job's kept input (and with `results`, its result file)."""
    path = job_input_path(job=job)
    if path is not None:
        path.unlink(missing_ok=True)
    cleared: dict[str, Any] = {"input_file": ""}
    if job.result_file == job.input_file:
        cleared["result_file"] = ""
    elif results and job.result_file:
        (jobs_dir() / Path(job.result_file).name).unlink(missing_ok=True)
        cleared["result_file"] = ""
    if path is not None or "result_file" in cleared:
        Job.objects.filter(pk=job.pk).update(**cleared)


def job_expire_if_stale(*, job: Job) -> Job:
    """On reading a job: if its worker's lease has passed, it is failed now, not later."""
    if job.status == JobStatus.RUNNING and job.lease_until and job.lease_until < timezone.now():
        _fail_stale(Job.objects.filter(pk=job.pk))
        job.refresh_from_db()
    return job


def stale_message() -> str:
    return _("后台进程意外停止,任务未完成,未完成的部分没有写入;可以重试")


def _fail_stale(jobs: Any) -> int:
    """Fail the running jobs among `jobs` whose lease has passed (checked again in the
    UPDATE, so a worker that renewed it meanwhile keeps its job). Reads first and writes
    only when there is one: on SQLite a write would wait for a long import's lock."""
    now = timezone.now()
    stale = jobs.filter(status=JobStatus.RUNNING, lease_until__lt=now)
    found = dict(stale.values_list("pk", "task_result_id")[:500])
    if connection.vendor == "sqlite":
        found = {pk: task for pk, task in found.items() if not _touched(pk)}
    if not found:
        return 0
    count: int = stale.filter(pk__in=list(found)).update(
        status=JobStatus.FAILED, message=stale_message(), finished_at=now, lease_until=None
    )
    task_ids = [task for task in found.values() if task]
    if task_ids:
        DBTaskResult.objects.filter(id__in=task_ids, status="RUNNING").update(
            status="FAILED", finished_at=now
        )
    return count


def _fail_orphans(now: datetime.datetime) -> int:
    """Queued jobs whose task a worker took (longer ago than the lease) but never started:
    the worker died between taking the task and claiming the job."""
    lease_ago = now - datetime.timedelta(seconds=settings.JOB_LEASE_SECONDS)
    pending = Job.objects.filter(status=JobStatus.PENDING).exclude(task_result_id="")
    taken = DBTaskResult.objects.filter(
        id__in=list(pending.values_list("task_result_id", flat=True)[:500]),
        started_at__lt=lease_ago,
    ).exclude(status="READY")
    ids = [str(pk) for pk in taken.values_list("id", flat=True)]
    if not ids:
        return 0
    count: int = pending.filter(task_result_id__in=ids).update(
        status=JobStatus.FAILED, message=stale_message(), finished_at=now
    )
    return count


def _touched(job_id: int) -> bool:
    """Whether the job's heartbeat touched its lease file within the lease (SQLite)."""
    path = worker.lease_file(job_id)
    try:
        age = timezone.now().timestamp() - path.stat().st_mtime if path else None
    except FileNotFoundError:
        return False
    return age is not None and age < settings.JOB_LEASE_SECONDS


def jobs_sweep(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The worker's periodic sweep: fail jobs whose worker died; delete the files of jobs
    finished longer ago than JOB_FILE_RETENTION_HOURS (results and kept inputs)."""
    now = now or timezone.now()
    failed = _fail_stale(Job.objects.all()) + _fail_orphans(now)
    cutoff = now - datetime.timedelta(hours=settings.JOB_FILE_RETENTION_HOURS)
    old = Job.objects.filter(status__in=FINISHED, finished_at__lt=cutoff).exclude(
        input_file="", result_file=""
    )
    purged = 0
    for job in old[:500]:
        job_files_release(job=job, results=True)
        purged += 1
    # The queue's own rows of finished tasks: the Job row is what people read.
    done_tasks = DBTaskResult.objects.filter(
        status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff
    )
    if done_tasks.exists():
        done_tasks.delete()
    return {"failed": failed, "purged": purged}
