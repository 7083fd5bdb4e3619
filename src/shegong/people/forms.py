from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import Form, PlainTextForm
from shegong.orgs.models import Unit
from shegong.people.models import (
    ETHNICITY_CHOICES,
    CertificateKind,
    Education,
    EndReason,
    Gender,
    Political,
    PostType,
    Source,
)

DATE = forms.DateInput(attrs={"type": "date"})


if TYPE_CHECKING:
    _UnitChoiceField = forms.ModelChoiceField[Unit]
else:  # the field is not subscriptable at run time
    _UnitChoiceField = forms.ModelChoiceField


class CommunityChoiceField(_UnitChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        parent = obj.parent.name if obj.parent_id and obj.parent else ""
        return f"{parent} · {obj.name}" if parent else obj.name


class WorkerForm(PlainTextForm):
    """A worker's own fields; checking is the services' job (they know the ID rules)."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("公民身份号码"), max_length=24)
    gender = forms.ChoiceField(
        label=_("性别"),
        choices=[("", _("按身份证号码")), *Gender.choices],
        required=False,
        help_text=_("可不填,按身份证号码"),
    )
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE)
    ethnicity = forms.ChoiceField(label=_("民族"), choices=ETHNICITY_CHOICES, initial="汉族")
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    political = forms.ChoiceField(label=_("政治面貌"), choices=Political.choices)
    education = forms.ChoiceField(label=_("学历"), choices=Education.choices)
    major = forms.CharField(label=_("所学专业"), max_length=100, required=False)
    source = forms.ChoiceField(label=_("来源方式"), choices=Source.choices)
    work_start_date = forms.DateField(label=_("参加社区工作时间"), required=False, widget=DATE)


class WorkerCreateForm(WorkerForm):
    community = CommunityChoiceField(label=_("所在社区"), queryset=Unit.objects.none())
    entry_date = forms.DateField(label=_("入职日期"), widget=DATE)

    def __init__(self, *args: Any, communities: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities.select_related("parent")


class MoveForm(Form):
    community = CommunityChoiceField(label=_("调入社区"), queryset=Unit.objects.none())
    date = forms.DateField(label=_("调动日期"), widget=DATE)

    def __init__(self, *args: Any, communities: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["community"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = communities.select_related("parent")


class ReenterForm(MoveForm):
    def __init__(self, *args: Any, communities: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, communities=communities, **kwargs)
        self.fields["community"].label = _("入职社区")
        self.fields["date"].label = _("重新入职日期")


class ExitForm(Form):
    date = forms.DateField(label=_("离岗日期"), widget=DATE)
    reason = forms.ChoiceField(
        label=_("离岗原因"), choices=[c for c in EndReason.choices if c[0] != EndReason.TRANSFER]
    )


class PostAssignForm(Form):
    post = forms.ModelChoiceField(label=_("岗位"), queryset=PostType.objects.all())
    start = forms.DateField(label=_("任职日期"), widget=DATE)


class CertificateForm(PlainTextForm):
    kind = forms.ChoiceField(label=_("证书类别"), choices=CertificateKind.choices)
    number = forms.CharField(label=_("证书编号"), max_length=50, required=False)
    issued_on = forms.DateField(label=_("取得日期"), widget=DATE)


class StandingDecisionForm(PlainTextForm):
    decision = forms.ChoiceField(
        label=_("决定"), choices=[("accept", _("同意")), ("reject", _("不同意"))]
    )
    exit_date = forms.DateField(label=_("解聘离岗日期"), widget=DATE, required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
