"""The shape every import's plan shares: what a whole-file check found and what applying it
would do. An area's plan (workers, units, sign-ins, exam results) extends it with what it
needs to write; the pages, the marked error sheet and the background jobs only use this."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shegong.core.errors import RowError

# How many rows to be created and updated the preview lists.
PREVIEW_ROWS = 20


@dataclass
class PreviewRow:
    """One row the import would write: its row number, who or what it is, for an update the
    columns that change, and what changes in words ("学历:高中及以下 → 本科"; for a new row
    what it holds). The area decides what a detail shows: a value the viewer may not see is
    never in it (it is left out, or masked)."""

    row: int
    label: str
    changes: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


def change_text(label: str, before: object, after: object) -> str:
    """One change of an update as the preview says it: 学历:高中及以下 → 本科."""
    empty = "—"
    return f"{label}:{before or empty} → {after or empty}"


@dataclass(kw_only=True)
class ImportPlan:
    """What an import would do; `errors` empty means it may be applied."""

    errors: list[RowError] = field(default_factory=list)
    # Said once about the whole file, above the preview (e.g. personal data not compared).
    notices: list[str] = field(default_factory=list)
    # What reading the sheet noticed (the sheet read, hidden rows, trailing totals).
    notes: list[str] = field(default_factory=list)
    rows: int = 0
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    # The first PREVIEW_ROWS rows to be created, and to be updated with what changes.
    preview_creates: list[PreviewRow] = field(default_factory=list)
    preview_updates: list[PreviewRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def preview_create(self, row: int, label: str, details: Iterable[str] = ()) -> None:
        if len(self.preview_creates) < PREVIEW_ROWS:
            self.preview_creates.append(PreviewRow(row, label, details=list(details)))

    def preview_update(
        self, row: int, label: str, changes: Iterable[str], details: Iterable[str] = ()
    ) -> None:
        if len(self.preview_updates) < PREVIEW_ROWS:
            self.preview_updates.append(PreviewRow(row, label, list(changes), list(details)))

    def figures(self) -> dict[str, int]:
        """The area's own counts for its preview (e.g. sign-ins to add); kept with the check."""
        return {}


def chunked(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
