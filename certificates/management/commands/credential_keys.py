"""manage.py credential_keys: the issuers' signing keys.

credential_keys list                  every issuer and its keys
credential_keys generate              a key for every issuer the host has that lacks one
credential_keys rotate --issuer SLUG  a new key for the issuer; the old one stays published
credential_keys withdraw --kid KID    unpublish a key that leaked (what it signed fails)
credential_keys reencrypt             encrypt the private keys again with the first
                                      CERTIFICATES_KEY_ENCRYPTION_KEYS entry
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...credentials import documents, issuing, keys
from ...models import Issuer, SigningKey


class Command(BaseCommand):
    help = "Make, rotate, withdraw and list the credential issuers' signing keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["list", "generate", "rotate", "withdraw", "reencrypt"]
        )
        parser.add_argument("--issuer", help="The issuer's slug (rotate).")
        parser.add_argument("--kid", help="The key's identifier (withdraw).")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"_{action}")(**options)

    def _list(self, **options: Any) -> None:
        for issuer in Issuer.objects.prefetch_related("signing_keys"):
            self.stdout.write(f"{issuer.slug}  {issuer.name}  {documents.issuer_id(issuer)}")
            for key in issuer.signing_keys.all():
                state = (
                    "withdrawn" if key.withdrawn_at else "retired" if key.retired_at else "active"
                )
                self.stdout.write(
                    f"    {key.kid}  {key.algorithm}  {state}  {key.created_at:%Y-%m-%d}"
                )

    def _generate(self, **options: Any) -> None:
        made = issuing.ensure_issuers_have_keys()
        for issuer, new in made:
            self.stdout.write(f"{issuer.slug}: {'key made' if new else 'has a key'}")
        self.stdout.write(self.style.SUCCESS(f"{sum(new for _i, new in made)} key(s) made."))

    def _rotate(self, *, issuer: str | None, **options: Any) -> None:
        found = Issuer.objects.filter(slug=issuer or "").first()
        if found is None:
            raise CommandError(
                "Name an existing issuer with --issuer (see `credential_keys list`)."
            )
        key = keys.rotate_key(issuer=found)
        self.stdout.write(
            self.style.SUCCESS(f"{found.slug}: new key {key.kid}; earlier keys stay published.")
        )

    def _withdraw(self, *, kid: str | None, **options: Any) -> None:
        key = SigningKey.objects.filter(kid=kid or "").first()
        if key is None:
            raise CommandError("Name an existing key with --kid (see `credential_keys list`).")
        keys.withdraw_key(key=key)
        self.stdout.write(
            self.style.WARNING(
                f"{key.kid} withdrawn: every credential it signed now fails verification. "
                "Issue those certificates' credentials again if they should hold."
            )
        )

    def _reencrypt(self, **options: Any) -> None:
        count = keys.reencrypt_keys()
        self.stdout.write(self.style.SUCCESS(f"{count} key(s) encrypted again."))
