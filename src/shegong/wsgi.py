import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shegong.settings")
application = get_wsgi_application()

# Serving requests: never pause the garbage collector (imports write in the job worker).
from shegong.core.bulk import gc_pause_allowed  # noqa: E402

gc_pause_allowed(False)
