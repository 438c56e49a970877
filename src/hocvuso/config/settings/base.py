"""Settings from the environment; every default is safe for the embedded SQLite profile."""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parents[2]
_checkout = PACKAGE_DIR.parents[1]
# A source checkout keeps its data beside the code; an installed package keeps it in the cwd.
PROJECT_DIR = _checkout if (_checkout / "pyproject.toml").exists() else Path.cwd()
DATA_DIR = Path(os.environ.get("HOCVUSO_DATA_DIR", PROJECT_DIR / "var"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """The key from the environment, else one generated once into the git-ignored data folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()


def _personal_data_key() -> str:
    """The key that hashes and encrypts citizen ID numbers; apart from SECRET_KEY so it can be
    kept in a vault and never rotated by accident (rotating it orphans every stored number)."""
    if key := os.environ.get("PERSONAL_DATA_KEY"):
        return key
    key_file = DATA_DIR / "personal_data_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


PERSONAL_DATA_KEY = _personal_data_key()
# "1 kèm 5": how many residents one digital ambassador mentors at a time.
AMBASSADOR_MENTEE_LIMIT = 5
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# The address people reach the platform at, printed on certificates and in their QR codes.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "huey.contrib.djhuey",
    "hocvuso.places",
    "hocvuso.accounts",
    "hocvuso.people",
    "hocvuso.learning",
    "hocvuso.field",
    "hocvuso.portal",
    "hocvuso.monitoring",
    "hocvuso.demo",
    "hocvuso.assistant",
    "hocvuso.skills",
    "hocvuso.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "hocvuso.config.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outside everything that may query the database (sessions, users), inside the headers.
    "hocvuso.config.middleware.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hocvuso.portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hocvuso.accounts.middleware.RememberedGrantsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "hocvuso.config.urls"
WSGI_APPLICATION = "hocvuso.config.wsgi.application"

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
                "hocvuso.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'hocvuso.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE avoids lock upgrades that fail.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer at all (down, behind a dropped route) fails the
    # connection in seconds instead of holding the app server until its own timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    )

# A request that meets a database outage (PostgreSQL restarting, a failover) is handled again
# when that cannot do anything twice, for up to this many seconds, before a 503 that asks the
# client to come back after DATABASE_RETRY_AFTER seconds. The health check answers at once.
DATABASE_RETRY_SECONDS = float(os.environ.get("DATABASE_RETRY_SECONDS", "10"))
DATABASE_RETRY_AFTER = int(os.environ.get("DATABASE_RETRY_AFTER", "5"))
DATABASE_RETRY_EXEMPT_PATHS = ["/api/v1/health"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "hocvuso.accounts.backends.PhoneOrUsernameBackend",
    "hocvuso.accounts.backends.AreaRoleBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# External identity provider over OpenID Connect (mozilla-django-oidc), on when configured.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "VNeID")
if OIDC_ENABLED:
    OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]
    OIDC_OP_TOKEN_ENDPOINT = os.environ["OIDC_OP_TOKEN_ENDPOINT"]
    OIDC_OP_USER_ENDPOINT = os.environ["OIDC_OP_USER_ENDPOINT"]
    OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid profile phone")
    AUTHENTICATION_BACKENDS.insert(0, "hocvuso.accounts.backends.OIDCBackend")

# Failed logins per account name and per address before the next try must wait.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("LOGIN_LOCKOUT_SECONDS", "300"))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURE_LIMIT_PER_ADDRESS", "50"))

# The login page lists the demo accounts and their shared password; only for a demo install.
HOCVUSO_SHOW_DEMO_ACCOUNTS = env_bool("HOCVUSO_SHOW_DEMO_ACCOUNTS", False)

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Files, not process memory, so that every app-server process sees the same login counters.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": DATA_DIR / "cache",
        }
    }

# Background work (imports, reports, rebuilds, audio) runs on Huey: with Redis, a worker process
# (`hocvuso run_huey`) takes it from the queue; without (the embedded profile), it runs in-process.
HUEY = {
    "name": os.environ.get("HUEY_QUEUE", "hocvuso"),
    "immediate": env_bool("HUEY_IMMEDIATE", not REDIS_URL),
    "connection": {"url": REDIS_URL} if REDIS_URL else {},
    "results": True,
    "store_none": False,
    "consumer": {"workers": int(os.environ.get("HUEY_WORKERS", "2")), "worker_type": "thread"},
}

# A report waiting or being made with no sign of life for this long has lost its worker (killed,
# or its task lost with the queue): it is queued again, and after this many attempts in all marked
# failed. Each stage of a report (figures, Excel, PDF) done is a sign of life, so this bounds one
# stage, not the whole report.
REPORT_STALE_SECONDS = int(os.environ.get("REPORT_STALE_SECONDS", "300"))
REPORT_MAX_ATTEMPTS = int(os.environ.get("REPORT_MAX_ATTEMPTS", "3"))

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if SESSION_COOKIE_SECURE:
    # Served over HTTPS, usually by a reverse proxy that terminates TLS and must set (never pass on)
    # X-Forwarded-Proto: browsers then keep to HTTPS for a year.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "hocvuso_language"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
# The embedded profile serves uploaded media itself; production leaves it to the reverse proxy.
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
# Largest files an editor may upload.
UPLOAD_MAX_VIDEO_BYTES = int(os.environ.get("UPLOAD_MAX_VIDEO_BYTES", str(100 * 1024 * 1024)))
UPLOAD_MAX_IMAGE_BYTES = int(os.environ.get("UPLOAD_MAX_IMAGE_BYTES", str(3 * 1024 * 1024)))
UPLOAD_MAX_AUDIO_BYTES = int(os.environ.get("UPLOAD_MAX_AUDIO_BYTES", str(30 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# Largest spreadsheet a user may upload for an import.
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024)))
# A resident list is streamed, not held in memory: a whole commune fits (100,000 rows ≈ 12 MB).
PEOPLE_IMPORT_MAX_BYTES = int(os.environ.get("PEOPLE_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
# The wording of the consent a resident gives; bump it when the text changes.
CONSENT_TEXT_VERSION = os.environ.get("CONSENT_TEXT_VERSION", "2026-01")
# How long personal data is kept (`hocvuso apply_retention` purges what is older; 0 keeps it):
# the audit log of who saw whose data, and a resident with no consent in force whose record
# nothing has touched in that time.
AUDIT_RETENTION_DAYS = int(os.environ.get("AUDIT_RETENTION_DAYS", "1095"))
INACTIVE_RESIDENT_RETENTION_DAYS = int(os.environ.get("INACTIVE_RESIDENT_RETENTION_DAYS", "1825"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "filters": {"database_outage": {"()": "hocvuso.config.middleware.DatabaseOutageLogFilter"}},
    "loggers": {
        # Configured here, the task-queue worker adds no second handler of its own: each line once.
        "huey": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A request that met a database outage gets one line of its own, not a traceback per try.
        "django.request": {"filters": ["database_outage"]},
    },
}

# Each PostgreSQL counter row is spread over this many slots, taken one per transaction, so that
# concurrent writers do not all wait on the row of Việt Nam at the top of the tree.
MONITORING_COUNTER_SLOTS = int(os.environ.get("MONITORING_COUNTER_SLOTS", "8"))
