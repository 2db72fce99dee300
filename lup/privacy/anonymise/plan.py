"""What anonymising a person would change (`plan_anonymisation`): read-only, for the
confirmation page and the API's preview; the service carries out the same plan."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from certificates.api import Certificate

from ...certificate_keys import UNIT_SOURCE, achievement_of, participant_key
from ...models import Organisation, Participant
from ...permissions import belongs_elsewhere, member_organisations
from ...services.people import is_anonymised
from ..register import OnAnonymise, entries
from .quotes import Identity, identity_of, quoting_rows
from .xapi import xapi_candidates

Policy = Organisation.AnonymisedCertificates


# What each kind of certificate outcome is, for the plan and the result.
REVOKE = "revoke"


WITHHOLD = "withhold"


ALREADY_REVOKED = "already_revoked"


REDRAW = "redraw"


# A few words on what happens beyond the rule itself, for entries that need them.
NOTES: dict[str, Promise] = {
    "auth.user": gettext_lazy(
        "The account gets the pseudonym for its name, username and e-mail address; its "
        "password, roles and permissions are removed and it can no longer sign in."
    ),
    "lup.cohort": gettext_lazy(
        "They stop facilitating these cohorts; a cohort they closed shows the pseudonym."
    ),
    "lup.apitoken": gettext_lazy(
        "Tokens acting as them are revoked; tokens they created for systems keep working "
        "and show the pseudonym as their creator."
    ),
    "lup.scheduledexport": gettext_lazy(
        "Their addresses are taken out of the recipients; a schedule left with no "
        "recipient is stopped."
    ),
    "courses.xapistatement": gettext_lazy(
        "Statements name the learner only by a pseudonymous account; an instructor, "
        "authority or team member that identifies them is replaced by one too."
    ),
    "certificates.certificate": gettext_lazy("Each certificate is listed below."),
    "lup.personaldataexport": gettext_lazy("The archives' files are deleted too."),
}


def pseudonym_of(person: Any) -> str:
    """What the person is called everywhere once anonymised."""
    return f"anonymised #{person.pk}"


@dataclass(frozen=True)
class EntryPlan:
    """What anonymising does to one register entry's rows."""

    model: str
    label: str
    category: str
    rule: str  # OnAnonymise
    rows: int  # rows about the person
    quoting: int  # rows (anyone's) whose text quotes the person's name or address
    outcome: str  # the rule, in words
    note: str = ""

    @property
    def changes_anything(self) -> bool:
        return bool(self.rows or self.quoting)


@dataclass(frozen=True)
class CertificatePlan:
    """What becomes of one certificate: its own (`REVOKE`, `WITHHOLD`, `ALREADY_REVOKED`)
    or one that names them among others (`REDRAW`)."""

    certificate: Certificate
    outcome: str
    description: str

    @property
    def code(self) -> str:
        return self.certificate.display_code


@dataclass(frozen=True)
class AnonymisationPlan:
    """Everything anonymising `person` would change; `refusal` says why it would be
    refused ("" when it would not). Holds counts and codes only, no names."""

    person_id: int
    pseudonym: str
    entries: tuple[EntryPlan, ...]
    certificates: tuple[CertificatePlan, ...]
    refusal: str = ""

    @property
    def changes(self) -> tuple[EntryPlan, ...]:
        """The entries with rows that change."""
        return tuple(entry for entry in self.entries if entry.changes_anything)

    def totals(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for entry in self.entries:
            counts[entry.rule] += entry.rows
            counts["quoting"] += entry.quoting
        outcomes = Counter(plan.outcome for plan in self.certificates)
        return {
            "deleted": counts[OnAnonymise.ERASE],
            "kept": counts[OnAnonymise.KEEP] + counts[OnAnonymise.REDACT],
            "quoting": counts["quoting"],
            "certificates_revoked": outcomes[REVOKE],
            "names_withheld": outcomes[REVOKE] + outcomes[WITHHOLD] + outcomes[ALREADY_REVOKED],
            "certificates_redrawn": outcomes[REDRAW],
        }


def refusal_of(person: Any, actor: Any) -> str:
    """Why `actor` may not anonymise `person`, or "" (read-only; see `anonymise_person`)."""
    if person.pk == actor.pk:
        return _("You cannot anonymise yourself.")
    if is_anonymised(person):
        return _("This person is already anonymised.")
    if not actor.is_superuser and belongs_elsewhere(person, actor_organisations(actor)):
        return _(
            "This person belongs to another organisation, or has a role there: only that "
            "organisation can anonymise them."
        )
    return ""


def actor_organisations(actor: Any) -> list[int]:
    return list(member_organisations(actor).values_list("organisation_id", flat=True))


def plan_anonymisation(person: Any, actor: Any, *, count_quotes: bool = True) -> AnonymisationPlan:
    """What anonymising `person` would change, entry by entry and certificate by
    certificate. Changes nothing; about two queries per register entry, whatever the
    amount of data. Without `count_quotes` the rows quoting them are not counted (0):
    `anonymise_person` finds them as it replaces the quotes."""
    identity = identity_of(person)
    needles = identity.needles
    plans = []
    for entry in entries():
        model = entry.model_class()
        rows = entry.rows_of(person).count()
        quoting = 0
        if count_quotes and entry.model.lower() == "courses.xapistatement":
            quoting = xapi_candidates(identity).count()
        elif count_quotes and entry.redact_text:
            quoting = quoting_rows(model, entry.redact_text, needles).count()
        plans.append(
            EntryPlan(
                model=entry.model,
                label=capfirst(str(model._meta.verbose_name_plural)),
                category=str(entry.category.label),
                rule=str(entry.on_anonymise),
                rows=rows,
                quoting=quoting,
                outcome=capfirst(str(entry.on_anonymise.label)),
                note=str(NOTES.get(entry.model.lower(), "")),
            )
        )
    return AnonymisationPlan(
        person_id=person.pk,
        pseudonym=pseudonym_of(person),
        entries=tuple(plans),
        certificates=tuple(_certificate_plans(person, identity)),
        refusal=refusal_of(person, actor),
    )


def _own_certificates(person: Any) -> models.QuerySet[Certificate]:
    """The person's own certificates: received by them, or issued for one of their
    participations (not a unit's certificate they received as its manager)."""
    keys = [
        participant_key(public_id)
        for public_id in Participant.objects.filter(user=person).values_list("public_id", flat=True)
    ]
    return (
        Certificate.objects.filter(Q(recipient=person) | Q(source_key__in=keys))
        .exclude(source_key__startswith=f"{UNIT_SOURCE}:")
        .order_by("pk")
    )


def _policies(person: Any, certificates: Iterable[Certificate]) -> dict[int, str]:
    """Each certificate's policy: its programme organisation's (one query), else that of
    the organisation the person took part in, else revoking (the default)."""
    by_participant = {
        achievement_of(certificate.source_key).participant: certificate.pk
        for certificate in certificates
    }
    policies: dict[int, str] = {}
    fallback = str(Policy.REVOKE)
    for public_id, policy in Participant.objects.filter(
        Q(public_id__in=[key for key in by_participant if key is not None]) | Q(user=person)
    ).values_list(
        "public_id", "enrolment__cohort__programme__organisation__anonymised_certificates"
    ):
        if public_id in by_participant:
            policies[by_participant[public_id]] = policy
        else:
            fallback = policy
    return {certificate.pk: policies.get(certificate.pk, fallback) for certificate in certificates}


def _certificate_plans(person: Any, identity: Identity) -> Iterator[CertificatePlan]:
    own = list(_own_certificates(person))
    policies = _policies(person, own)
    for certificate in own:
        if certificate.is_revoked:
            outcome = ALREADY_REVOKED
            description = _("Already revoked; the public page will no longer show the name.")
        elif policies[certificate.pk] == Policy.WITHHOLD_NAME:
            outcome = WITHHOLD
            description = _(
                "Stays valid; the public page will show it without the name, and its PDF "
                "is deleted (the copy the person has can still be checked)."
            )
        else:
            outcome = REVOKE
            description = _(
                "Revoked as anonymised; the public page will say revoked, without the name, "
                "and its PDF is deleted."
            )
        yield CertificatePlan(certificate=certificate, outcome=outcome, description=description)
    others = (
        quoting_rows(Certificate, ("recipient_name", "title", "body", "details"), identity.needles)
        .exclude(pk__in=[certificate.pk for certificate in own])
        .order_by("pk")
    )
    for certificate in others:
        yield CertificatePlan(
            certificate=certificate,
            outcome=REDRAW,
            description=_(
                "Names the person among others (a unit's team): the name is replaced and the "
                "PDF drawn again; copies of the earlier PDF still verify."
            ),
        )
