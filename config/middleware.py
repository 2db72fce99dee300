"""The site's request and response policies that no single view should have to remember."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string

# Room for the form around an upload (boundaries, headers, the other fields), so that a
# file at exactly its limit reaches the form's own, more helpful message.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class RequestBodyLimitMiddleware:
    """Refuse a request body larger than allowed with 413, before anything reads it.

    Django's own limits apply only while a body is being parsed, and uploads are streamed
    to disk first, so an anonymous 300 MB POST used to be written to a temporary file
    before being refused. This middleware reads only the declared Content-Length (a
    body without one is never read by Django). The limits:

    - anonymous requests: REQUEST_BODY_MAX_BYTES_ANONYMOUS (sign-in forms are small);
    - signed-in requests: REQUEST_BODY_MAX_BYTES;
    - the upload views in REQUEST_BODY_UPLOAD_LIMITS (by URL name): their own limit, for
      signed-in people, or for everyone where the view is public.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared:
            try:
                length = int(declared)
                if length < 0:
                    raise ValueError(declared)
            except ValueError:
                return _error_page(request, "413.html", 400, limit=None)
            if length > settings.REQUEST_BODY_MAX_BYTES_ANONYMOUS:
                limit = self.limit_for(request)
                if length > limit:
                    return _error_page(request, "413.html", 413, limit=limit)
        return self.get_response(request)

    @staticmethod
    def limit_for(request: HttpRequest) -> int:
        """The largest body this request may carry, in bytes."""
        signed_in = bool(getattr(request, "user", None) and request.user.is_authenticated)
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        uploads: dict[str, dict[str, Any]] = getattr(settings, "REQUEST_BODY_UPLOAD_LIMITS", {})
        upload = uploads.get(match.view_name) if match else None
        if upload is not None and (signed_in or upload.get("public", False)):
            setting = upload["limit"]
            limit = import_string(setting)() if isinstance(setting, str) else int(setting)
            return limit + MULTIPART_OVERHEAD_BYTES
        if signed_in:
            return int(settings.REQUEST_BODY_MAX_BYTES)
        return int(settings.REQUEST_BODY_MAX_BYTES_ANONYMOUS)


def _error_page(
    request: HttpRequest, template: str, status: int, limit: int | None
) -> HttpResponse:
    """A short page (or JSON for the API) in the site's layout, without the database."""
    if request.path_info.startswith("/api/") or "json" in request.META.get("HTTP_ACCEPT", ""):
        from django.http import JsonResponse

        detail = "Request body too large." if status == 413 else "Invalid Content-Length."
        return JsonResponse({"detail": detail, "max_bytes": limit}, status=status)
    html = render_to_string(template, {"limit": limit, "status": status})
    return HttpResponse(html, status=status)


class PrivateCacheControlMiddleware:
    """Pages and downloads are personal: `Cache-Control: private, no-store` on every response
    that does not set its own, so no browser or proxy keeps a copy of someone's data
    (own data, reports, exports, submissions, certificates). Static files are served by the
    proxy, not through here; a view that may be cached says so itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's policy, plus the single sign-on providers as form targets on allauth's
    sign-in pages: signing in posts a form here that redirects to the provider, and
    browsers hold that redirect to the page's form-action. Providers may be configured in
    the admin, so their addresses are looked up (lup.sso), not listed in settings."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if report_only or match is None or not match.func.__module__.startswith("allauth."):
            return parts
        from lup.sso import sign_in_form_origins

        origins = sign_in_form_origins(request)
        if origins:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            parts.update = update
        return parts
