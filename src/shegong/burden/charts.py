"""Inline SVG charts of the burden dashboard (the training pages' bars: no script, no CDN)."""

from __future__ import annotations

from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from shegong.core.charts import Bar, bars_svg


def summary_charts(s: dict[str, Any]) -> list[tuple[str, SafeString]]:
    """(title, svg) for the dashboard: what communities carry, who imposes it, the trend."""
    kinds = [
        Bar(_("台账"), s["ledgers"]),
        Bar(_("牌子"), s["signboards"]),
        Bar(_("盖章证明种类"), s["stamp_kinds"]),
        Bar(_("检查考评"), s["inspections"]),
        Bar(_("会议"), s["meetings"]),
        Bar(_("未经准入"), s["without_admission"]),
    ]
    charts = [(_("社区负担构成"), bars_svg(_("社区负担构成"), kinds))]
    if s["departments"]:
        bars = [Bar(d["department"], d["records"]) for d in s["departments"]]
        charts.append((_("下派最多的部门"), bars_svg(_("下派最多的部门"), bars)))
    trend = [Bar(str(t["year"]), t["without_admission"]) for t in s["trend"]]
    charts.append((_("未经准入事项逐年"), bars_svg(_("未经准入事项逐年"), trend)))
    return charts
