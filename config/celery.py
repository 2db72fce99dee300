"""The Celery app of the standalone site.

Configured from Django settings with the CELERY_ prefix: eager (inline) when no
broker is configured, Redis when REDIS_URL or CELERY_BROKER_URL is set.
"""

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lup")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_unsafe_start(**kwargs: object) -> None:
    """A worker handles the same personal data: it refuses the same unsafe settings."""
    from django.core.exceptions import ImproperlyConfigured

    from config.checks import refuse_unsafe_start

    try:
        refuse_unsafe_start()
    except ImproperlyConfigured as problem:
        # Celery logs and ignores exceptions from signal handlers: exit instead.
        raise SystemExit(f"ImproperlyConfigured: {problem}") from problem
