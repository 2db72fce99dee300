import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()

# ASGI servers run no system checks: refuse here to serve with unsafe production settings.
from config.checks import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()
