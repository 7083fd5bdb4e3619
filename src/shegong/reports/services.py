"""Report files generated in the background, with progress the page shows."""

from __future__ import annotations

import datetime
from decimal import Decimal
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
FORMAT_NAMES = {"docx": "Word", "xlsx": "Excel", "pdf": "PDF"}


def structure_report_generate(
    *, unit: Unit, fmt: str, options: dict[str, Any], acting_user: User
) -> Job:
    """Compute the structure report as `acting_user` sees it and render it to a file.

    `options` are structure_report's keyword arguments (as_of, compare, bands, standard).
    The work runs in the background: three steps (figures, file, saved) on the job page.
    """
    if fmt not in STRUCTURE_FORMATS:
        raise ValueError(fmt)
    return task_services.job_start(
        kind="structure_report",
        unit_path=unit.path,
        total=3,
        message=_("排队中"),
        work=structure_report_job,
        acting_user=acting_user,
        params={
            "unit": unit.pk,
            "format": fmt,
            "options": _plain_options(options),
            "title": _what(unit, fmt, options),
        },
    )


def _what(unit: Unit, fmt: str, options: dict[str, Any]) -> str:
    """What the job makes, as its page says it: unit, report, date and kind of file."""
    as_of = options.get("as_of")
    compare = options.get("compare")
    text = _("%(unit)s社区工作者队伍结构分析(%(format)s文件)") % {
        "unit": unit.name,
        "format": FORMAT_NAMES[fmt],
    }
    if isinstance(as_of, datetime.date):
        text += " · " + _("统计日期:%(date)s") % {"date": as_of.isoformat()}
    if isinstance(compare, datetime.date):
        text += _(";对比日期:%(date)s") % {"date": compare.isoformat()}
    return text


def _plain_options(options: dict[str, Any]) -> dict[str, Any]:
    """structure_report's options as JSON values: dates as text, Decimals as text."""
    plain: dict[str, Any] = {}
    for name, value in options.items():
        if isinstance(value, datetime.date):
            plain[name] = {"date": value.isoformat()}
        elif isinstance(value, Decimal):
            plain[name] = {"decimal": str(value)}
        elif isinstance(value, tuple):
            plain[name] = list(value)
        else:
            plain[name] = value
    return plain


def _options(plain: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for name, value in plain.items():
        if isinstance(value, dict) and "date" in value:
            options[name] = datetime.date.fromisoformat(value["date"])
        elif isinstance(value, dict) and "decimal" in value:
            options[name] = Decimal(value["decimal"])
        else:
            options[name] = value
    return options


def structure_report_job(job: Job, progress: Progress) -> str:
    """The report file, computed by a worker as the job's owner sees it."""
    from shegong.orgs.models import Unit

    params = job.params
    fmt = params["format"]
    progress.phase(_("正在统计"), total=3)
    report = selectors.structure_report(
        viewer=job.owner,
        unit=Unit.objects.get(pk=params["unit"]),
        with_training=True,
        **_options(params["options"]),
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
