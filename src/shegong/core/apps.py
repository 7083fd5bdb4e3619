from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shegong.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from shegong.core import checks  # noqa: F401  (registers the system checks)
        from shegong.core.throttle import audit_login, audit_logout

        user_logged_in.connect(audit_login, dispatch_uid="shegong-audit-login")
        user_logged_out.connect(audit_logout, dispatch_uid="shegong-audit-logout")
