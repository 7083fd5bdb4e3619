from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "shegong.training"
    label = "training"
    verbose_name = _("培训与职业资格")

    def ready(self) -> None:
        from shegong.people.record import register_section
        from shegong.training import selectors

        register_section("training.days", 30, selectors.days_section)
        register_section("training.awards", 31, selectors.awards_section)
