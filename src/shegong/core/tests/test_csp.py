"""The Content-Security-Policy: every page forbids inline scripts, and no template carries one
(every script is a static file; behaviour is wired by data-attributes in static/shegong/app.js)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from shegong.conftest import Personas, client_for

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def _script_src(response: HttpResponseBase) -> str:
    for part in response["Content-Security-Policy"].split(";"):
        name, _space, values = part.strip().partition(" ")
        if name == "script-src":
            return values
    raise AssertionError("no script-src")


@pytest.mark.parametrize(
    "name", ["dashboard", "people:list", "pay:runs", "training:list", "api-docs", "api-schema"]
)
def test_every_page_forbids_inline_scripts(personas: Personas, name: str) -> None:
    response = client_for(personas.street_a_manager).get(reverse(name))
    assert response.status_code == 200
    script_src = _script_src(response)
    assert script_src == "'self'"
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("name", ["login", "appraisal:vote"])
def test_pages_for_logged_out_people_forbid_inline_scripts_too(db: None, name: str) -> None:
    assert _script_src(Client().get(reverse(name))) == "'self'"


def test_the_api_docs_load_their_script_from_the_app_not_inline(personas: Personas) -> None:
    client = client_for(personas.street_a_manager)
    page = client.get(reverse("api-docs")).content.decode()
    assert not INLINE_SCRIPT.search(page)
    script = client.get(reverse("api-docs"), {"script": ""})
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if INLINE_SCRIPT.search(text) or HANDLER.search(text) or "javascript:" in text:
            offenders.append(str(path.relative_to(TEMPLATES)))
    assert offenders == []
