from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalConfig(AppConfig):
    name = "shegong.appraisal"
    label = "appraisal"
    verbose_name = _("考核评议")

    def ready(self) -> None:
        from shegong.appraisal import selectors
        from shegong.people.record import register_section

        register_section("appraisal.results", 40, selectors.results_section)
