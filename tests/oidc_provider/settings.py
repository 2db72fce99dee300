"""Settings of the test OpenID Connect provider (django-oauth-toolkit), from its run directory.

The launcher sets LUP_OIDC_DIR: the SQLite file, the RSA signing key and the audit log live
there, so every run starts clean and nothing is shared with the site under test.
"""

from __future__ import annotations

import os
from pathlib import Path

RUN_DIR = Path(os.environ["LUP_OIDC_DIR"])
HERE = Path(__file__).resolve().parent

DEBUG = False
SECRET_KEY = "test-oidc-provider-not-secret"  # a throwaway test provider
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "tests.oidc_provider.urls"
USE_TZ = True
LANGUAGE_CODE = "nb"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": RUN_DIR / "provider.sqlite3"}
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The site under test uses a session cookie of the same name on the same host (cookies
# ignore ports): the provider's must not overwrite it.
SESSION_COOKIE_NAME = "oidc_provider_session"
CSRF_COOKIE_NAME = "oidc_provider_csrftoken"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; test users only
LOGIN_URL = "/login/"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "PKCE_REQUIRED": True,
    "OIDC_RSA_PRIVATE_KEY": (RUN_DIR / "signing-key.pem").read_text(),
    "OAUTH2_VALIDATOR_CLASS": "tests.oidc_provider.validators.IdPortenLikeValidator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "profile": "Name",
        "email": "E-mail address",
    },
    "DEFAULT_SCOPES": ["openid"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 120,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
