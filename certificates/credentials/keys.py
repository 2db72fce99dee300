"""Issuers' signing keys: made, rotated, withdrawn, and read for signing (the writes).

Keys are P-256 (ES256, see `certificates.credentials`). The private key is kept as PKCS#8
PEM encrypted with Fernet under CERTIFICATES_KEY_ENCRYPTION_KEYS: a database dump alone
does not let anyone sign in an issuer's name.
"""

from __future__ import annotations

import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc.jwk import ECKey

from .. import app_settings
from ..models import Issuer, SigningKey

ALGORITHM = "ES256"
CURVE = "P-256"


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in app_settings.KEY_ENCRYPTION_KEYS()])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "CERTIFICATES_KEY_ENCRYPTION_KEYS must be Fernet keys (32 url-safe base64 bytes; "
            "make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)."
        ) from error


def new_kid() -> str:
    return secrets.token_urlsafe(12)


def _new_key(issuer: Issuer) -> SigningKey:
    kid = new_kid()
    private = ECKey.generate_key(CURVE, parameters={"kid": kid}, private=True)
    public = {**private.as_dict(private=False), "kid": kid, "alg": ALGORITHM, "use": "sig"}
    encrypted = _fernet().encrypt(private.as_pem(private=True))
    return SigningKey(
        issuer=issuer,
        kid=kid,
        algorithm=ALGORITHM,
        public_jwk=public,
        encrypted_private_key=encrypted,
    )


@transaction.atomic
def rotate_key(*, issuer: Issuer) -> SigningKey:
    """Give `issuer` a new active key; its current one (if any) is retired, and stays
    published so everything it signed still verifies."""
    Issuer.objects.select_for_update().get(pk=issuer.pk)
    SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).update(
        retired_at=timezone.now()
    )
    key = _new_key(issuer)
    key.save()
    return key


def active_key(*, issuer: Issuer) -> SigningKey:
    """The issuer's active key, made now if it has none (safe when two callers race: the
    database allows one active key per issuer, and the loser reads the winner's)."""
    key = SigningKey.objects.active().filter(issuer=issuer).first()
    if key is None:
        key = _new_key(issuer)
        try:
            with transaction.atomic():
                key.save()
        except IntegrityError:
            key = SigningKey.objects.active().get(issuer=issuer)
    key.issuer = issuer  # known: no query when its address is made
    return key


@transaction.atomic
def withdraw_key(*, key: SigningKey) -> SigningKey:
    """Stop publishing a key (it leaked): every credential it signed then fails
    verification. The issuer gets a new active key if this one was active."""
    key = SigningKey.objects.select_for_update().get(pk=key.pk)
    if key.withdrawn_at is not None:
        return key
    was_active = key.retired_at is None
    now = timezone.now()
    key.retired_at = key.retired_at or now
    key.withdrawn_at = now
    key.save(update_fields=["retired_at", "withdrawn_at"])
    if was_active:
        _new_key(key.issuer).save()
    return key


# Decrypted private keys by kid, so issuing many credentials decrypts and parses each key
# once per process (a key's encrypted bytes never change but by `reencrypt_keys`, which
# encrypts the same key again).
_decrypted: dict[str, ECKey] = {}


def private_key(key: SigningKey) -> ECKey:
    """The key's private half, decrypted, for signing."""
    if key.kid in _decrypted:
        return _decrypted[key.kid]
    try:
        pem = _fernet().decrypt(bytes(key.encrypted_private_key))
    except InvalidToken as error:
        raise ImproperlyConfigured(
            f"The private key {key.kid} cannot be decrypted with CERTIFICATES_KEY_ENCRYPTION_KEYS "
            "(was the key that encrypted it removed, or SECRET_KEY changed while it was unset?)."
        ) from error
    _decrypted[key.kid] = ECKey.import_key(pem, parameters={"kid": key.kid})
    return _decrypted[key.kid]


def reencrypt_keys() -> int:
    """Encrypt every stored private key again with the first CERTIFICATES_KEY_ENCRYPTION_KEYS
    entry; returns how many. Run after putting a new key first, before removing an old one."""
    fernet = _fernet()
    count = 0
    for key in SigningKey.objects.only("pk", "encrypted_private_key").iterator():
        key.encrypted_private_key = fernet.rotate(bytes(key.encrypted_private_key))
        key.save(update_fields=["encrypted_private_key"])
        count += 1
    return count
