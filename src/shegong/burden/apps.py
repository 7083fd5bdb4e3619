from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BurdenConfig(AppConfig):
    name = "shegong.burden"
    label = "burden"
    verbose_name = _("社区减负")
