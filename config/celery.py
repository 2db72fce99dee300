"""The Celery app of the standalone site.

Configured from Django settings with the CELERY_ prefix: eager (inline) when no
broker is configured, Redis when REDIS_URL or CELERY_BROKER_URL is set.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lup")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
