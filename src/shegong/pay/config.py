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
         dual_role_allowance: "500.00", other_allowance: "0.00"}
    rates:              # five insurances and the housing fund, per locality and year
      - {unit: ..., year: 2025, employer: {pension: "0.16", medical: "0.08", unemployment:
         "0.007", injury: "0.004", maternity: "0.008", housing_fund: "0.12"}, personal:
         {pension: "0.08", medical: "0.02", unemployment: "0.003", housing_fund: "0.12"},
         base_floor_share: "0.60", base_ceiling_share: "3.00"}
    average_wages:      # local average wage (元/年) and the benchmark share for the year
      - {unit: ..., year: 2025, amount: "96000.00", benchmark_share: "1.00"}

Loading checks the whole file first and lists every error by its place in the file
(`schemes[0].tracks[1].cells[3].amount: …`); nothing is written unless all of it is right.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

import yaml
from django.db import transaction

from shegong.core.access import Permission, has_permission
from shegong.core.audit import AuditAction, audit_record
from shegong.core.errors import ServiceError
from shegong.orgs.models import Unit
from shegong.pay.models import (
    INSURANCE_KINDS,
    PERSONAL_KINDS,
    AverageWage,
    ContributionRates,
    GradeAssignment,
    GradeCell,
    GradeScheme,
    GradeTrack,
    PayPolicy,
    SchemeKind,
)
from shegong.pay.selectors import scheme_list, settings_list

if TYPE_CHECKING:
    from shegong.core.models import User

POLICY_MONEY = [
    "seniority_per_year",
    "certificate_assistant",
    "certificate_social_worker",
    "certificate_senior",
    "dual_role_allowance",
    "other_allowance",
]
POLICY_RATES = [
    "performance_share",
    "factor_excellent",
    "factor_good",
    "factor_pass",
    "factor_fail",
    "factor_missing",
]


class ConfigErrors(ServiceError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"配置文件有 {len(errors)} 处错误:\n" + "\n".join(errors))
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
            | {"seniority_cap_years": p.seniority_cap_years}
            for p in found["policies"]
        ],
        "rates": [
            {
                "unit": r.unit.code,
                "year": r.year,
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
    def __init__(self, acting_user: User | None) -> None:
        self.errors: list[str] = []
        self.acting_user = acting_user
        self.units = {u.code: u for u in Unit.objects.all()}

    def fail(self, where: str, reason: str) -> None:
        self.errors.append(f"{where}: {reason}")

    def unit(self, item: dict[str, Any], where: str) -> Unit | None:
        code = str(item.get("unit", "")).strip()
        unit = self.units.get(code)
        if unit is None:
            self.fail(f"{where}.unit", f"单位代码 {code or '(空)'} 不存在")
            return None
        if self.acting_user is not None and not has_permission(
            self.acting_user, Permission.EDIT, unit
        ):
            self.fail(f"{where}.unit", f"您没有权限设置{unit.name}的待遇")
            return None
        return unit

    def decimal(
        self, item: dict[str, Any], key: str, where: str, *, required: bool = True
    ) -> Decimal | None:
        raw = item.get(key)
        if raw is None:
            if required:
                self.fail(f"{where}.{key}", "缺少")
            return None
        if isinstance(raw, bool):
            self.fail(f"{where}.{key}", f"{raw!r} 不是数字")
            return None
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            self.fail(f"{where}.{key}", f"{raw!r} 不是数字")
            return None
        if value < 0 or not value.is_finite():
            self.fail(f"{where}.{key}", "不能为负数")
            return None
        return value

    def integer(
        self, item: dict[str, Any], key: str, where: str, low: int, high: int
    ) -> int | None:
        raw = item.get(key)
        if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
            self.fail(f"{where}.{key}", f"应为 {low}–{high} 的整数")
            return None
        return raw

    def date(self, item: dict[str, Any], key: str, where: str) -> datetime.date | None:
        raw = item.get(key)
        if isinstance(raw, datetime.date):
            return raw
        try:
            return datetime.date.fromisoformat(str(raw))
        except ValueError:
            self.fail(f"{where}.{key}", f"{raw!r} 不是 YYYY-MM-DD 日期")
            return None

    def items(self, data: dict[str, Any], key: str) -> list[tuple[str, dict[str, Any]]]:
        value = data.get(key) or []
        if not isinstance(value, list):
            self.fail(key, "应为列表")
            return []
        out = []
        for n, item in enumerate(value):
            if not isinstance(item, dict):
                self.fail(f"{key}[{n}]", "应为映射(键: 值)")
            else:
                out.append((f"{key}[{n}]", item))
        return out


def _plan(data: Any, acting_user: User | None) -> tuple[list[str], list[Any]]:
    """Check the whole file; return (errors, planned writes)."""
    c = _Checker(acting_user)
    plan: list[Any] = []
    if not isinstance(data, dict):
        return ["文件内容应为映射(version, schemes, policies, rates, average_wages)"], []
    if data.get("version") != 1:
        c.fail("version", "应为 1")
    for where, item in c.items(data, "schemes"):
        unit = c.unit(item, where)
        day = c.date(item, "effective_from", where)
        kind = item.get("kind")
        if kind not in SchemeKind.values:
            c.fail(f"{where}.kind", f"应为 {' 或 '.join(SchemeKind.values)}")
        name = str(item.get("name") or "").strip()
        if not name:
            c.fail(f"{where}.name", "缺少")
        base = c.decimal(item, "base_amount", where, required=False) or Decimal(0)
        step_years = c.integer(item, "step_years", where, 1, 10)
        credits = item.get("degree_credits") or {}
        if not isinstance(credits, dict) or not all(
            isinstance(v, int) and 0 <= v <= 10 for v in credits.values()
        ):
            c.fail(f"{where}.degree_credits", "应为 学历代码: 年数(0–10) 的映射")
            credits = {}
        tracks = []
        seen_codes: set[str] = set()
        for t_where, t in c.items(item, "tracks"):
            t_where = f"{where}.{t_where}"
            code = str(t.get("code") or "").strip()
            if not code or code in seen_codes:
                c.fail(f"{t_where}.code", "缺少或重复")
            seen_codes.add(code)
            entry = t.get("entry")
            if not (
                isinstance(entry, list)
                and len(entry) == 2
                and all(isinstance(e, int) for e in entry)
            ):
                c.fail(f"{t_where}.entry", "应为 [等级, 档次]")
                entry = [0, 0]
            cells = []
            positions = set()
            for c_where, cell in c.items(t, "cells"):
                c_where = f"{t_where}.{c_where}"
                level = c.integer(cell, "level", c_where, 1, 99)
                step = c.integer(cell, "step", c_where, 1, 99)
                has_amount, has_coef = "amount" in cell, "coefficient" in cell
                if has_amount == has_coef:
                    c.fail(c_where, "金额(amount)和系数(coefficient)须填写且只填写一项")
                    continue
                value = c.decimal(cell, "amount" if has_amount else "coefficient", c_where)
                if (level, step) in positions:
                    c.fail(c_where, f"{level}级{step}档重复")
                positions.add((level, step))
                cells.append(
                    (level, step, value if has_amount else None, None if has_amount else value)
                )
            if tuple(entry) not in positions:
                c.fail(f"{t_where}.entry", f"起始 {entry[0]}级{entry[1]}档 不在该序列的档次中")
            posts = t.get("posts") or []
            if not isinstance(posts, list):
                c.fail(f"{t_where}.posts", "应为岗位代码列表")
                posts = []
            tracks.append(
                {
                    "code": code,
                    "name": str(t.get("name") or code),
                    "post_codes": ",".join(str(p) for p in posts),
                    "post_pay": c.decimal(t, "post_pay", t_where) or Decimal(0),
                    "entry": entry,
                    "cells": cells,
                }
            )
        if not tracks:
            c.fail(f"{where}.tracks", "至少要有一个岗位序列")
        plan.append(
            (
                "scheme",
                unit,
                day,
                {
                    "name": name,
                    "kind": kind,
                    "base_amount": base,
                    "step_years": step_years,
                    "steps_cross_levels": bool(item.get("steps_cross_levels")),
                    "degree_credits": credits,
                },
                tracks,
            )
        )
    for where, item in c.items(data, "policies"):
        unit = c.unit(item, where)
        day = c.date(item, "effective_from", where)
        values: dict[str, Any] = {f: c.decimal(item, f, where) for f in POLICY_RATES + POLICY_MONEY}
        values["seniority_cap_years"] = c.integer(item, "seniority_cap_years", where, 0, 60)
        share = values.get("performance_share")
        if share is not None and share >= 1:
            c.fail(f"{where}.performance_share", "须小于 1")
        plan.append(("policy", unit, day, values))
    for where, item in c.items(data, "rates"):
        unit = c.unit(item, where)
        year = c.integer(item, "year", where, 2000, 2100)
        values = {}
        for side, kinds in (("employer", INSURANCE_KINDS), ("personal", PERSONAL_KINDS)):
            given = item.get(side) or {}
            if not isinstance(given, dict):
                c.fail(f"{where}.{side}", "应为 险种: 费率 的映射")
                continue
            for k in given:
                if k not in kinds:
                    c.fail(f"{where}.{side}.{k}", f"未知险种,应为 {', '.join(kinds)}")
            for k in kinds:
                values[f"{k}_{side}"] = c.decimal(given, k, f"{where}.{side}")
        values["base_floor_share"] = c.decimal(item, "base_floor_share", where)
        values["base_ceiling_share"] = c.decimal(item, "base_ceiling_share", where)
        floor, ceiling = values["base_floor_share"], values["base_ceiling_share"]
        if floor is not None and ceiling is not None and floor > ceiling:
            c.fail(f"{where}.base_floor_share", "下限不能高于上限")
        plan.append(("rates", unit, year, values))
    for where, item in c.items(data, "average_wages"):
        unit = c.unit(item, where)
        year = c.integer(item, "year", where, 2000, 2100)
        amount = c.decimal(item, "amount", where)
        if amount is not None and amount <= 0:
            c.fail(f"{where}.amount", "须大于零")
        share = c.decimal(item, "benchmark_share", where)
        plan.append(("wage", unit, year, {"amount": amount, "benchmark_share": share}))
    return c.errors, plan


def _write_scheme(
    unit: Unit, day: datetime.date, values: dict[str, Any], tracks: list[Any]
) -> None:
    scheme, _created = GradeScheme.objects.update_or_create(
        unit=unit, effective_from=day, defaults={**values, "unit_path": unit.path}
    )
    keep = []
    for order, t in enumerate(tracks):
        track, _c = GradeTrack.objects.update_or_create(
            scheme=scheme,
            code=t["code"],
            defaults={
                "name": t["name"],
                "sort_order": order,
                "post_codes": t["post_codes"],
                "post_pay": t["post_pay"],
                "entry_level": t["entry"][0],
                "entry_step": t["entry"][1],
            },
        )
        keep.append(track.pk)
        track.cells.all().delete()
        GradeCell.objects.bulk_create(
            GradeCell(track=track, level=lv, step=st, amount=a, coefficient=k)
            for lv, st, a, k in t["cells"]
        )
    dropped = scheme.tracks.exclude(pk__in=keep)
    if GradeAssignment.objects.filter(track__in=dropped).exists():
        raise ConfigErrors([f"方案 {scheme.name}: 已有人员定级的岗位序列不能从配置中删除"])
    dropped.delete()


@transaction.atomic
def load(*, data: Any, acting_user: User | None) -> dict[str, int]:
    """Check everything, then write everything (or nothing). Returns counts by kind."""
    errors, plan = _plan(data, acting_user)
    if errors:
        raise ConfigErrors(errors)
    counts = {"schemes": 0, "policies": 0, "rates": 0, "average_wages": 0}
    for entry in plan:
        kind, unit = entry[0], entry[1]
        if kind == "scheme":
            _write_scheme(unit, entry[2], entry[3], entry[4])
            counts["schemes"] += 1
        elif kind == "policy":
            PayPolicy.objects.update_or_create(
                unit=unit, effective_from=entry[2], defaults={**entry[3], "unit_path": unit.path}
            )
            counts["policies"] += 1
        elif kind == "rates":
            ContributionRates.objects.update_or_create(
                unit=unit, year=entry[2], defaults={**entry[3], "unit_path": unit.path}
            )
            counts["rates"] += 1
        else:
            AverageWage.objects.update_or_create(
                unit=unit, year=entry[2], defaults={**entry[3], "unit_path": unit.path}
            )
            counts["average_wages"] += 1
    top = min((e[1] for e in plan), key=lambda u: len(u.path), default=None)
    if top is not None:
        audit_record(
            acting_user=acting_user,
            action=AuditAction.IMPORT,
            target=top,
            unit_path=top.path,
            after=counts,
            note="载入待遇配置文件",
        )
    return counts


def load_yaml(*, text: str, acting_user: User | None) -> dict[str, int]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigErrors([f"YAML 格式错误: {exc}"]) from None
    return load(data=data, acting_user=acting_user)
