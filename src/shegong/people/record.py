"""A worker's whole record, section by section, from every area that keeps part of it.

people cannot import pay, training or appraisal (they stand above it), so each of them
registers its section here from its AppConfig.ready(): a read taking the viewer and a worker
already scoped by people.selectors.worker_get, and answering a table of text already masked
for that viewer (an amount the viewer may not see is "***"), or None when it has nothing to
show. The worker page renders the sections in order and the API serves the same ones, so
the record reads alike in both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shegong.core.models import User
    from shegong.people.models import Worker

MASKED = "***"


@dataclass(frozen=True)
class RecordRow:
    cells: tuple[str, ...]
    url: str = ""  # where the row's record is shown (empty when the viewer cannot open it)


@dataclass(frozen=True)
class RecordSection:
    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[RecordRow] = field(default_factory=list)
    url: str = ""  # the area's own page for this worker
    link_label: str = ""
    empty: str = "—"
    note: str = ""


SectionRead = Callable[["User", "Worker"], "RecordSection | None"]


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    read: SectionRead


_SECTIONS: dict[str, _Registered] = {}


def register_section(key: str, order: int, read: SectionRead) -> None:
    """Add (or, registered again under the same key, replace) a section of the record."""
    _SECTIONS[key] = _Registered(key=key, order=order, read=read)


def section_keys() -> list[str]:
    return [s.key for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))]


def worker_record(*, viewer: User, worker: Worker) -> list[RecordSection]:
    """Every registered section of `worker`'s record, as `viewer` may see it, in order.
    `worker` must come from people.selectors.worker_get (already scoped)."""
    sections: list[RecordSection] = []
    for registered in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        section = registered.read(viewer, worker)
        if section is not None:
            sections.append(section)
    return sections
