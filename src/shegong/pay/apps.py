from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PayConfig(AppConfig):
    name = "shegong.pay"
    label = "pay"
    verbose_name = _("待遇")

    def ready(self) -> None:
        from shegong.pay import events  # noqa: F401  (registers the pay audit kinds)
        from shegong.pay.selectors import record
        from shegong.people.record import register_section

        register_section("pay.grades", 20, record.grades_section)
        register_section("pay.lines", 21, record.pay_section)
