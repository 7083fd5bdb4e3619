from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import Form, PlainTextForm
from shegong.orgs.models import Unit
from shegong.pay.models import (
    AdjustmentKind,
    AssignmentReason,
    GradeScheme,
    GradeTrack,
    RunKind,
)
from shegong.pay.presets import PRESETS
from shegong.people.models import YearGrade

DATE = forms.DateInput(attrs={"type": "date"})

if TYPE_CHECKING:
    _UnitChoiceField = forms.ModelChoiceField[Unit]
else:  # the field is not subscriptable at run time
    _UnitChoiceField = forms.ModelChoiceField


class UnitField(_UnitChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * max(obj.kind - 2, 0)}{obj.name}"


class MonthField(forms.CharField):
    """YYYY-MM → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2025-01"})

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return datetime.date.fromisoformat(f"{text}-01")
        except ValueError:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM")) from None


class RunForm(PlainTextForm):
    unit = UnitField(label=_("单位"), queryset=Unit.objects.none(), to_field_name="code")
    period = MonthField(label=_("月份"))
    kind = forms.ChoiceField(
        label=_("批次类别"),
        choices=RunKind.choices,
        initial=RunKind.REGULAR,
        required=False,
        help_text=_("奖励发放:只发放待发的一次性奖励(薪酬构成选择单独发放时)"),
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PlaceForm(Form):
    unit = UnitField(label=_("单位"), queryset=Unit.objects.none(), to_field_name="code")
    day = forms.DateField(label=_("日期"), widget=DATE)
    action = forms.ChoiceField(
        label=_("操作"), choices=[("place", _("为未定级人员初次定级")), ("steps", _("按年限晋档"))]
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class SchemePresetForm(PlainTextForm):
    preset = forms.ChoiceField(
        label=_("模板"), choices=[(key, p.name) for key, p in PRESETS.items()]
    )
    unit = UnitField(label=_("适用单位"), queryset=Unit.objects.none(), to_field_name="code")
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)
    name = forms.CharField(label=_("方案名称"), max_length=100, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class FindingsForm(Form):
    """The unit and year of a findings page (benchmark, equal pay, budget)."""

    unit = UnitField(
        label=_("单位"), queryset=Unit.objects.none(), to_field_name="code", required=False
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    raise_to = forms.DecimalField(
        label=_("提高到平均工资的比例"),
        max_digits=5,
        decimal_places=2,
        required=False,
        help_text=_("如 1.00 表示 100%"),
    )
    growth = forms.DecimalField(
        label=_("随平均工资增长(比例)"),
        max_digits=6,
        decimal_places=4,
        required=False,
        help_text=_("如 0.1362 表示 +13.62%"),
    )

    scheme = forms.ModelChoiceField(
        label=_("改用方案"), queryset=GradeScheme.objects.none(), required=False
    )

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Unit],
        schemes: QuerySet[GradeScheme] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if schemes is not None:
            self.fields["scheme"].queryset = schemes  # type: ignore[attr-defined]


class GradeAssignForm(PlainTextForm):
    """A promotion or manual placement: which cell, from when, and why."""

    track = forms.ModelChoiceField(label=_("岗位序列"), queryset=GradeTrack.objects.none())
    level = forms.IntegerField(label=_("等级"), min_value=1, max_value=99)
    step = forms.IntegerField(label=_("档次"), min_value=1, max_value=99, initial=1)
    start = forms.DateField(label=_("起始日期"), widget=DATE)
    reason = forms.ChoiceField(
        label=_("原因"),
        choices=[
            (AssignmentReason.PROMOTION, AssignmentReason.PROMOTION.label),
            (AssignmentReason.MANUAL, AssignmentReason.MANUAL.label),
        ],
    )
    note = forms.CharField(label=_("理由"), max_length=200)

    def __init__(self, *args: Any, tracks: QuerySet[GradeTrack], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].queryset = tracks  # type: ignore[attr-defined]


class AdjustmentForm(PlainTextForm):
    period = MonthField(label=_("月份"))
    kind = forms.ChoiceField(label=_("类别"), choices=AdjustmentKind.choices)
    amount = forms.DecimalField(label=_("金额(元)"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("事由"), max_length=200)


class PerformanceGradeForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    grade = forms.ChoiceField(label=_("考核等次"), choices=YearGrade.choices)
