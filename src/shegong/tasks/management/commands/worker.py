"""`shegong worker`: runs queued jobs (django-tasks-db's db_worker), sweeps dead ones.

Besides running the queue it keeps a sweeper thread that fails jobs whose worker's lease
has passed (a worker killed elsewhere) and deletes job files past their retention time. On
SIGTERM or Ctrl-C the running job stops at its next progress step, recorded as failed and
retryable, and the worker exits; a second signal stops it at once.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands import db_worker

from shegong.tasks import worker


class _Worker(db_worker.Worker):
    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        worker.STOPPING.set()
        super().shutdown(signum, frame)


class Command(db_worker.Command):
    help = "运行后台任务(导入、报告、工资计算)"

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        # Reloading would cut a running job off unrecorded; start a new worker instead.
        parser.set_defaults(reload=False, queue_name="*")

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        runner = _Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=[],
        )
        stop = threading.Event()
        sweeper = threading.Thread(
            target=worker.sweep_forever,
            args=(stop, max(0.5, settings.JOB_LEASE_SECONDS / 3)),
            daemon=True,
            name="job-sweeper",
        )
        runner.configure_signals()
        if hasattr(signal, "SIGHUP"):
            signal.signal(signal.SIGHUP, runner.shutdown)
        sweeper.start()
        try:
            runner.run()
        finally:
            stop.set()
