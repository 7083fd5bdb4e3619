"""What a household code is: its alphabet and length, how it is read back, and the keyed
hashes under which it (and a refusal of it) is stored. The code itself is never stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings

# What the throttle remembers of a refused code is core's, for every one-time code of the site.
from shegong.core.codes import failure_key as failure_key

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read off paper
CODE_LENGTH = 12  # 31**12 ≈ 2**59


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def hash_code(raw: str) -> str:
    """A keyed hash: the table of hashes is of no use without the server's secret."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, normalise_code(raw).encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(body[i : i + 4] for i in range(0, CODE_LENGTH, 4))
