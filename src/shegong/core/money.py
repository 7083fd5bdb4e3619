"""Money, the one way: amounts are Decimal yuan rounded to the fen (half up, as payslips are
printed), shown as 1,234,567.89 on every page and written to every workbook as a number with
the format XLSX_FORMAT. A float never carries money."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")
XLSX_FORMAT = "#,##0.00"  # what an .xlsx cell holding money shows: 1,234,567.89


def fen(value: Decimal | int | str) -> Decimal:
    """Round to the fen, half up. A database sum over decimal columns (SQLite adds them as
    floats: 70539316.620000003) comes back to the fen through here."""
    if isinstance(value, float):  # pragma: no cover - a programming error, not user input
        raise TypeError("money is never a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def money_text(value: Any) -> str:
    """1,234,567.89 for an amount; "—" for none; anything else (a masked "***", a figure
    withheld for a small group) as it is."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        try:
            value = Decimal(str(value))
        except InvalidOperation:
            return str(value)
    return f"{fen(value):,.2f}"
