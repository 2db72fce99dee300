"""A certificate as an Open Badges 3.0 credential (JSON-LD).

Honestly: the credential is UNSIGNED. It has no `proof`, so by itself it proves
nothing; a verifier must check it against the issuer's verification page (its `id`
and the `evidence` point there), exactly as with the PDF. Signing it (a Data
Integrity proof or a JWT with the issuer's key) needs key management that this
app does not have yet.

A revoked certificate's credential ends (`validUntil`, the time it was revoked) and says
so in `revoked` and `revocationReason` (Open Badges 2.0's words for it; the Verifiable
Credentials 2.0 context maps terms it does not define to the issuer's vocabulary). A
certificate whose recipient's name is withheld (they were anonymised) names no one: its
`credentialSubject` has no `name`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import slugify

from . import app_settings
from .adapter import get_adapter
from .models import Certificate

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def open_badge_credential(certificate: Certificate, *, request: HttpRequest) -> dict[str, Any]:
    """An OpenBadgeCredential for the certificate's achievement (unsigned, see above)."""
    site = app_settings.SITE_URL()
    verify_url = get_adapter().verification_url(certificate.code)
    badge_url = site + reverse(
        "certificates:certificate-badge", kwargs={"certificate_id": certificate.public_id}
    )
    credential: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{certificate.public_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": certificate.title,
        "issuer": {
            "id": site + "/",
            "type": ["Profile"],
            "name": certificate.issuer,
        },
        "validFrom": certificate.issued_at.isoformat()
        if certificate.issued_at
        else certificate.issued_on.isoformat(),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"urn:achievement:{slugify(certificate.achievement) or 'achievement'}",
                "type": ["Achievement"],
                "name": certificate.achievement,
                "description": certificate.body,
                "criteria": {"narrative": certificate.body},
            },
        },
        "evidence": [{"id": verify_url, "type": ["Evidence"], "name": certificate.display_code}],
        "url": badge_url,
    }
    if certificate.name_withheld_at is None:
        credential["credentialSubject"]["name"] = certificate.recipient_name
    if certificate.is_revoked:
        credential["validUntil"] = certificate.revoked_at.isoformat()  # type: ignore[union-attr]
        credential["revoked"] = True
        credential["revocationReason"] = certificate.revocation_reason
    return credential
