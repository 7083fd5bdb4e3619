from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import Form, PlainTextForm
from shegong.orgs.models import Unit
from shegong.people.forms import CommunityChoiceField
from shegong.people.models import Gender
from shegong.resources.models import (
    ActivityKind,
    AwardLevel,
    ItemKind,
    OwnerKind,
    TalentCategory,
    TalentLevel,
    TeamKind,
    TeamRecordKind,
)

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WEEKDAYS = [
    ("1", _("周一")),
    ("2", _("周二")),
    ("3", _("周三")),
    ("4", _("周四")),
    ("5", _("周五")),
    ("6", _("周六")),
    ("7", _("周日")),
]


class VenueForm(PlainTextForm):
    """A venue's fields; the services check hours, capacity and the owner."""

    community = CommunityChoiceField(label=_("服务社区"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("场地名称"), max_length=100)
    owner_kind = forms.ChoiceField(label=_("产权方"), choices=OwnerKind.choices)
    owner_name = forms.CharField(label=_("产权单位"), max_length=100, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    area = forms.DecimalField(
        label=_("面积(平方米)"), max_digits=8, decimal_places=1, min_value=0, initial=0
    )
    capacity = forms.IntegerField(label=_("容纳人数"), min_value=1, max_value=100000)
    price_per_hour = forms.DecimalField(
        label=_("每小时收费(元,0为免费)"), max_digits=10, decimal_places=2, min_value=0, initial=0
    )
    opens = forms.TimeField(label=_("开放时间"), widget=TIME)
    closes = forms.TimeField(label=_("关闭时间"), widget=TIME)
    weekdays = forms.MultipleChoiceField(
        label=_("开放日"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    requires_approval = forms.BooleanField(label=_("需产权方审批"), required=False)
    active = forms.BooleanField(label=_("在用"), required=False, initial=True)

    def __init__(self, *args: Any, communities: QuerySet[Unit] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if communities is None:
            del self.fields["community"]
        else:
            self.fields["community"].queryset = communities  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("community", None)
        data["weekdays"] = "".join(data["weekdays"])
        return data


class BookingForm(PlainTextForm):
    title = forms.CharField(label=_("用途"), max_length=100)
    booker = forms.CharField(label=_("预约方(队伍或单位)"), max_length=100)
    starts_at = forms.DateTimeField(label=_("开始"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("结束"), widget=DATETIME)
    expected = forms.IntegerField(label=_("预计人数"), min_value=0, max_value=100000, initial=0)


class SeriesForm(PlainTextForm):
    title = forms.CharField(label=_("用途"), max_length=100)
    booker = forms.CharField(label=_("预约方(队伍或单位)"), max_length=100)
    weekday = forms.TypedChoiceField(label=_("每周几"), choices=WEEKDAYS, coerce=int)
    start_time = forms.TimeField(label=_("开始时间"), widget=TIME)
    end_time = forms.TimeField(label=_("结束时间"), widget=TIME)
    first_day = forms.DateField(label=_("首日"), widget=DATE)
    last_day = forms.DateField(label=_("末日"), widget=DATE)
    expected = forms.IntegerField(label=_("预计人数"), min_value=0, max_value=100000, initial=0)


class HeadcountForm(Form):
    present = forms.IntegerField(label=_("实到人数"), min_value=0, max_value=100000)


class PeriodForm(Form):
    first = forms.DateField(label=_("起"), widget=DATE)
    last = forms.DateField(label=_("止"), widget=DATE)


class ResidentForm(PlainTextForm):
    community = CommunityChoiceField(label=_("所在社区"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=50)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices)
    birth_date = forms.DateField(label=_("出生日期"), widget=DATE)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    consent_on = forms.DateField(label=_("本人同意登记日期"), widget=DATE)
    consent_until = forms.DateField(label=_("同意有效期至(空为长期)"), widget=DATE, required=False)

    def __init__(self, *args: Any, communities: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]


class TeamForm(PlainTextForm):
    unit = CommunityChoiceField(label=_("所属街道或社区"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("队伍名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=TeamKind.choices)
    practice_place = forms.CharField(label=_("活动地点"), max_length=100, required=False)
    practice_time = forms.CharField(
        label=_("活动时间(如每周四下午)"), max_length=100, required=False
    )
    founded_on = forms.DateField(label=_("成立日期"), widget=DATE, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class MemberForm(Form):
    resident = forms.IntegerField(label=_("居民编号"), min_value=1)
    joined_on = forms.DateField(label=_("加入日期"), widget=DATE)
    leader = forms.BooleanField(label=_("任负责人"), required=False)


class LeaveForm(Form):
    left_on = forms.DateField(label=_("退出日期"), widget=DATE)


class TeamRecordForm(PlainTextForm):
    kind = forms.ChoiceField(label=_("类别"), choices=TeamRecordKind.choices)
    day = forms.DateField(label=_("日期"), widget=DATE)
    title = forms.CharField(label=_("内容"), max_length=100)
    level = forms.ChoiceField(
        label=_("获奖级别"), choices=[("", "—"), *AwardLevel.choices], required=False
    )
    participants = forms.IntegerField(label=_("参与人数"), min_value=0, max_value=100000, initial=0)


class ActivityForm(PlainTextForm):
    unit = CommunityChoiceField(label=_("主办单位"), queryset=Unit.objects.none())
    title = forms.CharField(label=_("活动名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=ActivityKind.choices)
    day = forms.DateField(label=_("日期"), widget=DATE)
    organiser = forms.CharField(label=_("组织者"), max_length=100, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class HoursForm(PlainTextForm):
    volunteer = forms.IntegerField(label=_("志愿者编号"), min_value=1)
    hours = forms.DecimalField(label=_("服务时长(小时)"), max_digits=4, decimal_places=1)
    content = forms.CharField(label=_("服务内容"), max_length=200, required=False)


class SelfReportForm(PlainTextForm):
    activity = forms.TypedChoiceField(label=_("活动"), coerce=int, choices=[])
    hours = forms.DecimalField(label=_("服务时长(小时)"), max_digits=4, decimal_places=1)
    content = forms.CharField(label=_("服务内容"), max_length=200, required=False)

    def __init__(self, *args: Any, activities: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = activities  # type: ignore[attr-defined]


class VolunteerForm(PlainTextForm):
    resident = forms.IntegerField(label=_("居民编号"), min_value=1)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=18, required=False)
    skills = forms.CharField(label=_("技能特长"), max_length=200, required=False)
    registered_on = forms.DateField(label=_("注册日期"), widget=DATE, required=False)


class TalentForm(PlainTextForm):
    resident = forms.IntegerField(label=_("居民编号"), min_value=1)
    category = forms.ChoiceField(label=_("类别"), choices=TalentCategory.choices)
    skill = forms.CharField(label=_("特长"), max_length=100)
    level = forms.ChoiceField(label=_("水平"), choices=TalentLevel.choices)
    availability = forms.CharField(label=_("可服务时间"), max_length=100, required=False)
    contact_until = forms.DateField(label=_("同意联系至(空为长期)"), widget=DATE, required=False)


# ---------------------------------------------------------------- standards


def _measure_choices() -> list[tuple[str, str]]:
    from shegong.resources.rules import MEASURES

    return [("", "—")] + [
        (m.key, f"{m.label}({m.unit})" if m.unit else str(m.label)) for m in MEASURES.values()
    ]


class StandardForm(PlainTextForm):
    unit = CommunityChoiceField(label=_("制定单位"), queryset=Unit.objects.none())
    name = forms.CharField(label=_("标准名称"), max_length=100)
    key = forms.CharField(
        label=_("代码"), max_length=40, help_text=_("小写字母、数字和连字符,如 demo-community")
    )
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class StandardItemForm(PlainTextForm):
    label = forms.CharField(label=_("项目名称"), max_length=100)
    key = forms.CharField(label=_("代码"), max_length=40)
    kind = forms.ChoiceField(label=_("核对方式"), choices=ItemKind.choices)
    measure = forms.ChoiceField(label=_("指标(按数据核对时)"), choices=[], required=False)
    threshold = forms.DecimalField(
        label=_("达标值(不低于)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = _measure_choices()  # type: ignore[attr-defined]


class StandardCheckForm(PlainTextForm):
    community = CommunityChoiceField(label=_("社区"), queryset=Unit.objects.none())
    item = forms.TypedChoiceField(label=_("检查项目"), coerce=int, choices=[])
    checked_on = forms.DateField(label=_("检查日期"), widget=DATE)
    met = forms.TypedChoiceField(
        label=_("检查结果"),
        choices=[("1", _("达标")), ("0", _("不达标"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label=_("检查意见(不达标时必填)"), max_length=300, required=False)

    def __init__(
        self,
        *args: Any,
        communities: QuerySet[Unit],
        items: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["item"].choices = items  # type: ignore[attr-defined]
