"""Errors that services raise for people to read (Chinese messages, nothing written)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ServiceError(Exception):
    """A change refused with a message for the user; the transaction is rolled back."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class RowError:
    """One problem in one cell of an imported sheet."""

    row: int
    column: str
    value: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": "" if self.value is None else str(self.value),
            "reason": self.reason,
        }
