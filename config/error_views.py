"""Site error views Django does not provide in the site's layout: the CSRF failure page,
and a 503 for a database or cache that does not answer.

The 400, 403 and 404 pages are Django's default handlers with the templates 400.html,
403.html and 404.html in templates/; `server_error` (handler500) answers 503.html or
500.html.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error

# How long a client is asked to wait before trying again while a service is down.
RETRY_AFTER_SECONDS = 30


def _outage_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "a service we depend on does not answer": the database's
    connection errors (Django wraps the driver's) and Redis's (the cache, rate limits)."""
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # a site without Redis
        pass
    else:
        errors += [RedisConnectionError, RedisTimeoutError]
    return tuple(errors)


OUTAGE_ERRORS = _outage_errors()


def is_outage(error: BaseException | None) -> bool:
    """Whether `error`, or an error it was raised from, is a service outage."""
    seen = 0
    while error is not None and seen < 10:  # a chain of causes, never a loop
        if isinstance(error, OUTAGE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def _wants_json(request: HttpRequest) -> bool:
    """The site's API (`/api/`), or a client that asks for JSON and not for a page."""
    if request.path.startswith("/api/"):
        return True
    return request.accepts("application/json") and not request.accepts("text/html")


@requires_csrf_token
def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: a database or Redis that does not answer is 503 Service Unavailable with
    Retry-After (a short page in the site's layout, or JSON for API clients), not 500.

    Django calls this while it handles the uncaught exception (after logging it), so the
    exception is `sys.exc_info()`'s. Everything else is Django's own 500 page. Neither
    page touches the database: they are rendered without a request context.
    """
    if not is_outage(sys.exc_info()[1]):
        return django_server_error(request, template_name)
    if _wants_json(request):
        response: HttpResponse = JsonResponse(
            {
                "detail": _("The service is temporarily unavailable. Try again shortly."),
                "retry_after": RETRY_AFTER_SECONDS,
            },
            status=503,
        )
    else:
        body = loader.get_template("503.html").render({"retry_after": RETRY_AFTER_SECONDS})
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token: explain in plain words, in the site's layout.

    The technical `reason` is logged by Django's CSRF middleware; people are not shown it.
    Set as CSRF_FAILURE_VIEW.
    """
    return render(request, "403_csrf.html", status=403)
