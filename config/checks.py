"""The site refuses to serve with unsafe production settings.

These are deployment checks: `manage.py check --deploy` reports them, and they run when
the WSGI/ASGI application or a Celery worker starts (`refuse_unsafe_start`), since gunicorn
and Celery run no system checks of their own. Development commands (makemigrations,
migrate) are not refused. Each names its setting in
one line, so a misconfigured start says exactly what to fix.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Refusing an unsafe start runs the security checks that are not deploy-only: these, the
# apps' own (courses' pseudonym key) and Django's (e.g. the CSRF failure view).
PRODUCTION = checks.Tags.security

# Django's own rule for a key it calls strong enough (security.W009).
_MIN_KEY_LENGTH = 50
_MIN_KEY_UNIQUE_CHARACTERS = 5


@checks.register(PRODUCTION, deploy=True)
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Without DEBUG, the secret key must be the site's own: not missing, not the
    published development key, and long and random enough."""
    if settings.DEBUG:
        return []
    key = str(settings.SECRET_KEY or "")
    development_key = getattr(settings, "DEVELOPMENT_SECRET_KEY", None)
    if not key or key == development_key or key.startswith("django-insecure"):
        reason = "is not set"
    elif len(key) < _MIN_KEY_LENGTH or len(set(key)) < _MIN_KEY_UNIQUE_CHARACTERS:
        reason = f"is too weak (at least {_MIN_KEY_LENGTH} random characters)"
    else:
        return []
    return [
        checks.Error(
            f"DJANGO_SECRET_KEY {reason}: production (DJANGO_DEBUG unset or 0) needs a long "
            "random secret key of its own.",
            id="site.E001",
        )
    ]


def refuse_unsafe_start() -> None:
    """Raise ImproperlyConfigured, one line per problem, when a production check fails."""
    errors = [
        message
        for message in checks.run_checks(tags=[PRODUCTION], include_deployment_checks=True)
        if message.level >= checks.ERROR
    ]
    if errors:
        raise ImproperlyConfigured(" | ".join(f"{error.id}: {error.msg}" for error in errors))
