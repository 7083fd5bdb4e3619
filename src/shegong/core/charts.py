"""Shared pieces of the inline SVG charts (no script, no CDN; they print): the palette and the
horizontal bar chart the training, burden and resources pages draw."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR_COLOURS = ("#b3261e", "#1d4ed8", "#1a7f37", "#b54708", "#6941c6", "#0e7490", "#667085")


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int
    note: str = ""


def _text_width(text: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def bars_svg(title: str, bars: Sequence[Bar], *, suffix: str = "", width: int = 560) -> SafeString:
    """One horizontal bar per row, its value (and note) written at the end."""
    row_h, top = 28, 8
    label_w = 16 + max((_text_width(b.label) for b in bars), default=4) * 7
    bar_w = max(80, width - label_w - 120)
    peak = max([Decimal(b.value) for b in bars] + [Decimal(1)])
    height = top * 2 + row_h * max(len(bars), 1)
    name = escape(title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{name}" '
        f'viewBox="0 0 {width} {height}" width="100%" style="max-width:{width}px" font-size="13">',
        f"<title>{name}</title>",
    ]
    for i, bar in enumerate(bars):
        y = top + i * row_h
        length = float(Decimal(bar.value) / peak) * bar_w
        label = escape(bar.label)
        text = escape(f"{bar.value}{suffix}{bar.note}")
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" fill="#1f2328">{label}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="16" rx="2" '
            f'fill="{BAR_COLOURS[i % len(BAR_COLOURS)]}"><title>{label} {text}</title></rect>'
            f'<text x="{label_w + length + 6:.1f}" y="{y + 16}" fill="#1f2328">{text}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every label and value is escaped above
