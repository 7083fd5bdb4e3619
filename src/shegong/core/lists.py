"""The site's long lists, said once: column headers that sort (both ways, over a whitelist of
keys, so a URL cannot order by a field the list does not offer), pages that can be jumped to,
and a page size the user picks.

Views call `page_of` and `headers`; selectors order with `ordering` over their own
whitelist; templates show the headers and `{% pager page %}` (core/templatetags/lists.py)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import QueryDict

# The sizes a user may pick; anything else in the URL falls back to the list's own.
PAGE_SIZES = (20, 30, 50, 100)
# How many page numbers either side of the current one the pager links.
NEAR = 2


@dataclass(frozen=True)
class Column:
    """A column of a list: its heading and, when it sorts, its sort key (the URL's `sort`
    is the key for one direction and -key for the other)."""

    label: str
    key: str = ""
    numeric: bool = False
    # The first click sorts with -key (e.g. the newest or highest first).
    descending_first: bool = False


@dataclass(frozen=True)
class Header:
    label: str
    numeric: bool
    url: str = ""  # "" for a column that does not sort
    direction: str = ""  # "asc" (sorted by key), "desc" (by -key) or ""

    @property
    def aria_sort(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.direction, "none")

    @property
    def arrow(self) -> str:
        return {"asc": "▲", "desc": "▼"}.get(self.direction, "")


def chosen_sort(params: Mapping[str, Any], allowed: Collection[str], default: str) -> str:
    """The `sort` asked for if the list offers it, else the default."""
    value = str(params.get("sort") or "")
    return value if value in allowed else default


def ordering(sorts: Mapping[str, Sequence[str]], sort: str, default: str) -> list[str]:
    """The order_by fields of `sort` from a whitelist of ascending orders: "key" is the
    listed order, "-key" every field of it reversed (the tie-breakers too, so a page boundary
    never repeats or loses a row); an unknown sort gives the default."""
    key, descending = sort.removeprefix("-"), sort.startswith("-")
    if key not in sorts:
        key, descending = default.removeprefix("-"), default.startswith("-")
    fields = list(sorts[key])
    if not descending:
        return fields
    return [f.removeprefix("-") if f.startswith("-") else f"-{f}" for f in fields]


def sort_keys(sorts: Iterable[str]) -> set[str]:
    """Every sort value a whitelist of keys allows: each key and its reverse."""
    return {value for key in sorts for value in (key, f"-{key}")}


def _query(params: QueryDict, **changes: Any) -> str:
    """The query with `changes`; a change of anything but the page goes to the first page."""
    query = params.copy()
    if "page" not in changes:
        query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = str(value)
    return "?" + query.urlencode()


def headers(params: QueryDict, columns: Sequence[Column], current: str) -> list[Header]:
    """The list's column headers, each sorting column linking to its sort (clicking the
    sorted one reverses it); the other filters stay, the page goes back to the first."""
    out = []
    for column in columns:
        if not column.key:
            out.append(Header(column.label, column.numeric))
            continue
        direction = {column.key: "asc", f"-{column.key}": "desc"}.get(current, "")
        if direction == "asc":
            target = f"-{column.key}"
        elif direction == "desc":
            target = column.key
        else:
            target = f"-{column.key}" if column.descending_first else column.key
        out.append(Header(column.label, column.numeric, _query(params, sort=target), direction))
    return out


def page_size(params: Mapping[str, Any], default: int) -> int:
    text = str(params.get("size") or "")
    return int(text) if text.isdigit() and int(text) in PAGE_SIZES else default


def page_of(params: Mapping[str, Any], items: Any, *, default_size: int = 30) -> Page[Any]:
    """The page asked for (`page`, a number out of range gives the nearest page) of the
    size asked for (`size`, one of PAGE_SIZES); the pager then offers the sizes too."""
    paginator = Paginator(items, page_size(params, default_size))
    paginator.sizes = PAGE_SIZES  # type: ignore[attr-defined]
    return paginator.get_page(params.get("page"))


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None for a gap (…)
    url: str = ""
    current: bool = False


def page_links(params: QueryDict, page: Page[Any]) -> list[PageLink]:
    """First, last and the pages near the current one, with gaps between."""
    last = page.paginator.num_pages
    numbers = sorted(
        {1, last, *range(max(1, page.number - NEAR), min(last, page.number + NEAR) + 1)}
    )
    links: list[PageLink] = []
    for number in numbers:
        if links and links[-1].number is not None and number - links[-1].number > 1:
            links.append(PageLink(None))
        links.append(PageLink(number, _query(params, page=number), number == page.number))
    return links


def kept_fields(params: QueryDict, *dropped: str) -> list[tuple[str, str]]:
    """The query's other fields, for the hidden inputs of the jump form."""
    return [(k, v) for k, values in params.lists() if k not in dropped for v in values]


__all__ = [
    "PAGE_SIZES",
    "Column",
    "Header",
    "chosen_sort",
    "headers",
    "kept_fields",
    "ordering",
    "page_links",
    "page_of",
    "sort_keys",
]
