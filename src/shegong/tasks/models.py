"""Background work with progress a page can poll: imports, reports and pay runs.

The Job row is the one truth every web process reads: its state, its progress (written by
the worker at a bounded rate) and the lease the running worker keeps renewing. A job whose
lease has passed lost its worker and is failed, never left "running".
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shegong.core.audit import audit_kinds


@audit_kinds
class TaskEvent(models.TextChoices):
    """What a job's owner did to it, as the audit trail names it."""

    JOB_CANCELLED = "tasks.job_cancelled", _("取消任务")
    JOB_CANCEL_REQUESTED = "tasks.job_cancel_requested", _("请求取消任务")
    JOB_ABANDONED = "tasks.job_abandoned", _("放弃任务")
    JOB_RETRIED = "tasks.job_retried", _("重试任务")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


FINISHED = (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED)

# What each kind of job is called on the pages; a kind not listed shows as 后台任务.
KIND_LABELS = {
    "workers_import": _("社区工作者导入"),
    "units_import": _("组织架构导入"),
    "structure_report": _("结构分析报告"),
    "workers_check": _("社区工作者导入校验"),
    "pay_run": _("工资计算"),
    "pay_citywide_street": _("分街道工资计算"),
}


class Job(models.Model):
    """One piece of background work started by a user; only its owner sees it."""

    kind = models.CharField(_("类型"), max_length=32)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    # The unit the work is about, as a path, so jobs can be scoped like everything else.
    unit_path = models.CharField(max_length=255, blank=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    progress = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    result_file = models.CharField(_("结果文件"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # What to run: the dotted path of a module-level function (job, progress) -> str, and
    # the plain values it reads (ids, dates as text), so any worker on any machine can run it.
    work_path = models.CharField(max_length=255, blank=True)
    params = models.JSONField(default=dict, blank=True)
    # The uploaded file the work reads, under MEDIA_ROOT/imports: kept for a retry, deleted
    # once the job succeeded, was cancelled or abandoned, or its retention time passed.
    input_file = models.CharField(max_length=255, blank=True)
    retryable = models.BooleanField(default=True)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    worker = models.CharField(max_length=128, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True, db_index=True)
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=JobStatus.values), name="job_status_known"
            ),
        ]
        indexes = [models.Index(fields=["status", "lease_until"], name="job_status_lease")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} {self.status}"

    @property
    def percent(self) -> int:
        return min(100, self.progress * 100 // self.total) if self.total else 0

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, _("后台任务")))

    @property
    def finished(self) -> bool:
        return self.status in FINISHED
