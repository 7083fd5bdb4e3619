from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "shegong.appraisal"
    label = "appraisal"
    verbose_name = _("考核评议")
