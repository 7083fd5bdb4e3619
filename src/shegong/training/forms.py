from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import Form, PlainTextForm
from shegong.orgs.models import Unit
from shegong.people.forms import CommunityChoiceField
from shegong.people.models import PostType
from shegong.training.models import EXAM_LEVELS, CourseKind, ExamSubject, SecondmentKind

DATE = forms.DateInput(attrs={"type": "date"})


class CourseForm(PlainTextForm):
    """A course's fields; the services check dates, capacity and the organiser."""

    title = forms.CharField(label=_("培训班名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=CourseKind.choices)
    organiser = CommunityChoiceField(label=_("主办单位"), queryset=Unit.objects.none())
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    start = forms.DateField(label=_("开始日期"), widget=DATE)
    end = forms.DateField(label=_("结束日期"), widget=DATE)
    hours_per_day = forms.DecimalField(
        label=_("每天学时"), max_digits=4, decimal_places=1, initial=6
    )
    capacity = forms.IntegerField(label=_("名额"), min_value=1, max_value=100000)
    target_posts = forms.ModelMultipleChoiceField(
        label=_("面向岗位"),
        queryset=PostType.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    award_amount = forms.DecimalField(
        label=_("结业奖励(元)"),
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("结业的人员每人一次性奖励,随工资发放;不设请留空"),
    )
    award_min_days = forms.IntegerField(
        label=_("结业所需出勤天数"),
        min_value=1,
        required=False,
        help_text=_("留空表示须全勤"),
    )

    def __init__(self, *args: Any, organisers: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = organisers  # type: ignore[attr-defined]


class AttendanceDayForm(Form):
    day = forms.DateField(label=_("签到日期"), widget=DATE)


class ExamRegisterForm(Form):
    worker = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.ChoiceField(label=_("报考级别"), choices=EXAM_LEVELS)
    year = forms.IntegerField(label=_("年度"), min_value=2008, max_value=2100)


class ExamResultForm(PlainTextForm):
    comprehensive = forms.DecimalField(
        label=ExamSubject.COMPREHENSIVE.label, required=False, max_digits=5, decimal_places=1
    )
    practice = forms.DecimalField(
        label=ExamSubject.PRACTICE.label, required=False, max_digits=5, decimal_places=1
    )
    senior_practice = forms.DecimalField(
        label=ExamSubject.SENIOR_PRACTICE.label, required=False, max_digits=5, decimal_places=1
    )
    passed_on = forms.DateField(
        label=_("通过(发证)日期"), required=False, widget=DATE, help_text=_("各科合格时填写")
    )
    certificate_number = forms.CharField(label=_("证书编号"), max_length=50, required=False)

    def __init__(self, *args: Any, subjects: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in [s for s in ExamSubject.values if s not in subjects]:
            del self.fields[name]


class PaidForm(Form):
    paid_on = forms.DateField(label=_("发放日期"), widget=DATE)


class SecondmentForm(PlainTextForm):
    worker = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("类别"), choices=SecondmentKind.choices)
    host = forms.CharField(label=_("去向单位"), max_length=100)
    start = forms.DateField(label=_("起始日期"), widget=DATE)
    planned_end = forms.DateField(label=_("计划结束日期"), required=False, widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReturnForm(Form):
    returned_on = forms.DateField(label=_("返回日期"), widget=DATE)


def period_from(data: Any, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """`from` and `to` query parameters; this calendar year by default, swapped if reversed."""

    def parse(name: str) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(str(data.get(name) or ""))
        except ValueError:
            return None

    start = parse("from") or datetime.date(today.year, 1, 1)
    end = parse("to") or datetime.date(today.year, 12, 31)
    return (start, end) if start <= end else (end, start)


class RequirementForm(Form):
    post = forms.ModelChoiceField(
        label=_("岗位"),
        queryset=PostType.objects.all(),
        required=False,
        empty_label=_("其他人员(默认)"),
    )
    min_days = forms.IntegerField(label=_("最少天数"), min_value=1, max_value=365)
    every_years = forms.IntegerField(label=_("每几年"), min_value=1, max_value=5, initial=1)


class AwardRuleForm(Form):
    level = forms.ChoiceField(label=_("级别"), choices=EXAM_LEVELS)
    amount = forms.DecimalField(
        label=_("奖励金额(元)"), max_digits=10, decimal_places=2, min_value=Decimal("0.01")
    )
