from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import Form
from shegong.reports import rules

# The years a report date may fall in: ages and tenures counted back from it stay real dates.
DAY_YEARS = (1950, 2100)


class BoundsWidget(forms.Widget):
    """Band bounds edited as a list: one number box per bound and empty ones to add more
    (a box cleared drops its bound). All carry the field's name, so the query still reads
    `age_bands=30&age_bands=35…`, and a link's `age_bands=30,35,45,54` reads the same."""

    spare = 2

    def __init__(self, what: str | Promise, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.what = what

    def value_from_datadict(self, data: Any, files: Any, name: str) -> str:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return ",".join(str(v).strip() for v in values if v and str(v).strip())

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        if isinstance(value, str):
            bounds = [p.strip() for p in value.replace(",", ",").split(",") if p.strip()]
        else:
            bounds = [str(b) for b in value or ()]
        boxes = [
            format_html(
                '<input type="number" name="{}" value="{}" min="1" max="150" step="1"'
                ' class="bound" aria-label="{}">',
                name,
                bound,
                _("%(what)s第%(n)d个界限") % {"what": self.what, "n": n},
            )
            for n, bound in enumerate([*bounds, *[""] * self.spare], start=1)
        ]
        return format_html(
            '<span class="bounds" role="group" aria-label="{}">{}</span>',
            self.what,
            mark_safe("".join(boxes)),
        )


class StructureForm(Form):
    """The dashboard's and the downloads' query: unit, dates, bands and standard. The page
    shows it filled with what the report used (the defaults where nothing was given)."""

    unit = forms.CharField(label=_("单位代码"), required=False, max_length=20)
    as_of = forms.DateField(
        label=_("统计日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    compare = forms.DateField(
        label=_("对比日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    age_bands = forms.CharField(
        label=_("年龄分段"),
        required=False,
        max_length=60,
        widget=BoundsWidget(_("年龄分段")),
        help_text=_("每段的最大年龄(岁),从小到大;默认 30、35、45、54"),
    )
    tenure_bands = forms.CharField(
        label=_("工作年限分段"),
        required=False,
        max_length=60,
        widget=BoundsWidget(_("工作年限分段")),
        help_text=_("分段的年限(年),从小到大;默认 4、10"),
    )
    standard = forms.DecimalField(
        label=_("每万人配备标准"),
        required=False,
        min_value=Decimal(1),
        max_value=Decimal(1000),
        decimal_places=1,
        help_text=_("每万名常住居民配备的社区工作者人数;默认 18"),
    )

    def _in_range(self, name: str) -> datetime.date | None:
        day: datetime.date | None = self.cleaned_data.get(name)
        if day is not None and not DAY_YEARS[0] <= day.year <= DAY_YEARS[1]:
            raise forms.ValidationError(
                _("日期应在%(low)s年至%(high)s年之间") % {"low": DAY_YEARS[0], "high": DAY_YEARS[1]}
            )
        return day

    def clean_as_of(self) -> datetime.date | None:
        return self._in_range("as_of")

    def clean_compare(self) -> datetime.date | None:
        return self._in_range("compare")

    def clean_age_bands(self) -> tuple[int, ...]:
        try:
            return rules.parse_bounds(self.cleaned_data["age_bands"], rules.DEFAULT_AGE_BOUNDS)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_tenure_bands(self) -> tuple[int, ...]:
        try:
            return rules.parse_bounds(
                self.cleaned_data["tenure_bands"], rules.DEFAULT_TENURE_BOUNDS
            )
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def values(self, today: datetime.date) -> dict[str, Any]:
        """The cleaned query with defaults filled in (today, the default bands, 18 per 10,000)."""
        data: dict[str, Any] = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # the fields that are valid; the others take defaults
        return {
            "unit": data.get("unit") or "",
            "as_of": data.get("as_of") or today,
            "compare": data.get("compare"),
            "age_bands": data.get("age_bands") or rules.DEFAULT_AGE_BOUNDS,
            "tenure_bands": data.get("tenure_bands") or rules.DEFAULT_TENURE_BOUNDS,
            "standard": data.get("standard") or rules.DEFAULT_STANDARD_PER_10K,
        }


def shown_form(form: StructureForm, values: dict[str, Any]) -> StructureForm:
    """The form as the page shows it: what the report used, defaults included, so no field
    is empty while the report quietly fills it; a query with errors is shown as sent."""
    if form.is_bound and not form.is_valid():
        return form
    return StructureForm(
        initial={
            "unit": values["unit"],
            "as_of": values["as_of"],
            "compare": values["compare"],
            "age_bands": values["age_bands"],
            "tenure_bands": values["tenure_bands"],
            "standard": values["standard"],
        }
    )
