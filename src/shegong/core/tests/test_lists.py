"""The shared list helper: headers that sort both ways over a whitelist, pages that can be
jumped to and sized (issue 14 item 10)."""

from __future__ import annotations

from django.http import QueryDict

from shegong.core import lists

SORTS = {"name": ["name", "id"], "score": ["-score", "id"]}
COLUMNS = [
    lists.Column("姓名", "name"),
    lists.Column("得分", "score", numeric=True, descending_first=True),
    lists.Column("说明"),
]


def test_a_header_sorts_and_the_sorted_one_reverses() -> None:
    params = QueryDict("q=张&sort=name&page=3")
    name, score, note = lists.headers(params, COLUMNS, "name")
    assert name.direction == "asc" and name.aria_sort == "ascending"
    assert QueryDict(name.url[1:]).dict() == {"q": "张", "sort": "-name"}  # back to page 1
    assert score.direction == "" and QueryDict(score.url[1:])["sort"] == "-score"
    assert note.url == "" and note.aria_sort == "none"


def test_only_whitelisted_sorts_are_taken() -> None:
    allowed = lists.sort_keys(SORTS)
    assert lists.chosen_sort({"sort": "-score"}, allowed, "name") == "-score"
    assert lists.chosen_sort({"sort": "password"}, allowed, "name") == "name"
    assert lists.ordering(SORTS, "-name", "name") == ["-name", "-id"]
    assert lists.ordering(SORTS, "-score", "name") == ["score", "-id"]
    assert lists.ordering(SORTS, "id_number", "name") == ["name", "id"]


def test_pages_are_sized_and_jumped_to() -> None:
    page = lists.page_of(QueryDict("size=20&page=4"), list(range(205)))
    assert (page.paginator.per_page, page.number, page[0]) == (20, 4, 60)
    assert lists.page_of(QueryDict("size=7"), list(range(100))).paginator.per_page == 30
    assert lists.page_of(QueryDict("page=99"), list(range(100))).number == 4
    links = lists.page_links(
        QueryDict("q=x&page=6"), lists.page_of(QueryDict("page=6"), list(range(300)))
    )
    assert [link.number for link in links] == [1, None, 4, 5, 6, 7, 8, None, 10]
    assert QueryDict(links[-1].url[1:]).dict() == {"q": "x", "page": "10"}
    assert lists.kept_fields(QueryDict("q=x&unit=1&unit=2&page=3"), "page") == [
        ("q", "x"),
        ("unit", "1"),
        ("unit", "2"),
    ]
