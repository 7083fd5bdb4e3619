"""The chapters of the annual report: what a chapter holds, and the registry of chapters.

A chapter is built by one function `(ctx) -> Chapter` from the same selectors the area's own
report uses, so the figures agree. The registry lists every chapter in the document's order;
a chapter whose area is not installed is listed as absent. Adding one is one builder and
one line here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps

from shegong.reports.rules import Breakdown

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.orgs.models import Unit


WIDE_CHARS = 80
WIDE_COLUMNS = 6


def text_width(text: str) -> int:
    """Half-width characters of `text` (a CJK character counts two)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


@dataclass
class Table:
    """A table of the document: `wide` tables go on a landscape page."""

    title: str
    header: list[str]
    rows: list[list[str]]

    @property
    def wide(self) -> bool:
        """Too wide for a portrait page's 156 mm at 10.5 pt: more than six columns, or about
        80 half-width characters with each column as wide as its longest cell (a CJK
        character counts two)."""
        if len(self.header) > WIDE_COLUMNS:
            return True
        columns = zip(self.header, *self.rows, strict=True)
        return sum(max(text_width(cell) for cell in column) + 2 for column in columns) > WIDE_CHARS


@dataclass
class Section:
    """(一)(二)…: a heading, paragraphs, then tables and bar charts of breakdowns."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Breakdown] = field(default_factory=list)


@dataclass
class Chapter:
    key: str
    title: str
    sections: list[Section] = field(default_factory=list)
    # Plain JSON values (counts as ints, shares and money as strings), for --format json
    # and the tests that compare a chapter with its area's report.
    figures: dict[str, Any] = field(default_factory=dict)
    # Starting points for the written parts: facts from the data, no prose.
    findings: list[str] = field(default_factory=list)


@dataclass
class Context:
    """What every chapter builder gets: who reads, which unit, the year and its day."""

    viewer: User
    unit: Unit
    year: int
    as_of: datetime.date

    @property
    def last_year_day(self) -> datetime.date:
        from shegong.reports.rules import years_before

        return years_before(self.as_of, 1)

    @property
    def year_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)


Builder = Callable[[Context], Chapter]


@dataclass(frozen=True)
class ChapterSpec:
    key: str
    title: str
    app: str  # the app label of the area the chapter draws on
    builder: Builder | None

    @property
    def present(self) -> bool:
        return self.builder is not None and apps.is_installed(f"shegong.{self.app}")


def registry() -> list[ChapterSpec]:
    """Every chapter in the document's order (imported here so each area stays optional)."""
    from django.utils.translation import gettext as _

    from shegong.annual.chapters import appraisal, basic, burden, pay, resources, training

    return [
        ChapterSpec("basic", _("基本情况"), "reports", basic.build),
        ChapterSpec("pay", _("待遇保障"), "pay", pay.build),
        ChapterSpec("training", _("教育培训"), "training", training.build),
        ChapterSpec("appraisal", _("考核评议"), "appraisal", appraisal.build),
        ChapterSpec("burden", _("减负增效"), "burden", burden.build),
        ChapterSpec("resources", _("社区资源"), "resources", resources.build),
    ]


# ---------------------------------------------------------------- kept as JSON


def chapters_json(chapters: list[Chapter]) -> list[dict[str, Any]]:
    """The chapters as plain JSON (shares as strings), to be kept and shown later."""
    return [
        {
            "key": c.key,
            "title": c.title,
            "figures": c.figures,
            "findings": c.findings,
            "sections": [
                {
                    "title": s.title,
                    "paragraphs": s.paragraphs,
                    "tables": [[t.title, t.header, t.rows] for t in s.tables],
                    "charts": [
                        [
                            b.key,
                            b.title,
                            b.partition,
                            [[r.label, r.count, str(r.share)] for r in b.rows],
                        ]
                        for b in s.charts
                    ],
                }
                for s in c.sections
            ],
        }
        for c in chapters
    ]


def chapters_from_json(data: list[dict[str, Any]]) -> list[Chapter]:
    """The chapters chapters_json wrote, as they were."""
    from decimal import Decimal

    from shegong.reports.rules import Row

    return [
        Chapter(
            key=c["key"],
            title=c["title"],
            figures=c["figures"],
            findings=c["findings"],
            sections=[
                Section(
                    title=s["title"],
                    paragraphs=s["paragraphs"],
                    tables=[Table(title, header, rows) for title, header, rows in s["tables"]],
                    charts=[
                        Breakdown(key, title, [Row(lb, n, Decimal(sh)) for lb, n, sh in rows], part)
                        for key, title, part, rows in s["charts"]
                    ],
                )
                for s in c["sections"]
            ],
        )
        for c in data
    ]
