"""Input fields shared by the API's serializers: bounds that keep any value a caller sends
inside what the database and the dates can hold (a 400 with a Chinese message, never a 500)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from shegong.core.params import ID_DIGITS, YEAR_MAX, YEAR_MIN, parse_year

ID_MAX = 2**63 - 1  # the largest primary key the database stores
# Primary keys in URLs: digits only, and few enough to fit the database (others answer 404).
ID_PATTERN = f"[0-9]{{1,{ID_DIGITS}}}"
YEAR_PARAMETER_SCHEMA = {"type": "integer", "minimum": YEAR_MIN, "maximum": YEAR_MAX}


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def year_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, **kwargs)


def query_year(request: Any, name: str = "year") -> int | None:
    """The `year` query parameter: None when absent, else a year from 2000 to 2100."""
    try:
        return parse_year(request.query_params.get(name, ""))
    except ValueError:
        raise serializers.ValidationError(
            {name: [f"年度应为{YEAR_MIN}至{YEAR_MAX}之间的整数"]}
        ) from None
