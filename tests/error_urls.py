"""A test URLconf: the site's URLs plus a view that fails, to show the 500 page, and one
whose database does not answer, to show the 503 page.

Use with `@override_settings(ROOT_URLCONF="tests.error_urls")` (or the `settings` fixture).
"""

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import handler500  # noqa: F401 (the site's, looked up in ROOT_URLCONF)
from config.urls import urlpatterns as site_urlpatterns

BROKEN_PATH = "/test-errors/broken/"
UNAVAILABLE_PATH = "/test-errors/unavailable/"


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A test view that always fails")


def unavailable(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


urlpatterns = [
    path(BROKEN_PATH.lstrip("/"), broken),
    path(UNAVAILABLE_PATH.lstrip("/"), unavailable),
    *site_urlpatterns,
]
