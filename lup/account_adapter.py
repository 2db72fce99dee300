"""django-allauth adapter for the standalone site: no open sign-up, and allauth's e-mails
(password reset, address confirmation, security notices) in the recipient's language.

People come in through imports or single sign-on, so the public sign-up form is closed.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import translation

from .languages import remembered_language


class ClosedSignupAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Write the mail in the language its recipient chose (`lup.languages`); someone
        without one gets the language of the page that sent it, as allauth does."""
        user = context.get("user")
        if user is None:
            user = get_user_model().objects.filter(email__iexact=email).first()
        language = remembered_language(user)
        if language is None:
            super().send_mail(template_prefix, email, context)
            return
        with translation.override(language):
            super().send_mail(template_prefix, email, context)
