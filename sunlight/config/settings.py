"""Django settings for Sunlight: wiring only, every value from config.env."""

import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from sunlight.config import env

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = env.data_dir()
SUNLIGHT_ENV = env.get("SUNLIGHT_ENV")
PRODUCTION = SUNLIGHT_ENV == "production"


def _secret_key() -> str:
    configured = env.get("SUNLIGHT_SECRET_KEY")
    if configured:
        return configured
    if PRODUCTION:
        raise ImproperlyConfigured(
            "生产环境（SUNLIGHT_ENV=production）必须设置 SUNLIGHT_SECRET_KEY"
            " (SUNLIGHT_SECRET_KEY must be set when SUNLIGHT_ENV=production)"
        )
    # Embedded mode keeps a generated key beside its database, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.get_bool("SUNLIGHT_DEBUG") and not PRODUCTION
ALLOWED_HOSTS = [h.strip() for h in env.get("SUNLIGHT_ALLOWED_HOSTS").split(",") if h.strip()]
if not PRODUCTION:
    ALLOWED_HOSTS += ["testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "sunlight.core",
    "sunlight.audit",
    "sunlight.org",
    "sunlight.catalog",
    "sunlight.flows",
    "sunlight.cases",
    "sunlight.notifications",
    "sunlight.discretion",
    "sunlight.supervision",
    "sunlight.disclosure",
    "sunlight.exchange",
    "sunlight.rollup",
    "sunlight.ratelimit",
    "sunlight.applicants",
    "sunlight.demo",
    "sunlight.feedback",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "sunlight.api",
    "sunlight.publication",
    "sunlight.publicity",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "sunlight.core.middleware.NormaliseInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "sunlight.org.signin.SignInGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sunlight.config.urls"
WSGI_APPLICATION = "sunlight.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

_database_url = env.get("DATABASE_URL")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "sunlight.sqlite3",
            "OPTIONS": {
                # IMMEDIATE: a writer takes the lock when its transaction starts, so two writers
                # queue instead of failing half-way (the audit chain needs serial appends).
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # temp_store and mmap_size: supervision scans fill temporary tables and read
                # the whole cases table; in memory, and through a map of the file rather than a
                # read call per page, a full scan at 1M open cases took 1.7 s instead of 2.4.
                # wal_autocheckpoint: copy the log back every 10,000 pages (≈40 MB), not 1,000:
                # the pages a step transition touches (the audit chain's tail, the step indexes)
                # are copied once per checkpoint however often they changed, and committing
                # transitions one after another ran ≈13 % faster (benchmarks/case_steps.py).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                    " PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824;"
                    " PRAGMA wal_autocheckpoint=10000;"
                ),
            },
            "TEST": {"NAME": None},
            # Keep each worker thread's connection: a new SQLite connection parses the whole
            # schema on its first statement, which cost a public lookup more than its queries.
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "sunlight.org.passwords.NotBlankValidator"},
    {"NAME": "sunlight.org.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "sunlight.org.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "sunlight.org.passwords.CommonPasswordValidator"},
    {"NAME": "sunlight.org.passwords.NumericPasswordValidator"},
]
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "staff:login"

# Repeated failures lock the account from the address they came from (account + address), so
# nobody can lock the admin out from elsewhere; see templates/axes/lockout.html. Failures from one
# address across accounts are throttled too (org/signin.py, SUNLIGHT_LOGIN_ADDRESS_FAILURES).
AXES_FAILURE_LIMIT = env.get_int("SUNLIGHT_LOCKOUT_FAILURES")
AXES_COOLOFF_TIME = env.get_int("SUNLIGHT_LOCKOUT_MINUTES") / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "sunlight.org.signin.sign_in_address"
SUNLIGHT_LOGIN_ADDRESS_FAILURES = env.get_int("SUNLIGHT_LOGIN_ADDRESS_FAILURES")
# Two-factor sign-in (org/two_factor.py): required for these roles ("superuser": Django
# superusers); optional for the others. Not an environment setting on purpose.
SUNLIGHT_TWO_FACTOR_ROLES = ["admin", "supervisor", "superuser"]
OTP_TOTP_ISSUER = "阳光政务"

SESSION_COOKIE_AGE = env.get_int("SUNLIGHT_SESSION_HOURS") * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if PRODUCTION:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
if PRODUCTION:
    STATIC_ROOT = DATA_DIR / "static"
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
else:
    # Embedded mode serves straight from the package: no collectstatic step for a new user.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

# Office hours for hour limits (counted on working days only); see core/office_hours.py.
SUNLIGHT_OFFICE_HOURS = env.get("SUNLIGHT_OFFICE_HOURS")
# The workbench's yellow: steps due within this many working days after today.
SUNLIGHT_DUE_SOON_WORKDAYS = env.get_int("SUNLIGHT_DUE_SOON_WORKDAYS")
SUNLIGHT_IMPORT_MAX_BYTES = env.get_int("SUNLIGHT_IMPORT_MAX_MB") * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = SUNLIGHT_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = SUNLIGHT_IMPORT_MAX_BYTES + 1024 * 1024

# Notifications (notifications/): e-mail through Django's mail backends, SMS through ours.
SUNLIGHT_SITE_URL = (
    env.get("SUNLIGHT_SITE_URL") or f"http://{env.get('SUNLIGHT_HOST')}:{env.get('SUNLIGHT_PORT')}"
).rstrip("/")
EMAIL_HOST = env.get("SUNLIGHT_EMAIL_HOST")
EMAIL_PORT = env.get_int("SUNLIGHT_EMAIL_PORT")
EMAIL_HOST_USER = env.get("SUNLIGHT_EMAIL_USER")
EMAIL_HOST_PASSWORD = env.get("SUNLIGHT_EMAIL_PASSWORD")
EMAIL_USE_TLS = env.get_bool("SUNLIGHT_EMAIL_USE_TLS")
EMAIL_USE_SSL = env.get_bool("SUNLIGHT_EMAIL_USE_SSL")
EMAIL_TIMEOUT = env.get_int("SUNLIGHT_DELIVERY_TIMEOUT_SECONDS")
DEFAULT_FROM_EMAIL = SERVER_EMAIL = env.get("SUNLIGHT_EMAIL_FROM")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # No mail server (the demo): every e-mail is kept as a file, so nothing is lost.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = DATA_DIR / "outbox" / "email"
SUNLIGHT_SMS_BACKEND = env.get("SUNLIGHT_SMS_BACKEND")
SUNLIGHT_SMS_FILE_PATH = DATA_DIR / "outbox" / "sms"
SUNLIGHT_SMS_GATEWAY_URL = env.get("SUNLIGHT_SMS_GATEWAY_URL")
SUNLIGHT_SMS_GATEWAY_TOKEN = env.get("SUNLIGHT_SMS_GATEWAY_TOKEN")
SUNLIGHT_SMS_TIMEOUT = EMAIL_TIMEOUT
SUNLIGHT_DELIVERY_MAX_ATTEMPTS = env.get_int("SUNLIGHT_DELIVERY_MAX_ATTEMPTS")
# Reverse proxies of ours in front of the server: the client address is read from the
# X-Forwarded-For entry the outermost of them wrote (sunlight.ratelimit.client).
SUNLIGHT_TRUSTED_PROXIES = env.get_int("SUNLIGHT_TRUSTED_PROXIES")

# 好差评 and 投诉、咨询 (feedback): reply and rectification limits in working days.
SUNLIGHT_CONSULTATION_REPLY_WORKDAYS = env.get_int("SUNLIGHT_CONSULTATION_REPLY_WORKDAYS")
SUNLIGHT_COMPLAINT_REPLY_WORKDAYS = env.get_int("SUNLIGHT_COMPLAINT_REPLY_WORKDAYS")
SUNLIGHT_RATING_FOLLOWUP_WORKDAYS = env.get_int("SUNLIGHT_RATING_FOLLOWUP_WORKDAYS")
SUNLIGHT_RATING_LINK_DAYS = env.get_int("SUNLIGHT_RATING_LINK_DAYS")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The open API (/api/v1/, sunlight/api/): public read endpoints, JSON only, one error shape,
# page-number pagination, django-filter filters, OpenAPI 3 by drf-spectacular (committed as
# docs/api/openapi.yaml) with Swagger UI from the sidecar package (no CDN).
_api_rate = env.get("SUNLIGHT_API_ANON_RATE").strip()
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "sunlight.api.pagination.ApiPagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # The read API is public: no session (so no CSRF), no sign-in. The exchange's write
    # endpoints add their own authentication per view.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_THROTTLE_CLASSES": (
        ["rest_framework.throttling.AnonRateThrottle"] if _api_rate else []
    ),
    "DEFAULT_THROTTLE_RATES": {"anon": _api_rate or None},
    "EXCEPTION_HANDLER": "sunlight.api.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "阳光政务 开放接口",
    "DESCRIPTION": (
        "行政权力网上公开透明运行平台的公开数据：权力清单（含 BPMN 流程）、双公示、办件统计。"
        "只读、无需登录；个人信息已按规定脱敏。错误统一为 {detail, code, errors?}。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
# Audit checkpoints (audit/checkpoints.py): the Ed25519 signing key lives outside the database.
SUNLIGHT_AUDIT_KEY_FILE = Path(
    env.get("SUNLIGHT_AUDIT_KEY_FILE") or DATA_DIR / "keys" / "audit-signing-key.pem"
).expanduser()
SUNLIGHT_AUDIT_CHECKPOINT_MINUTES = env.get_int("SUNLIGHT_AUDIT_CHECKPOINT_MINUTES")

# Caches (config/caches.py): the public pages' generation shared by all workers (by default a
# table in our own database), the rendered public pages in each worker's memory.
from sunlight.config.caches import caches_from  # noqa: E402 (kept beside its settings)

CACHES = caches_from(env.get("SUNLIGHT_CACHE_URL"))
SUNLIGHT_PUBLIC_CACHE_SECONDS = env.get_int("SUNLIGHT_PUBLIC_CACHE_SECONDS")
SUNLIGHT_API_CACHE_SECONDS = env.get_int("SUNLIGHT_API_CACHE_SECONDS")
