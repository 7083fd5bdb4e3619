"""Charts drawn by the application itself: inline SVG for pages, PNG (matplotlib) for files.

No CDN and no script: a page with charts works offline and prints.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shegong.core.charts import BAR_COLOURS
from shegong.reports.rules import Breakdown, Row

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def _label_width(rows: Sequence[Row]) -> int:
    """Room for the longest label: CJK characters count double."""
    longest = max((sum(2 if ord(ch) > 0x2E80 else 1 for ch in r.label) for r in rows), default=4)
    return 16 + longest * 7


def bar_chart_svg(
    breakdown: Breakdown, *, before: Breakdown | None = None, width: int = 560
) -> SafeString:
    """Horizontal bars of the shares, one row per label, count and share written at the end.

    With `before`, a thin grey bar under each row shows the earlier share."""
    rows = breakdown.rows
    row_h = 30 if before is None else 36
    top = 8
    label_w = _label_width(rows)
    value_w = 110
    bar_w = max(80, width - label_w - value_w)
    shares = [r.share for r in rows] + ([r.share for r in before.rows] if before else [])
    peak = max([*shares, Decimal(1)])  # a breakdown without categories draws an empty chart
    height = top * 2 + row_h * len(rows)
    title = escape(breakdown.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-label="{title}" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" font-size="13">',
        f"<title>{title}</title>",
    ]
    for i, row in enumerate(rows):
        y = top + i * row_h
        length = float(row.share / peak) * bar_w
        colour = BAR_COLOURS[i % len(BAR_COLOURS)]
        label = escape(row.label)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" fill="#1f2328">{label}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="16" rx="2" '
            f'fill="{colour}"><title>{label} {row.count} ({row.share}%)</title></rect>'
        )
        parts.append(
            f'<text x="{label_w + length + 6:.1f}" y="{y + 16}" fill="#1f2328">'
            f"{row.count}({row.share}%)</text>"
        )
        if before is not None:
            earlier = before.share_of(row.label)
            parts.append(
                f'<rect x="{label_w}" y="{y + 23}" width="{float(earlier / peak) * bar_w:.1f}" '
                f'height="6" fill="#98a2b3"><title>{earlier}%</title></rect>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label is escaped above


@cache
def _font_name() -> str | None:
    """Register the Noto CJK font with matplotlib once; its family name, or None without it."""
    if not CJK_FONT.exists():
        return None
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(CJK_FONT))
    return font_manager.FontProperties(fname=str(CJK_FONT)).get_name()


def _plain_text(text: str) -> str:
    """Text matplotlib draws as it is: an escaped "$" is a dollar sign, never mathtext."""
    return text.replace("$", r"\$")


def bar_chart_png(breakdown: Breakdown, *, dpi: int = 150) -> bytes:
    """The same chart as a PNG for Word and PDF files, with Chinese labels in Noto Sans CJK."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    font = _font_name()
    rows = breakdown.rows
    # A "$" would start matplotlib's mathtext (and broken math raises): labels are plain text.
    labels = [_plain_text(r.label) for r in rows][::-1]
    shares = [float(r.share) for r in rows][::-1]
    counts = [r.count for r in rows][::-1]
    fig = Figure(figsize=(6.0, 0.45 * len(rows) + 0.9), dpi=dpi)
    ax = fig.add_subplot()
    family: dict[str, Any] = {"fontfamily": font} if font else {}
    bars = ax.barh(
        labels, shares, color=[BAR_COLOURS[(len(rows) - 1 - i) % 7] for i in range(len(rows))]
    )
    for bar, count, value in zip(bars, counts, shares, strict=True):
        ax.text(
            bar.get_width() + max([*shares, 1]) * 0.01,
            bar.get_y() + bar.get_height() / 2,
            f"{count}({value:.1f}%)",
            va="center",
            fontsize=9,
            **family,
        )
    ax.set_title(_plain_text(breakdown.title), **family)
    ax.set_xlim(0, max([*shares, 1]) * 1.3)
    ax.set_xlabel("%", **family)
    for tick in ax.get_yticklabels():
        if font:
            tick.set_fontfamily(font)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
