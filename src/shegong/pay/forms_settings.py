"""The pay office's forms: a new version of the rates, the average wage or the pay policy
from a month, and a scheme's amounts as a new version. They only shape what is typed; what
the values may be is pay/validation.py, checked by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import PlainTextForm
from shegong.orgs.models import Unit
from shegong.pay.forms import MonthField, UnitField
from shegong.pay.models import CERTIFICATE_START_MAX, AwardsPaid, GradeScheme, GradeTrack


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
    certificate_start_months = forms.IntegerField(
        label=_("职业资格津贴起发"),
        min_value=0,
        max_value=CERTIFICATE_START_MAX,
        help_text=_("取得证书后第几个月起发:0 为取得当月,1 为次月,以此类推"),
    )
    awards_paid = forms.ChoiceField(
        label=_("一次性奖励发放方式"),
        choices=AwardsPaid.choices,
        help_text=_("培训、考证等一次性奖励随下一次月度工资发放,或由单独的奖励发放批次发放"),
    )


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
