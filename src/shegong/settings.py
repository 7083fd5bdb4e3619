"""The one settings file. Everything that differs between installations comes from the
environment: DATABASE_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS, SHEGONG_DATA_DIR."""

import os
import secrets
from pathlib import Path

import dj_database_url
from csp import constants as csp_constants
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
# The data folder holds the embedded database, the generated secret key and uploads.
DATA_DIR = Path(os.environ.get("SHEGONG_DATA_DIR", PACKAGE_DIR.parent.parent / "data"))
# Only the commands that set an installation up (migrate, demo, restore: see manage.py) may
# create a missing data folder. A server that finds it gone refuses to start (core/checks.py,
# wsgi.py) instead of serving a fresh empty database under a new secret key.
DATA_DIR_MAY_BE_CREATED = os.environ.get("SHEGONG_INITIALISING") == "1"
if DATA_DIR_MAY_BE_CREATED:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATA_DIR_MISSING = not DATA_DIR.is_dir()


def env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _kept_secret_key() -> str:
    """A key generated on first run and kept in the data folder, never a hard-coded one.
    Without the folder, a throwaway key lets the checks load and say what is wrong."""
    if DATA_DIR_MISSING:
        return secrets.token_urlsafe(50)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env_flag("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or _kept_secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'shegong.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASE_URL_ERROR = ""
except Exception as exc:  # a typo in the scheme: the checks say so in Chinese (core/checks.py)
    DATABASES = {"default": dj_database_url.parse("sqlite://:memory:")}
    DATABASE_URL_ERROR = str(exc)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while an import writes. Every write transaction begins IMMEDIATE
    # (takes the one write lock first, so writers queue instead of failing mid-way, and
    # core/db.py relies on it) and waits for the lock up to the busy timeout: longer than the
    # write of the largest import allowed (SHEGONG_IMPORT_MAX_ROWS) takes on a server, shorter
    # than gunicorn's worker timeout (30 s), so a waiting request is still answered. Pages
    # that only disclose (an audit row) wait far less: core/disclosures.py. The WAL is cut
    # back to 64 MiB after a checkpoint, not left at the size of the last big import.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT_SECONDS", "20")),
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA journal_size_limit=67108864;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}
# Rows one import may hold: its write holds SQLite's write lock for its whole length.
SHEGONG_IMPORT_MAX_ROWS = int(os.environ.get("SHEGONG_IMPORT_MAX_ROWS", "200000"))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "shegong.core",
    "shegong.orgs",
    "shegong.people",
    "shegong.tasks",
    "shegong.pay",
    "shegong.training",
    "shegong.appraisal",
    "shegong.burden",
    "shegong.resources",
    "shegong.reports",
    "shegong.annual",
    "shegong.api",
]

MIDDLEWARE = [
    "shegong.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shegong.core.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shegong.core.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shegong.core.middleware.DatabaseBusyMiddleware",
    # Last, as django-axes asks: turns a lockout nobody answered into our Chinese page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shegong.urls"
WSGI_APPLICATION = "shegong.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
CSRF_FAILURE_VIEW = "shegong.core.error_views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shegong.core.context_processors.navigation",
            ],
        },
    },
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# One throttle at authenticate() for every way in (login page, API token, any other caller):
# django-axes, with core/throttle.py deciding the limits. LOGIN_FAILURE_LIMIT failures of one
# account from one client address (core/net.client_address, which believes X-Forwarded-For
# only from TRUSTED_PROXIES) lock that account from that address; LOGIN_FAILURE_LIMIT_PER_ADDRESS
# failures from one address, whatever the accounts, lock that address. Either lock lasts until
# LOGIN_FAILURE_WINDOW_SECONDS have passed since the last failure; a lock from one address never
# keeps the account out from another.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "30"))
LOGIN_FAILURE_WINDOW_SECONDS = int(os.environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900"))
AXES_HANDLER = "shegong.core.throttle.LoginThrottle"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the per-address limit is the handler's
AXES_FAILURE_LIMIT = "shegong.core.throttle.failure_limit"
AXES_COOLOFF_TIME = "shegong.core.throttle.cool_off"
AXES_CLIENT_IP_CALLABLE = "shegong.core.net.client_address"
AXES_USERNAME_CALLABLE = "shegong.core.throttle.attempted_username"
AXES_LOCKOUT_CALLABLE = "shegong.core.views.lockout"
AXES_RESET_ON_SUCCESS = True  # a login clears that account-and-address pair only
# Attempts refused while locked are neither counted nor extend the lock.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # logins and logouts are in the audit trail instead
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# API tokens (core/tokens.py) expire this many days after they were issued.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
# A session lasts an office day from the login (SESSION_HOURS), optionally only until the
# browser closes.
SESSION_COOKIE_AGE = int(float(os.environ.get("SESSION_HOURS", "9")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_flag("SESSION_EXPIRE_AT_BROWSER_CLOSE", False)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
FORMAT_MODULE_PATH = ["shegong.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
if not DATA_DIR_MISSING:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

# Background work: Django's task framework (the django-tasks backport) with its database
# backend; `shegong worker` runs the queue. State, progress and a lease live on the Job row.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
TASKS_EAGER = False  # True: job_start runs the work inline (tests)
# A running job's worker renews its lease this often; a job whose lease has passed is failed.
JOB_LEASE_SECONDS = float(os.environ.get("SHEGONG_JOB_LEASE_SECONDS", "60"))
JOB_PROGRESS_INTERVAL = 0.5  # progress is written to the row at most this often (seconds)
# Result files and kept inputs of finished jobs are deleted by the worker after this long.
JOB_FILE_RETENTION_HOURS = float(os.environ.get("SHEGONG_JOB_FILE_HOURS", "24"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Pay figures per group (equal pay, benchmark, budget, a run's part) are withheld from a
# viewer without the personal-data right when the group has fewer people than this.
# How long a writer waits for a named lock (core/db.py: a month's pay run, the roster import)
# on PostgreSQL before it is told another one is running (SQLite: its busy timeout).
SHEGONG_LOCK_WAIT_SECONDS = float(os.environ.get("SHEGONG_LOCK_WAIT_SECONDS", "30"))
SHEGONG_MIN_GROUP_SIZE = int(os.environ.get("MIN_GROUP_SIZE", "3"))
# Four eyes on pay: the person who computed a run may not review (复核) it, and neither may
# approve it. A tiny office with one pay officer turns this on to let one person do all three.
SHEGONG_PAY_ONE_PERSON = env_flag("PAY_ONE_PERSON", False)
# Four eyes on 以奖代补: whoever proposed a year's awards may not approve them, unless this is on.
SHEGONG_AWARDS_ONE_PERSON = env_flag("AWARDS_ONE_PERSON", False)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploaded sheets (core/sheets.py): bounded while read; kept until their import ends, or
# deleted this many seconds after the upload if it is abandoned (`shegong sweep_uploads`).
SHEGONG_UPLOAD_MAX_BYTES = int(os.environ.get("SHEGONG_UPLOAD_MAX_BYTES", str(50 * 1024 * 1024)))
# Rows one import may hold (SHEGONG_IMPORT_MAX_ROWS) is set above, beside the database: its
# write holds SQLite's write lock for its whole length.
SHEGONG_IMPORT_MAX_COLUMNS = int(os.environ.get("SHEGONG_IMPORT_MAX_COLUMNS", "100"))
SHEGONG_IMPORT_MAX_UNZIPPED_BYTES = int(
    os.environ.get("SHEGONG_IMPORT_MAX_UNZIPPED_BYTES", str(1024 * 1024 * 1024))
)
SHEGONG_UPLOAD_MAX_AGE_SECONDS = int(os.environ.get("SHEGONG_UPLOAD_MAX_AGE_SECONDS", "21600"))

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Behind TLS in production; a plain-http local demo runs with DEBUG=1.
SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_flag("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_flag("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
# Addresses or CIDR ranges of the reverse proxies in front of Shegong. Only a request from one
# of them has its X-Forwarded-For read for the client address (core/net.py).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", "")
# Believed only from TRUSTED_PROXIES (core/middleware.py TrustedProxyMiddleware drops it from
# anybody else), so a client talking to the server directly cannot claim https.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None

# Content-Security-Policy: every script is a static file of the app (static/shegong/app.js,
# the API docs' sidecar files), never inline; styles still allow inline (the pages' <style>
# blocks, style attributes computed per row, and Swagger UI's own).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp_constants.SELF],
        "script-src": [csp_constants.SELF],
        "style-src": [csp_constants.SELF, csp_constants.UNSAFE_INLINE],
        "img-src": [csp_constants.SELF, "data:"],
        "font-src": [csp_constants.SELF],
        "connect-src": [csp_constants.SELF],
        "object-src": [csp_constants.NONE],
        "base-uri": [csp_constants.SELF],
        "form-action": [csp_constants.SELF],
        "frame-ancestors": [csp_constants.NONE],
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a refused token answers 401 with WWW-Authenticate: Token.
        "shegong.core.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shegong API",
    "DESCRIPTION": "社工 API: scoped exactly like the web pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every route and field: for logged-in callers only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "shegong.api.schema.document_errors",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status"; name each choice set after its model.
    "ENUM_NAME_OVERRIDES": {
        "WorkerStatusEnum": "shegong.people.models.WorkerStatus",
        "JobStatusEnum": "shegong.tasks.models.JobStatus",
        "PayRunKindEnum": "shegong.pay.models.RunKind",
        "StandingDecisionEnum": "shegong.api.standing.STANDING_DECISIONS",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
