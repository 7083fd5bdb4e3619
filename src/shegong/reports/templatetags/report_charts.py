from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from shegong.reports.charts import bar_chart_svg
from shegong.reports.rules import Breakdown

register = template.Library()


@register.simple_tag
def bar_chart(breakdown: Breakdown, before: Breakdown | None = None) -> SafeString:
    """{% bar_chart breakdown before %}: an inline SVG bar chart of the shares."""
    return bar_chart_svg(breakdown, before=before)
