"""`{% pager page %}`: numbered pages, a jump to any page and, for lists paginated with
core/lists.py `page_of`, the page size."""

from __future__ import annotations

from typing import Any

from django import template

from shegong.core import lists

register = template.Library()


@register.inclusion_tag("pager.html", takes_context=True)
def pager(context: dict[str, Any], page: Any) -> dict[str, Any]:
    if page is None or not hasattr(page, "paginator"):  # nothing listed (e.g. no unit chosen)
        return {"links": [], "sizes": ()}
    params = context["request"].GET
    sizes = getattr(page.paginator, "sizes", ())
    return {
        "page": page,
        "links": lists.page_links(params, page) if page.has_other_pages() else [],
        "kept": lists.kept_fields(params, "page", "size" if sizes else ""),
        "sizes": sizes,
        "size": page.paginator.per_page,
    }
