"""Checking a credential file someone has: one of ours, signed (VC-JWT), and still good.

A verifier of our own for what we issue (the public /verify/ page and its JSON twin): it
reads the file, then checks, one by one and saying which, that the issuer is one of ours,
the key is that issuer's published key, the signature holds, the dates allow it, the
status list does not say revoked, and the credential is one we issued. It trusts nothing
the file says about where to find keys: only our own issuers' published keys count.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from .. import app_settings
from ..models import Certificate, Credential, Issuer, SigningKey
from . import documents, keys

# The JWT's own claims, which are not part of the credential as JSON-LD.
JWT_CLAIMS = ("iss", "jti", "nbf", "exp", "iat", "sub")
# Clocks differ a little between machines.
CLOCK_LEEWAY = dt.timedelta(minutes=5)
MAX_TOKEN_LENGTH = 64 * 1024


def credential_payload(credential: Credential) -> dict[str, Any]:
    """The credential as signed, without the JWT's claims; built anew (without the
    person) when the signed form was emptied because the name is withheld."""
    if not credential.signed:
        return documents.open_badge_credential(credential)
    payload = json.loads(_b64decode(credential.signed.split(".")[1]))
    return {name: value for name, value in payload.items() if name not in JWT_CLAIMS}


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Check:
    """One thing checked, in words a person reads: passed True, False, or None (not
    checked, because an earlier check failed)."""

    code: str
    label: str
    passed: bool | None
    detail: str = ""


@dataclass
class Verification:
    """The outcome: "valid", "revoked", "unsigned" (a JSON copy that matches our record but
    proves nothing by itself) or "invalid"; every check made; the certificate it is."""

    checks: list[Check] = field(default_factory=list)
    certificate: Certificate | None = None
    revoked: bool = False
    signed: bool = True

    @property
    def verdict(self) -> str:
        if any(check.passed is False for check in self.checks if check.code != "status"):
            return "invalid"
        if self.revoked:
            return "revoked"
        return "valid" if self.signed else "unsigned"

    def add(self, code: str, label: str, passed: bool | None, detail: str = "") -> bool:
        self.checks.append(Check(code, label, passed, detail))
        return bool(passed)

    def as_dict(self) -> dict[str, Any]:
        certificate = self.certificate
        return {
            "verdict": self.verdict,
            "checks": [
                {"check": check.code, "passed": check.passed, "detail": check.detail}
                for check in self.checks
            ],
            "certificate": (
                {
                    "code": certificate.display_code,
                    "url": documents.credential_id(certificate),
                }
                if certificate is not None
                else None
            ),
        }


def _our_route(url: Any, url_name: str) -> dict[str, Any] | None:
    """The captured arguments when `url` is one of our own addresses named `url_name`
    (under CERTIFICATES_SITE_URL), else None."""
    if not isinstance(url, str):
        return None
    site = app_settings.SITE_URL()
    if not url.startswith(site + "/"):
        return None
    path = urlsplit(url[len(site) :]).path
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != f"certificates-credentials:{url_name}":
        return None
    return dict(match.kwargs)


def verify_file(data: bytes) -> Verification:
    """Check an uploaded credential file: a VC-JWT, or the credential as JSON."""
    result = Verification()
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        text = ""
    if text.startswith("{"):
        return _verify_json(text, result)
    return verify_token(text)


def _verify_json(text: str, result: Verification) -> Verification:
    """A JSON credential: ours are signed as JWT, so a JSON copy can only be compared with
    our record, and says so."""
    result.signed = False
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        document = None
    if not isinstance(document, dict):
        result.add("format", _("A credential file"), False, _("The file is not valid JSON."))
        return result
    result.add("format", _("A credential file"), True, _("An Open Badges credential in JSON."))
    result.add(
        "signature",
        _("Signature"),
        None,
        _(
            "A JSON copy carries no signature: it proves nothing by itself. Download the "
            "signed credential (.jwt) to verify it."
        ),
    )
    credential = _issued_credential(document.get("id"))
    if credential is None:
        result.add(
            "issued", _("Issued by us"), False, _("We did not issue a credential with this id.")
        )
        return result
    result.certificate = credential.certificate
    ours = credential_payload(credential)
    matches = {key: value for key, value in document.items() if key != "proof"} == ours
    result.add(
        "issued",
        _("Issued by us"),
        matches,
        _("It is exactly the credential we issued.")
        if matches
        else _("It differs from the credential we issued with this id: it was changed."),
    )
    _check_status(result, credential)
    return result


def _issued_credential(credential_id: Any) -> Credential | None:
    route = _our_route(credential_id, "credential")
    if route is None:
        return None
    return (
        Credential.objects.select_related(
            "certificate", "certificate__recipient", "issuer", "achievement__issuer"
        )
        .filter(certificate__public_id=route["certificate_id"])
        .first()
    )


def verify_token(token: str) -> Verification:
    """Check a VC-JWT, reporting each step (see the module's docstring)."""
    result = Verification()
    label = _("A signed credential (VC-JWT)")
    if not token or len(token) > MAX_TOKEN_LENGTH or token.count(".") != 2:
        result.add("format", label, False, _("The file is not a signed credential."))
        return result
    try:
        unverified = jws.extract_compact(token.encode())
        header = unverified.protected
        payload = json.loads(unverified.payload)
    except (JoseError, ValueError, RecursionError):
        result.add("format", label, False, _("The file is not a signed credential."))
        return result
    types = payload.get("type") if isinstance(payload, dict) else None
    if "OpenBadgeCredential" not in (types if isinstance(types, list) else [types]):
        result.add(
            "format", label, False, _("It is signed, but it is not an Open Badges credential.")
        )
        return result
    if header.get("alg") != keys.ALGORITHM:
        result.add(
            "format",
            label,
            False,
            _("It is signed with %(alg)s; we sign with ES256.") % {"alg": header.get("alg")},
        )
        return result
    result.add("format", label, True, _("An Open Badges 3.0 credential, signed as a JWT."))

    issuer = _check_issuer(result, payload)
    signing_key = _check_key(result, header, issuer) if issuer else None
    if signing_key is None or not _check_signature(result, token, signing_key):
        return result
    _check_dates(result, payload)
    credential = _issued_credential(payload.get("id"))
    issued = (
        credential is not None
        and credential.issuer_id == issuer.pk  # type: ignore[union-attr]
        and payload.get("credentialStatus") == documents.status_entry(credential)
    )
    result.add(
        "issued",
        _("Issued by us"),
        issued,
        _("It is the credential of certificate %(code)s.")
        % {"code": credential.certificate.display_code}
        if issued and credential is not None
        else _("We have no record of issuing this credential."),
    )
    if issued and credential is not None:
        result.certificate = credential.certificate
        _check_status(result, credential)
    return result


def _check_issuer(result: Verification, payload: dict[str, Any]) -> Issuer | None:
    label = _("Issuer")
    issuer_field = payload.get("issuer")
    issuer_id = issuer_field.get("id") if isinstance(issuer_field, dict) else issuer_field
    route = _our_route(issuer_id, "issuer")
    issuer = Issuer.objects.filter(slug=route["slug"]).first() if route else None
    if issuer is None or payload.get("iss") != issuer_id:
        result.add(
            "issuer", label, False, _("The issuer is not one of ours, so we cannot vouch for it.")
        )
        return None
    result.add(
        "issuer",
        label,
        True,
        _("Issued by %(name)s (%(id)s).") % {"name": issuer.name, "id": issuer_id},
    )
    return issuer


def _check_key(result: Verification, header: dict[str, Any], issuer: Issuer) -> SigningKey | None:
    label = _("Signing key")
    route = _our_route(header.get("kid"), "key")
    key = (
        SigningKey.objects.published().filter(issuer=issuer, kid=route["kid"]).first()
        if route and route.get("slug") == issuer.slug
        else None
    )
    if key is None:
        result.add(
            "key",
            label,
            False,
            _("It was not signed with a key the issuer publishes (or the key was withdrawn)."),
        )
        return None
    result.add(
        "key", label, True, _("One of the issuer's published keys (%(kid)s).") % {"kid": key.kid}
    )
    return key


def _check_signature(result: Verification, token: str, key: SigningKey) -> bool:
    label = _("Signature")
    try:
        jws.deserialize_compact(
            token.encode(), ECKey.import_key(key.public_jwk), algorithms=[keys.ALGORITHM]
        )
    except JoseError:
        return result.add(
            "signature",
            label,
            False,
            _("The signature does not match: the credential was changed."),
        )
    return result.add("signature", label, True, _("The signature holds: nothing was changed."))


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _check_dates(result: Verification, payload: dict[str, Any]) -> None:
    label = _("Valid dates")
    now = timezone.now()
    valid_from = _moment(payload.get("validFrom"))
    valid_until = _moment(payload.get("validUntil"))
    if valid_from is None or payload.get("nbf") != documents.epoch(payload["validFrom"]):
        result.add("dates", label, False, _("Its start date is missing or does not match."))
    elif valid_from - CLOCK_LEEWAY > now:
        result.add("dates", label, False, _("It is not valid yet."))
    elif valid_until is not None and valid_until < now:
        result.add(
            "dates", label, False, _("It expired on %(date)s.") % {"date": valid_until.date()}
        )
    else:
        result.add(
            "dates",
            label,
            True,
            _("Valid from %(date)s, with no end date.") % {"date": valid_from.date()},
        )


def _check_status(result: Verification, credential: Credential) -> None:
    """The credential's bit in the issuer's status list. The list's bits are made from
    whether each credential's certificate is revoked (`status.revoked_positions`), so that
    is read here directly: the certificate is loaded already, and the two always agree."""
    label = _("Revocation status")
    revoked = credential.certificate.is_revoked
    result.revoked = revoked
    result.add(
        "status",
        label,
        not revoked,
        _("Revoked: the issuer's status list says it no longer holds.")
        if revoked
        else _("Not revoked: the issuer's status list says it holds."),
    )
