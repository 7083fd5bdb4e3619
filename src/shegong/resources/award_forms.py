"""Forms of 以奖代补: a scheme's numbers, an adjustment, a rating. The services check them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import PlainTextForm
from shegong.orgs.models import Unit
from shegong.resources.models import AwardSubject, PayMode


def _money(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, min_value=0, **kwargs)


def _points(label: Any, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=8, decimal_places=2, min_value=0, **kwargs)


FACTOR_FIELDS = [
    ("members", _("每名成员得分"), _("成员得分上限")),
    ("activities", _("每场活动得分"), _("活动得分上限")),
    ("participants", _("每参与人次得分"), _("参与得分上限")),
    ("quality", _("平均质量评分每分得分"), _("质量得分上限")),
    ("awards_won", _("每项获奖得分"), _("获奖得分上限")),
]


class SchemeForm(PlainTextForm):
    """A scheme's weights, caps, thresholds and money; with `units`, also its district,
    year and subject (a new scheme)."""

    district = forms.ModelChoiceField(label=_("区县"), queryset=Unit.objects.none())
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    subject = forms.ChoiceField(label=_("评选对象"), choices=AwardSubject.choices)
    min_members = forms.IntegerField(label=_("成员不少于(人)"), min_value=0, initial=0)
    min_activities = forms.IntegerField(label=_("活动不少于(场)"), min_value=0, initial=0)
    min_quality = forms.DecimalField(
        label=_("平均质量评分不低于"), max_digits=3, decimal_places=2, required=False
    )
    pay_mode = forms.ChoiceField(label=_("计奖方式"), choices=PayMode.choices)
    yuan_per_point = _money(_("每分奖励(元)"), initial=0)
    tiers = forms.CharField(
        label=_("奖励档次"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行“分数=金额”,如“80=8000”:得分达到该档即得该金额(按档次计奖时填写)"),
    )
    budget = _money(_("年度预算(元)"))

    def __init__(self, *args: Any, units: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, weight, cap in FACTOR_FIELDS:
            self.fields[f"{name}_weight"] = _points(weight, initial=0)
            self.fields[f"{name}_cap"] = _points(cap, required=False, help_text=_("不填为不封顶"))
        if units is None:
            for name in ("district", "year", "subject"):
                del self.fields[name]
        else:
            self.fields["district"].queryset = units  # type: ignore[attr-defined]
        order = ["district", "year", "subject"]
        order += [f"{n}_{p}" for n, _w, _c in FACTOR_FIELDS for p in ("weight", "cap")]
        self.order_fields(order)


class AdjustForm(PlainTextForm):
    amount = _money(_("奖励金额(元)"))
    reason = forms.CharField(label=_("调整理由"), max_length=200)


class RatingForm(PlainTextForm):
    score = forms.TypedChoiceField(
        label=_("质量评分"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)]
    )
    note = forms.CharField(label=_("评语"), max_length=200, required=False)
