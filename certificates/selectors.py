"""Reads of `certificates` for pages: a fixed number of queries, never the stored PDF."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Certificate, normalise_code


def certificates_of(user: Any) -> QuerySet[Certificate]:
    """The signed-in person's own certificates, newest first (revoked ones included)."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    return Certificate.objects.filter(recipient_id=user.pk).order_by("-issued_on", "-pk")


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a typed or scanned code names (one query), or None."""
    normalised = normalise_code(code)
    if not normalised.isalnum() or len(normalised) > 16:
        return None
    return Certificate.objects.filter(code=normalised).first()


def certificates_by_source(source_keys: list[str]) -> dict[str, Certificate]:
    """Certificates issued for these sources, by source key (one query)."""
    if not source_keys:
        return {}
    return {
        certificate.source_key: certificate
        for certificate in Certificate.objects.filter(source_key__in=source_keys)
    }
