"""Uploaded sheets kept between an import's steps (they hold personal data).

An upload is stored once, bounded as it is copied; the first read keeps what it found beside it
as a compact signed file (`<name>.rows`), so the preview, the confirm and the background job
never parse the sheet again. Everything kept for an upload goes when its import ends
(`upload_discard`) or, abandoned, after SHEGONG_UPLOAD_MAX_AGE_SECONDS (`uploads_sweep`, run on
every upload and by `shegong sweep_uploads`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import re
import time
import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from shegong.core.sheets import SUFFIXES, Limits, SheetError, SheetTable

_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z]{3,4}$")
_SIDE = (".rows", ".check.json", ".options.json")


def upload_dir() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def upload_keep(upload: UploadedFile) -> str:
    """Store an uploaded sheet under a fresh name, refusing it past the size limit."""
    uploads_sweep()
    limits = Limits.from_settings()
    if upload.size is not None and upload.size > limits.max_bytes:
        raise SheetError(
            _("文件超过%(mb)s MB,请拆分后分批上传") % {"mb": f"{limits.max_bytes / 1048576:g}"}
        )
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetError(
            _("不支持的文件类型%(suffix)s,请上传 .xlsx、.xls、.ods 或 .csv 文件")
            % {"suffix": suffix or _("(无扩展名)")}
        )
    name = f"{uuid.uuid4().hex}{suffix}"
    path = upload_dir() / name
    written = 0
    with path.open("wb") as out:
        for chunk in upload.chunks():
            written += len(chunk)
            if written > limits.max_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise SheetError(
                    _("文件超过%(mb)s MB,请拆分后分批上传")
                    % {"mb": f"{limits.max_bytes / 1048576:g}"}
                )
            out.write(chunk)
    return name


def upload_path(name: str | None) -> Path | None:
    """The stored upload of that name, if it is one of ours and still there."""
    if not name or not _NAME.match(name):
        return None
    path = upload_dir() / name
    return path if path.exists() else None


def upload_discard(name: str | None) -> None:
    """Delete an upload and everything kept beside it."""
    if not name or not _NAME.match(name):
        return
    folder = upload_dir()
    (folder / name).unlink(missing_ok=True)
    for side in _SIDE:
        (folder / f"{name}{side}").unlink(missing_ok=True)


def uploads_sweep(*, max_age: int | None = None, now: float | None = None) -> int:
    """Delete uploads (and what was kept beside them) older than `max_age` seconds."""
    max_age = settings.SHEGONG_UPLOAD_MAX_AGE_SECONDS if max_age is None else max_age
    cutoff = (now or time.time()) - max_age
    removed = 0
    for path in upload_dir().iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        except FileNotFoundError:  # another process swept it first
            continue
    return removed


def _signature(payload: bytes) -> bytes:
    key = hashlib.sha256(b"shegong.uploads.rows" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, payload, hashlib.sha256).digest()


def rows_save(name: str, table: SheetTable) -> None:
    """Keep what reading found; signed, so only a file this server wrote is ever loaded."""
    payload = pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
    (upload_dir() / f"{name}.rows").write_bytes(_signature(payload) + payload)


def rows_load(name: str) -> SheetTable | None:
    if not _NAME.match(name):
        return None
    path = upload_dir() / f"{name}.rows"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    signature, payload = data[:32], data[32:]
    if not hmac.compare_digest(signature, _signature(payload)):
        return None
    # Only a file this server wrote (and signed with its key just above) is unpickled.
    table = pickle.loads(payload)
    return table if isinstance(table, SheetTable) else None


def side_save(name: str, suffix: str, data: dict[str, Any]) -> None:
    assert suffix in _SIDE
    (upload_dir() / f"{name}{suffix}").write_text(json.dumps(data, default=str), "utf-8")


def side_load(name: str, suffix: str) -> dict[str, Any] | None:
    if not _NAME.match(name) or suffix not in _SIDE:
        return None
    try:
        data = json.loads((upload_dir() / f"{name}{suffix}").read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def upload_read(name: str, aliases: Any, options: dict[str, Any] | None = None) -> SheetTable:
    """Read a stored upload once (bounded) and keep the rows beside it for the later steps;
    a file that cannot be read is deleted at once and SheetError says why."""
    from shegong.core.sheets import read_table

    path = upload_path(name)
    if path is None:
        raise SheetError(_("上传的文件已失效,请重新上传"))
    options = options or {}
    try:
        table = read_table(
            path,
            path.name,
            aliases,
            sheet=options.get("sheet") or None,
            skip_hidden=bool(options.get("skip_hidden")),
        )
    except SheetError:
        upload_discard(name)
        raise
    rows_save(name, table)
    return table
