"""Report files generated in the background, with progress the page shows."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from shegong.core.models import User
from shegong.reports import documents, selectors
from shegong.tasks import services as task_services

if TYPE_CHECKING:
    from shegong.orgs.models import Unit
    from shegong.tasks.models import Job
    from shegong.tasks.runner import Progress

STRUCTURE_FORMATS = ("docx", "xlsx", "pdf")


def structure_report_generate(
    *, unit: Unit, fmt: str, options: dict[str, Any], acting_user: User
) -> Job:
    """Compute the structure report as `acting_user` sees it and render it to a file.

    `options` are structure_report's keyword arguments (as_of, compare, bands, standard).
    The work runs in the background: three steps (figures, file, saved) on the job page.
    """
    if fmt not in STRUCTURE_FORMATS:
        raise ValueError(fmt)
    owner_pk, unit_pk = acting_user.pk, unit.pk

    def work(job: Job, progress: Progress) -> str:
        from shegong.orgs.models import Unit

        viewer = User.objects.get(pk=owner_pk)
        progress.phase(_("正在统计"), total=3)
        report = selectors.structure_report(
            viewer=viewer, unit=Unit.objects.get(pk=unit_pk), with_training=True, **options
        )
        progress(1)
        progress.phase(_("正在生成文件"), total=3)
        progress(1)
        content = documents.render(report, fmt)
        progress(2)
        task_services.job_attach_file(
            job=job, filename=documents.filename(report, fmt), content=content
        )
        progress(3)
        return _("报告已生成:%(title)s") % {"title": documents.title(report)}

    return task_services.job_start(
        kind="structure_report",
        unit_path=unit.path,
        total=3,
        message=_("排队中"),
        work=work,
        acting_user=acting_user,
    )
