"""Anonymising a person (`anonymise_person`): the plan carried out in one transaction."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.api import (
    Certificate,
    replace_names,
    revoke_certificate,
    withhold_recipient_name,
)

from ...audit import record_event
from ...models import AuditEvent, Participant
from ...services.people import (
    ANONYMISED_EMAIL_DOMAIN,
    ANONYMISED_NAME,
    refuse_another_tenants_account,
)
from ..register import OnAnonymise, PersonalData, entries
from ..storage import archive_storage
from .plan import (
    REDRAW,
    REVOKE,
    AnonymisationPlan,
    actor_organisations,
    is_anonymised,
    plan_anonymisation,
)
from .quotes import Identity, identity_of, quoting_rows, redacted, text_pattern
from .xapi import scrub_xapi

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Fields that list e-mail addresses, one per line: the person's addresses are taken out
# (a pseudonym is no address to send to), not replaced.
ADDRESS_LISTS = {("lup.scheduledexport", "recipients")}


# What `anonymise_person` counts (and its audit event records).
COUNTS = (
    "deleted",
    "kept",
    "redacted",
    "certificates_revoked",
    "names_withheld",
    "certificates_redrawn",
)


# Written on a revoked certificate, in the certificate's language.
REVOCATION_REASON = gettext_lazy(
    "Anonymised: the holder's personal data was erased, so the certificate no longer names them."
)


# What a certificate shows where the name was, in the certificate's language.
NAME_WITHHELD = gettext_lazy("(name withheld)")


@dataclass(frozen=True)
class Anonymised:
    """What anonymising changed: counts only (the audit event records the same)."""

    pseudonym: str
    counts: dict[str, int]


def anonymise_person(*, person: User, actor: User) -> Anonymised:
    """Remove a departed person's personal data for good, keeping the programme's figures
    and the team's work (see the module's docstring). Returns what it changed: rows
    deleted, kept (with the pseudonym) and redacted (quotes replaced), certificates
    revoked, withheld and drawn again.

    Raises ValidationError, changing nothing, for one's own account, an account already
    anonymised and (unless the actor is a superuser) anyone with roles or participations
    outside the actor's organisations: the wall between tenants, refused in the audit log
    of both organisations.
    """
    if person.pk == actor.pk:
        raise ValidationError(_("You cannot anonymise yourself."))
    if is_anonymised(person):
        raise ValidationError(_("This person is already anonymised."))
    if not actor.is_superuser:
        # Outside the transaction below, so the refusal's audit event stays.
        refuse_another_tenants_account(
            person=person,
            actor=actor,
            organisation_ids=actor_organisations(actor),
            attempted="anonymise",
        )
    return _anonymise(person=person, actor=actor)


@transaction.atomic
def _anonymise(*, person: User, actor: User) -> Anonymised:
    person = type(person)._default_manager.select_for_update().get(pk=person.pk)
    if is_anonymised(person):  # a second request got here first
        raise ValidationError(_("This person is already anonymised."))
    identity = identity_of(person)
    plan = plan_anonymisation(person, actor, count_quotes=False)
    pseudonym = plan.pseudonym
    outcome: Counter[str] = Counter()
    _settle_certificates(plan, actor=actor, identity=identity, outcome=outcome)
    for entry in entries():
        if entry.on_anonymise == OnAnonymise.ERASE:
            outcome["deleted"] += _erase(entry, person)
    _end_roles(person)
    _rename(person)
    for entry in entries():
        changed = _redact(entry, person, identity, pseudonym)
        outcome["certificates_redrawn" if entry.model_class() is Certificate else "redacted"] += (
            changed
        )
    outcome["kept"] = plan.totals()["kept"]
    outcome["redacted"] += scrub_xapi(identity, person)
    # The completions feed shows each participation's person: systems syncing it by
    # `updated_at` must see the name go too.
    Participant.objects.filter(user=person).update(updated_at=timezone.now())
    counts: dict[str, Any] = {key: outcome[key] for key in COUNTS}
    record_event(
        action=AuditEvent.Action.PERSON_ANONYMISED,
        subject=person,
        actor=actor,
        subject_label=pseudonym,
        **counts,
    )
    return Anonymised(pseudonym=pseudonym, counts=counts)


def _settle_certificates(
    plan: AnonymisationPlan, *, actor: Any, identity: Identity, outcome: Counter[str]
) -> None:
    """The person's own certificates withheld (and revoked, by the policy), before the
    sweep: the revocation's audit event then shows no name either."""
    names = [*identity.names, *identity.addresses]
    for item in plan.certificates:
        if item.outcome == REDRAW:
            continue  # by the sweep, which finds every certificate quoting them
        certificate = item.certificate
        with translation.override(certificate.language):
            replacement, reason = str(NAME_WITHHELD), str(REVOCATION_REASON)
        certificate = withhold_recipient_name(
            certificate=certificate, replacement=replacement, names=names
        )
        outcome["names_withheld"] += 1
        if item.outcome == REVOKE:
            revoke_certificate(certificate=certificate, reason=reason, revoked_by=actor)
            outcome["certificates_revoked"] += 1


def _erase(entry: PersonalData, person: Any) -> int:
    model = entry.model_class()
    rows = model._default_manager.filter(
        pk__in=list(entry.rows_of(person).values_list("pk", flat=True))
    )
    archives: list[str] = []
    if entry.model.lower() == "lup.personaldataexport":
        archives = [name for name in rows.values_list("archive_name", flat=True) if name]
    count, _by_model = rows.delete()  # with the rows deleted along (confirmations, tokens)
    if archives:
        transaction.on_commit(lambda: _delete_archives(archives))
    return count


def _delete_archives(names: Sequence[str]) -> None:
    """The files of the person's own-data archives (in lup's private storage)."""
    storage = archive_storage()
    for name in names:
        storage.delete(name)


def _end_roles(person: Any) -> None:
    """No facilitation, groups, permissions or API tokens acting as them (the receivers
    audit each role change, as for any other)."""
    person.lup_facilitated_cohorts.clear()
    person.groups.clear()
    person.user_permissions.clear()
    apps.get_model("lup", "ApiToken").objects.filter(user=person, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _rename(person: Any) -> None:
    person.first_name = ANONYMISED_NAME
    person.last_name = ""
    person.email = f"anonymised-{person.pk}{ANONYMISED_EMAIL_DOMAIN}"
    person.username = f"anonymised-{person.pk}"
    person.is_active = person.is_staff = person.is_superuser = False
    person.set_unusable_password()  # also ends every session: the session hash changes
    person.save()


def _redact(entry: PersonalData, person: Any, identity: Identity, pseudonym: str) -> int:
    """The entry's `redact_text` fields: labels of the person's rows become the
    pseudonym, and quotes of them anywhere are replaced. Returns the rows changed."""
    if not entry.redact_text:
        return 0
    model = entry.model_class()
    changed = 0
    for lookup in entry.person:
        label = f"{lookup}_label"
        if label in entry.redact_text:
            changed += (
                model._default_manager.filter(**{lookup: person.pk})
                .exclude(**{label: pseudonym})
                .update(**{label: pseudonym})
            )
    pattern = identity.pattern()
    if pattern is None:
        return changed
    if model is Certificate:
        return changed + _redraw_certificates(identity)
    fields = list(entry.redact_text)
    addresses = text_pattern(identity.addresses)
    updated = []
    for row in (
        quoting_rows(model, fields, identity.needles).only("pk", *fields).iterator(chunk_size=1000)
    ):
        touched = False
        for name in fields:
            before = getattr(row, name)
            if (entry.model.lower(), name) in ADDRESS_LISTS:
                after = _without_addresses(before, addresses, pattern, pseudonym, row)
            else:
                after = redacted(before, pattern, pseudonym)
            if after != before:
                setattr(row, name, after)
                touched = True
        if touched:
            updated.append(row)
    if updated:
        model._default_manager.bulk_update(updated, fields, batch_size=500)
    return changed + len(updated)


def _without_addresses(
    text: str,
    addresses: re.Pattern[str] | None,
    pattern: re.Pattern[str],
    pseudonym: str,
    row: Any,
) -> str:
    """A list of addresses, one per line, without the person's. An e-mail schedule left
    with none is stopped and keeps the person's made-up address (a schedule must have a
    destination, and that one is never allowed)."""
    lines = [line for line in text.splitlines() if line.strip()]
    kept = [line for line in lines if addresses is None or not addresses.search(line)]
    kept = [redacted(line, pattern, pseudonym) for line in kept]
    if kept:
        return "\n".join(kept)
    if getattr(row, "delivery", "") == "email":
        model = type(row)
        stop_reason = model.StopReason.DESTINATION_NOT_ALLOWED
        model._default_manager.filter(pk=row.pk).update(
            active=False, stopped_at=timezone.now(), stopped_reason=stop_reason
        )
        return f"{pseudonym.replace(' #', '-')}{ANONYMISED_EMAIL_DOMAIN}"
    return ""


def _redraw_certificates(identity: Identity) -> int:
    """Every certificate that still quotes the person (a unit's, listing its team) gets
    the name replaced and its PDF drawn again."""
    changed = 0
    names = [*identity.needles]
    for certificate in quoting_rows(
        Certificate, ("recipient_name", "title", "body", "details"), names
    ).order_by("pk"):
        with translation.override(certificate.language):
            replacement = str(NAME_WITHHELD)
        if replace_names(certificate=certificate, names=names, replacement=replacement):
            changed += 1
    return changed
