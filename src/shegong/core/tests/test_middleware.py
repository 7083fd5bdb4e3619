"""Headers believed only from trusted proxies; a write that meets a held lock answers 503."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from shegong.conftest import Personas, Tree, client_for
from shegong.core.tests.concurrency import own_database_file

PROXY_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


@override_settings(
    SECURE_SSL_REDIRECT=True, TRUSTED_PROXIES=["10.0.0.0/8"], SECURE_PROXY_SSL_HEADER=PROXY_HEADER
)
def test_a_client_talking_directly_cannot_claim_https(db: None) -> None:
    response = Client().get("/login/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


@override_settings(
    SECURE_SSL_REDIRECT=True, TRUSTED_PROXIES=["10.0.0.0/8"], SECURE_PROXY_SSL_HEADER=PROXY_HEADER
)
def test_the_trusted_proxy_vouches_for_https(db: None) -> None:
    response = Client().get("/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200


def test_a_write_that_meets_a_held_write_lock_answers_a_chinese_503(
    transactional_db: None, tmp_path: Path, tree: Tree, personas: Personas
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one write lock")
    with own_database_file(tmp_path, busy_timeout=0.2) as database:
        assert database is not None
        client = client_for(personas.district_admin)
        holder = sqlite3.connect(database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # a long import's write transaction
        try:
            response = client.post(
                reverse("orgs:profile-edit", args=[tree.community_a1.code]),
                {
                    "households": 1300,
                    "residents": 3200,
                    "area_type": "urban",
                    "office_area": "120",
                    "activity_area": "300",
                    "premises": "owned",
                },
            )
        finally:
            holder.rollback()
            holder.close()
    assert response.status_code == 503
    body = response.content.decode()
    assert "系统正忙,请稍后再试" in body
    assert "没有写入任何数据" in body
