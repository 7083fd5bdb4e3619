from django import forms
from django.utils.translation import gettext_lazy as _

from shegong.core.forms import Form
from shegong.orgs.models import AreaType, FundingSource, Premises


class CommunityProfileForm(Form):
    households = forms.IntegerField(label=_("户数"), min_value=0)
    residents = forms.IntegerField(label=_("常住人口"), min_value=0)
    area_type = forms.ChoiceField(label=_("城乡类型"), choices=AreaType.choices)
    office_area = forms.DecimalField(
        label=_("办公用房面积(㎡)"), min_value=0, max_digits=10, decimal_places=2
    )
    activity_area = forms.DecimalField(
        label=_("活动用房面积(㎡)"), min_value=0, max_digits=10, decimal_places=2
    )
    premises = forms.ChoiceField(label=_("用房产权"), choices=Premises.choices)


class FundingForm(Form):
    year = forms.IntegerField(label=_("年度"), min_value=1990, max_value=2100)
    source = forms.ChoiceField(label=_("来源"), choices=FundingSource.choices)
    amount = forms.DecimalField(label=_("金额(元)"), min_value=0, max_digits=14, decimal_places=2)


class SheetUploadForm(Form):
    file = forms.FileField(label=_("文件(.xlsx、.xls、.ods 或 .csv)"))
    sheet = forms.CharField(
        label=_("工作表(文件有多个像名单的工作表时,填写要导入的工作表名称)"),
        required=False,
        max_length=100,
    )
    skip_hidden = forms.BooleanField(label=_("跳过表格中隐藏的行"), required=False)

    def read_options(self) -> dict[str, object]:
        """The reader's options (core.sheets.read_table) the user chose."""
        return {
            "sheet": self.cleaned_data.get("sheet") or None,
            "skip_hidden": bool(self.cleaned_data.get("skip_hidden")),
        }
