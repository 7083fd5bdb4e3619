"""The structure report page against its files (issue 14 item 12): the fields show the
defaults the report uses, the bands are a list, the page carries the files' chapters (the
training one too), the standards table marks only the communities furthest from the standard
and its shortfalls add up from communities to streets to the total."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.orgs.models import CommunityProfile, Unit
from shegong.people.tests.factories import make_id, register
from shegong.reports import rules, selectors
from shegong.training.tests.factories import START, attend, enrol, make_course

pytestmark = pytest.mark.django_db

URL = reverse("reports:structure")
DOWNLOAD = reverse("reports:structure-download")
AS_OF = "2026-11-29"


class _Tables(HTMLParser):
    """The text of every table's cells by the table's id, and the page's h2 headings."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.headings: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._h2: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in {"td", "th"} and self._table is not None:
            self._cell = []
        elif tag == "h2":
            self._h2 = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag in {"td", "th"} and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "h2" and self._h2 is not None:
            self.headings.append("".join(self._h2).strip())
            self._h2 = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._h2):
            if part is not None:
                part.append(data)


def _page(body: str) -> _Tables:
    parsed = _Tables()
    parsed.feed(body)
    return parsed


def _value(cell: object) -> object:
    """A cell as a number where it is one (1,234 on the page, 1234 in the files), else text."""
    text = "" if cell is None else str(cell).replace(",", "")
    try:
        return Decimal(text)
    except ArithmeticError:
        return text


def _values(rows: list[list[str]] | list[list[object]]) -> list[list[object]]:
    return [[_value(c) for c in row] for row in rows]


def _residents(unit: Unit, residents: int) -> None:
    CommunityProfile.objects.filter(unit=unit).update(residents=residents)


@pytest.fixture
def district(tree: Tree, personas: Personas) -> Tree:
    """甲一 20,000 residents and 1 worker (35 short), 甲二 1,000 and 5 (3 over), 乙一 5,000
    and none (9 short): the shortfall of 街道甲's total (38 - 6 = 32) is not the sum of its
    communities' (35), which is what the table shows."""
    _residents(tree.community_a1, 20000)
    _residents(tree.community_a2, 1000)
    _residents(tree.community_b1, 5000)
    manager = personas.street_a_manager
    trained = register(tree.community_a1, manager, name="参训者")
    for serial in range(5):
        register(
            tree.community_a2, manager, id_number=make_id(datetime.date(1985, 5, 5), serial=serial)
        )
    course = make_course(tree.street_a, manager)
    enrolments = enrol(course, [trained], manager)
    attend(course, START, enrolments, manager)
    return tree


def test_the_shortfalls_add_up_from_communities_to_streets_to_the_total(
    district: Tree, personas: Personas
) -> None:
    st = selectors.standards(
        viewer=personas.district_admin,
        unit=district.district,
        as_of=datetime.date(2026, 11, 29),
    )
    needed = {s.name: s.needed for s in [*st.streets, *st.communities]}
    assert needed == {"街道甲": 35, "街道乙": 9, "甲一社区": 35, "甲二社区": 0, "乙一社区": 9}
    assert st.overall.needed == 44 == needed["街道甲"] + needed["街道乙"]


def test_only_the_communities_furthest_from_the_standard_are_marked(
    district: Tree, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rules, "ATTENTION_COUNT", 1)
    st = selectors.standards(
        viewer=personas.district_admin,
        unit=district.district,
        as_of=datetime.date(2026, 11, 29),
    )
    assert [s.name for s in st.communities_below_standard] == ["甲一社区", "乙一社区"]
    assert [s.name for s in st.needing_attention] == ["甲一社区"]
    assert not any(s.attention for s in [st.overall, *st.streets])


def test_needing_attention_takes_the_largest_shortfalls_then_the_lowest_ratio() -> None:
    shortfalls = [(3, Decimal("9.0")), (0, None), (7, Decimal("2.0")), (3, Decimal("4.0"))]
    assert rules.needing_attention(shortfalls, 2) == {2, 3}
    assert rules.needing_attention(shortfalls, 9) == {0, 2, 3}
    assert rules.needing_attention([(0, Decimal(20))], 5) == set()


def test_the_fields_show_the_defaults_the_report_uses(district: Tree, personas: Personas) -> None:
    body = client_for(personas.street_a_manager).get(URL).content.decode()
    for bound in (30, 35, 45, 54):
        assert f'name="age_bands" value="{bound}"' in body
    for bound in (4, 10):
        assert f'name="tenure_bands" value="{bound}"' in body
    assert 'name="standard" value="18"' in body
    assert f'name="as_of" value="{datetime.date.today().isoformat()}"' in body


def test_the_bands_are_edited_as_a_list(district: Tree, personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    response = client.get(URL, {"as_of": AS_OF, "age_bands": ["40", "", "30", "50"]})
    assert "从小到大" in response.content.decode()  # 40 before 30, the blank dropped
    response = client.get(URL, {"as_of": AS_OF, "age_bands": ["35", "", "50"]})
    body = response.content.decode()
    assert "35岁及以下" in body and "36至50岁" in body and "51岁及以上" in body
    assert 'name="age_bands" value="35"' in body and 'name="age_bands" value="50"' in body
    # A link's one comma-separated value reads the same.
    same = client.get(URL, {"as_of": AS_OF, "age_bands": "35,50"}).content.decode()
    assert "36至50岁" in same


def test_the_page_and_the_files_carry_the_same_chapters_and_standards(
    district: Tree, personas: Personas
) -> None:
    from docx import Document
    from openpyxl import load_workbook

    client = client_for(personas.district_admin)
    query = {"unit": district.district.code, "as_of": AS_OF}
    page = _page(client.get(URL, query).content.decode())
    docx = Document(io.BytesIO(client.get(DOWNLOAD, {**query, "format": "docx"}).content))
    chapters = [p.text for p in docx.paragraphs if p.style and p.style.name == "Heading 1"]
    assert chapters == [
        "一、基本情况",
        "二、结构分析",
        "三、配备标准与目标",
        "四、教育培训(2026-01-01至2026-11-29)",
    ]
    assert [h for h in page.headings if h in chapters] == chapters

    shown = page.tables["standards-table"]
    workbook = load_workbook(io.BytesIO(client.get(DOWNLOAD, {**query, "format": "xlsx"}).content))
    sheet = [list(row) for row in workbook["配备标准"].iter_rows(min_row=2, values_only=True)]
    assert _values(shown) == _values(sheet)
    word = [[c.text for c in row.cells] for row in docx.tables[-2].rows]
    assert _values(shown) == _values(word)
    total = shown[-1]
    assert total[0] == "合计" and total[4] == "44"
    assert int(total[4]) == sum(int(r[4]) for r in shown[1:] if r[0].startswith("街道"))

    training = {row[0]: row[1] for row in page.tables["training-table"][1:]}
    in_word = {row.cells[0].text: row.cells[1].text for row in docx.tables[-1].rows[1:]}
    assert training == in_word and training["培训人次"] == "1"
    assert "教育培训" in workbook.sheetnames
