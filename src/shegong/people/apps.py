from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "shegong.people"
    label = "people"
    verbose_name = _("社区工作者")

    def ready(self) -> None:
        from shegong.orgs import panels
        from shegong.people.panels import roster_panel

        panels.register(roster_panel)
        from shegong.people import selectors
        from shegong.people.record import register_section

        register_section("people.grades", 10, selectors.grades_section)
        register_section("people.standing", 50, selectors.standing_section)
