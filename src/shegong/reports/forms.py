from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import Form
from shegong.reports import rules

# The years a report date may fall in: ages and tenures counted back from it stay real dates.
DAY_YEARS = (1950, 2100)


class StructureForm(Form):
    """The dashboard's and the downloads' query: unit, dates, bands and standard."""

    unit = forms.CharField(label=_("单位代码"), required=False, max_length=20)
    as_of = forms.DateField(
        label=_("统计日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    compare = forms.DateField(
        label=_("对比日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    age_bands = forms.CharField(
        label=_("年龄分段"), required=False, max_length=60, help_text=_("如 30,35,45,54")
    )
    tenure_bands = forms.CharField(
        label=_("工作年限分段"), required=False, max_length=60, help_text=_("如 4,10")
    )
    standard = forms.DecimalField(
        label=_("每万人配备标准"),
        required=False,
        min_value=Decimal(1),
        max_value=Decimal(1000),
        decimal_places=1,
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
