"""Unit and worker names in the structure report files are only text: reportlab markup in a
name fetches nothing and draws as written, a formula is a string cell, and a control
character left in old data does not stop the export."""

from __future__ import annotations

import datetime
import io
import socket
import threading
from collections.abc import Iterator

import pytest
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.orgs.models import Unit
from shegong.people.tests.factories import register
from shegong.reports import documents, selectors

DOWNLOAD = reverse("reports:structure-download")
AS_OF = datetime.date(2024, 12, 31)


class Listener:
    """A real TCP port on 127.0.0.1 that counts who connects to it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


def _rename(unit: Unit, name: str) -> None:
    # Straight to the table: old data, or a name typed before today's rules.
    Unit.objects.filter(pk=unit.pk).update(name=name)


@pytest.fixture
def workers(tree: Tree, personas: Personas) -> None:
    register(tree.community_a1, personas.street_a_manager, name="张三")


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_a_unit_named_with_reportlab_markup_fetches_nothing_and_prints_as_written(
    tree: Tree, personas: Personas, workers: None, listener: Listener
) -> None:
    image = f'<img src="http://127.0.0.1:{listener.port}/x.png"/>'
    link = f'<a href="http://127.0.0.1:{listener.port}/">甲一</a>'
    _rename(tree.street_a, f"街道{image}")
    _rename(tree.community_a1, f"社区{link}")
    response = client_for(personas.street_a_manager).get(
        DOWNLOAD, {"format": "pdf", "as_of": AS_OF.isoformat()}
    )
    assert response.status_code == 200
    assert listener.connections == 0
    text = _pdf_text(response.content).replace("\n", "")
    assert image in text
    assert link in text


def test_broken_markup_in_a_name_still_gives_the_pdf(
    tree: Tree, personas: Personas, workers: None
) -> None:
    _rename(tree.street_a, "<b>unclosed & <font face='x'>街道甲")
    response = client_for(personas.street_a_manager).get(
        DOWNLOAD, {"format": "pdf", "as_of": AS_OF.isoformat()}
    )
    assert response.status_code == 200
    assert "<b>unclosed & <font face='x'>街道甲" in _pdf_text(response.content)


def test_a_formula_in_a_unit_name_is_a_string_cell_in_the_excel_report(
    tree: Tree, personas: Personas, workers: None
) -> None:
    from openpyxl import load_workbook

    formula = '=HYPERLINK("http://x","y")'
    _rename(tree.community_a1, formula)
    report = selectors.structure_report(
        viewer=personas.street_a_manager, unit=tree.street_a, as_of=AS_OF
    )
    book = load_workbook(io.BytesIO(documents.render(report, "xlsx")))
    found = [c for s in book.worksheets for row in s.iter_rows() for c in row if c.value == formula]
    assert found
    assert {c.data_type for c in found} == {"s"}


def test_a_control_character_left_in_a_name_does_not_stop_any_report_file(
    tree: Tree, personas: Personas, workers: None
) -> None:
    from docx import Document
    from openpyxl import load_workbook

    _rename(tree.street_a, "街道\x01甲\x0b")
    _rename(tree.community_a1, "甲一\x1b社区")
    client = client_for(personas.street_a_manager)
    contents = {}
    for fmt in ("docx", "xlsx", "pdf"):
        response = client.get(DOWNLOAD, {"format": fmt, "as_of": AS_OF.isoformat()})
        assert response.status_code == 200, fmt
        contents[fmt] = response.content
    doc = Document(io.BytesIO(contents["docx"]))
    assert doc.paragraphs[0].text == "街道甲社区工作者队伍结构分析"
    book = load_workbook(io.BytesIO(contents["xlsx"]))
    assert book.worksheets[0]["A1"].value == "街道甲社区工作者队伍结构分析"
    assert "街道甲社区工作者队伍结构分析" in _pdf_text(contents["pdf"])
