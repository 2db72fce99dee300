"""Site-level views: health check and the privacy statement."""

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lup import app_settings as lup_settings


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


@require_GET
def privacy_statement(request: HttpRequest) -> HttpResponse:
    """What is stored, why and for how long (with the configured retention)."""
    return render(
        request,
        "privacy.html",
        {"audit_retention_days": lup_settings.AUDIT_RETENTION_DAYS()},
    )
