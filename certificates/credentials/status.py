"""Revocation by W3C Bitstring Status List v1.0 (the reads and the encoding).

Chosen over 1EdTech's Revocation List because it is the W3C's own status mechanism,
defined in the Verifiable Credentials 2.0 context Open Badges 3.0 builds on, and because it
keeps verifiers from learning which credential is being checked: everyone fetches the
same list of 131,072 bits ("herd privacy"), where a revocation list names the revoked.

Each credential holds one bit of its issuer's list (`Credential.status_index`, drawn at
random); the bit is 1 when its certificate is revoked. Index n lives in list n // LIST_SIZE
at position n % LIST_SIZE. A list is made from the database on every request (one query
for its revoked bits), so revoking shows on the next fetch.
"""

from __future__ import annotations

import base64
import gzip
import io
import secrets

from ..models import Credential, Issuer

# The specification's minimum, which gives every list at least 16 KiB of herd privacy.
LIST_SIZE = 131_072
PURPOSE = "revocation"


def list_number(status_index: int) -> int:
    return status_index // LIST_SIZE


def position(status_index: int) -> int:
    return status_index % LIST_SIZE


def draw_index(issuer: Issuer, *, crowded: bool = False) -> int:
    """A random index for the issuer's next credential. The first draw is in the first
    list, without a query: an issuer has a few thousand credentials, so it is almost always
    free. After a clash (`crowded`), the draw spreads over as many lists as keep them at
    most half full, so it soon finds a free bit. The database's uniqueness decides; the
    caller draws again on a clash."""
    if not crowded:
        return secrets.randbelow(LIST_SIZE)
    used = Credential.objects.filter(issuer=issuer).count()
    lists = used // (LIST_SIZE // 2) + 1
    return secrets.randbelow(lists * LIST_SIZE)


def revoked_positions(issuer: Issuer, number: int) -> list[int]:
    """Positions in the issuer's list `number` whose certificates are revoked (one query)."""
    start = number * LIST_SIZE
    indexes = Credential.objects.filter(
        issuer=issuer,
        status_index__gte=start,
        status_index__lt=start + LIST_SIZE,
        certificate__revoked_at__isnull=False,
    ).values_list("status_index", flat=True)
    return [index - start for index in indexes]


def list_exists(issuer: Issuer, number: int) -> bool:
    start = number * LIST_SIZE
    return (
        number == 0
        or Credential.objects.filter(
            issuer=issuer, status_index__gte=start, status_index__lt=start + LIST_SIZE
        ).exists()
    )


def encode(positions: list[int], size: int = LIST_SIZE) -> str:
    """The list's `encodedList`: the bitstring (bit 0 is the first byte's highest bit),
    GZIP-compressed, base64url without padding, with multibase's "u" in front."""
    bits = bytearray(size // 8)
    for index in positions:
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always encode the same (cacheable, comparable) text.
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    """The bitstring of an `encodedList`; ValueError when it is not one."""
    if not encoded.startswith("u"):
        raise ValueError("encodedList must be multibase base64url (start with 'u').")
    text = encoded[1:]
    try:
        # validate: base64url's alphabet only (by default, other characters are dropped).
        compressed = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
        # Bounded: a hostile list could be a gzip bomb.
        bits = gzip.GzipFile(fileobj=io.BytesIO(compressed)).read(LIST_SIZE * 8)
    except (ValueError, OSError, EOFError) as error:
        raise ValueError(f"encodedList cannot be read: {error}") from error
    if not bits:
        raise ValueError("encodedList holds no bits.")
    return bits


def bit(bits: bytes, index: int) -> bool:
    """Whether bit `index` of a decoded bitstring is set; IndexError past its end."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
