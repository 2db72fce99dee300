"""Middleware of the `lup` app."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from .access import has_multi_factor, session_used_multi_factor
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
# Pages a session may use before it proves the second factor: entering the code, signing
# out, and the public statements. Not the account pages: a stolen password alone must not
# change the e-mail address or the password.
MFA_PROOF_ALLOWED = (
    "mfa_reauthenticate",
    "mfa_authenticate",
    "account_logout",
    "account_login",
    "account_reauthenticate",
    "set_language",
    "healthz",
    "accessibility-statement",
    "privacy",
)
API_PREFIX = "/api/"


class RequireMultiFactorMiddleware:
    """Every door asks for the second factor: people whose role requires two-factor
    authentication must have set it up, and *this session* must have used it (pages, the
    admin and the API with a session alike). A role granted mid-session asks for the code
    before its first use.

    Needs django-allauth's `allauth.mfa`; put it after AuthenticationMiddleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not requires_multi_factor(user):
            return self.get_response(request)
        if not has_multi_factor(user):
            if self._url_name_starts_with(request, MFA_SETUP_ALLOWED):
                return self.get_response(request)
            return self._refuse(
                request,
                _(
                    "Your role requires two-factor authentication. "
                    "Set up an authenticator app to go on."
                ),
                "mfa_activate_totp",
                return_here=False,
            )
        if session_used_multi_factor(request) or self._url_name_starts_with(
            request, MFA_PROOF_ALLOWED
        ):
            return self.get_response(request)
        return self._refuse(
            request,
            _(
                "Your role requires two-factor authentication. "
                "Enter a code from your authenticator app to go on."
            ),
            "mfa_reauthenticate",
        )

    @staticmethod
    def _refuse(
        request: HttpRequest, message: str, url_name: str, *, return_here: bool = True
    ) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            # The API answers in JSON; a browser redirect would hide the reason.
            return JsonResponse({"detail": message}, status=403)
        messages.warning(request, message)
        if not return_here:
            return redirect(url_name)
        return redirect_to_login(
            request.get_full_path(), login_url=reverse(url_name), redirect_field_name="next"
        )

    @staticmethod
    def _url_name_starts_with(request: HttpRequest, prefixes: tuple[str, ...]) -> bool:
        if request.path_info.startswith("/static/"):
            return True
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # the 404 page itself
        return (match.url_name or "").startswith(prefixes)


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
