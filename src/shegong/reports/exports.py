"""The structure report as plain data (JSON): labels in Chinese, shares as strings.

Shares and averages are strings with one decimal ("26.1"), exactly as printed, never floats:
the shares of a partition breakdown add up to exactly "100.0".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shegong.reports.rules import Breakdown, Delta, Figures
from shegong.reports.selectors import Standards, Standing, StructureReport


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def breakdown_json(b: Breakdown) -> list[dict[str, Any]]:
    return [{"label": r.label, "count": r.count, "share": _dec(r.share)} for r in b.rows]


def figures_json(f: Figures) -> dict[str, Any]:
    return {
        "as_of": f.as_of.isoformat(),
        "total": f.total,
        "average_age": _dec(f.average_age),
        "breakdowns": {key: breakdown_json(b) for key, b in f.breakdowns.items()},
        "titles": {key: b.title for key, b in f.breakdowns.items()},
        "leaders": {
            "count": f.leaders,
            "dual_role": f.dual_role,
            "college": f.leaders_college,
            "college_share": _dec(f.leaders_college_share),
        },
        "certified": {"count": f.certified, "share": _dec(f.certified_share)},
        "college": {"count": f.college, "share": _dec(f.college_share)},
    }


def standing_json(s: Standing) -> dict[str, Any]:
    return {
        "code": s.code,
        "name": s.name,
        "workers": s.workers,
        "residents": s.residents,
        "per_10k": _dec(s.per_10k),
        "needed": s.needed,
        "below_standard": s.below_standard,
        "attention": s.attention,
        "certified_share": _dec(s.certified_share),
        "college_share": _dec(s.college_share),
        "meets_certified": s.meets_certified,
        "meets_college": s.meets_college,
    }


def standards_json(s: Standards) -> dict[str, Any]:
    return {
        "per_10k_standard": _dec(s.standard),
        "certified_target": _dec(s.certified_target),
        "college_target": _dec(s.college_target),
        "overall": standing_json(s.overall),
        "streets": [standing_json(x) for x in s.streets],
        "communities": [standing_json(x) for x in s.communities],
        "below_standard": [x.code for x in s.below_standard],
        "missing_certified_target": [x.code for x in s.missing_certified],
        "missing_college_target": [x.code for x in s.missing_college],
    }


def delta_json(d: Delta) -> dict[str, Any]:
    return {
        "label": d.label,
        "count": d.count,
        "count_before": d.count_before,
        "count_change": d.count_change,
        "share": _dec(d.share),
        "share_before": _dec(d.share_before),
        "points": _dec(d.points),
    }


def report_json(report: StructureReport) -> dict[str, Any]:
    f = report.figures
    data: dict[str, Any] = {
        "unit": {"code": f.unit_code, "name": f.unit_name},
        **figures_json(f),
        "age_bands": list(report.age_bands),
        "tenure_bands": list(report.tenure_bands),
        "narrative": report.narrative,
    }
    if report.comparison is not None:
        c = report.comparison
        data["comparison"] = {
            **figures_json(c.before),
            "phrases": c.phrases,
            "deltas": {key: [delta_json(d) for d in ds] for key, ds in c.deltas.items()},
        }
    data["standards"] = standards_json(report.standards)
    return data
