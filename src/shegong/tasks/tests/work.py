"""Work functions for the job tests: module-level, as a worker imports them by name."""

from __future__ import annotations

import time
from pathlib import Path

from shegong.tasks.models import Job
from shegong.tasks.worker import Progress


def count(job: Job, progress: Progress) -> str:
    """Count `steps` with `delay` seconds each (only on the first attempt when `slow_once`);
    at step `gate_at` wait until the file `gate` exists, still calling progress."""
    params = job.params
    steps = int(params.get("steps", 3))
    delay = float(params.get("delay", 0))
    if params.get("slow_once") and job.attempts > 1:
        delay = 0
    progress.phase("计数", steps)
    for step in range(1, steps + 1):
        if params.get("gate") and step == params.get("gate_at"):
            while not Path(params["gate"]).exists():
                progress(step - 1)
                time.sleep(0.05)
        time.sleep(delay)
        progress(step)
    return f"数到{steps}"


def broken(job: Job, progress: Progress) -> str:
    raise ValueError("文件无法读取")


def hold_write_lock(job: Job, progress: Progress) -> str:
    """Write inside one transaction for `seconds` (as a long import does), calling progress."""
    from django.db import transaction

    from shegong.core.models import User

    seconds = float(job.params.get("seconds", 4))
    steps = int(seconds / 0.1)
    progress.phase("写入", steps)
    with transaction.atomic():
        User.objects.create_user(f"held-{job.pk}", password="Held-Pass-2026")
        for step in range(1, steps + 1):
            time.sleep(0.1)
            progress(step)
    return "写入完成"
