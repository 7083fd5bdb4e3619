"""Charts and QR codes drawn by the application itself (inline SVG, no CDN, no script)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shegong.appraisal.models import Rating
from shegong.appraisal.selectors import WorkerRatings

RATING_COLOURS: dict[str, str] = {
    Rating.SATISFIED: "#1a7f37",
    Rating.FAIRLY: "#d29922",
    Rating.UNSATISFIED: "#b3261e",
}
GRADE_COLOURS = {"A": "#b3261e", "B": "#1d4ed8", "C": "#1a7f37", "D": "#667085"}


def _width_of(label: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in label) * 7


def satisfaction_svg(rows: Sequence[WorkerRatings], *, width: int = 560) -> SafeString:
    """One stacked bar per worker: the shares of 满意 / 基本满意 / 不满意, with the mean."""
    label_w = 16 + max((_width_of(r.name) for r in rows), default=28)
    value_w = 70
    bar_w = max(120, width - label_w - value_w)
    row_h = 28
    legend_h = 24
    height = legend_h + row_h * len(rows) + 8
    title = "居民满意度"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{title}" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" font-size="13">',
        f"<title>{title}</title>",
    ]
    x = label_w
    for rating, label in Rating.choices:
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{RATING_COLOURS[rating]}"/>'
        )
        parts.append(f'<text x="{x + 16}" y="15" fill="#1f2328">{escape(label)}</text>')
        x += 16 + _width_of(str(label)) + 18
    for i, row in enumerate(rows):
        y = legend_h + i * row_h
        name = escape(row.name)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end" fill="#1f2328">{name}</text>'
        )
        total = row.total
        offset = 0.0
        for rating, label in Rating.choices:
            n = row.counts.get(rating, 0)
            if not total or not n:
                continue
            w = n / total * bar_w
            parts.append(
                f'<rect x="{label_w + offset:.1f}" y="{y + 3}" width="{w:.1f}" height="16" '
                f'fill="{RATING_COLOURS[rating]}"><title>{name} {escape(label)} {n}</title></rect>'
            )
            offset += w
        if not total:
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="16" fill="#eaecf0"/>'
            )
        score = row.score
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 15}" fill="#1f2328">'
            f"{score if score is not None else '—'}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # names are escaped above


def grade_svg(
    counts: Mapping[str, int], labels: Mapping[str, str], *, width: int = 420
) -> SafeString:
    """Vertical bars: how many workers got each grade."""
    peak = max([*counts.values(), 1])
    height = 190
    base = 150
    col = width // max(len(counts), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="等次分布" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" font-size="13">',
        "<title>等次分布</title>",
    ]
    for i, (grade, n) in enumerate(counts.items()):
        h = n / peak * 120
        x = i * col + col * 0.2
        w = col * 0.6
        label = escape(labels.get(grade, grade))
        parts.append(
            f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{GRADE_COLOURS.get(grade, "#667085")}"><title>{label} {n}</title></rect>'
        )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{base - h - 6:.1f}" text-anchor="middle">{n}</text>'
        )
        parts.append(
            f'<text x="{x + w / 2:.1f}" y="{base + 20}" text-anchor="middle">{label}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def qr_svg(text: str, *, scale: int = 3) -> SafeString:
    """A QR code of `text` as inline SVG (segno; error correction M survives a smudge)."""
    return mark_safe(segno.make(text, error="m").svg_inline(scale=scale, border=2))
