"""Uploaded sheets hold personal data: abandoned ones are swept after the configured age."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from shegong.core import uploads
from shegong.core.sheets import SheetError


def test_abandoned_uploads_are_swept_after_the_configured_age(
    settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SHEGONG_UPLOAD_MAX_AGE_SECONDS = 3600
    old = uploads.upload_keep(SimpleUploadedFile("a.csv", b"x"))
    uploads.side_save(old, ".check.json", {})
    for path in uploads.upload_dir().iterdir():
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    fresh = uploads.upload_keep(SimpleUploadedFile("b.csv", b"y"))  # each upload sweeps
    assert uploads.upload_path(old) is None
    assert uploads.upload_path(fresh) is not None
    for path in uploads.upload_dir().iterdir():
        os.utime(path, (time.time() - 7200, time.time() - 7200))
    call_command("sweep_uploads")
    assert list(uploads.upload_dir().iterdir()) == []


def test_an_upload_past_the_size_limit_is_not_stored(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.SHEGONG_UPLOAD_MAX_BYTES = 10
    try:
        uploads.upload_keep(SimpleUploadedFile("a.csv", b"x" * 100))
    except SheetError as exc:
        assert "超过" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("stored")
    assert list(uploads.upload_dir().iterdir()) == []


def test_only_names_this_server_gave_are_opened(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    assert uploads.upload_path("../settings.py") is None
    assert uploads.rows_load("../../x") is None
