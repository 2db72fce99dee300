"""The public JSON documents of Open Badges 3.0: credentials, issuer profiles, achievements,
key sets and status lists, and their addresses (the reads; nothing here writes).

Every identifier is an HTTPS address under CERTIFICATES_SITE_URL that answers without
login (certificates.credentials.urls), so a verifier anywhere can follow it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.urls import reverse
from django.utils import timezone

from .. import app_settings
from ..adapter import get_adapter
from ..models import Achievement, Certificate, Credential, Issuer, SigningKey
from . import status

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
STATUS_LIST_CONTEXTS = ["https://www.w3.org/ns/credentials/v2"]
# 1EdTech's published schema for the credential (its $id), named so verifiers can check with it.
CREDENTIAL_SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json",
    "type": "1EdTechJsonSchemaValidator2019",
}


def _url(name: str, **kwargs: Any) -> str:
    return app_settings.SITE_URL() + reverse(f"certificates-credentials:{name}", kwargs=kwargs)


def issuer_id(issuer: Issuer) -> str:
    return _url("issuer", slug=issuer.slug)


def jwks_url(issuer: Issuer) -> str:
    return _url("jwks", slug=issuer.slug)


def key_id(key: SigningKey) -> str:
    """The key's `kid` as published and as put in signatures: its own address, which
    answers with the key (a JWK), so a verifier can follow it."""
    return _url("key", slug=key.issuer.slug, kid=key.kid)


def achievement_id(achievement: Achievement) -> str:
    return _url("achievement", slug=achievement.issuer.slug, key=achievement.key)


def achievement_page(achievement: Achievement) -> str:
    return _url("achievement-page", slug=achievement.issuer.slug, key=achievement.key)


def achievement_image(achievement: Achievement) -> str:
    return _url("achievement-image", slug=achievement.issuer.slug, key=achievement.key)


def status_list_url(issuer: Issuer, number: int) -> str:
    return _url("status-list", slug=issuer.slug, number=number)


def credential_id(certificate: Certificate) -> str:
    return _url("credential", certificate_id=certificate.public_id)


def signed_credential_url(certificate: Certificate) -> str:
    return _url("credential-signed", certificate_id=certificate.public_id)


def timestamp(moment: dt.datetime) -> str:
    """XML Schema dateTime in UTC, to the second, as the credentials' dates are written."""
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch(text: str) -> int:
    """Seconds since 1970 of a `timestamp` (JWT's NumericDate)."""
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def issuer_profile(issuer: Issuer, *, full: bool = True) -> dict[str, Any]:
    """The issuer's Open Badges `Profile` (its address answers with this)."""
    profile: dict[str, Any] = {"id": issuer_id(issuer), "type": ["Profile"], "name": issuer.name}
    if issuer.url:
        profile["url"] = issuer.url
    if issuer.email:
        profile["email"] = issuer.email
    if full:
        profile = {"@context": CONTEXTS, **profile}
        if issuer.description:
            profile["description"] = issuer.description
    return profile


def achievement_document(achievement: Achievement, *, full: bool = True) -> dict[str, Any]:
    """The Open Badges `Achievement`: the same for everyone who achieves it."""
    document: dict[str, Any] = {
        "id": achievement_id(achievement),
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": {"id": achievement_page(achievement), "narrative": achievement.criteria},
        "image": {"id": achievement_image(achievement), "type": "Image"},
        "inLanguage": achievement.language,
        "creator": issuer_profile(achievement.issuer, full=False),
    }
    if full:
        document = {"@context": CONTEXTS, **document}
    return document


def awarded_at(certificate: Certificate) -> dt.datetime:
    """The start of the certificate's date of issue, in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(certificate.issued_on, dt.time()))


def identity_hash(identity: str, salt: str) -> str:
    """Open Badges' IdentityHash: "sha256$" and the hex SHA-256 of the identity with the
    salt appended (e-mail addresses in lower case, as people type them in any case)."""
    return "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()


def recipient_identity(certificate: Certificate) -> tuple[str, str]:
    """(identityType, identity) of whoever holds the certificate: their e-mail address,
    or the name on it when there is no address."""
    email = getattr(certificate.recipient, "email", "") if certificate.recipient_id else ""
    if email:
        return "emailAddress", email.strip().lower()
    return "name", certificate.recipient_name


def status_entry(credential: Credential) -> dict[str, Any]:
    number = status.list_number(credential.status_index)
    list_url = status_list_url(credential.issuer, number)
    index = status.position(credential.status_index)
    return {
        "id": f"{list_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": status.PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def open_badge_credential(credential: Credential) -> dict[str, Any]:
    """The OpenBadgeCredential of a certificate, as signed (`credentials.issuing`).

    The subject is identified by a salted hash of its holder's e-mail address (Open
    Badges' `identifier`) and named (neither once the name is withheld); nothing else
    about them is in it: the achievement is the shared definition, and the evidence is
    the public verification page.
    """
    certificate = credential.certificate
    achievement = credential.achievement
    identity_type, identity = recipient_identity(certificate)
    issued = certificate.issued_at or timezone.now()
    subject: dict[str, Any] = {"type": ["AchievementSubject"]}
    # Withheld (its recipient was anonymised): neither their name nor their hashed address,
    # which anyone who guesses the address could confirm with the published salt.
    if certificate.name_withheld_at is None:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(identity, credential.identity_salt),
                "identityType": identity_type,
                "hashed": True,
                "salt": credential.identity_salt,
            }
        ]
        subject["name"] = certificate.recipient_name
    subject["achievement"] = achievement_document(achievement, full=False)
    return {
        "@context": CONTEXTS,
        "id": credential_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.name,
        "image": {"id": achievement_image(achievement), "type": "Image"},
        "issuer": issuer_profile(credential.issuer, full=False),
        # Valid from when it was signed; awarded on the date printed on the certificate
        # (a certificate issued later for an earlier completion says that day).
        "validFrom": timestamp(issued),
        "awardedDate": timestamp(awarded_at(certificate)),
        "credentialSubject": subject,
        "evidence": [
            {
                "id": get_adapter().verification_url(certificate.code),
                "type": ["Evidence"],
                "name": certificate.display_code,
            }
        ],
        "credentialStatus": status_entry(credential),
        "credentialSchema": [CREDENTIAL_SCHEMA],
    }


def status_list_credential(issuer: Issuer, number: int) -> dict[str, Any]:
    """The issuer's status list `number` as a BitstringStatusListCredential."""
    url = status_list_url(issuer, number)
    return {
        "@context": STATUS_LIST_CONTEXTS,
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id(issuer),
        "validFrom": timestamp(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": status.PURPOSE,
            "encodedList": status.encode(status.revoked_positions(issuer, number)),
        },
    }


def public_jwk(key: SigningKey) -> dict[str, Any]:
    return {**key.public_jwk, "kid": key_id(key)}


def key_set(issuer: Issuer) -> dict[str, Any]:
    """The issuer's published keys (JWKS): the active one and retired ones."""
    keys = SigningKey.objects.published().filter(issuer=issuer).select_related("issuer")
    return {"keys": [public_jwk(key) for key in keys]}
