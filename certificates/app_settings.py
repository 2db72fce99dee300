"""Settings of the `certificates` app, prefixed CERTIFICATES_ and read when used."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _get(name: str, default: Any) -> Any:
    return getattr(settings, f"CERTIFICATES_{name}", default)


def ADAPTER() -> str:
    """Dotted path of the adapter class (see certificates.adapter)."""
    return str(_get("ADAPTER", "certificates.adapter.DefaultCertificatesAdapter"))


def SITE_URL() -> str:
    """Scheme and host the QR code and e-mails point to, e.g. "https://lup.example.no".

    Certificates are issued outside requests (tasks, commands), so the address cannot
    come from a request; it is printed on paper, so it must be the public one.
    """
    return str(_get("SITE_URL", "http://localhost:8000")).rstrip("/")


_RATE = re.compile(r"^\s*(\d+)\s*/\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def VERIFY_RATE() -> tuple[int, int]:
    """How many verification requests one IP address may make, and in how many seconds.

    Written like "60/minute" (also s, m, h, d). Stops enumerating codes by brute force.
    """
    text = str(_get("VERIFY_RATE", "60/minute"))
    match = _RATE.match(text)
    if match is None:
        raise ImproperlyConfigured(f"CERTIFICATES_VERIFY_RATE: cannot read {text!r}")
    return int(match[1]), _PERIODS[match[2][0]]


def VERIFY_MAX_UPLOAD_BYTES() -> int:
    """Largest PDF accepted for checking against an issued certificate."""
    return int(_get("VERIFY_MAX_UPLOAD_BYTES", 10 * 1024 * 1024))


def SIGNATURE_MAX_BYTES() -> int:
    """Largest signature image a template's signatory may have (PNG or JPEG)."""
    return int(_get("SIGNATURE_MAX_BYTES", 1024 * 1024))


def SIGNATURE_MAX_PIXELS() -> int:
    """Most pixels (width times height) a signature image may have: a small file can still
    unpack into a huge picture, and every certificate's PDF is drawn with it."""
    return int(_get("SIGNATURE_MAX_PIXELS", 12_000_000))


def KEY_ENCRYPTION_KEYS() -> list[str]:
    """Fernet keys that encrypt the issuers' private signing keys at rest: the first
    encrypts, every one decrypts (so a new one can be put first and the keys re-encrypted
    with `manage.py credential_keys reencrypt`, then the old one removed).

    Unset, one key derived from SECRET_KEY is used: changing SECRET_KEY would then make the
    stored signing keys unreadable, so production sets its own (certificates.W011).
    """
    value = _get("KEY_ENCRYPTION_KEYS", None)
    if value:
        return [str(key) for key in ([value] if isinstance(value, str) else value)]
    import base64
    import hashlib

    derived = hashlib.sha256(b"certificates.signing-keys:" + settings.SECRET_KEY.encode())
    return [base64.urlsafe_b64encode(derived.digest()).decode()]


def KEY_ENCRYPTION_KEYS_SET() -> bool:
    return bool(_get("KEY_ENCRYPTION_KEYS", None))


def PUBLIC_CACHE_SECONDS() -> int:
    """How long browsers and proxies may keep the public credential documents (issuer
    profiles, keys, achievements, credentials). Status lists are kept at most a minute,
    so a revocation shows within one."""
    return int(_get("PUBLIC_CACHE_SECONDS", 3600))


def FROM_EMAIL() -> str | None:
    """Sender of the e-mail that brings a certificate (None: DEFAULT_FROM_EMAIL)."""
    value = _get("FROM_EMAIL", None)
    return str(value) if value else None


def PDF_ROOT() -> str:
    """Local folder of the issued PDFs when STORAGES has no `certificates_pdf` storage.
    Outside MEDIA_ROOT: a PDF leaves it only through the permission-checked download view.
    Defaults to BASE_DIR/var/certificates."""
    default = str(getattr(settings, "BASE_DIR", ".")) + "/var/certificates"
    return str(_get("PDF_ROOT", default))
