from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import PlainTextForm
from shegong.orgs.models import Unit
from shegong.pay.models import AdjustmentKind, AssignmentReason, Grade, GradeScheme, GradeTrack
from shegong.pay.presets import PRESETS

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
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class PlaceForm(forms.Form):
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


class FindingsForm(forms.Form):
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


class PerformanceGradeForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    grade = forms.ChoiceField(label=_("考核等次"), choices=Grade.choices)


# ---------------------------------------------------------------- pay settings (the pay office)


def _rate(label: Any, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=7, decimal_places=4, min_value=0, help_text=help_text
    )


def _money(label: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, min_value=0)


class SettingForm(PlainTextForm):
    """A new version of a setting: on which unit, from which month."""

    unit = UnitField(label=_("适用单位"), queryset=Unit.objects.none(), to_field_name="code")
    month = MonthField(label=_("生效月份"), help_text=_("从该月1日起生效,之前的月份仍按原设置"))

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["unit"].empty_label = None  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        """The setting's own fields, as the service takes them."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("unit", "month")}


RATE_HELP = _("比例,如 0.08 表示 8%")


class RatesForm(SettingForm):
    pension_employer = _rate(_("养老保险 单位"), RATE_HELP)
    pension_personal = _rate(_("养老保险 个人"))
    medical_employer = _rate(_("医疗保险 单位"))
    medical_personal = _rate(_("医疗保险 个人"))
    unemployment_employer = _rate(_("失业保险 单位"))
    unemployment_personal = _rate(_("失业保险 个人"))
    injury_employer = _rate(_("工伤保险 单位"))
    maternity_employer = _rate(_("生育保险 单位"))
    housing_fund_employer = _rate(_("住房公积金 单位"))
    housing_fund_personal = _rate(_("住房公积金 个人"))
    base_floor_share = _rate(_("缴费基数下限(占平均工资)"), _("如 0.60 表示平均工资的 60%"))
    base_ceiling_share = _rate(_("缴费基数上限(占平均工资)"))


class WageForm(SettingForm):
    amount = _money(_("职工平均工资(元/年)"))
    benchmark_share = _rate(_("待遇标准(占平均工资)"), _("如 1.00 表示达到平均工资的 100%"))


class PolicyForm(SettingForm):
    """The pay components; the appraisal factors are set with the appraisal grades and carry
    over to the new version unchanged."""

    performance_share = _rate(_("绩效工资占比"), _("如 0.20 表示 20%,须小于 1"))
    seniority_per_year = _money(_("工龄工资(元/年/月)"))
    seniority_cap_years = forms.IntegerField(label=_("工龄工资封顶年限"), min_value=0, max_value=60)
    certificate_assistant = _money(_("助理社会工作师津贴(元/月)"))
    certificate_social_worker = _money(_("社会工作师津贴(元/月)"))
    certificate_senior = _money(_("高级社会工作师津贴(元/月)"))
    dual_role_allowance = _money(_("一肩挑津贴(元/月)"))
    other_allowance = _money(_("其他津贴(每人每月)"))


class SchemeReviseForm(PlainTextForm):
    """A new version of a scheme from a month: its base, each track's post pay and each
    cell's amount (or coefficient), prefilled with the current values."""

    month = MonthField(label=_("生效月份"), help_text=_("从该月1日起按新金额计发,之前的月份不变"))
    name = forms.CharField(label=_("方案名称"), max_length=100)
    step_years = forms.IntegerField(label=_("晋档年限"), min_value=1, max_value=10)
    base_amount = _money(_("基数(元/月)"))

    def __init__(self, *args: Any, scheme: GradeScheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].initial = scheme.name
        self.fields["step_years"].initial = scheme.step_years
        self.fields["base_amount"].initial = scheme.base_amount
        self.grid: list[tuple[GradeTrack, str, list[tuple[str, str]]]] = []
        for track in scheme.tracks.prefetch_related("cells"):
            post = f"post_{track.code}"
            self.fields[post] = _money(_("%(track)s 岗位工资") % {"track": track.name})
            self.fields[post].initial = track.post_pay
            cells = []
            for cell in track.cells.all():
                name = f"cell_{track.code}_{cell.level}_{cell.step}"
                coefficient = cell.coefficient is not None
                field = _rate(_("系数")) if coefficient else _money(_("金额"))
                field.label = _("%(track)s %(level)s级%(step)s档") % {
                    "track": track.name,
                    "level": cell.level,
                    "step": cell.step,
                }
                field.initial = cell.coefficient if coefficient else cell.amount
                self.fields[name] = field
                cells.append((name, f"{cell.level}-{cell.step}"))
            self.grid.append((track, post, cells))

    def post_pays(self) -> dict[str, Any]:
        return {t.code: self.cleaned_data[post] for t, post, _c in self.grid}

    def cells(self) -> dict[tuple[str, int, int], Any]:
        out = {}
        for t, _post, cells in self.grid:
            for name, _place in cells:
                level, step = name.rsplit("_", 2)[-2:]
                out[(t.code, int(level), int(step))] = self.cleaned_data[name]
        return out
