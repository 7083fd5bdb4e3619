"""Pages are in Simplified Chinese unless the user picks English from the language menu."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import TYPE_CHECKING

from shegong.conftest import Personas, Tree, client_for

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse


class _NavLinks(HTMLParser):
    """The labels of the links in the main navigation bar."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: list[str] = []
        self.lang = ""
        self._nav_depth = 0
        self._in_link = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        if tag == "nav" and ("main-nav" in classes or self._nav_depth):
            self._nav_depth += 1
        if tag == "a" and self._nav_depth:
            self._in_link = True
            self.labels.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._nav_depth:
            self._nav_depth -= 1
        if tag == "a":
            self._in_link = False

    def handle_data(self, data: str) -> None:
        if self._in_link:
            self.labels[-1] += data.strip()


def _page(response: TestResponse) -> _NavLinks:
    assert response.status_code == 200
    parser = _NavLinks()
    parser.feed(response.content.decode())
    return parser


def test_pages_are_chinese_until_the_user_chooses(personas: Personas) -> None:
    client = client_for(personas.street_a_manager)

    page = _page(client.get("/", secure=True))

    assert page.lang == "zh-hans"
    assert page.labels[:2] == ["首页", "组织架构"]


def test_choosing_english_translates_the_navigation(personas: Personas, tree: Tree) -> None:
    client = client_for(personas.street_a_manager)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
    assert response.status_code == 302
    assert response["Location"] == "/"

    page = _page(client.get("/", secure=True))
    assert page.lang == "en"
    assert page.labels[:2] == ["Home", "Organization"]
    assert "组织架构" not in page.labels

    # The choice holds on the next page too, including the figures' headings.
    unit_page = client.get(f"/units/{tree.street_a.code}/", secure=True)
    assert _page(unit_page).labels[:2] == ["Home", "Organization"]
    assert "<dt>Households</dt>" in unit_page.content.decode()

    # And switching back gives Chinese again.
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"}, secure=True)
    assert _page(client.get("/", secure=True)).labels[:2] == ["首页", "组织架构"]


def test_an_english_browser_still_gets_chinese_until_the_user_chooses(
    personas: Personas,
) -> None:
    client = client_for(personas.street_a_manager)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page
    assert "组织架构" in page
