"""A person's language at sign-in: single sign-on's language remembered, the site switched to
the remembered one (see `lup.middleware.PersonLanguageMiddleware`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .. import services
from ..middleware import switch_language_after_sign_in
from ..models import PersonProfile


@receiver(user_logged_in, dispatch_uid="lup_switch_language_after_sign_in")
def switch_language(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    switch_language_after_sign_in(request)


def connect_language_receivers() -> None:
    """Receivers for django-allauth's sign-in signal, when allauth is installed: it names
    the single sign-on that signed the person in (Django's own signal does not)."""
    from django.apps import apps

    if not apps.is_installed("allauth.account"):
        return
    from allauth.account.signals import user_logged_in as allauth_user_logged_in

    allauth_user_logged_in.connect(
        remember_sign_in_language, dispatch_uid="lup_remember_sign_in_language"
    )


def remember_sign_in_language(
    sender: Any, request: Any, user: Any, sociallogin: Any = None, **kwargs: Any
) -> None:
    """The language single sign-on told (ID-porten's `locale`), unless the person chose one."""
    from ..sso import sign_in_language  # allauth's models: only when allauth is installed

    language = sign_in_language(sociallogin)
    if language is not None:
        services.remember_language(
            user=user, language=language, source=PersonProfile.LanguageSource.SINGLE_SIGN_ON
        )
