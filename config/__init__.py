"""The standalone LUP site: settings, root URLs, WSGI/ASGI and the Celery app.

Not reusable: host projects install the apps (`lup`, `courses`, `certificates`)
into their own project instead.
"""

from .celery import app as celery_app

__all__ = ["celery_app"]
