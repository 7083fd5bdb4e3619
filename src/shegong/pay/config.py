"""Everything a pay office sets, as one YAML file: `shegong pay config export|load FILE`.

The file (version 1) has four lists; units are named by code, dates as YYYY-MM-DD, money and
rates as quoted decimals ("0.08" = 8%) so nothing passes through floating point:

    version: 1
    schemes:            # grade schemes, each with its tracks and cells
      - unit: "430105000000"
        name: 三岗十八级
        kind: post_level            # level_step (三级九档) | post_level (三岗十八级)
        effective_from: 2025-01-01
        base_amount: "2000.00"      # cells given as a coefficient pay coefficient × this
        step_years: 3               # one step up every N years (不合格 years do not count)
        steps_cross_levels: true    # a step may move into the next level
        degree_credits: {bachelor: 3, postgraduate: 5}
        tracks:
          - {code: chief, name: 正职, posts: [secretary, director], post_pay: "1200.00",
             entry: [7, 1], cells: [{level: 7, step: 1, coefficient: "1.36"}, ...]}
    policies:           # pay components in force from a date
      - {unit: ..., effective_from: 2025-01-01, performance_share: "0.20", factor_excellent:
         "1.20", factor_good: "1.00", factor_pass: "0.80", factor_fail: "0", factor_missing:
         "1.00", seniority_per_year: "20.00", seniority_cap_years: 30, certificate_assistant:
         "200.00", certificate_social_worker: "400.00", certificate_senior: "600.00",
         dual_role_allowance: "500.00", other_allowance: "0.00",
         certificate_start_months: 0, awards_paid: monthly}   # or own_run; both optional
    rates:              # five insurances and the housing fund, per locality and year,
                        # from 1 January or from effective_from (the first of a month)
      - {unit: ..., year: 2025, effective_from: 2025-07-01, employer: {pension: "0.16",
         medical: "0.08", unemployment: "0.007", injury: "0.004", maternity: "0.008",
         housing_fund: "0.12"}, personal: {pension: "0.08", medical: "0.02",
         unemployment: "0.003", housing_fund: "0.12"},
         base_floor_share: "0.60", base_ceiling_share: "3.00"}
    average_wages:      # local average wage (元/年) and the benchmark share for the year
      - {unit: ..., year: 2025, amount: "96000.00", benchmark_share: "1.00"}  # effective_from too

Loading checks the whole file first and lists every error by its place in the file
(`schemes[0].tracks[1].cells[3].amount: …`); nothing is written unless all of it is right.
What a value may be is `pay.validation`, and every write goes through the same services the
pages use (`pay.services.settings`: the pay office's permission, one audit row per version
changed, approved months left alone), so the file and the web obey one set of rules.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import yaml
from django.db import transaction
from django.utils.translation import gettext as _

from shegong.core.access import Permission, has_permission
from shegong.core.audit import audit_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.pay import services, validation
from shegong.pay.errors import SettingsInvalid
from shegong.pay.events import PayEvent
from shegong.pay.models import CERTIFICATE_START_MAX, INSURANCE_KINDS, PERSONAL_KINDS, SchemeKind
from shegong.pay.selectors import scheme_list, settings_list

if TYPE_CHECKING:
    from shegong.core.models import User

POLICY_MONEY = list(validation.POLICY_MONEY)
POLICY_RATES = list(validation.POLICY_RATES)


class ConfigErrors(ServiceError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            _("配置文件有 %(n)s 处错误:") % {"n": len(errors)} + "\n" + "\n".join(errors)
        )
        self.errors = errors


def _s(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


# ---------------------------------------------------------------- export


def export_data(*, viewer: User) -> dict[str, Any]:
    found = settings_list(viewer=viewer)
    schemes = []
    for scheme in scheme_list(viewer=viewer).prefetch_related("tracks__cells"):
        schemes.append(
            {
                "unit": scheme.unit.code,
                "name": scheme.name,
                "kind": scheme.kind,
                "effective_from": scheme.effective_from.isoformat(),
                "base_amount": _s(scheme.base_amount),
                "step_years": scheme.step_years,
                "steps_cross_levels": scheme.steps_cross_levels,
                "degree_credits": dict(scheme.degree_credits or {}),
                "tracks": [
                    {
                        "code": t.code,
                        "name": t.name,
                        "posts": t.posts,
                        "post_pay": _s(t.post_pay),
                        "entry": [t.entry_level, t.entry_step],
                        "cells": [
                            {"level": c.level, "step": c.step}
                            | (
                                {"amount": _s(c.amount)}
                                if c.amount is not None
                                else {"coefficient": _s(c.coefficient)}
                            )
                            for c in t.cells.all()
                        ],
                    }
                    for t in scheme.tracks.all()
                ],
            }
        )
    return {
        "version": 1,
        "schemes": schemes,
        "policies": [
            {"unit": p.unit.code, "effective_from": p.effective_from.isoformat()}
            | {f: _s(getattr(p, f)) for f in POLICY_RATES + POLICY_MONEY}
            | {
                "seniority_cap_years": p.seniority_cap_years,
                "certificate_start_months": p.certificate_start_months,
                "awards_paid": p.awards_paid,
            }
            for p in found["policies"]
        ],
        "rates": [
            {
                "unit": r.unit.code,
                "year": r.year,
                "effective_from": r.effective_from.isoformat(),
                "employer": {k: _s(getattr(r, f"{k}_employer")) for k in INSURANCE_KINDS},
                "personal": {k: _s(getattr(r, f"{k}_personal")) for k in PERSONAL_KINDS},
                "base_floor_share": _s(r.base_floor_share),
                "base_ceiling_share": _s(r.base_ceiling_share),
            }
            for r in found["rates"]
        ],
        "average_wages": [
            {
                "unit": w.unit.code,
                "year": w.year,
                "effective_from": w.effective_from.isoformat(),
                "amount": _s(w.amount),
                "benchmark_share": _s(w.benchmark_share),
            }
            for w in found["wages"]
        ],
    }


def export_yaml(*, viewer: User) -> str:
    header = (
        "# 社工 待遇配置:等级方案、薪酬构成、社保公积金费率、平均工资。\n"
        "# 格式说明见 shegong/pay/config.py;载入: shegong pay config load FILE\n"
    )
    return header + yaml.safe_dump(
        export_data(viewer=viewer), allow_unicode=True, sort_keys=False, width=100
    )


# ---------------------------------------------------------------- load


class _Checker:
    def __init__(self, acting_user: User) -> None:
        self.errors: list[str] = []
        self.acting_user = acting_user
        self.units = {u.code: u for u in Unit.objects.all()}

    def fail(self, where: str, reason: str) -> None:
        self.errors.append(f"{where}: {reason}")

    def unit(self, item: dict[str, Any], where: str) -> Unit | None:
        code = str(item.get("unit", "")).strip()
        unit = self.units.get(code)
        if unit is None:
            self.fail(f"{where}.unit", _("单位代码 %(code)s 不存在") % {"code": code or _("(空)")})
            return None
        if not has_permission(self.acting_user, Permission.PAY_SETTINGS, unit):
            self.fail(f"{where}.unit", _("您没有权限设置%(unit)s的待遇") % {"unit": unit.name})
            return None
        return unit

    def decimal(
        self, item: dict[str, Any], key: str, where: str, *, required: bool = True
    ) -> Decimal | None:
        raw = item.get(key)
        if raw is None:
            if required:
                self.fail(f"{where}.{key}", _("缺少"))
            return None
        if isinstance(raw, bool):
            self.fail(f"{where}.{key}", _("%(value)r 不是数字") % {"value": raw})
            return None
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            self.fail(f"{where}.{key}", _("%(value)r 不是数字") % {"value": raw})
            return None
        if value < 0 or not value.is_finite():
            self.fail(f"{where}.{key}", _("不能为负数"))
            return None
        return value

    def integer(
        self, item: dict[str, Any], key: str, where: str, low: int, high: int
    ) -> int | None:
        raw = item.get(key)
        if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
            self.fail(
                f"{where}.{key}", _("应为 %(low)s–%(high)s 的整数") % {"low": low, "high": high}
            )
            return None
        return raw

    def date(self, item: dict[str, Any], key: str, where: str) -> datetime.date | None:
        raw = item.get(key)
        if isinstance(raw, datetime.date):
            return raw
        try:
            return datetime.date.fromisoformat(str(raw))
        except ValueError:
            self.fail(f"{where}.{key}", _("%(value)r 不是 YYYY-MM-DD 日期") % {"value": raw})
            return None

    def faults(
        self, where: str, found: validation.Faults, names: dict[str, str] | None = None
    ) -> None:
        """The shared rules' faults, each at its place in the file (`names` maps a field to
        its key in the file)."""
        for name, reason in found:
            self.fail(f"{where}.{(names or {}).get(name, name)}", reason)

    def effective(self, item: dict[str, Any], where: str, year: int | None) -> datetime.date | None:
        """A yearly setting's first day: `effective_from` when given, else 1 January."""
        if "effective_from" in item:
            day = self.date(item, "effective_from", where)
            if day is not None and year is not None and day.year != year:
                self.fail(f"{where}.effective_from", _("应在 %(year)s 年内") % {"year": year})
            return day
        return None if year is None else datetime.date(year, 1, 1)

    def items(self, data: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.fail(key, _("应为列表"))
            return []
        out = []
        for n, item in enumerate(value):
            if not isinstance(item, dict):
                self.fail(f"{key}[{n}]", _("应为映射(键: 值)"))
            else:
                out.append((f"{key}[{n}]", item))
        return out


def _plan_cells(c: _Checker, t: dict[str, Any], t_where: str) -> list[services.settings.Cell]:
    """The cells of one track as (level, step, amount, coefficient)."""
    cells: list[services.settings.Cell] = []
    for c_where, cell in c.items(t, "cells"):
        c_where = f"{t_where}.{c_where}"
        level = c.integer(cell, "level", c_where, 1, 99)
        step = c.integer(cell, "step", c_where, 1, 99)
        has_amount, has_coef = "amount" in cell, "coefficient" in cell
        if has_amount == has_coef:
            c.fail(c_where, _("金额(amount)和系数(coefficient)须填写且只填写一项"))
            continue
        value = c.decimal(cell, "amount" if has_amount else "coefficient", c_where)
        if level is None or step is None or value is None:
            continue
        cells.append((level, step, value if has_amount else None, None if has_amount else value))
    return cells


def _plan_track(c: _Checker, t: dict[str, Any], t_where: str) -> services.TrackValues:
    entry = t.get("entry")
    if not (isinstance(entry, list) and len(entry) == 2 and all(isinstance(e, int) for e in entry)):
        c.fail(f"{t_where}.entry", _("应为 [等级, 档次]"))
        entry = [0, 0]
    posts = t.get("posts") or []
    if not isinstance(posts, list):
        c.fail(f"{t_where}.posts", _("应为岗位代码列表"))
        posts = []
    code = str(t.get("code") or "").strip()
    return services.TrackValues(
        code=code,
        name=str(t.get("name") or code),
        post_codes=",".join(str(p) for p in posts),
        post_pay=c.decimal(t, "post_pay", t_where) or Decimal(0),
        entry=(entry[0], entry[1]),
        cells=_plan_cells(c, t, t_where),
    )


def _plan_scheme(c: _Checker, item: dict[str, Any], where: str) -> tuple[Any, ...]:
    unit = c.unit(item, where)
    day = c.date(item, "effective_from", where)
    kind = item.get("kind")
    if kind not in SchemeKind.values:
        c.fail(f"{where}.kind", _("应为 %(kinds)s") % {"kinds": _(" 或 ").join(SchemeKind.values)})
    base = c.decimal(item, "base_amount", where, required=False) or Decimal(0)
    step_years = c.integer(item, "step_years", where, 1, 10)
    credits = item.get("degree_credits") or {}
    if not isinstance(credits, dict) or not all(
        isinstance(v, int) and 0 <= v <= 10 for v in credits.values()
    ):
        c.fail(f"{where}.degree_credits", _("应为 学历代码: 年数(0–10) 的映射"))
        credits = {}
    places = c.items(item, "tracks")
    tracks = [_plan_track(c, t, f"{where}.{t_where}") for t_where, t in places]
    values = {
        "name": str(item.get("name") or "").strip(),
        "kind": kind,
        "base_amount": base,
        "step_years": step_years,
        "steps_cross_levels": bool(item.get("steps_cross_levels")),
        "degree_credits": credits,
    }
    # The shared rules name a track by its code: the file names it by its place.
    names = {
        f"tracks.{t.code}.": f"{t_where}." for (t_where, _t), t in zip(places, tracks, strict=True)
    }
    for name, reason in services.scheme_faults(values, tracks):
        for prefix, place in names.items():
            if name.startswith(prefix):
                name = place + name[len(prefix) :]
                break
        c.fail(f"{where}.{name}", reason)
    return ("scheme", unit, day, values, tracks)


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _plan_policy(c: _Checker, item: dict[str, Any], where: str) -> tuple[Any, ...]:
    unit = c.unit(item, where)
    day = c.date(item, "effective_from", where)
    values: dict[str, Any] = {f: c.decimal(item, f, where) for f in POLICY_RATES + POLICY_MONEY}
    values["seniority_cap_years"] = c.integer(item, "seniority_cap_years", where, 0, 60)
    # Files written before these two settings existed leave them as they are.
    if "certificate_start_months" in item:
        values["certificate_start_months"] = c.integer(
            item, "certificate_start_months", where, 0, CERTIFICATE_START_MAX
        )
    if "awards_paid" in item:
        values["awards_paid"] = item["awards_paid"]
    c.faults(where, validation.policy_faults(_given(values)))
    return ("policy", unit, day, values)


def _plan_rates(c: _Checker, item: dict[str, Any], where: str) -> tuple[Any, ...]:
    unit = c.unit(item, where)
    year = c.integer(item, "year", where, 2000, 2100)
    day = c.effective(item, where, year)
    values: dict[str, Any] = {}
    for side, kinds in (("employer", INSURANCE_KINDS), ("personal", PERSONAL_KINDS)):
        given = item.get(side) or {}
        if not isinstance(given, dict):
            c.fail(f"{where}.{side}", _("应为 险种: 费率 的映射"))
            continue
        for k in given:
            if k not in kinds:
                c.fail(
                    f"{where}.{side}.{k}",
                    _("未知险种,应为 %(kinds)s") % {"kinds": ", ".join(kinds)},
                )
        for k in kinds:
            values[f"{k}_{side}"] = c.decimal(given, k, f"{where}.{side}")
    values["base_floor_share"] = c.decimal(item, "base_floor_share", where)
    values["base_ceiling_share"] = c.decimal(item, "base_ceiling_share", where)
    names = {
        f"{k}_{side}": f"{side}.{k}" for side in ("employer", "personal") for k in INSURANCE_KINDS
    }
    c.faults(where, validation.rates_faults(_given(values)), names)
    if day is not None:
        c.faults(where, validation.first_of_month_fault(day))
    return ("rates", unit, day, values)


def _plan_wage(c: _Checker, item: dict[str, Any], where: str) -> tuple[Any, ...]:
    unit = c.unit(item, where)
    year = c.integer(item, "year", where, 2000, 2100)
    day = c.effective(item, where, year)
    amount = c.decimal(item, "amount", where)
    share = c.decimal(item, "benchmark_share", where)
    if amount is not None and share is not None:
        c.faults(where, validation.wage_faults(amount, share))
    if day is not None:
        c.faults(where, validation.first_of_month_fault(day))
    return ("wage", unit, day, {"amount": amount, "benchmark_share": share})


_PLANNERS = (
    ("schemes", _plan_scheme),
    ("policies", _plan_policy),
    ("rates", _plan_rates),
    ("average_wages", _plan_wage),
)


def _plan(data: Any, acting_user: User) -> tuple[list[str], list[Any]]:
    """Check the whole file; return (errors, planned writes)."""
    if not isinstance(data, dict):
        return [_("文件内容应为映射(version, schemes, policies, rates, average_wages)")], []
    c = _Checker(acting_user)
    if data.get("version") != 1:
        c.fail("version", _("应为 1"))
    plan: list[Any] = [
        (where, planner(c, item, where))
        for key, planner in _PLANNERS
        for where, item in c.items(data, key)
    ]
    return c.errors, plan


def _write(entry: tuple[Any, ...], acting_user: User) -> str:
    """One planned version, written by the service the pages use; the kind it counts as."""
    kind, unit, day, values = entry[:4]
    if kind == "scheme":
        services.scheme_set(
            unit=unit, effective_from=day, values=values, tracks=entry[4], acting_user=acting_user
        )
        return "schemes"
    if kind == "policy":
        services.policy_set(unit=unit, effective_from=day, values=values, acting_user=acting_user)
        return "policies"
    if kind == "rates":
        services.rates_set(unit=unit, effective_from=day, values=values, acting_user=acting_user)
        return "rates"
    services.average_wage_set(unit=unit, effective_from=day, acting_user=acting_user, **values)
    return "average_wages"


@transaction.atomic
def load(*, data: Any, acting_user: User) -> dict[str, int]:
    """Check everything, then write everything (or nothing). Returns counts by kind."""
    errors, plan = _plan(data, acting_user)
    if errors:
        raise ConfigErrors(errors)
    counts = {"schemes": 0, "policies": 0, "rates": 0, "average_wages": 0}
    for where, entry in plan:
        try:
            counts[_write(entry, acting_user)] += 1
        except SettingsInvalid as exc:
            raise ConfigErrors([f"{where}.{f}: {reason}" for f, reason in exc.faults]) from None
        except ServiceError as exc:
            raise ConfigErrors([f"{where}: {exc.message}"]) from None
    top = min((e[1] for _where, e in plan), key=lambda u: len(u.path), default=None)
    if top is not None:
        audit_record(
            acting_user=acting_user,
            action=PayEvent.CONFIG_LOADED,
            target=top,
            after=counts,
        )
    return counts


def load_yaml(*, text: str, acting_user: User) -> dict[str, int]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigErrors([_("YAML 格式错误: %(error)s") % {"error": exc}]) from None
    return load(data=data, acting_user=acting_user)
