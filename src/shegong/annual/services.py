"""Every write of the annual report: the written parts (versioned, audited), the job that
renders the document in the background, and the chapters that job keeps for a large unit's
page."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shegong.annual.models import AnnualEvent, KeptChapters, PartKey, WrittenPart
from shegong.core.access import Permission, in_scope, require
from shegong.core.audit import audit_record
from shegong.core.errors import ServiceError
from shegong.core.text import refuse_control_characters
from shegong.tasks import services as task_services

if TYPE_CHECKING:
    from shegong.annual.selectors import AnnualReport
    from shegong.core.models import User
    from shegong.orgs.models import Unit
    from shegong.tasks.models import Job
    from shegong.tasks.runner import Progress

FORMATS = ("docx", "pdf", "xlsx", "json")
MAX_PART_CHARS = 20000


def written_part_save(
    *, unit: Unit, year: int, key: str, text: str, acting_user: User
) -> WrittenPart:
    """A new version of one written part (the older ones are kept), audited with the text
    before and after."""
    require(acting_user, Permission.EDIT, unit, message=_("您没有权限撰写%(unit)s的年度报告"))
    if key not in PartKey.values:
        raise ServiceError(_("未知的报告部分"), field="key")
    if not 1990 <= year <= 2100:
        raise ServiceError(_("年度须在1990至2100之间"), field="year")
    text = text.strip()
    refuse_control_characters({"text": text}, {"text": _("内容")}, multiline=["text"])
    if len(text) > MAX_PART_CHARS:
        raise ServiceError(_("内容不能超过%(n)d字") % {"n": MAX_PART_CHARS}, field="text")
    with transaction.atomic():
        # Lock the unit's row so two saves of one part cannot take the same version number.
        type(unit).objects.select_for_update().filter(pk=unit.pk).first()
        previous = (
            WrittenPart.objects.filter(unit=unit, year=year, key=key).order_by("-version").first()
        )
        if previous is not None and previous.text == text:
            return previous
        version = (
            WrittenPart.objects.filter(unit=unit, year=year, key=key).aggregate(n=Max("version"))[
                "n"
            ]
            or 0
        ) + 1
        part = WrittenPart.objects.create(
            unit=unit,
            unit_path=unit.path,
            year=year,
            key=key,
            version=version,
            text=text,
            author=acting_user,
        )
        audit_record(
            acting_user=acting_user,
            action=AnnualEvent.PART_SAVED,
            target=part,
            before={"text": previous.text, "version": previous.version} if previous else None,
            after={"text": text, "version": version},
            note=_("%(y)d年%(part)s") % {"y": year, "part": part.get_key_display()},
        )
        return part


def annual_report_generate(
    *, unit: Unit, year: int, fmt: str, as_of: datetime.date | None, acting_user: User
) -> Job:
    """Queue the document of `unit`'s report of `year` in `fmt`, as `acting_user` sees it;
    the job page shows one step per chapter, then the file."""
    if fmt not in FORMATS:
        raise ServiceError(_("不支持的格式"), field="format")
    return task_services.job_start(
        kind="annual_report",
        unit_path=unit.path,
        total=10,
        message=_("排队中"),
        work=annual_report_job,
        acting_user=acting_user,
        params={
            "unit": unit.pk,
            "year": year,
            "format": fmt,
            "as_of": as_of.isoformat() if as_of else None,
        },
    )


def annual_report_job(job: Job, progress: Progress) -> str:
    """The report file, computed by a worker as the job's owner sees it."""
    from shegong.annual import documents, selectors
    from shegong.orgs.models import Unit

    params = job.params
    progress.phase(_("正在统计"), total=10)

    def chapter_done(done: int, total: int) -> None:
        progress(done * 8 // total)

    report = selectors.annual_report(
        viewer=job.owner,
        unit=Unit.objects.get(pk=params["unit"]),
        year=int(params["year"]),
        as_of=datetime.date.fromisoformat(params["as_of"]) if params.get("as_of") else None,
        progress=chapter_done,
    )
    kept_chapters_save(report=report, acting_user=job.owner)
    progress.phase(_("正在生成文件"), total=10)
    progress(8)
    fmt = params["format"]
    content = documents.render(report, fmt)
    progress(9)
    task_services.job_attach_file(
        job=job, filename=documents.filename(report, fmt), content=content
    )
    progress(10)
    return _("报告已生成:%(title)s") % {"title": documents.title(report)}


@transaction.atomic
def kept_chapters_save(*, report: AnnualReport, acting_user: User) -> KeptChapters:
    """Keep the chapters `acting_user` was just given (by a job), replacing what their last
    job kept for that unit and year: a unit too large to compute on its page shows them."""
    from shegong.annual.chapters import chapters_json

    if not acting_user.is_active or not in_scope(acting_user, report.unit):
        raise Http404
    kept, created = KeptChapters.objects.update_or_create(
        unit=report.unit,
        year=report.year,
        owner=acting_user,
        defaults={
            "unit_path": report.unit.path,
            "as_of": report.as_of,
            "computed_at": timezone.now(),
            "chapters": chapters_json(report.chapters),
        },
    )
    audit_record(
        acting_user=acting_user,
        action=AnnualEvent.CHAPTERS_KEPT,
        target=kept,
        after={"year": report.year, "as_of": report.as_of.isoformat(), "replaced": not created},
        note=_("%(y)d年年度报告各章统计结果") % {"y": report.year},
    )
    return kept
