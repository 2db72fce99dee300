"""Issuing certificates as signed Open Badges 3.0 credentials (the writes).

Signed as VC-JWT, Open Badges 3.0's JSON Web Token proof format (§8.2): the payload is the
credential itself with the registered claims `iss` (the issuer's id), `jti` (the
credential's id) and `nbf` (validFrom); the header names the key by its address (`kid`),
which answers with the public key. ES256 (P-256): every JOSE library and wallet verifies
it, where EdDSA is being replaced by RFC 9864's fully specified algorithms.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from joserfc import jws

from ..adapter import get_adapter
from ..models import Achievement, Certificate, Credential, Issuer, SigningKey
from . import documents, keys, status
from .details import AchievementDetails, IssuerDetails

# A drawn status index is taken about once in a few draws at worst (lists stay half
# empty); give up only when something else is wrong.
INDEX_ATTEMPTS = 20


def _made_or_updated(model: Any, lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """The `model` row matching `lookup`, made with `values` or brought up to date with
    them (written only when something changed, unlike `update_or_create`, which writes
    every time). Safe when two callers make it at once: the loser reads the winner's."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        try:
            with transaction.atomic():
                return model.objects.create(**lookup, **values)
        except IntegrityError:
            row = model.objects.get(**lookup)
    for name, value in lookup.items():
        setattr(row, name, value)  # the related objects given: no query to read them back
    changed = [field for field, value in values.items() if getattr(row, field) != value]
    if changed:
        for field in changed:
            setattr(row, field, values[field])
        auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]
        row.save(update_fields=[*changed, *auto_now])
    return row


def ensure_issuer(details: IssuerDetails) -> Issuer:
    """The issuer with `details.slug`, made or brought up to date (name, contacts)."""
    return _made_or_updated(
        Issuer,
        {"slug": details.slug},
        {
            "name": details.name,
            "url": details.url,
            "email": details.email,
            "description": details.description,
        },
    )


def ensure_achievement(issuer: Issuer, details: AchievementDetails) -> Achievement:
    """The issuer's achievement with `details.key`, made or brought up to date. Its
    address stays; what it says may be improved over time."""
    return _made_or_updated(
        Achievement,
        {"issuer": issuer, "key": details.key},
        {
            "name": details.name,
            "description": details.description,
            "criteria": details.criteria,
            "achievement_type": details.achievement_type,
            "language": details.language,
        },
    )


def sign(payload: dict[str, Any], key: SigningKey) -> str:
    """`payload` (a credential) as a compact JWS signed with `key`, with the registered
    claims Open Badges 3.0 asks for."""
    issuer = payload["issuer"]
    claims = {
        **payload,
        "iss": issuer["id"] if isinstance(issuer, dict) else issuer,
        "jti": payload["id"],
        "nbf": documents.epoch(payload["validFrom"]),
    }
    header = {"alg": keys.ALGORITHM, "typ": "JWT", "kid": documents.key_id(key)}
    body = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, body, keys.private_key(key), algorithms=[keys.ALGORITHM])


# No savepoint of its own: the one write that may fail (the insert) has one, and anything
# else that fails should fail the caller's transaction (a certificate is never issued
# without its credential). Two round trips fewer per certificate on PostgreSQL.
@transaction.atomic(savepoint=False)
def issue_credential(
    *,
    certificate: Certificate,
    issuer_details: IssuerDetails | None = None,
    achievement_details: AchievementDetails | None = None,
    certificate_is_new: bool = False,
) -> Credential | None:
    """The certificate's signed credential, issued once (safe when two callers race: a
    certificate has one credential, and the loser gets the winner's). None for a
    certificate whose recipient's name is withheld: there is no one to give it to.

    Who issues it and for what come from the adapter (`credential_issuer`,
    `credential_achievement`), unless the caller, who often knows, gives them.
    `certificate_is_new`: the certificate was inserted in this transaction, so it has no
    credential yet (one query fewer).
    """
    if not certificate_is_new:
        existing = Credential.objects.filter(certificate=certificate).first()
        if existing is not None:
            return existing
    if certificate.name_withheld_at is not None:
        return None
    adapter = get_adapter()
    issuer = ensure_issuer(issuer_details or adapter.credential_issuer(certificate))
    achievement = ensure_achievement(
        issuer, achievement_details or adapter.credential_achievement(certificate)
    )
    key = keys.active_key(issuer=issuer)
    salt = secrets.token_hex(16)
    for attempt in range(INDEX_ATTEMPTS):
        credential = Credential(
            certificate=certificate,
            issuer=issuer,
            achievement=achievement,
            signing_key=key,
            status_index=status.draw_index(issuer, crowded=attempt > 0),
            identity_salt=salt,
        )
        credential.signed = sign(documents.open_badge_credential(credential), key)
        try:
            with transaction.atomic():
                credential.save()
        except IntegrityError:
            winner = Credential.objects.filter(certificate=certificate).first()
            if winner is not None:
                return winner
            continue  # the status index was taken: draw another
        return credential
    raise RuntimeError(f"No free status list index for {issuer.slug} after {INDEX_ATTEMPTS} draws.")


def signed_status_list(issuer: Issuer, number: int) -> str:
    """The issuer's status list `number`, signed now with its active key."""
    key = keys.active_key(issuer=issuer)
    return sign(documents.status_list_credential(issuer, number), key)


def ensure_issuers_have_keys() -> list[tuple[Issuer, bool]]:
    """Every issuer the host names (adapter `credential_issuers`) made, with an active key;
    returns each issuer and whether a key was made now."""
    made = []
    for details in get_adapter().credential_issuers():
        issuer = ensure_issuer(details)
        had_key = SigningKey.objects.active().filter(issuer=issuer).exists()
        keys.active_key(issuer=issuer)
        made.append((issuer, not had_key))
    return made
