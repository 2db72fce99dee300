"""Site-level views: health check and the admin's sign-in door (the privacy statement is
lup's: `lup.privacy.statement_views`)."""

from typing import Any

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lup.privacy import statement_views


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Report whether the site can reach its database; 503 when it cannot."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


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
