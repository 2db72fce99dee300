"""Reads of `certificates` (pages, exports): a fixed number of queries, never the stored PDF."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import QuerySet

from .credentials import documents
from .models import (
    Certificate,
    CertificateTemplate,
    Credential,
    Signatory,
    format_code,
    normalise_code,
)


def certificates_of(user: Any) -> QuerySet[Certificate]:
    """The signed-in person's own certificates, newest first (revoked ones included)."""
    if not user.is_authenticated:
        return Certificate.objects.none()
    # With the credential (for its download link), in the same query.
    return (
        Certificate.objects.filter(recipient_id=user.pk)
        .select_related("credential")
        .order_by("-issued_on", "-pk")
    )


def signatories_of(template: CertificateTemplate) -> list[Signatory]:
    """A template's signatories in the order the certificate shows them (one query)."""
    return list(Signatory.objects.filter(template_id=template.pk).order_by("position", "pk"))


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a typed or scanned code names (one query), or None."""
    normalised = normalise_code(code)
    if not normalised.isalnum() or len(normalised) > 16:
        return None
    # With its credential, issuer and achievement: the verification page shows them.
    return Certificate.objects.select_related(*CREDENTIAL_RELATED).filter(code=normalised).first()


def certificate_by_pdf(data: bytes) -> Certificate | None:
    """The certificate whose stored PDF is exactly `data` (by SHA-256, one query), or None."""
    digest = hashlib.sha256(data).hexdigest()
    return Certificate.objects.filter(sha256=digest).order_by("pk").first()


def credential_of(certificate: Certificate) -> Credential | None:
    """The certificate's signed credential, if it has one (no query when it was loaded with
    the certificate, as `certificate_by_code` does; one otherwise)."""
    try:
        return certificate.credential
    except Credential.DoesNotExist:
        return None


# What a page or an export reads of a certificate's credential, loaded with it (no query of
# its own): add to a certificate query with `.select_related(*CREDENTIAL_RELATED)`.
CREDENTIAL_RELATED = ("credential", "credential__issuer", "credential__achievement__issuer")


def credential_addresses(certificate: Certificate) -> dict[str, Any] | None:
    """Where the certificate's Open Badges credential is (its id, the signed form, its issuer,
    achievement and revocation status list), or None if it has none. No query when loaded
    with CREDENTIAL_RELATED. The signed form is gone once the recipient's name is withheld."""
    credential = credential_of(certificate)
    if credential is None:
        return None
    entry = documents.status_entry(credential)
    return {
        "id": documents.credential_id(certificate),
        "signed": (
            documents.signed_credential_url(certificate)
            if certificate.name_withheld_at is None
            else None
        ),
        "issuer": documents.issuer_id(credential.issuer),
        "achievement": documents.achievement_id(credential.achievement),
        "status_list": entry["statusListCredential"],
        "status_list_index": int(entry["statusListIndex"]),
    }


def valid_codes_by_source(source_keys: Sequence[str]) -> dict[str, str]:
    """Verification codes (as printed: XXXX-XXXX) of the valid, not revoked, certificates
    with these source keys, by source key. One query, however many keys. A certificate
    whose recipient's name is withheld is left out: its code no longer leads to a person.

    Written in SQL with the keys as parameters: the ORM's `__in` prepares every one of
    thousands of keys per batch in Python, a fifth of a large export's time.
    """
    if not source_keys:
        return {}
    connection = connections[router.db_for_read(Certificate)]
    quote = connection.ops.quote_name
    key, code, revoked, withheld = (
        quote(_column(name)) for name in ("source_key", "code", "revoked_at", "name_withheld_at")
    )
    placeholders = ", ".join(["%s"] * len(source_keys))
    sql = (
        f"SELECT {key}, {code} FROM {quote(Certificate._meta.db_table)} "  # noqa: S608 (names from the model)
        f"WHERE {revoked} IS NULL AND {withheld} IS NULL AND {key} IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(source_keys))
        return {found: format_code(value) for found, value in cursor.fetchall()}


def _column(name: str) -> str:
    column = getattr(Certificate._meta.get_field(name), "column", None)
    if not isinstance(column, str):
        raise TypeError(f"Certificate.{name} is not a column.")
    return column
