"""Site-level views: liveness and readiness checks, and the admin's sign-in door (the
privacy statement is lup's: `lup.privacy.statement_views`)."""

import logging
import uuid
from typing import Any

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lup.privacy import statement_views

from .error_views import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers requests. Touches nothing else, so an orchestrator
    does not restart app servers because the database is down (restarting cannot fix it)."""
    return JsonResponse({"status": "up"})


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("readiness: the database does not answer", exc_info=True)
        return False
    return True


def _check_cache() -> bool:
    """A round trip through the default cache (Redis in production: rate limits, caches)."""
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        answered = cache.get(key) == "1"
        cache.delete(key)
    except Exception:  # any backend's connection error: the cache does not answer
        logger.warning("readiness: the cache does not answer", exc_info=True)
        return False
    return answered


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: whether this server can serve requests now, i.e. reach its database and
    its cache. 200 with each part "ok", or 503 naming what is unavailable (a proxy or
    orchestrator then sends traffic elsewhere). Also served as /healthz."""
    checks = {
        "database": "ok" if _check_database() else "unavailable",
        "cache": "ok" if _check_cache() else "unavailable",
    }
    ready = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ready" if ready else "unavailable", **checks})
    if not ready:
        response.status_code = 503
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def privacy_statement(request: HttpRequest) -> HttpResponse:
    """The site's /personvern/: lup's generated statement of the visitor's organisation
    (or the list to choose from). A view of the site's own, so the bare URL name `privacy`
    belongs to the site, not to lup (whose names live in its namespace)."""
    return statement_views.privacy_index(request)


def admin_sign_in(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    """The admin's login page, replaced: the admin never takes a password itself.

    Everyone signs in through allauth (rate limits, lockout, two-factor); this only sends
    people on. Anonymous visitors go to the sign-in page, staff to where they were going,
    and anyone else signed in gets 403: the admin is not theirs, and a password form here
    would let them switch to another account without its second factor.
    """
    target = request.GET.get(REDIRECT_FIELD_NAME, "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(target, login_url=reverse("account_login"))
    if request.user.is_active and request.user.is_staff:
        return redirect(target)
    raise PermissionDenied
