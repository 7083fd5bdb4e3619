"""Pay figures of groups too small to show (settings.SHEGONG_MIN_GROUP_SIZE): withheld, with
complementary suppression so a hidden group is not recovered by subtraction; sums rounded to
the fen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext_lazy

from shegong.core import money
from shegong.pay import rules

if TYPE_CHECKING:
    pass


CALIBERS = (("total_cost", "总成本"), ("gross", "应发"), ("net", "实发"))


# What a withheld figure shows instead (see _withhold).
WITHHELD = gettext_lazy("人数过少,不予显示")  # used as str(WITHHELD): files take no lazy text


def _fen_sums(row: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """A row of Sum()s over money columns, each to the fen: SQLite adds decimal columns as
    floats (70539316.620000003), PostgreSQL keeps their scale; both come back the same."""
    for key in keys:
        row[key] = money.fen(row[key] if row[key] is not None else rules.ZERO)
    return row


def min_group_size() -> int:
    return int(settings.SHEGONG_MIN_GROUP_SIZE)


def _withhold(rows: list[dict[str, Any]], size: str, values: Iterable[str]) -> bool:
    """Pay figures per group are personal data for a viewer without the personal-data right:
    replace `values` of the rows that rules.withheld picks (groups under the minimum size
    and what would give them away) with WITHHELD, mark them `withheld`; return whether the
    total over the rows must be withheld too."""
    hidden, total_hidden = rules.withheld([r[size] for r in rows], min_group_size())
    keys = list(values)
    for i, row in enumerate(rows):
        row["withheld"] = i in hidden
        if i in hidden:
            row.update(dict.fromkeys(keys, str(WITHHELD)))
    return total_hidden
