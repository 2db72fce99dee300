"""Middleware of the `lup` app."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from django.views.i18n import set_language

from .access import has_multi_factor, session_used_multi_factor
from .languages import remembered_language
from .models import PersonProfile
from .permissions import requires_multi_factor
from .services import remember_language

# Pages a person may use before setting up two-factor authentication.
MFA_SETUP_ALLOWED = ("account_", "mfa_")
# The public pages, by their exact (namespaced) view names: a prefix would also open every
# later page whose name happens to start the same (such as an administrator's privacy pages).
PUBLIC_PAGES = frozenset(
    {
        "set_language",
        "livez",
        "readyz",
        "healthz",
        "accessibility-statement",
        "privacy",
        "lup:privacy-statement",
    }
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
        return match.view_name in PUBLIC_PAGES or (match.url_name or "").startswith(prefixes)


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


# Set on the request that signs a person in (`lup.receivers.languages`): its response then
# switches the site to the person's remembered language. On the request, not in the session:
# only the sign-in's own response switches, and no other request pays for the check.
SWITCH_LANGUAGE_ATTRIBUTE = "lup_switch_language"


def switch_language_after_sign_in(request: Any) -> None:
    """Have `PersonLanguageMiddleware` show the site in the person's remembered language
    from this request's response on. Read when the response leaves, so a language single
    sign-on brings during the same sign-in counts too."""
    if request is not None:
        # Django's own request under a wrapper (Django REST framework's Request).
        setattr(getattr(request, "_request", request), SWITCH_LANGUAGE_ATTRIBUTE, True)


class PersonLanguageMiddleware:
    """A signed-in person's language follows them from device to device.

    Choosing a language with the site's language switch (Django's `set_language` view,
    wherever the host routes it) while signed in remembers it as the person's choice
    (`lup.services.remember_language`); e-mails and certificates then reach them in it.
    Signing in sets the language cookie to the remembered language, as `set_language`
    would, so the site speaks it on any device. Anonymous visitors keep Django's behaviour:
    the cookie only. Put it after the session and authentication middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        chosen = self._chosen_with_the_switch(request, response)
        if chosen is not None:
            # A language the site does not offer: Django did not switch to it either.
            with suppress(ValidationError):
                remember_language(
                    user=user, language=chosen, source=PersonProfile.LanguageSource.SITE
                )
        if getattr(request, SWITCH_LANGUAGE_ATTRIBUTE, False):
            language = remembered_language(user)
            if language is not None:
                _set_language_cookie(response, language)
        return response

    @staticmethod
    def _chosen_with_the_switch(request: HttpRequest, response: HttpResponse) -> str | None:
        """The language `set_language` switched to in this response, if it did."""
        match = getattr(request, "resolver_match", None)
        if match is None or match.func is not set_language:
            return None
        cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
        return cookie.value if cookie is not None and cookie.value else None


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    # As django.views.i18n.set_language sets it, so LocaleMiddleware reads it the same way.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
