"""A person's account: the wall around another tenant's account, the pseudonym of an
anonymised one (anonymising is `lup.privacy.anonymise`), verifying an address, remembering
their language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..audit import record_event
from ..languages import site_language
from ..models import AuditEvent, PersonProfile
from ..permissions import belongs_elsewhere

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What an anonymised person is called, and the domain of their made-up address: the
# domain is how `lup.privacy.anonymise` tells an account it has already anonymised.
ANONYMISED_NAME = "Anonymisert"
ANONYMISED_EMAIL_DOMAIN = "@anonymised.invalid"


def is_anonymised(person: Any) -> bool:
    """Whether the account was anonymised already (the made-up address says so)."""
    return not person.is_active and (person.email or "").endswith(ANONYMISED_EMAIL_DOMAIN)


def refuse_another_tenants_account(
    *, person: User, actor: User, organisation_ids: Iterable[int], attempted: str
) -> None:
    """Raise ValidationError, and say so in the audit log (where both organisations'
    administrators see it), when `person`'s account belongs to another organisation than
    `organisation_ids` (lup.permissions.belongs_elsewhere). Call it outside a transaction
    that the refusal rolls back, or the audit entry goes with it."""
    if not belongs_elsewhere(person, organisation_ids):
        return
    record_event(
        action=AuditEvent.Action.TENANT_REFUSED,
        subject=person,
        actor=actor,
        attempted=attempted,
    )
    raise ValidationError(
        _(
            "%(email)s belongs to another organisation, or has a role there: only that "
            "organisation can change this account."
        )
        % {"email": person.email}
    )


def verify_email_after_password_reset(*, user: User) -> None:
    """A password reset link reached the person, so their address is verified.

    Imported participants have no password; without this they would have to confirm
    the same address a second time before their first sign-in.
    """
    # allauth is optional (this runs only when `allauth.account` is installed, see
    # `lup.receivers.connect_account_receivers`), and its models need the app registry.
    from allauth.account.models import EmailAddress

    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(
            user=user,
            email=user.email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])


def remember_language(*, user: User, language: str, source: str) -> bool:
    """Remember `user`'s language, where it came from (`PersonProfile.LanguageSource`);
    returns whether anything changed.

    Only a language the site offers (`settings.LANGUAGES`) is kept: another raises
    ValidationError and changes nothing. What a person chose themselves (on the site), or
    an administrator set, outranks single sign-on: a `locale` from ID-porten never
    overwrites it, it only fills in a language nobody chose. Idempotent: the same language
    from the same source writes nothing. The row is locked while deciding, so two sign-ins
    at once cannot both create it, nor an older sign-on undo a choice made meanwhile.
    """
    offered = site_language(language)
    if offered is None or offered != language:
        raise ValidationError(
            _("“%(language)s” is not one of this site's languages.") % {"language": language}
        )
    sources = PersonProfile.LanguageSource
    if source not in sources.values:
        raise ValidationError(_("“%(source)s” is not a source of a language.") % {"source": source})
    with transaction.atomic():
        profile, created = PersonProfile.objects.select_for_update().get_or_create(
            user=user, defaults={"language": language, "language_source": source}
        )
        # The user's cached profile (`user.lup_profile`) must say what is stored now.
        profile.user = user
        if created:
            return True
        chosen = profile.language_source in {sources.SITE, sources.ADMINISTRATOR}
        if source == sources.SINGLE_SIGN_ON and chosen:
            return False
        if profile.language == language and profile.language_source == source:
            return False
        profile.language = language
        profile.language_source = source
        profile.save(update_fields=["language", "language_source", "updated_at"])
        return True
