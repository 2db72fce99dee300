"""Where each configured sign-in service's login page lives, for the sign-in pages'
Content-Security-Policy (form-action)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers import registry
from django.core.cache import cache
from django.http import HttpRequest

# Where each configured provider's sign-in page lives, for the sign-in pages'
# Content-Security-Policy (form-action): kept an hour, a failed look-up a minute.
_ORIGINS_CACHE_SECONDS = 3600
_FAILED_LOOKUP_CACHE_SECONDS = 60


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def _authorization_origin(request: HttpRequest, app: Any) -> list[str]:
    """The origins a sign-in with `app` is sent to: its OpenID configuration's authorization
    endpoint (which may be on another host than the issuer, as ID-porten's is) and the
    issuer itself; for other OAuth 2 providers, their fixed authorization address."""
    if registry.get_class(app.provider) is None:
        return []  # an application for a provider this site does not install: never used
    provider = app.get_provider(request)
    server_url = (app.settings or {}).get("server_url", "")
    if not server_url:
        try:
            return [_origin(provider.get_oauth2_adapter(request).authorize_url)]
        except Exception:  # a provider without an OAuth 2 adapter: nothing to allow
            return []
    key = f"lup.sso.authorization-origins:{provider.id}:{server_url}"
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    origins = [_origin(server_url)]
    timeout = _ORIGINS_CACHE_SECONDS
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(provider.server_url)  # the well-known configuration
            response.raise_for_status()
            origins.append(_origin(str(response.json().get("authorization_endpoint", ""))))
    except Exception:  # unreachable now: the issuer's origin, and look again soon
        timeout = _FAILED_LOOKUP_CACHE_SECONDS
    origins = sorted({origin for origin in origins if origin})
    cache.set(key, origins, timeout)
    return origins


def sign_in_form_origins(request: HttpRequest) -> list[str]:
    """Origins the sign-in pages' forms may lead to: every configured single sign-on
    provider's (from settings or the admin), for their Content-Security-Policy."""
    origins: set[str] = set()
    for app in get_adapter().list_apps(request):
        origins.update(_authorization_origin(request, app))
    return sorted(origins)
