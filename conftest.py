"""Loaded before Django's settings: the test servers speak plain http, so no https redirect
(production turns it on when DEBUG is off)."""

import os

os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
# A fresh checkout has no data folder yet; the test run may create it like `shegong migrate`.
os.environ.setdefault("SHEGONG_INITIALISING", "1")
