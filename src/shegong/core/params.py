"""Numbers typed into URLs (query parameters): read strictly, so that no value a caller sends
reaches the database or a date out of range (unicode digits, a year 0 or 99999, an id with
more digits than the database holds)."""

from __future__ import annotations

YEAR_MIN, YEAR_MAX = 2000, 2100
ID_DIGITS = 18  # every id of up to 18 digits fits the database's 64-bit keys


def parse_year(raw: object) -> int | None:
    """None when blank; the year when it is ASCII digits from YEAR_MIN to YEAR_MAX; otherwise
    ValueError."""
    text = str(raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) == 4):
        raise ValueError(text)
    year = int(text)
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise ValueError(text)
    return year


def year_or(raw: object, default: int | None) -> int | None:
    """The year in `raw`, or `default` when it is blank or not a year."""
    try:
        found = parse_year(raw)
    except ValueError:
        return default
    return default if found is None else found


def parse_id(raw: object) -> int | None:
    """An id of ASCII digits that fits the database, else None."""
    text = str(raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS:
        return int(text)
    return None
