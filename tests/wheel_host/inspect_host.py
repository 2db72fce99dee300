"""Run with the Wagtail site's `manage.py shell` once the README's blocks are applied:
where the apps and the H5P player come from, and what the README's settings left of the
site's own. Prints one JSON object."""

import json
import sys

from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import get_resolver, reverse
from rest_framework.settings import api_settings

import courses
from certificates.tasks import send_certificate_email

last_route = get_resolver().url_patterns[-1]
player = {
    name: finders.find(f"vendor/h5p-standalone/{name}")
    for name in ("main.bundle.js", "frame.bundle.js", "styles/h5p.css")
}
player["mathjax/MathJax.js"] = finders.find("vendor/mathjax/MathJax.js")
print(
    json.dumps(
        {
            "python": sys.prefix,
            "courses_module": courses.__file__,
            "player_files": player,
            "has_rest_framework_setting": hasattr(settings, "REST_FRAMEWORK"),
            "drf_default_permissions": [
                f"{cls.__module__}.{cls.__qualname__}"
                for cls in api_settings.DEFAULT_PERMISSION_CLASSES
            ],
            "drf_default_pagination": str(api_settings.DEFAULT_PAGINATION_CLASS),
            "login_url": reverse(settings.LOGIN_URL),
            "last_route": getattr(
                getattr(last_route, "urlconf_name", None), "__name__", repr(last_route)
            ),
            "last_route_pattern": str(last_route.pattern),
            "celery_eager": send_certificate_email.app.conf.task_always_eager,
            "celery_app": send_certificate_email.app.main,
        }
    )
)
