"""A first sign-in with ID-porten or Ansattporten: prove a work e-mail address once.

ID-porten sends no e-mail address and no name, only a pairwise pseudonym (`sub`) and the
national identity number, which is never stored. So a person's first sign-in matches no
one: the site asks for the work e-mail address the municipality registered them with, sends
a one-time code to it, and on the right code links the ID-porten identity (`sub`) to that
person. Every later sign-in finds the link and goes straight through.

Nothing tells a visitor whether an address is registered: the answer is the same either
way, and a code is sent only to a registered address. Codes are short-lived, stored only
as a keyed digest, tried a few times at most, and sent a few times per sign-in at most.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .. import services
from ..audit import record_event
from ..languages import remembered_language
from ..models import AuditEvent
from .providers import strip_forbidden_claims
from .verification import check_employer

PENDING_KEY = "lup_sso_pending_link"
CODE_KEY = "lup_sso_link_code"
CODE_LIFETIME_SECONDS = 15 * 60
MAX_CODE_ATTEMPTS = 5
MAX_CODES_SENT = 3
# Codes to one address per hour, whichever sign-ins ask: nobody can flood an inbox by
# starting sign-in after sign-in.
MAX_CODES_PER_ADDRESS_PER_HOUR = 6


class LinkRefused(Exception):
    """The step cannot go on; `message` says why, in the person's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PendingLink:
    """A verified sign-in (nonce, assurance level checked) waiting for its person."""

    sociallogin: SocialLogin
    provider_name: str


def begin(request: HttpRequest, sociallogin: SocialLogin) -> HttpResponse:
    """Keep the checked sign-in in the session and ask for the work e-mail address."""
    request.session[PENDING_KEY] = sociallogin.serialize()
    request.session.pop(CODE_KEY, None)
    return redirect("lup:sso-link")


def pending(request: HttpRequest) -> PendingLink | None:
    """The sign-in waiting to be linked in this session, if any."""
    data = request.session.get(PENDING_KEY)
    if not data:
        return None
    sociallogin = SocialLogin.deserialize(data)
    app = sociallogin.provider.app
    return PendingLink(sociallogin, app.name if app else sociallogin.account.provider)


def _digest(code: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"lup-sso-link:{code}".encode(), "sha256"
    ).hexdigest()


def _registered_person(email: str, provider_id: str) -> Any | None:
    """The one active person registered with `email` and not yet linked to another identity
    at this provider; None when there is none, or more than one."""
    people = list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(email__iexact=email)
            | Q(pk__in=EmailAddress.objects.filter(email__iexact=email).values("user_id"))
        )
        .exclude(pk__in=SocialAccount.objects.filter(provider=provider_id).values("user_id"))
        .distinct()[:2]
    )
    return people[0] if len(people) == 1 else None


def send_code(request: HttpRequest, email: str) -> None:
    """Send a one-time code to `email` if it is a registered person's address; say nothing
    either way. Refuses after MAX_CODES_SENT codes for this sign-in."""
    link = pending(request)
    if link is None:
        raise LinkRefused(_("Your sign-in has expired. Please sign in again."))
    previous = request.session.get(CODE_KEY) or {}
    sent = int(previous.get("sent", 0))
    if sent >= MAX_CODES_SENT:
        raise LinkRefused(_("Too many codes were sent. Please sign in again later."))
    email = email.strip()
    address_key = "lup.sso.link.sent:" + hashlib.sha256(email.lower().encode()).hexdigest()
    cache.add(address_key, 0, timeout=3600)
    if cache.incr(address_key) > MAX_CODES_PER_ADDRESS_PER_HOUR:
        raise LinkRefused(_("Too many codes were sent. Please sign in again later."))
    person = _registered_person(email, link.sociallogin.account.provider)
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[CODE_KEY] = {
        "email": email,
        "person": person.pk if person else None,
        "digest": _digest(code),
        "expires": time.time() + CODE_LIFETIME_SECONDS,
        "attempts": 0,
        "sent": sent + 1,
    }
    if person is None:
        return
    context = {"code": code, "minutes": CODE_LIFETIME_SECONDS // 60, "service": link.provider_name}
    # In the person's language if they have one; else in the one they are reading the site in.
    with translation.override(remembered_language(person) or translation.get_language()):
        subject = _("Your code for linking %(service)s") % {"service": link.provider_name}
        message = render_to_string("lup/sso/link_code_email.txt", context, request=request)
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[email])


def _mark_address_verified(person: Any, email: str) -> None:
    if person.email.lower() == email.lower():
        services.verify_email_after_password_reset(user=person)
    else:
        EmailAddress.objects.filter(user=person, email__iexact=email).update(verified=True)


def code_sent_to(request: HttpRequest) -> str | None:
    """The address the last code was sent to (as typed), if a code is waiting."""
    state = request.session.get(CODE_KEY)
    return str(state["email"]) if state else None


def confirm_code(request: HttpRequest, code: str) -> HttpResponse:
    """Check the code; on the right one, link the sign-in's identity to the person and
    finish the sign-in through allauth (two-factor and all). Raises LinkRefused."""
    link = pending(request)
    state = request.session.get(CODE_KEY)
    if link is None or not state:
        raise LinkRefused(_("Your sign-in has expired. Please sign in again."))
    if time.time() > float(state["expires"]) or int(state["attempts"]) >= MAX_CODE_ATTEMPTS:
        request.session.pop(CODE_KEY, None)
        raise LinkRefused(_("The code has expired. Ask for a new one."))
    state["attempts"] = int(state["attempts"]) + 1
    request.session[CODE_KEY] = state
    right = hmac.compare_digest(_digest(code.strip()), str(state["digest"]))
    if not right or state["person"] is None:
        raise LinkRefused(_("The code is not right. Check the latest e-mail and try again."))
    person = get_user_model().objects.get(pk=state["person"], is_active=True)
    sociallogin = link.sociallogin
    check_employer(sociallogin, person)  # SsoRejected: the adapter's error page
    with transaction.atomic():
        SocialAccount.objects.create(
            user=person,
            provider=sociallogin.account.provider,
            uid=sociallogin.account.uid,
            extra_data=strip_forbidden_claims(sociallogin.account.extra_data),
        )
        _mark_address_verified(person, str(state["email"]))  # the code reached it
        record_event(
            action=AuditEvent.Action.SIGN_IN_LINKED,
            subject=person,
            actor=person,
            request=request,
            service=link.provider_name,
        )
    request.session.pop(CODE_KEY, None)
    data = request.session.pop(PENDING_KEY)
    # allauth finds the new link and signs the person in as on any later sign-in.
    return complete_social_login(request, SocialLogin.deserialize(data))
