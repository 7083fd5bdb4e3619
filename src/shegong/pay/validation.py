"""What a pay setting may hold: the one set of rules the web forms, the API and the
configuration file (`pay/config.py`) all go through (the services call them before they
write, the file loader calls them to list every error by its place in the file).

Pure: no ORM, no request. Each check answers a list of (field, Chinese reason); empty means
the values are right."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from shegong.core.text import control_character_error
from shegong.pay.models import (
    CERTIFICATE_START_MAX,
    INSURANCE_KINDS,
    PERSONAL_KINDS,
    AwardsPaid,
)

Faults = list[tuple[str, str]]

POLICY_MONEY = (
    "seniority_per_year",
    "certificate_assistant",
    "certificate_social_worker",
    "certificate_senior",
    "dual_role_allowance",
    "other_allowance",
)
POLICY_FACTORS = (
    "factor_excellent",
    "factor_good",
    "factor_pass",
    "factor_fail",
    "factor_missing",
)
POLICY_RATES = ("performance_share", *POLICY_FACTORS)
RATE_FIELDS = (
    *(f"{k}_employer" for k in INSURANCE_KINDS),
    *(f"{k}_personal" for k in PERSONAL_KINDS),
)
# A contribution rate is a fraction of the base: 0.08 is 8%; no insurance takes it all.
RATE_LIMIT = Decimal("1")
MONEY_LIMIT = Decimal("1000000000")  # 14 digits, 2 places
YEARS = (2000, 2100)


def _number(value: Any) -> Decimal | None:
    return value if isinstance(value, Decimal) and value.is_finite() else None


def _not_negative(values: Mapping[str, Any], names: Iterable[str], limit: Decimal) -> Faults:
    faults: Faults = []
    for name in names:
        if name not in values:
            continue
        value = _number(values[name])
        if value is None:
            faults.append((name, _("应为数字")))
        elif value < 0:
            faults.append((name, _("不能为负数")))
        elif value >= limit:
            faults.append((name, _("应小于 %(limit)s") % {"limit": limit}))
    return faults


def first_of_month_fault(day: datetime.date, name: str = "effective_from") -> Faults:
    """A version starts on the first of a month (a month's pay is computed as of its first
    day, so a version from the 15th would be one nobody could tell apart)."""
    if day.day != 1:
        return [(name, _("生效日期应为某月1日(%(day)s)") % {"day": day.isoformat()})]
    if not YEARS[0] <= day.year <= YEARS[1]:
        return [(name, _("年份应在 %(low)s–%(high)s 之间") % {"low": YEARS[0], "high": YEARS[1]})]
    return []


def policy_faults(values: Mapping[str, Any]) -> Faults:
    faults = _not_negative(values, POLICY_MONEY, MONEY_LIMIT)
    faults += _not_negative(values, POLICY_FACTORS, Decimal("10"))
    faults += _not_negative(values, ["performance_share"], RATE_LIMIT)
    cap = values.get("seniority_cap_years")
    if "seniority_cap_years" in values and (
        not isinstance(cap, int) or isinstance(cap, bool) or not 0 <= cap <= 60
    ):
        faults.append(("seniority_cap_years", _("应为 0–60 的整数")))
    start = values.get("certificate_start_months")
    if "certificate_start_months" in values and (
        not isinstance(start, int)
        or isinstance(start, bool)
        or not 0 <= start <= CERTIFICATE_START_MAX
    ):
        faults.append(
            (
                "certificate_start_months",
                _("应为 0–%(high)s 的整数(0 表示取得当月起发)") % {"high": CERTIFICATE_START_MAX},
            )
        )
    if "awards_paid" in values and values["awards_paid"] not in AwardsPaid.values:
        faults.append(("awards_paid", _("请选择一次性奖励的发放方式")))
    return faults


def rates_faults(values: Mapping[str, Any]) -> Faults:
    faults = _not_negative(values, RATE_FIELDS, RATE_LIMIT)
    faults += _not_negative(values, ["base_floor_share", "base_ceiling_share"], Decimal("10"))
    floor, ceiling = (
        _number(values.get("base_floor_share")),
        _number(values.get("base_ceiling_share")),
    )
    if floor is not None and ceiling is not None and floor > ceiling:
        faults.append(("base_floor_share", _("下限不能高于上限")))
    unknown = sorted(set(values) - set(RATE_FIELDS) - {"base_floor_share", "base_ceiling_share"})
    faults += [(name, _("未知的费率项")) for name in unknown]
    return faults


def wage_faults(amount: Any, benchmark_share: Any) -> Faults:
    faults: Faults = []
    value = _number(amount)
    if value is None:
        faults.append(("amount", _("应为数字")))
    elif not 0 < value < MONEY_LIMIT:
        faults.append(("amount", _("平均工资须大于零")))
    share = _number(benchmark_share)
    if share is None:
        faults.append(("benchmark_share", _("应为数字")))
    elif not 0 < share <= 10:
        faults.append(("benchmark_share", _("待遇标准须大于零")))
    return faults


def name_faults(name: str, value: Any, label: str, *, required: bool = True) -> Faults:
    if required and not str(value or "").strip():
        return [(name, _("%(field)s不能为空") % {"field": label})]
    message = control_character_error(value, label=label)
    return [(name, message)] if message else []


def cells_faults(
    cells: Sequence[tuple[int, int, Decimal | None, Decimal | None]],
    entry: tuple[int, int],
    where: str = "cells",
) -> Faults:
    """A track's cells (level, step, amount, coefficient): each holds an amount or a
    coefficient, not negative, each place once, and the entry cell among them."""
    faults: Faults = []
    seen: set[tuple[int, int]] = set()
    for level, step, amount, coefficient in cells:
        place = _("%(level)s级%(step)s档") % {"level": level, "step": step}
        if (amount is None) == (coefficient is None):
            faults.append((where, _("%(place)s:金额和系数须填写且只填写一项") % {"place": place}))
        value = amount if amount is not None else coefficient
        if value is not None and (not value.is_finite() or value < 0):
            faults.append((where, _("%(place)s:不能为负数") % {"place": place}))
        if (level, step) in seen:
            faults.append((where, _("%(place)s重复") % {"place": place}))
        seen.add((level, step))
    if tuple(entry) not in seen:
        faults.append(
            (
                "entry",
                _("起始 %(level)s级%(step)s档 不在该序列的档次中")
                % {"level": entry[0], "step": entry[1]},
            )
        )
    return faults
