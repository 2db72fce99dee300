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


def FROM_EMAIL() -> str | None:
    """Sender of the e-mail that brings a certificate (None: DEFAULT_FROM_EMAIL)."""
    value = _get("FROM_EMAIL", None)
    return str(value) if value else None
