"""A test URLconf: the site's URLs plus a view that fails, to show the 500 page.

Use with `@override_settings(ROOT_URLCONF="tests.error_urls")` (or the `settings` fixture).
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

BROKEN_PATH = "/test-errors/broken/"


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A test view that always fails")


urlpatterns = [
    path(BROKEN_PATH.lstrip("/"), broken),
    *site_urlpatterns,
]
