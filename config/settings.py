"""Settings for the standalone LUP site, read from environment variables.

Defaults give the embedded setup (SQLite, Celery eager, local files, mail to
the console). Set DATABASE_URL, REDIS_URL and the mail variables to scale out;
README.md lists them all.
"""

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str, env_value
from .storages import s3_storages

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=False)
# A published development key keeps `manage.py` working on a fresh clone. It is never
# good enough to serve: without DJANGO_DEBUG=1 the site refuses to start on it (or on
# none) with one clear line (config/checks.py; checked again when wsgi/asgi start).
DEVELOPMENT_SECRET_KEY = "django-insecure-lup-development-key-change-me"  # noqa: S105 (published)
SECRET_KEY = env_str("DJANGO_SECRET_KEY") or DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "config.apps.SiteConfig",  # the standalone site's own system checks
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.microsoft",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "courses",
    "certificates",
    "lup",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The H5P player's own origin (COURSES_H5P_PLAYER_ORIGIN) serves the player, nothing else.
    "courses.middleware.H5PPlayerOriginMiddleware",
    "config.middleware.SiteCSPMiddleware",
    "config.middleware.PrivateCacheControlMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Refuses a too large body unread: views (and CSRF's check) read it only after every
    # middleware has been called. After authentication: signed-in people may send more.
    "config.middleware.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lup.audit.AuditActorMiddleware",
    # Before the two-factor check, so it sees every signed-in response: remembers a language
    # chosen with the switch, and switches to the remembered one at sign-in.
    "lup.middleware.PersonLanguageMiddleware",
    "lup.middleware.RequireMultiFactorMiddleware",
    "lup.middleware.UnconfiguredProviderMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "lup.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

_EMBEDDED_DATABASE = BASE_DIR / "var" / "lup.sqlite3"
if not env_str("DATABASE_URL"):
    # So a fresh clone's first manage.py command can create the embedded database.
    _EMBEDDED_DATABASE.parent.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{_EMBEDDED_DATABASE}"),
        # Persistent connections: under 50 users on 2 cores, a new one per request gave 36
        # requests/s at p50 1375 ms, kept ones 54 requests/s at p50 928 ms
        # (benchmarks/load.py); health checks replace one the server dropped.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=60),
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", default=True),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6's default: a typed address without scheme is https

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "lup"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: with no broker configured, tasks run inline in the request (embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL) or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/Oslo"
# Celery beat: periodic tasks (run `celery -A config beat` next to a worker).
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    # Completions re-checked against the rules every night, repairs audited (lup.tasks);
    # before the scheduled exports, so HR's reports carry the repairs.
    "lup-reconcile-completions": {
        "task": "lup.tasks.reconcile_completions",
        "schedule": crontab(hour=2, minute=0),
    },
    # Personal data past its retention period deleted, counts audited (lup.privacy); after
    # the completion check, which may still read the learning records it looks at.
    "lup-purge-personal-data": {
        "task": "lup.privacy.purge_tasks.purge_personal_data",
        "schedule": crontab(hour=3, minute=0),
    },
    # HR's scheduled completion reports: a daily check of which are due (lup.reporting).
    "lup-run-due-scheduled-exports": {
        "task": "lup.reporting.tasks.run_due_scheduled_exports",
        "schedule": crontab(hour=5, minute=30),
    },
    # Benefit follow-ups that fell due: tell the teams' managers (each project and due date
    # once, recent due dates only; lup.innovation). The only entry for benefit reminders.
    "lup-send-benefit-reminders": {
        "task": "lup.innovation.tasks.send_benefit_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Reminders (due dates, attendance not recorded, reviews waiting), each once per person
    # and thing (lup.reminders): early, so they are there when the day starts.
    "lup-send-reminders": {
        "task": "lup.reminders.tasks.send_reminders",
        "schedule": crontab(hour=6, minute=30),
    },
    # The daily digest: notifications people chose to get once a day (lup.notifications).
    "lup-send-daily-digests": {
        "task": "lup.notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=15, minute=0),
    },
    # Certificate PDFs no certificate points to (an issue that rolled back) deleted once a
    # day old, missing ones logged as errors (certificates.tasks): weekly, Sunday night.
    "certificates-sweep-certificate-files": {
        "task": "certificates.tasks.sweep_certificate_files",
        "schedule": crontab(hour=4, minute=0, day_of_week=0),
    },
    # xAPI statements waiting in the outbox for the external LRS (courses.xapi), when
    # COURSES_LRS_ENDPOINT is set: every minute, each run lasting under a minute; a run no
    # worker took within the minute is dropped, the next one does the same work.
    "courses-send-due-xapi-statements": {
        "task": "courses.tasks.send_due_xapi_statements",
        "schedule": 60.0,
        "options": {"expires": 60},
    },
}
# Task modules other than an app's own tasks.py, which autodiscovery does not find.
CELERY_IMPORTS = [
    "lup.innovation.tasks",
    "lup.notifications.tasks",
    "lup.reminders.tasks",
    "lup.reporting.tasks",
    "lup.privacy.purge_tasks",
    "lup.privacy.tasks",  # people's archives of their own data
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
COURSES_ADAPTER = "lup.courses_adapter.LupCoursesAdapter"
COURSES_PRIVATE_ROOT = env_str("COURSES_PRIVATE_ROOT", str(BASE_DIR / "var" / "private"))
# Learners' pseudonyms in xAPI statements (and at an external LRS) are keyed with their own
# secret, never with SECRET_KEY or a default: without DJANGO_DEBUG=1 the site refuses to
# start without it (courses.E001). Changing it gives every learner a new pseudonym.
COURSES_LEARNER_PSEUDONYM_KEY = env_str("COURSES_LEARNER_PSEUDONYM_KEY")
# The site's public address: xAPI activity ids and the player frame's allowed parent.
COURSES_SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# The H5P player may run on its own origin (README, "H5P"); empty: this site's own.
COURSES_H5P_PLAYER_ORIGIN = env_str("COURSES_H5P_PLAYER_ORIGIN")
COURSES_H5P_FRAME_ANCESTORS = env_list("COURSES_H5P_FRAME_ANCESTORS", default=[])
# Forward xAPI statements to an external Learning Record Store (optional; README, "H5P").
COURSES_LRS_ENDPOINT = env_str("COURSES_LRS_ENDPOINT")
COURSES_LRS_USERNAME = env_str("COURSES_LRS_USERNAME")
COURSES_LRS_PASSWORD = env_str("COURSES_LRS_PASSWORD")

CERTIFICATES_ADAPTER = "lup.certification.LupCertificatesAdapter"
# The public address printed on certificates (QR code) and in their e-mails.
CERTIFICATES_SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# The public address in lup's own e-mails (a person put on a team is told where to sign in).
LUP_SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# Public verification requests per IP address, against guessing codes.
CERTIFICATES_VERIFY_RATE = env_str("CERTIFICATES_VERIFY_RATE", "60/minute")

# The apps' other settings, each from the environment variable of the same name when it
# is set (README, "Configuration"); unset, the app's own default applies.
APP_SETTINGS_FROM_ENVIRONMENT = {
    "LUP_IMPORT_MAX_BYTES": "int",
    "LUP_IMPORT_MAX_ROWS": "int",
    "LUP_FORECAST_MIN_HISTORY": "int",
    "LUP_FORECAST_DEFAULT_PERCENT": "int",
    "LUP_SSO_FORBIDDEN_CLAIMS": "list",
    "LUP_MFA_REQUIRED_GROUPS": "list",
    "LUP_AUDIT_RETENTION_DAYS": "int",
    "LUP_BENEFIT_REMINDER_MONTHS": "int_list",
    "LUP_EXPORT_ROOT": "str",
    "LUP_CHECK_IN_CODE_SECONDS": "int",
    "LUP_RECONCILE_RECENT_DAYS": "int",
    "LUP_RETENTION_LEARNING_RECORDS_MONTHS": "int",
    "LUP_RETENTION_UPLOADED_FILES_MONTHS": "int",
    "LUP_RETENTION_XAPI_STATEMENTS_MONTHS": "int",
    "LUP_PERSONAL_EXPORT_DAYS": "int",
    "LUP_NOTIFICATION_RETENTION_DAYS": "int",
    "LUP_PRIVATE_ROOT": "str",
    "COURSES_SUBMISSION_MAX_BYTES": "int",
    "COURSES_H5P_SAVE_FREQ": "int",
    "COURSES_H5P_PLAY_TOKEN_SECONDS": "int",
    "COURSES_H5P_EMBED_SOURCES": "list",
    "COURSES_XAPI_MAX_BYTES": "int",
    "COURSES_LRS_BATCH_SIZE": "int",
    "COURSES_LRS_TIMEOUT_SECONDS": "int",
    "COURSES_LRS_RETRY_BASE_SECONDS": "int",
    "COURSES_LRS_RETRY_MAX_SECONDS": "int",
    "COURSES_LRS_MAX_ATTEMPTS": "int",
    "COURSES_H5P_ROOT": "str",
    "COURSES_H5P_MAX_FILES": "int",
    "COURSES_H5P_MAX_FILE_BYTES": "int",
    "COURSES_H5P_MAX_TOTAL_BYTES": "int",
    "COURSES_COURSE_IMAGE_MAX_BYTES": "int",
    "COURSES_COURSE_IMAGE_MAX_PIXELS": "int",
    "CERTIFICATES_VERIFY_MAX_UPLOAD_BYTES": "int",
    "CERTIFICATES_SIGNATURE_MAX_BYTES": "int",
    "CERTIFICATES_SIGNATURE_MAX_PIXELS": "int",
    "CERTIFICATES_FROM_EMAIL": "str",
    "CERTIFICATES_KEY_ENCRYPTION_KEYS": "list",
    "CERTIFICATES_PUBLIC_CACHE_SECONDS": "int",
    "CERTIFICATES_PDF_ROOT": "str",
}
for _name, _kind in APP_SETTINGS_FROM_ENVIRONMENT.items():
    if (_value := env_value(_name, _kind)) is not None:
        globals()[_name] = _value

REST_FRAMEWORK = {
    # JSON bodies nested past a limit get a clear 400, not a RecursionError (lup.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "lup.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Token first, so a bad token answers 401; without one, the session (403 if none).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lup.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "lup.api.permissions.TokenScope",
    ],
    "DEFAULT_PAGINATION_CLASS": "lup.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "lup.api.throttling.TokenOrUserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("API_RATE_PER_TOKEN", "1200/minute"),  # each token or person
        "anon": env_str("API_RATE_ANONYMOUS", "60/minute"),  # public endpoints, per address
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "LUP API",
    "DESCRIPTION": (
        "Programmes, cohorts, units, participants, progress and completions of the LUP "
        "learning platform. Authenticate with an API token (`Authorization: Bearer <secret>`) "
        "or a signed-in session; every answer is limited to the caller's scope."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",  # served from this site, not a CDN
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ParticipantStatusEnum": "lup.models.Participant.Status",
        "CertificateStatusEnum": [("valid", "valid"), ("revoked", "revoked")],
        "BenefitUpdateStatusEnum": "lup.innovation.models.BenefitUpdate.Status",
        "BenefitTypeEnum": "lup.innovation.models.BenefitType",
        "BarometerQuestionTypeEnum": "lup.barometer.questions.QUESTION_TYPES",
    },
}

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "lup:home"
LOGOUT_REDIRECT_URL = "lup:home"

# django-allauth: e-mail is the login; people are registered by imports or administrators.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_ADAPTER = "lup.account_adapter.ClosedSignupAccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    # Brute force: at most 5 failed logins per account in 5 minutes, 20 per address a minute.
    "login_failed": "20/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "LUP")
# A code typed as the 30-second step turns over still counts: RFC 6238 (section 5.2) advises
# accepting one step of delay. Each code is still accepted only once.
MFA_TOTP_TOLERANCE = env_int("MFA_TOTP_TOLERANCE", default=1)

# Single sign-on (see lup/sso.py). Providers come from these variables or from social
# applications created in the admin: no code change either way.
SOCIALACCOUNT_ADAPTER = "lup.sso.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # a verified SSO e-mail signs in its existing person
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {
    "microsoft": {
        "SCOPE": ["openid", "email", "profile"],
        "EMAIL_AUTHENTICATION": True,
        "VERIFIED_EMAIL": True,  # a fixed tenant's own addresses
    },
    "openid_connect": {
        "provider_class": "lup.sso.NonceOpenIDConnectProvider",
        # ID-porten and Ansattporten send no e-mail: they link by their pairwise `sub`.
        "EMAIL_AUTHENTICATION": False,
        "OAUTH_PKCE_ENABLED": True,
        "SCOPE": ["openid", "profile", "email"],
    },
}
if env_str("ENTRA_CLIENT_ID"):
    if not env_str("ENTRA_TENANT_ID"):
        # Only the municipality's own tenant: never "common", "organizations" or "consumers"
        # (those are refused by the system check lup.E002).
        raise ImproperlyConfigured("ENTRA_TENANT_ID must be set with ENTRA_CLIENT_ID.")
    SOCIALACCOUNT_PROVIDERS["microsoft"]["APPS"] = [
        {
            "client_id": env_str("ENTRA_CLIENT_ID"),
            "secret": env_str("ENTRA_CLIENT_SECRET"),
            "settings": {"tenant": env_str("ENTRA_TENANT_ID")},
        }
    ]
if env_str("OIDC_CLIENT_ID"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [
        {
            "provider_id": env_str("OIDC_PROVIDER_ID", "idporten"),
            "name": env_str("OIDC_NAME", "ID-porten"),
            "client_id": env_str("OIDC_CLIENT_ID"),
            "secret": env_str("OIDC_CLIENT_SECRET"),
            "settings": {
                "server_url": env_str("OIDC_SERVER_URL"),
                "oauth_pkce_enabled": True,
                "scope": env_list("OIDC_SCOPES", default=["openid", "profile"]),
                "minimum_acr": env_str("OIDC_MINIMUM_ACR", "idporten-loa-substantial"),
                # Ansattporten: the person must act for their own organisation.
                "check_employer": env_bool("OIDC_CHECK_EMPLOYER", default=False),
            },
        }
    ]

LANGUAGE_CODE = "nb"
LANGUAGES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "i18n" / "allauth" / "locale"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
_NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/designsystemet-css", _NODE_MODULES / "@digdir/designsystemet-css/dist/src"),
    ("vendor/designsystemet-theme", _NODE_MODULES / "@digdir/designsystemet-theme/brand"),
    # The H5P player (h5p-standalone), served from our own static files: no CDN.
    ("vendor/h5p-standalone", _NODE_MODULES / "h5p-standalone/dist"),
    # MathJax 2 for H5P.MathDisplay, from our static files instead of its default CDN
    # (courses.h5p_player.library_config).
    ("vendor/mathjax", _NODE_MODULES / "mathjax"),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))

# Files. Without S3_BUCKET: folders on this machine (MEDIA_ROOT for the public images of
# course pages and certificate logos; each app's private folder for the rest). With it,
# every kind of file goes to that S3-compatible bucket (AWS, MinIO, Ceph, a Norwegian
# cloud's object store) through django-storages, under its own prefix, so several app
# servers share them. Only `media/` is meant to be readable without signing in (give it a
# public-read bucket policy, or S3_MEDIA_DOMAIN in front); everything else is private and
# leaves only through the apps' permission-checked views.
S3_BUCKET = env_str("S3_BUCKET")
S3_ENDPOINT_URL = env_str("S3_ENDPOINT_URL")
S3_MEDIA_DOMAIN = env_str("S3_MEDIA_DOMAIN")
if S3_BUCKET:
    STORAGES = s3_storages(
        bucket=S3_BUCKET,
        endpoint_url=S3_ENDPOINT_URL,
        region=env_str("S3_REGION", "eu-north-1"),
        # Unset: boto3's own chain (environment, instance role, ~/.aws).
        access_key=env_str("S3_ACCESS_KEY_ID"),
        secret_key=env_str("S3_SECRET_ACCESS_KEY"),
        media_domain=S3_MEDIA_DOMAIN,
    )

EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env_str("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "LUP <lup@example.no>")

# Production behind HTTPS: DJANGO_HTTPS=1 turns on redirects, HSTS and secure cookies
# (`manage.py check --deploy` then reports nothing, given a real DJANGO_SECRET_KEY).
HTTPS = env_bool("DJANGO_HTTPS", default=False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=HTTPS or not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Only the header directive; submitting the domain to the preload list is a separate step.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=HTTPS)
if env_bool("DJANGO_BEHIND_PROXY", default=HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "config.error_views.csrf_failure"
SESSION_COOKIE_HTTPONLY = True

# Request bodies are limited before they are read (config/middleware.py): anonymous
# requests to small forms, signed-in ones to forms and small files; upload views allow
# their own larger limits (H5P packages, submissions). Set the proxy's limit (nginx
# `client_max_body_size`) to the largest of those, so it never cuts one short.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", default=10 * 1024 * 1024)
REQUEST_BODY_MAX_BYTES_ANONYMOUS = env_int("REQUEST_BODY_MAX_BYTES_ANONYMOUS", default=256 * 1024)
# Views that take larger uploads, by URL name: the app setting that limits the file.
REQUEST_BODY_UPLOAD_LIMITS = {
    "courses:h5p-upload": {"limit": "courses.h5p.app_settings.MAX_TOTAL_BYTES"},
    "courses:activity-detail": {"limit": "courses.app_settings.SUBMISSION_MAX_BYTES"},
    # The office's CSV imports (their own form says when a file is too large).
    "lup:office-unit-import": {"limit": "lup.app_settings.IMPORT_MAX_BYTES"},
    "lup:office-participant-import": {"limit": "lup.app_settings.IMPORT_MAX_BYTES"},
    # Anyone may check a certificate PDF against its code.
    "certificates-verify:certificate": {
        "limit": "certificates.app_settings.VERIFY_MAX_UPLOAD_BYTES",
        "public": True,
    },
    # ... or a certificate PDF or credential file without a code, for a machine too.
    "certificates-verify:form": {
        "limit": "certificates.app_settings.VERIFY_MAX_UPLOAD_BYTES",
        "public": True,
    },
    "certificates-verify:credential-json": {
        "limit": "certificates.app_settings.VERIFY_MAX_UPLOAD_BYTES",
        "public": True,
    },
}


def _origin(url: str) -> str:
    """ "https://host:port" of a URL, for a policy's list of sources."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


# Content-Security-Policy on every page (django-csp): only this site's own scripts, styles,
# images and connections; scripts inline only with the response's nonce. The H5P player
# frame and its files send their own, separate policy (courses/h5p_player.py), which the
# middleware leaves as it is. The sign-in pages' forms may also lead to the configured
# single sign-on providers (config/middleware.py, SiteCSPMiddleware).
_H5P_PLAYER_ORIGIN = _origin(env_str("COURSES_H5P_PLAYER_ORIGIN"))
_S3_MEDIA_ORIGIN = (
    ""
    if not S3_BUCKET
    else f"https://{S3_MEDIA_DOMAIN}"
    if S3_MEDIA_DOMAIN
    else _origin(S3_ENDPOINT_URL)
    or f"https://{S3_BUCKET}.s3.{env_str('S3_REGION', 'eu-north-1')}.amazonaws.com"
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # With S3, course pages' images come from the bucket (or S3_MEDIA_DOMAIN).
        "img-src": [SELF, "data:", *([_S3_MEDIA_ORIGIN] if _S3_MEDIA_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF, *([_H5P_PLAYER_ORIGIN] if _H5P_PLAYER_ORIGIN else [])],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF, *env_list("CSP_FORM_ACTION_ORIGINS", default=[])],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
