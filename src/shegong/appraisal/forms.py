from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.appraisal.models import GradeSet, Rating
from shegong.appraisal.services import SKIP
from shegong.core.forms import Form, PlainTextForm
from shegong.orgs.models import Unit

if TYPE_CHECKING:
    _UnitChoiceField = forms.ModelChoiceField[Unit]
else:
    _UnitChoiceField = forms.ModelChoiceField


def _decimal(label: Any, initial: str, *, places: int = 2, **kw: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, initial=Decimal(initial), max_digits=5, decimal_places=places, **kw
    )


class SchemeForm(PlainTextForm):
    unit = _UnitChoiceField(label=_("考核单位"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    weight_residents = _decimal(_("居民评议权重(%)"), "60", min_value=0, max_value=100)
    weight_leaders = _decimal(_("街道考核权重(%)"), "30", min_value=0, max_value=100)
    weight_peers = _decimal(_("同事互评权重(%)"), "10", min_value=0, max_value=100)
    grade_set = forms.ChoiceField(label=_("等次"), choices=GradeSet.choices)
    threshold_a = _decimal(_("优秀分数线"), "90", min_value=0, max_value=100)
    threshold_b = _decimal(_("良好(称职)分数线"), "80", min_value=0, max_value=100)
    threshold_c = _decimal(_("合格(基本称职)分数线"), "60", min_value=0, max_value=100)
    top_quota = _decimal(_("优秀比例上限(%)"), "20", min_value=0, max_value=100)
    min_raters = forms.IntegerField(label=_("每个社区最少评议人数"), initial=50, min_value=0)
    min_resident_share = _decimal(_("普通居民最低占比(%)"), "70", min_value=0, max_value=100)
    trim = forms.BooleanField(
        label=_("评分满5份时去掉一个最高分和一个最低分"), initial=True, required=False
    )
    ten_best = forms.IntegerField(label=_("十佳评选人数"), initial=10, min_value=0, max_value=100)
    objection_days = forms.IntegerField(label=_("异议期(天)"), initial=7, min_value=1, max_value=60)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["year"].initial = timezone.localdate().year

    def weights(self) -> dict[str, Decimal]:
        data = self.cleaned_data
        pairs = {
            "residents": data["weight_residents"],
            "leaders": data["weight_leaders"],
            "peers": data["weight_peers"],
        }
        return {k: v for k, v in pairs.items() if v}


class HouseholdsForm(PlainTextForm):
    households = forms.CharField(
        label=_("住户名单"),
        widget=forms.Textarea(
            attrs={"rows": 8, "placeholder": "3栋2单元201\n3栋2单元202,居民代表"}
        ),
        required=False,
        help_text=_("每行一户;可在户名后加逗号和类别(普通居民、居民代表、驻区单位)"),
    )
    sheet = forms.FileField(
        label=_("或上传住户表"),
        required=False,
        help_text=_("Excel、ODS 或 CSV,列:住户(或门牌、户号),可选列:类别"),
    )


class CodeForm(Form):
    code = forms.CharField(
        label=_("评议码"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "inputmode": "text"}
        ),
    )


RATING_CHOICES = [*Rating.choices, (SKIP, _("不了解"))]


class ObjectionForm(PlainTextForm):
    text = forms.CharField(
        label=_("异议理由"),
        widget=forms.Textarea(attrs={"rows": 5, "style": "width:100%"}),
        error_messages={"required": _("请写明异议理由")},
    )


class DecisionForm(PlainTextForm):
    upheld = forms.TypedChoiceField(
        label=_("处理结果"),
        choices=[("0", _("维持原结果")), ("1", _("异议成立,撤回公示并更正"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    decision = forms.CharField(
        label=_("处理意见"),
        widget=forms.Textarea(attrs={"rows": 4, "style": "width:100%"}),
        error_messages={"required": _("请填写处理意见")},
    )


class SelfReportForm(PlainTextForm):
    text = forms.CharField(
        label=_("述职报告"),
        widget=forms.Textarea(attrs={"rows": 12, "style": "width:100%"}),
        error_messages={"required": _("请填写述职报告")},
    )


WEIGHT_FIELDS = {
    "residents": "weight_residents",
    "leaders": "weight_leaders",
    "peers": "weight_peers",
}


class SchemeEditForm(SchemeForm):
    """The settings and weights of an existing scheme, and the indicators of the scored parts
    (one a line: "名称,分值", or "名称,分值,满分数值" for a figure such as a rate)."""

    indicators_leaders = forms.CharField(
        label=_("街道考核指标"),
        widget=forms.Textarea(attrs={"rows": 5, "style": "width:100%"}),
        required=False,
    )
    indicators_peers = forms.CharField(
        label=_("同事互评指标"),
        widget=forms.Textarea(attrs={"rows": 4, "style": "width:100%"}),
        required=False,
    )

    def __init__(self, *args: Any, parts: dict[str, Any], locked: set[str], **kwargs: Any):
        super().__init__(*args, units=Unit.objects.none(), **kwargs)
        for name in ("unit", "year", "name"):
            del self.fields[name]
        for kind, field in WEIGHT_FIELDS.items():
            if kind not in parts:
                del self.fields[field]
        for kind in ("leaders", "peers"):
            field = f"indicators_{kind}"
            if kind not in parts:
                del self.fields[field]
            elif kind in locked:
                self.fields[field].disabled = True
                self.fields[field].help_text = _("已有人按现有指标评分,不能再修改")
            else:
                self.fields[field].help_text = _(
                    "每行一项:指标名称,分值;数值折算的指标再加满分对应的数值,"
                    "如“居民参与活动率(%),30,60”"
                )

    def weights(self) -> dict[str, Decimal]:
        return {
            kind: self.cleaned_data[field]
            for kind, field in WEIGHT_FIELDS.items()
            if field in self.cleaned_data
        }


class TenBestForm(Form):
    unit = forms.ModelChoiceField(label=_("评选单位"), queryset=Unit.objects.none())
    first_year = forms.IntegerField(label=_("起始年度"), min_value=2000, max_value=2100)
    years = forms.IntegerField(label=_("周期(年)"), initial=2, min_value=1, max_value=5)
    size = forms.IntegerField(label=_("名额"), initial=10, min_value=1, max_value=100)
    award = _decimal(_("每人奖励金额(元)"), "0", min_value=0)

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["first_year"].initial = timezone.localdate().year - 2
