"""Forms of the burden pages; the services check every rule again (API, command line)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shegong.burden.models import (
    AdmissionItem,
    Category,
    Department,
    Frequency,
    ItemKind,
    Listing,
    QuestionKind,
    RecordKind,
    StampEntry,
)
from shegong.core.forms import Form, PlainTextForm
from shegong.orgs.models import Unit
from shegong.people.forms import CommunityChoiceField

DATE = forms.DateInput(attrs={"type": "date"})
APPLIED_KINDS = [(v, label) for v, label in ItemKind.choices if v != ItemKind.REFUSED]


class _ItemFields(PlainTextForm):
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    legal_basis = forms.CharField(label=_("依据"), max_length=200, required=False)
    funded = forms.BooleanField(label=_("经费随事转"), required=False)
    funding = forms.DecimalField(
        label=_("每社区每年经费(元)"), max_digits=12, decimal_places=2, min_value=0, required=False
    )


class ApplicationForm(_ItemFields):
    kind = forms.ChoiceField(label=_("性质"), choices=APPLIED_KINDS)
    department = forms.ModelChoiceField(label=_("申请部门"), queryset=Department.objects.none())
    starts_on = forms.DateField(label=_("拟实施日期"), widget=DATE)
    purpose = forms.CharField(
        label=_("事由"), max_length=500, required=False, widget=forms.Textarea
    )
    field_order = ["department", "category", "kind", "title", "legal_basis", "purpose"]

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class ItemForm(_ItemFields):
    kind = forms.ChoiceField(label=_("性质"), choices=ItemKind.choices)
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.none())
    field_order = ["department", "category", "kind", "title", "legal_basis"]

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class DecideForm(PlainTextForm):
    reason = forms.CharField(label=_("不予准入理由"), max_length=300, required=False)


class RecordForm(PlainTextForm):
    community = CommunityChoiceField(label=_("社区"), queryset=Unit.objects.none())
    kind = forms.ChoiceField(label=_("类别"), choices=RecordKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    department = forms.ModelChoiceField(
        label=_("要求部门"), queryset=Department.objects.none(), required=False
    )
    imposed_by = forms.CharField(label=_("其他要求单位"), max_length=60, required=False)
    item = forms.ModelChoiceField(
        label=_("对应准入事项"), queryset=AdmissionItem.objects.none(), required=False
    )
    stamp = forms.ModelChoiceField(
        label=_("对应证明事项"), queryset=StampEntry.objects.none(), required=False
    )
    frequency = forms.ChoiceField(
        label=_("更新频次(台账)"), choices=[("", "---------"), *Frequency.choices], required=False
    )
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100, required=False)
    day = forms.DateField(label=_("日期(检查、考评、会议)"), widget=DATE, required=False)
    hours = forms.DecimalField(
        label=_("耗时(小时)"), max_digits=6, decimal_places=1, min_value=0, required=False
    )
    staff = forms.IntegerField(label=_("参与人数"), min_value=0, max_value=1000, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        communities: QuerySet[Unit],
        departments: QuerySet[Department],
        items: QuerySet[AdmissionItem],
        stamps: QuerySet[StampEntry],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities  # type: ignore[attr-defined]
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["item"].queryset = items  # type: ignore[attr-defined]
        self.fields["stamp"].queryset = stamps  # type: ignore[attr-defined]


class StampForm(PlainTextForm):
    name = forms.CharField(label=_("证明名称"), max_length=100)
    listing = forms.ChoiceField(label=_("清单"), choices=Listing.choices)
    basis = forms.CharField(label=_("依据"), max_length=200, required=False)


class PolicyForm(Form):
    lead_days = forms.IntegerField(label=_("提前申请工作日"), min_value=0, max_value=365)
    review_days = forms.IntegerField(label=_("审核期限工作日"), min_value=1, max_value=120)
    lapse_overdue = forms.BooleanField(label=_("逾期未批复视为不予准入"), required=False)
    hours_per_field = forms.DecimalField(
        label=_("一表通每个指标节省小时"), max_digits=5, decimal_places=2, min_value=0
    )


class CalendarDayForm(PlainTextForm):
    day = forms.DateField(label=_("日期"), widget=DATE)
    workday = forms.BooleanField(label=_("调休上班(不勾选为放假)"), required=False)
    name = forms.CharField(label=_("名称"), max_length=40)


class DepartmentForm(PlainTextForm):
    name = forms.CharField(label=_("部门名称"), max_length=60)


class ReportFormUpload(PlainTextForm):
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none())
    title = forms.CharField(label=_("报表名称"), max_length=100)
    layout = forms.FileField(label=_("报表样式(.xlsx)"))

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class FieldForm(PlainTextForm):
    sheet = forms.ChoiceField(label=_("工作表"), required=False)
    cell = forms.CharField(label=_("单元格(如 C5)"), max_length=10)
    label = forms.CharField(label=_("指标"), max_length=100)
    source = forms.ChoiceField(
        label=_("数据来源"),
        help_text=_("名单各列从所标单元格起逐行向下填写,各列人员顺序一致"),
    )
    key = forms.CharField(label=_("询问指标代码(向社区询问时填写)"), max_length=60, required=False)

    def __init__(
        self,
        *args: Any,
        sources: list[tuple[str, Any]],
        sheets: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [  # type: ignore[attr-defined]
            ("", "---------"),
            *sources,
            (_("向社区询问"), [("asked", _("向社区询问(一次填报,多表复用)"))]),
        ]
        self.fields["sheet"].choices = [(name, name) for name in sheets or []]  # type: ignore[attr-defined]
        if not sheets or len(sheets) < 2:
            self.fields["sheet"].widget = forms.HiddenInput()


class AnswerUploadForm(Form):
    sheet = forms.FileField(label=_("按本报表样式填好的表格"))


class DepartmentMemberForm(PlainTextForm):
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none())
    username = forms.CharField(label=_("账号(登录名)"), max_length=150)

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]


class QuestionForm(PlainTextForm):
    """A question of the workers' questionnaire; the service checks it again (and what each
    kind needs: options for a choice, the number of points for a scale)."""

    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("题目"), max_length=200)
    options = forms.CharField(
        label=_("选项(单选、多选题,每行一个)"), required=False, widget=forms.Textarea
    )
    points = forms.IntegerField(
        label=_("量表分值个数(如 5 为 1—5 分)"), min_value=2, max_value=11, required=False
    )
    low_label = forms.CharField(label=_("最低分说明(如 很不满意)"), max_length=20, required=False)
    high_label = forms.CharField(label=_("最高分说明(如 很满意)"), max_length=20, required=False)
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)


class RetireForm(PlainTextForm):
    reason = forms.CharField(label=_("停止理由"), max_length=200)
