"""Sign-ins and django-allauth's account signals: audited, and handed to services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q
from django.dispatch import receiver

from .. import services
from ..access import record_multi_factor_proof
from ..audit import record_event
from ..models import AuditEvent


@receiver(user_logged_in, dispatch_uid="lup_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_event(action=AuditEvent.Action.LOGIN, subject=user, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="lup_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    attempted = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record_event(
        action=AuditEvent.Action.LOGIN_FAILED,
        request=request,
        subject=_account_with_address(attempted),
        subject_label=attempted,
    )


def _account_with_address(attempted: str) -> Any:
    """The one account whose e-mail address or username is the attempted one (any case),
    so that its organisation sees the failed sign-in; None when no account or several
    have it (then the audit log matches the address to the organisations' people)."""
    if not attempted.strip():
        return None
    user_model = get_user_model()
    same = Q()
    for field in {user_model.USERNAME_FIELD, user_model.get_email_field_name()}:
        same |= Q(**{f"{field}__iexact": attempted})  # iexact escapes % and _ in a value
    found = list(user_model.objects.filter(same)[:2])
    return found[0] if len(found) == 1 else None


def connect_account_receivers() -> None:
    """Receivers for django-allauth's account signals, when allauth is installed."""
    from django.apps import apps

    if not apps.is_installed("allauth.account"):
        return
    from allauth.account.signals import password_reset

    password_reset.connect(
        verify_email_after_password_reset, dispatch_uid="lup_verify_email_after_reset"
    )
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.signals import authenticator_added

        authenticator_added.connect(
            note_second_factor_proven, dispatch_uid="lup_second_factor_on_activation"
        )


def note_second_factor_proven(
    sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any
) -> None:
    """Activating an authenticator takes a valid code from it: this session has proven the
    second factor, so the person is not asked for another code straight away."""
    if request is not None and getattr(request, "user", None) == user:
        record_multi_factor_proof(request, user, id=authenticator.pk, type=authenticator.type)


def verify_email_after_password_reset(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    services.verify_email_after_password_reset(user=user)
