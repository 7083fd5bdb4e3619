import os
import sys

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
application = get_wsgi_application()


def _refuse_a_broken_configuration() -> None:
    """gunicorn runs no system checks: a vanished data folder or an unreachable database
    stops the server here, with the reason, instead of serving logins that all fail."""
    from django.db import connections
    from django.utils.translation import gettext as _

    from shegong.core.checks import configuration_problems, problems_as_text

    problems = configuration_problems()
    connections.close_all()  # a connection opened before gunicorn forks must not be shared
    if problems:
        sys.stderr.write(_("Shegong 未启动:") + "\n" + problems_as_text(problems) + "\n")
        sys.exit(3)  # gunicorn stops when a worker cannot boot


_refuse_a_broken_configuration()
# Serving requests: never pause the garbage collector (imports write in the job worker).
from shegong.core.bulk import gc_pause_allowed  # noqa: E402

gc_pause_allowed(False)
