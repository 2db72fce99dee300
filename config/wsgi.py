import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse here to serve with unsafe production settings.
from config.checks import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()
