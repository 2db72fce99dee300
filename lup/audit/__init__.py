"""The audit log: one service writes every event; receivers and services call it.

Who did it comes from the request being served (set by `AuditActorMiddleware`), so
changes made in the admin are attributed without passing the request around. `describe`
turns an event's details into sentences in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from ..models import AuditEvent

_current_request: ContextVar[HttpRequest | None] = ContextVar("lup_audit_request", default=None)


def _label(user: Any) -> str:
    if user is None:
        return ""
    return str(getattr(user, "email", "") or getattr(user, "username", "") or user.pk)


def _client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: behind a proxy, configure it to set REMOTE_ADDR (headers can be forged).
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def record_event(
    *,
    action: str,
    subject: Any = None,
    actor: Any = None,
    request: HttpRequest | None = None,
    subject_label: str = "",
    **details: Any,
) -> AuditEvent:
    """Write one audit event. The actor defaults to the signed-in user of the current request."""
    request = request or _current_request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=_label(actor),
        subject=subject,
        subject_label=subject_label or _label(subject),
        ip_address=_client_ip(request),
        details=details,
    )


class AuditActorMiddleware:
    """Make the request being served known to `record_event` (for its actor and IP address)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


# Reading the log: sentences in the reader's language (reading), from declarative tables
# (labels). Imported after record_event: neither imports this package back.
from .labels import (  # noqa: E402
    CHANNEL_SENTENCES,
    DATE_FILTERS,
    EMPTY_VALUES,
    FILTER_LABELS,
    FILTER_MODELS,
    FLAG_SENTENCES,
    FORMAT_LABELS,
    GROUP_LABELS,
    HIDDEN_KEYS,
    KEY_LABELS,
    LICENCE_LABELS,
    PROGRAMME_DATE_FIELDS,
    REFUSED_ATTEMPTS,
    REPORT_LABELS,
    STOP_REASONS,
    TOKEN_SCOPE_LABELS,
    WITHDRAWAL_REASONS,
)
from .reading import (  # noqa: E402
    describe,
    describe_all,
    names_for,
    programme_field_label,
)

__all__ = [
    "CHANNEL_SENTENCES",
    "DATE_FILTERS",
    "EMPTY_VALUES",
    "FILTER_LABELS",
    "FILTER_MODELS",
    "FLAG_SENTENCES",
    "FORMAT_LABELS",
    "GROUP_LABELS",
    "HIDDEN_KEYS",
    "KEY_LABELS",
    "LICENCE_LABELS",
    "PROGRAMME_DATE_FIELDS",
    "REFUSED_ATTEMPTS",
    "REPORT_LABELS",
    "STOP_REASONS",
    "TOKEN_SCOPE_LABELS",
    "WITHDRAWAL_REASONS",
    "AuditActorMiddleware",
    "describe",
    "describe_all",
    "names_for",
    "programme_field_label",
    "record_event",
]
