"""Every read of the annual report, taking the viewer.

`annual_report` builds each present chapter of the registry (chapters/) in one read
transaction (core.db.report_session, nested savepoints for the area reports' own), and adds
the written parts' latest versions and the starting points the data proposes for them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from shegong.annual.chapters import Chapter, ChapterSpec, Context, chapters_from_json, registry
from shegong.annual.models import KeptChapters, PartKey, WrittenPart
from shegong.core.access import in_scope, path_q
from shegong.core.db import report_session

if TYPE_CHECKING:
    from collections.abc import Callable

    from shegong.core.models import User
    from shegong.orgs.models import Unit


@dataclass
class AnnualReport:
    unit: Unit
    year: int
    as_of: datetime.date
    chapters: list[Chapter]
    absent: list[ChapterSpec]
    parts: dict[str, WrittenPart] = field(default_factory=dict)

    @property
    def findings(self) -> list[str]:
        return [f for c in self.chapters for f in c.findings]

    def chapter(self, key: str) -> Chapter:
        return next(c for c in self.chapters if c.key == key)

    def part_text(self, key: str) -> str:
        part = self.parts.get(key)
        return part.text if part is not None else ""


def report_day(year: int, as_of: datetime.date | None = None) -> datetime.date:
    """The day the report's figures are taken: `as_of`, else 31 December (today, this year)."""
    if as_of is not None:
        return as_of
    return min(datetime.date(year, 12, 31), timezone.localdate())


def check_unit(*, viewer: User, unit: Unit) -> None:
    if not viewer.is_active or not in_scope(viewer, unit):
        raise Http404


def annual_report(
    *,
    viewer: User,
    unit: Unit,
    year: int,
    as_of: datetime.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AnnualReport:
    """The report of `unit` for `year` as `viewer` sees it (404 outside their scope);
    `progress(done, total)` is called after each chapter."""
    check_unit(viewer=viewer, unit=unit)
    ctx = Context(viewer=viewer, unit=unit, year=year, as_of=report_day(year, as_of))
    specs = registry()
    present = [s for s in specs if s.present]
    chapters = []
    with report_session():
        for i, spec in enumerate(present, start=1):
            assert spec.builder is not None
            chapters.append(spec.builder(ctx))
            if progress is not None:
                progress(i, len(present))
    return AnnualReport(
        unit=unit,
        year=year,
        as_of=ctx.as_of,
        chapters=chapters,
        absent=[s for s in specs if not s.present],
        parts=written_parts(viewer=viewer, unit=unit, year=year),
    )


def written_parts(*, viewer: User, unit: Unit, year: int) -> dict[str, WrittenPart]:
    """The latest version of each written part of the unit's report of `year`."""
    latest: dict[str, WrittenPart] = {}
    for part in part_versions(viewer=viewer, unit=unit, year=year):
        latest.setdefault(part.key, part)
    return latest


def part_versions(
    *, viewer: User, unit: Unit, year: int, key: str | None = None
) -> QuerySet[WrittenPart]:
    """Every version, newest first (of one part when `key` is given)."""
    check_unit(viewer=viewer, unit=unit)
    parts = WrittenPart.objects.filter(path_q(viewer, "unit_path"), unit=unit, year=year)
    if key is not None:
        parts = parts.filter(key=key)
    return parts.select_related("author").order_by("key", "-version")


PART_KEYS = tuple(PartKey.values)
# Above this many workers the page does not compute the chapters in the request (a city's
# report takes longer than a page may): the file is made by a job instead.
PAGE_MAX_WORKERS = 30000


def computed_on_page(*, viewer: User, unit: Unit) -> bool:
    """Whether the report of `unit` is small enough to compute while the page loads."""
    from shegong.people.models import Worker

    check_unit(viewer=viewer, unit=unit)
    workers = Worker.objects.filter(path_q(viewer, "unit_path"), unit_path__startswith=unit.path)
    return not workers[PAGE_MAX_WORKERS : PAGE_MAX_WORKERS + 1].exists()


def empty_report(*, viewer: User, unit: Unit, year: int) -> AnnualReport:
    """The report without its chapters (the written parts only), for a unit too large to
    compute on the page."""
    check_unit(viewer=viewer, unit=unit)
    return AnnualReport(
        unit=unit,
        year=year,
        as_of=report_day(year),
        chapters=[],
        absent=[],
        parts=written_parts(viewer=viewer, unit=unit, year=year),
    )


@dataclass
class KeptReport:
    """The report as the viewer's last job computed it, with the written parts as they are."""

    report: AnnualReport
    computed_at: datetime.datetime


def kept_report(*, viewer: User, unit: Unit, year: int) -> KeptReport | None:
    """The chapters the viewer's last report job of `unit` and `year` kept (None without
    one), for the page of a unit too large to compute them while it loads. Only the viewer's
    own: another's figures are those of another's scope and rights."""
    check_unit(viewer=viewer, unit=unit)
    kept = KeptChapters.objects.filter(unit=unit, year=year, owner=viewer).first()
    if kept is None:
        return None
    present = {s.key for s in registry() if s.present}
    report = AnnualReport(
        unit=unit,
        year=year,
        as_of=kept.as_of,
        chapters=[c for c in chapters_from_json(kept.chapters) if c.key in present],
        absent=[s for s in registry() if not s.present],
        parts=written_parts(viewer=viewer, unit=unit, year=year),
    )
    return KeptReport(report=report, computed_at=kept.computed_at)
