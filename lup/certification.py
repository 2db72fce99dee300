"""LUP's side of certificates: what a completed participant and a completed unit get.

`certificates` is generic and knows nothing of units, so this module says what is
printed (the contexts), finds the templates by key (creating bokmål defaults when they
are missing), asks `certificates.api.issue_certificate` for them, and tells
`certificates` who may see which certificate (`LupCertificatesAdapter`).

Source keys name the achievement, so a certificate is issued once per achievement
whatever retries or races happen: "lup.participant:<participant.public_id>" and
"lup.unit:<unit_enrolment.public_id>".
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from celery import shared_task
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from certificates.api import (
    Certificate,
    CertificateTemplate,
    DefaultCertificatesAdapter,
    certificates_of,
    ensure_template,
    issue_certificate,
    template_assets,
)

from . import scoping
from .audit import record_event
from .models import AuditEvent, Cohort, Participant, UnitEnrolment

logger = logging.getLogger(__name__)

PARTICIPANT_TEMPLATE_KEY = "lup-participant"
UNIT_TEMPLATE_KEY = "lup-unit"
PARTICIPANT_SOURCE = "lup.participant"
UNIT_SOURCE = "lup.unit"

# Created when missing; administrators change them in the admin afterwards. These are
# certificate texts (data), in bokmål, the programme's language: not interface strings.
DEFAULT_TEMPLATES: dict[str, dict[str, Any]] = {
    PARTICIPANT_TEMPLATE_KEY: {
        "name": "LUP – kursbevis for deltakere",
        "title": "Kursbevis",
        "body": (
            "{recipient_name} har gjennomført {programme} i {cohort} "
            "som del av teamet ved {unit_name}."
        ),
        "language": "nb",
    },
    UNIT_TEMPLATE_KEY: {
        "name": "LUP – bevis for tjenestesteder",
        "title": "Enhetsbevis",
        "body": "{unit_name} har gjennomført {programme} i {cohort}.\nTeamet: {team}.",
        "language": "nb",
    },
}


def participant_source_key(participant: Participant) -> str:
    return f"{PARTICIPANT_SOURCE}:{participant.public_id}"


def unit_source_key(enrolment: UnitEnrolment) -> str:
    return f"{UNIT_SOURCE}:{enrolment.public_id}"


def template_for(key: str) -> CertificateTemplate:
    """The certificate template with `key`, created from LUP's default when missing."""
    # No signatories by default: there is no real person to name; administrators add them.
    return ensure_template(key=key, defaults=DEFAULT_TEMPLATES[key])


def _person_name(user: Any) -> str:
    return str(user.get_full_name() or user.email or user.username)


def _team_names(enrolment: UnitEnrolment) -> str:
    members = (
        Participant.objects.current()
        .filter(enrolment=enrolment)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )
    people = sorted(members, key=lambda member: member.role != Participant.Role.MANAGER)
    return ", ".join(_person_name(member.user) for member in people)


def participant_context(participant: Participant) -> dict[str, str]:
    """What a participant's certificate shows, besides name, issuer and date."""
    enrolment = participant.enrolment
    programme = enrolment.cohort.programme
    return {
        "programme": programme.name,
        "cohort": enrolment.cohort.name,
        "unit_name": enrolment.unit.name,
        "team": "",
    }


def unit_context(enrolment: UnitEnrolment, *, team: str | None = None) -> dict[str, str]:
    """What a unit's certificate shows: the unit, its programme, cohort and team."""
    programme = enrolment.cohort.programme
    return {
        "programme": programme.name,
        "cohort": enrolment.cohort.name,
        "unit_name": enrolment.unit.name,
        "team": team if team is not None else _team_names(enrolment),
    }


def issue_participant_certificate(
    *, participant: Participant, notify: bool = True, assets: Any = None
) -> Certificate | None:
    """The certificate of a completed participant (issued once); None if not completed."""
    participant = Participant.objects.select_related(
        "user", "enrolment__unit", "enrolment__cohort__programme__organisation"
    ).get(pk=participant.pk)
    if participant.status != Participant.Status.COMPLETED:
        return None
    programme = participant.enrolment.cohort.programme
    template = template_for(PARTICIPANT_TEMPLATE_KEY)
    certificate, _created = issue_certificate(
        template=template,
        source_key=participant_source_key(participant),
        recipient=participant.user,
        recipient_name=_person_name(participant.user),
        achievement=programme.name,
        issuer=programme.organisation.name,
        values=participant_context(participant),
        issued_on=timezone.localdate(participant.completed_at),
        notify=notify,
        assets=assets,
    )
    return certificate


def _manager_of(enrolment: UnitEnrolment) -> Any:
    manager = (
        Participant.objects.current()
        .filter(enrolment=enrolment, role=Participant.Role.MANAGER)
        .select_related("user")
        .first()
    )
    return manager.user if manager is not None else None


def issue_unit_certificate(
    *, enrolment: UnitEnrolment, notify: bool = True, assets: Any = None
) -> Certificate | None:
    """The certificate of a completed unit, naming the unit and its team, sent to its
    manager (issued once); None if the unit has not completed."""
    enrolment = UnitEnrolment.objects.select_related("unit", "cohort__programme__organisation").get(
        pk=enrolment.pk
    )
    if enrolment.status != UnitEnrolment.Status.COMPLETED:
        return None
    programme = enrolment.cohort.programme
    certificate, _created = issue_certificate(
        template=template_for(UNIT_TEMPLATE_KEY),
        source_key=unit_source_key(enrolment),
        recipient=_manager_of(enrolment),
        recipient_name=enrolment.unit.name,
        achievement=programme.name,
        issuer=programme.organisation.name,
        values=unit_context(enrolment),
        issued_on=timezone.localdate(enrolment.completed_at),
        notify=notify,
        assets=assets,
    )
    return certificate


def _issue_safely(issue: Callable[..., Any], **kwargs: Any) -> None:
    try:
        issue(**kwargs)
    except Exception:
        # The completion is committed and counts; the certificate can be issued again
        # later (bulk issue or `manage.py issue_certificates`), so log and carry on.
        logger.exception("Issuing a certificate after completion failed: %r", kwargs)


def issue_when_committed(
    *, participant: Participant | None = None, enrolment: UnitEnrolment | None = None
) -> None:
    """Ask for the certificate once the completion being recorded has committed.

    Called by `lup.receivers` when the core's completion services send
    `lup.signals.participant_completed` or `unit_completed`, inside the transaction that
    stamps the completion. After commit, so that a rendering problem can never undo a
    completion, and so the certificate only exists for a completion that does.
    """
    if participant is not None:
        transaction.on_commit(
            partial(_issue_safely, issue_participant_certificate, participant=participant)
        )
    if enrolment is not None:
        transaction.on_commit(partial(_issue_safely, issue_unit_certificate, enrolment=enrolment))


@dataclass(frozen=True)
class IssueSummary:
    """How a bulk issue went: newly issued, already there, and everything earned."""

    issued: int
    existing: int
    total: int


def issue_earned_certificates(
    *,
    participants: QuerySet[Participant],
    enrolments: QuerySet[UnitEnrolment],
    notify: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> IssueSummary:
    """Issue every certificate these completed participants and units have earned and do
    not have yet. Templates and their images are loaded once for the whole batch."""
    participants = participants.filter(status=Participant.Status.COMPLETED).select_related(
        "user", "enrolment__unit", "enrolment__cohort__programme__organisation"
    )
    enrolments = enrolments.filter(status=UnitEnrolment.Status.COMPLETED).select_related(
        "unit", "cohort__programme__organisation"
    )
    people = list(participants.order_by("pk"))
    units = list(enrolments.order_by("pk"))
    keys = [participant_source_key(person) for person in people] + [
        unit_source_key(unit) for unit in units
    ]
    existing = set(
        Certificate.objects.filter(source_key__in=keys).values_list("source_key", flat=True)
    )
    total, done, issued = len(keys), len(existing), 0
    if on_progress:
        on_progress(done, total)
    if done == total:
        return IssueSummary(issued=0, existing=done, total=total)

    participant_template = template_for(PARTICIPANT_TEMPLATE_KEY)
    participant_assets = template_assets(participant_template)
    unit_template = template_for(UNIT_TEMPLATE_KEY)
    unit_assets = template_assets(unit_template)
    teams = _teams_of([unit.pk for unit in units if unit_source_key(unit) not in existing])
    for person in people:
        if participant_source_key(person) in existing:
            continue
        programme = person.enrolment.cohort.programme
        _certificate, created = issue_certificate(
            template=participant_template,
            source_key=participant_source_key(person),
            recipient=person.user,
            recipient_name=_person_name(person.user),
            achievement=programme.name,
            issuer=programme.organisation.name,
            values=participant_context(person),
            issued_on=timezone.localdate(person.completed_at),
            notify=notify,
            assets=participant_assets,
        )
        issued += created
        done += 1
        if on_progress and done % 25 == 0:
            on_progress(done, total)
    for unit in units:
        if unit_source_key(unit) in existing:
            continue
        programme = unit.cohort.programme
        team = teams.get(unit.pk, ([], None))
        _certificate, created = issue_certificate(
            template=unit_template,
            source_key=unit_source_key(unit),
            recipient=team[1],
            recipient_name=unit.unit.name,
            achievement=programme.name,
            issuer=programme.organisation.name,
            values=unit_context(unit, team=", ".join(team[0])),
            issued_on=timezone.localdate(unit.completed_at),
            notify=notify,
            assets=unit_assets,
        )
        issued += created
        done += 1
    if on_progress:
        on_progress(done, total)
    return IssueSummary(issued=issued, existing=total - issued, total=total)


def _teams_of(enrolment_ids: list[int]) -> dict[int, tuple[list[str], Any]]:
    """Each enrolment's team names (manager first) and its manager, in one query."""
    teams: dict[int, tuple[list[str], Any]] = {}
    members = (
        Participant.objects.current()
        .filter(enrolment_id__in=enrolment_ids)
        .select_related("user")
        .order_by("enrolment_id", "role", "user__last_name", "user__first_name")
    )
    for member in members:
        names, _manager = teams.setdefault(member.enrolment_id, ([], None))
        if member.role == Participant.Role.MANAGER:
            names.insert(0, _person_name(member.user))
            teams[member.enrolment_id] = (names, member.user)
        else:
            names.append(_person_name(member.user))
    return teams


def issue_cohort_certificates(
    *,
    cohort: Cohort,
    notify: bool = True,
    on_progress: Callable[[int, int], None] | None = None,
) -> IssueSummary:
    """Issue every certificate a cohort's completed participants and units have earned."""
    return issue_earned_certificates(
        participants=Participant.objects.filter(enrolment__cohort=cohort),
        enrolments=UnitEnrolment.objects.filter(cohort=cohort),
        notify=notify,
        on_progress=on_progress,
    )


@shared_task(ignore_result=True)
def issue_cohort_certificates_task(cohort_id: int, notify: bool = True) -> int:
    """Celery task for the bulk issue page: load the cohort and call the service.

    (Here rather than in a lup/tasks.py so that this module is the whole of LUP's
    certificate side; it is registered when Django loads, via lup.receivers.)
    """
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    if cohort is None:
        return 0
    return issue_cohort_certificates(cohort=cohort, notify=notify).issued


@dataclass(frozen=True)
class CohortCertificates:
    """Certificates a cohort has earned, and how many of them are issued."""

    issued: int
    total: int

    @property
    def done(self) -> bool:
        return self.issued >= self.total

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.issued / self.total)


def cohort_certificates(cohort: Cohort) -> CohortCertificates:
    """Issued of earned certificates in a cohort (three queries, for the progress page)."""
    participant_ids = Participant.objects.filter(
        enrolment__cohort=cohort, status=Participant.Status.COMPLETED
    ).values_list("public_id", flat=True)
    unit_ids = UnitEnrolment.objects.filter(
        cohort=cohort, status=UnitEnrolment.Status.COMPLETED
    ).values_list("public_id", flat=True)
    keys = [f"{PARTICIPANT_SOURCE}:{public_id}" for public_id in participant_ids] + [
        f"{UNIT_SOURCE}:{public_id}" for public_id in unit_ids
    ]
    issued = Certificate.objects.filter(source_key__in=keys).count() if keys else 0
    return CohortCertificates(issued=issued, total=len(keys))


def certificates_for(user: Any) -> list[Certificate]:
    """The person's own certificates (as participant, and their units' as manager)."""
    return list(certificates_of(user))


def unit_certificate(enrolment: UnitEnrolment) -> Certificate | None:
    """The unit's certificate in this cohort, if issued."""
    return Certificate.objects.filter(source_key=unit_source_key(enrolment)).first()


def record_revocation(*, certificate: Certificate, revoked_by: Any, reason: str) -> None:
    """Audit a revoked certificate (connected to `certificates.signals.certificate_revoked`)."""
    record_event(
        action=AuditEvent.Action.CERTIFICATE_REVOKED,
        actor=revoked_by,
        subject=certificate.recipient,
        subject_label=certificate.recipient_name,
        code=certificate.display_code,
        achievement=certificate.achievement,
        source=certificate.source_key,
        reason=reason,
    )


def _source(certificate: Certificate) -> tuple[str, uuid.UUID | None]:
    kind, _sep, identifier = certificate.source_key.partition(":")
    try:
        return kind, uuid.UUID(identifier)
    except ValueError:
        return kind, None


def _source_keys_in_scope(user: Any) -> Iterable[str]:
    for public_id in scoping.participants_for(user).values_list("public_id", flat=True):
        yield f"{PARTICIPANT_SOURCE}:{public_id}"
    for public_id in scoping.enrolments_for(user).values_list("public_id", flat=True):
        yield f"{UNIT_SOURCE}:{public_id}"


class LupCertificatesAdapter(DefaultCertificatesAdapter):
    """Who sees a certificate follows who sees its achievement (lup.scoping): the
    recipient, the unit's manager, the cohort's facilitators, and the organisation's
    administrators and HR. Team members also see their unit's certificate."""

    def can_view(self, user: Any, certificate: Certificate) -> bool:
        if not user.is_authenticated:
            return False
        if certificate.recipient_id is not None and certificate.recipient_id == user.pk:
            return True
        if user.is_superuser:
            return True
        kind, public_id = _source(certificate)
        if public_id is None:
            return False
        if kind == PARTICIPANT_SOURCE:
            return scoping.participants_for(user).filter(public_id=public_id).exists()
        if kind == UNIT_SOURCE:
            return (
                scoping.enrolments_for(user).filter(public_id=public_id).exists()
                or Participant.objects.current()
                .filter(user_id=user.pk, enrolment__public_id=public_id)
                .exists()
            )
        return False

    def visible_certificates(self, user: Any, certificates: QuerySet[Any]) -> QuerySet[Any]:
        if user.is_superuser:
            return certificates
        # Keys of the achievements in scope (an organisation's, at most some thousands).
        return certificates.filter(
            Q(source_key__in=list(_source_keys_in_scope(user))) | Q(recipient_id=user.pk)
        )
