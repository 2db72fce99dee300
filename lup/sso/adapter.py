"""allauth's social account adapter for the site: checks every sign-in before anyone is
signed in, keeps no identity number, signs no one up, and sends a first ID-porten or
Ansattporten sign-in to prove a work e-mail address once (`lup.sso.linking`). The language
the provider tells travels with the sign-in until it completes (`providers`)."""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.http import HttpRequest
from django.shortcuts import render

from . import linking
from .providers import (
    NonceOpenIDConnectProvider,
    carry_sign_in_language,
    strip_forbidden_claims,
)
from .verification import (
    SsoRejected,
    check_employer,
    check_entra_tenant,
    check_openid_connect_login,
)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Checks every SSO login before allauth signs anyone in, and keeps no identity number."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # People are registered by imports or administrators; SSO only signs them in.
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        sociallogin.account.extra_data = strip_forbidden_claims(sociallogin.account.extra_data)
        openid_connect = sociallogin.provider.id == NonceOpenIDConnectProvider.id
        try:
            if openid_connect:
                check_openid_connect_login(sociallogin)
                if sociallogin.is_existing:
                    check_employer(sociallogin, sociallogin.user)
            elif sociallogin.provider.id == "microsoft":
                check_entra_tenant(sociallogin)
        except SsoRejected as rejected:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "socialaccount/authentication_error.html",
                    {"lup_sso_message": rejected.message},
                    status=403,
                )
            ) from rejected
        # Remembered as the person's language once they are signed in (lup.receivers).
        carry_sign_in_language(sociallogin)
        if (
            openid_connect
            and not sociallogin.is_existing
            and sociallogin.state.get("process") != AuthProcess.CONNECT
        ):
            # ID-porten and Ansattporten send no e-mail address: a first sign-in proves the
            # work address once, then the pairwise `sub` is linked to that person.
            raise ImmediateHttpResponse(linking.begin(request, sociallogin))
        super().pre_social_login(request, sociallogin)
