"""A person's account: anonymising someone who has left, verifying an address."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit import record_event
from ..models import AuditEvent, OrganisationMembership, Participant
from ..permissions import belongs_elsewhere, member_organisations

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# What an anonymised person is called, and the domain of their made-up address: the
# domain is how `anonymise_person` tells an account it has already anonymised.
ANONYMISED_NAME = "Anonymisert"
ANONYMISED_EMAIL_DOMAIN = "@anonymised.invalid"


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


def anonymise_person(*, person: User, actor: User) -> None:
    """Remove a departed person's personal data while keeping the programme's figures.

    Their participation records stay (so completion counts and dashboards do not move)
    but name, e-mail, login methods, roles and two-factor devices go; they can no longer
    sign in. Audit events keep only "anonymised #id" for them. Refuses one's own account,
    and (unless the actor is a superuser) anyone with roles or participations outside the
    actor's organisations: the wall between tenants.
    """
    if person.pk == actor.pk:
        raise ValidationError(_("You cannot anonymise yourself."))
    if not person.is_active and person.email.endswith(ANONYMISED_EMAIL_DOMAIN):
        raise ValidationError(_("This person is already anonymised."))
    if not actor.is_superuser:
        refuse_another_tenants_account(
            person=person,
            actor=actor,
            organisation_ids=member_organisations(actor).values_list("organisation_id", flat=True),
            attempted="anonymise",
        )
    _anonymise(person=person, actor=actor)


@transaction.atomic
def _anonymise(*, person: User, actor: User) -> None:
    label = f"anonymised #{person.pk}"
    for app_label, model_name in (
        ("account", "EmailAddress"),
        ("socialaccount", "SocialAccount"),
        ("mfa", "Authenticator"),
    ):
        if apps.is_installed(f"allauth.{app_label}"):
            apps.get_model(app_label, model_name).objects.filter(user=person).delete()
    OrganisationMembership.objects.filter(user=person).delete()
    person.lup_facilitated_cohorts.clear()
    person.groups.clear()
    person.user_permissions.clear()
    person.first_name = ANONYMISED_NAME
    person.last_name = ""
    person.email = f"anonymised-{person.pk}{ANONYMISED_EMAIL_DOMAIN}"
    person.username = f"anonymised-{person.pk}"
    person.is_active = person.is_staff = person.is_superuser = False
    person.set_unusable_password()  # also ends every session: the session hash changes
    person.save()
    # The completions feed shows each participation's person: systems syncing it by
    # `updated_at` must see the name go too.
    Participant.objects.filter(user=person).update(updated_at=timezone.now())
    AuditEvent.objects.filter(actor=person).update(actor_label=label)
    AuditEvent.objects.filter(subject=person).update(subject_label=label, details={})
    record_event(
        action=AuditEvent.Action.PERSON_ANONYMISED, subject=person, actor=actor, subject_label=label
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
