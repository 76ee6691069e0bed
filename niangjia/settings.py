"""Settings for Niangjia.

Every value comes from an environment variable with a safe default: nothing left
unset turns debug on, opens a host or exposes data. `.env.example` lists them.
Secrets that are unset on the embedded default (SQLite under var/) are generated
once into var/secrets.json, so a fresh checkout runs without setup; production
sets them in the environment (see README, "Production").
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from cryptography.fernet import Fernet
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("NIANGJIA_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str = "") -> str:
    return os.environ.get(f"NIANGJIA_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def _local_secrets() -> dict:
    """Secrets for the embedded default, generated once and kept in var/ (mode 600)."""
    path = VAR_DIR / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    values = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PII_KEYS": Fernet.generate_key().decode(),
        "PII_HMAC_KEY": secrets.token_urlsafe(32),
        "SIGNING_KEY": secrets.token_urlsafe(32),
    }
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return values


def secret(name: str) -> str:
    return env(name) or _local_secrets()[name]


DEBUG = env_bool("DEBUG")
SECRET_KEY = secret("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Personal data: Fernet keys (first encrypts, all decrypt, so keys rotate) and the
# HMAC key behind the lookup hashes of ID numbers and phones.
PII_KEYS = env_list("PII_KEYS") or [secret("PII_KEYS")]
PII_HMAC_KEY = secret("PII_HMAC_KEY")
# Set only while `manage.py rotate_pii_keys --rehash` moves hashes to a new PII_HMAC_KEY.
PII_HMAC_KEY_OLD = env("PII_HMAC_KEY_OLD")
# Signs member-card and ticket QR codes so they verify without a database call.
SIGNING_KEY = secret("SIGNING_KEY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    # Ours, bottom layer first (imports only go down this list).
    "core",
    "accounts",
    "orgs",
    "members",
    "stations",
    "programs",
    "rights",
    "reports",
    "portal",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ActorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "niangjia.urls"
WSGI_APPLICATION = "niangjia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    }
]

# Database: DATABASE_URL in production (PostgreSQL); SQLite under var/ by default,
# in WAL mode with IMMEDIATE transactions so concurrent writers queue.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'niangjia.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's SQLite backend with PostgreSQL's integer ranges (core/db/sqlite3/base.py). Its tests
    # run in memory, as Django's SQLite's do: said outright, for tools that know SQLite by the engine's
    # name only (pytest-django's xdist suffix would make a file name of the memory database's).
    DATABASES["default"]["ENGINE"] = "core.db.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            # Each request opens a fresh connection with a cold page cache: memory-mapped reads
            # skip a read() call per page: district-wide membership lists ran 30-40% faster (bench/).
            "PRAGMA busy_timeout=30000; PRAGMA mmap_size=268435456;"
        ),
    }
else:
    # psycopg prepares a statement after five runs on a connection, for the cursors that ask for it
    # (core.compiled.prepared_cursor: a request's hot reads and the seat statement); Django's own
    # cursors bind values on the client and never prepare. Behind PgBouncer in transaction mode, set
    # NIANGJIA_DB_PREPARE=0 unless it tracks prepared statements (max_prepared_statements, 1.21+).
    if env_bool("DB_PREPARE", True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "reports:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Officials: 5 failed passwords lock the account for 30 minutes (django-axes).
AXES_FAILURE_LIMIT = int(env("LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(env("LOCKOUT_MINUTES", "30")) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_CALLABLE = "accounts.lockout.username"  # a number typed as a username is kept masked
AXES_RESET_ON_SUCCESS = True
# The lock is per account, as asked: locking by IP would lock a whole union office behind one NAT.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "code"]

# Sessions end after this many idle minutes for officials; workers on their
# phones stay signed in longer (WORKER_SESSION_DAYS).
SESSION_IDLE_MINUTES = int(env("SESSION_IDLE_MINUTES", "30"))
WORKER_SESSION_DAYS = int(env("WORKER_SESSION_DAYS", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# The database store; the idle timeout slides the expiry without a write on every request.
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Worker one-time codes.
OTP_TTL_SECONDS = int(env("OTP_TTL_SECONDS", "300"))
OTP_MAX_PER_PHONE_PER_HOUR = int(env("OTP_MAX_PER_PHONE_PER_HOUR", "5"))
OTP_MAX_PER_IP_PER_HOUR = int(env("OTP_MAX_PER_IP_PER_HOUR", "20"))
OTP_MAX_ATTEMPTS = int(env("OTP_MAX_ATTEMPTS", "5"))

# Joining: requests to unions of these kinds (orgs UnionKind values, e.g. "new_economy,joint") are approved
# at once when the ID number is valid and the phone verified; every other request waits for review.
JOIN_AUTO_APPROVE_KINDS = env_list("JOIN_AUTO_APPROVE_KINDS")
# Days a member card's QR code stays valid; the H5 card page issues a fresh one each time it is opened.
MEMBER_CARD_TTL_DAYS = int(env("MEMBER_CARD_TTL_DAYS", "30"))
# Bulk enrolment (批量入会): the largest file and row count accepted, rows per chunk, and the worker
# processes that validate and encrypt a large file's chunks (1 = in the job's own process).
IMPORT_MAX_BYTES = int(env("IMPORT_MAX_MB", "200")) * 1024 * 1024
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "1000000"))
IMPORT_CHUNK_ROWS = int(env("IMPORT_CHUNK_ROWS", "10000"))
IMPORT_WORKERS = int(env("IMPORT_WORKERS", "2"))
# Legal consultations: hours within which a lawyer should answer; an unanswered one past it is
# escalated to the union's rights officials (`manage.py rights_tick`).
CONSULTATION_RESPONSE_HOURS = int(env("CONSULTATION_RESPONSE_HOURS", "24"))
# Hardship aid: how far up the union tree a file climbs for approval — a number of levels (2 = the
# file's union and the one above it) or a union kind (e.g. "federation": up to the first such union);
# the public notice's length in days; the yearly standard amount per tier shown on the notice (yuan).
AID_APPROVAL_LEVELS = env("AID_APPROVAL_LEVELS", "2")
AID_NOTICE_DAYS = int(env("AID_NOTICE_DAYS", "5"))
AID_TIER_AMOUNTS = env("AID_TIER_AMOUNTS", "deep=5000,relative=3000,accident=2000")

# Notifications: SMS and in-site messages through one interface.
SMS_BACKEND = env("SMS_BACKEND", "core.notify.ConsoleSmsBackend")

# Background work: Django's tasks API; database-backed by default so the
# embedded default needs no other server. Run `manage.py db_worker`.
TASKS = {
    "default": {
        "BACKEND": env("TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The Redis-backed queue (README, "Background work"): `pip install django-tasks-rq`, set
# NIANGJIA_TASK_BACKEND=django_tasks_rq.RQBackend, run `manage.py rqworker --job-class django_tasks_rq.Job`.
if TASKS["default"]["BACKEND"].startswith("django_tasks_rq."):
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS["default"]["QUEUES"] = ["default"]
    RQ_QUEUES = {"default": {"URL": env("TASK_REDIS_URL") or REDIS_URL or "redis://127.0.0.1:6379/0"}}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# whitenoise serves static files straight from the apps, so no collectstatic is needed to run.
WHITENOISE_USE_FINDERS = env_bool("STATIC_FINDERS", True)
# Uploaded and generated files are private: served only through views that check access.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "DEFAULT_METADATA_CLASS": "core.api.metadata.Metadata",
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "core.api.parsers.FormParser",
        "core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"otp": "20/hour"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Niangjia API",
    "DESCRIPTION": "娘家 — the REST API for mini-programs, dashboards and provincial systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # `<id:pk>` in a path (core.ids) is an integer, as `<int:pk>` was.
    "PATH_CONVERTER_OVERRIDES": {"id": int},
    # The docs page loads its script from our own static files, never a CDN.
    "REDOC_DIST": "SIDECAR",
    # Choice sets shared by several serializers get one stable name each.
    "ENUM_NAME_OVERRIDES": {
        "ProgramKindEnum": "programs.choices.ProgramKind",
        "ProgramStatusEnum": "programs.choices.ProgramStatus",
        "RegistrationStatusEnum": "programs.choices.RegistrationStatus",
        "RegistrationChannelEnum": "programs.choices.RegistrationChannel",
        "ChannelEnum": "members.choices.JoinChannel",  # the name it had before registrations came
        "CaseOutcomeEnum": "rights.choices.CaseOutcome",
        "ConsultationStatusEnum": "rights.choices.ConsultationStatus",
        "ConsultationCategoryEnum": "rights.choices.ConsultationCategory",
        "AidStatusEnum": "rights.choices.AidStatus",
        "AidTierEnum": "rights.choices.AidTier",
        "BenefitKindEnum": "rights.choices.BenefitKind",
        "ClaimStatusEnum": "rights.choices.ClaimStatus",
        "ClaimKindEnum": "rights.services.mutual.CLAIM_KINDS",
        "EmploymentFormEnum": "orgs.choices.EmploymentForm",
    },
}

# Security headers; the deploy check passes once NIANGJIA_HTTPS=1 in production.
HTTPS = env_bool("HTTPS")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(env("HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a reverse proxy: trust its X-Forwarded-Proto, and take the client address (for the
# per-IP code limits) from the last X-Forwarded-For entry, the one the proxy appended.
BEHIND_PROXY = env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Logs never carry personal data: see core.logging.PiiRedactingFilter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "core.logging.PiiRedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Filter selects offer "全部" rather than a row of dashes.
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

# Employers with at least this many workers are due a union (应建); 25 by the Trade Union Law.
UNION_DUE_THRESHOLD = int(env("UNION_DUE_THRESHOLD", "25"))

# Map tiles for station maps; pages work as lists without them.
MAP_TILE_URL = env("MAP_TILE_URL", "")
# The coordinate system those tiles draw (wgs84, gcj02 for 高德 / 腾讯 tiles, bd09): points on
# a map are converted to it on the server (core.maps); stored coordinates stay WGS-84.
MAP_TILE_SYSTEM = env("MAP_TILE_SYSTEM", "wgs84")

# Test-only switches (never set in production).
TESTING = env_bool("TESTING")
