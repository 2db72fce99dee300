"""Middleware of the `lup` app."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from .access import has_multi_factor
from .permissions import requires_multi_factor

# Pages a person may use before setting up two-factor authentication.
MFA_SETUP_ALLOWED = (
    "account_",
    "mfa_",
    "set_language",
    "healthz",
    "accessibility-statement",
    "privacy",
)


class RequireMultiFactorMiddleware:
    """Send people whose role requires two-factor authentication to set it up first.

    Needs django-allauth's `allauth.mfa`; put it after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not self._allowed_before_setup(request)
            and requires_multi_factor(user)
            and not has_multi_factor(user)
        ):
            messages.warning(
                request,
                _(
                    "Your role requires two-factor authentication. "
                    "Set up an authenticator app to go on."
                ),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _allowed_before_setup(request: HttpRequest) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # the 404 page itself
        name = match.url_name or ""
        return name.startswith(MFA_SETUP_ALLOWED) or request.path_info.startswith("/static/")


class UnconfiguredProviderMiddleware:
    """Answer 404, not 500, for a sign-in provider that has no configured application.

    allauth's generic OpenID Connect views already do this; the Microsoft views raise
    SocialApp.DoesNotExist when Entra ID is not set up.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from allauth.socialaccount.models import SocialApp

        if isinstance(exception, SocialApp.DoesNotExist):
            return page_not_found(request, Http404(str(exception)))
        return None
