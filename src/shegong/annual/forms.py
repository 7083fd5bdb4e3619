from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.annual.models import PartKey
from shegong.annual.services import MAX_PART_CHARS
from shegong.core.forms import Form, PlainTextForm


class PartForm(PlainTextForm):
    key = forms.ChoiceField(label=_("部分"), choices=PartKey.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("内容"),
        required=False,
        max_length=MAX_PART_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 90}),
    )


class YearForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
