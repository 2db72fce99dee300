"""Issuing LUP's certificates, and auditing revoked ones (the writes).

A certificate is asked of `certificates.api.issue_certificate` with the achievement's
source key (`keys`), so issuing is idempotent: a completion recorded again, a bulk issue
run twice or two workers racing still give one certificate per achievement.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from certificates.api import Certificate, CertificateTemplate, issue_certificate, template_assets

from ..audit import record_event
from ..languages import remembered_language
from ..models import AuditEvent, Cohort, Participant, UnitEnrolment
from ..services.people import ANONYMISED_EMAIL_DOMAIN, is_anonymised
from .contents import (
    PARTICIPANT_TEMPLATE_KEY,
    UNIT_TEMPLATE_KEY,
    Team,
    participant_context,
    person_name,
    team_of,
    teams_of,
    template_for,
    template_key,
    unit_context,
)
from .credentials import achievement_details, issuer_details
from .keys import participant_key, unit_key

logger = logging.getLogger(__name__)

# What the issue services read of a completed participant and unit, in the same query: the
# person's remembered language too (`user__lup_profile`), which chooses the certificate's.
PARTICIPANT_RELATED = (
    "user__lup_profile",
    "enrolment__unit",
    "enrolment__cohort__programme__organisation",
)
ENROLMENT_RELATED = ("unit", "cohort__programme__organisation")


class _Templates:
    """Each kind's template, with its images, in each recipient's language: loaded once
    for a batch. A certificate is in its recipient's language (`lup.languages`): the
    participant's, or the unit manager's; the bokmål template for someone with none."""

    def __init__(self) -> None:
        self._loaded: dict[str, tuple[CertificateTemplate, Any]] = {}

    def for_recipient(self, key: str, recipient: Any) -> tuple[CertificateTemplate, Any]:
        language = remembered_language(recipient)
        variant = template_key(key, language)
        if variant not in self._loaded:
            template = template_for(key, language)
            self._loaded[variant] = (template, template_assets(template))
        return self._loaded[variant]


def _issue_to_participant(
    participant: Participant, *, template: CertificateTemplate, notify: bool, assets: Any
) -> tuple[Certificate, bool]:
    programme = participant.enrolment.cohort.programme
    return issue_certificate(
        template=template,
        source_key=participant_key(participant.public_id),
        recipient=participant.user,
        recipient_name=person_name(participant.user),
        achievement=programme.name,
        issuer=programme.organisation.name,
        values=participant_context(participant),
        issued_on=timezone.localdate(participant.completed_at),
        notify=notify,
        assets=assets,
        credential=(
            issuer_details(programme.organisation),
            achievement_details(programme, kind="participant"),
        ),
    )


def _issue_to_unit(
    enrolment: UnitEnrolment,
    *,
    team: Team,
    template: CertificateTemplate,
    notify: bool,
    assets: Any,
) -> tuple[Certificate, bool]:
    programme = enrolment.cohort.programme
    return issue_certificate(
        template=template,
        source_key=unit_key(enrolment.public_id),
        recipient=team.manager,
        recipient_name=enrolment.unit.name,
        achievement=programme.name,
        issuer=programme.organisation.name,
        values=unit_context(enrolment, team=", ".join(team.names)),
        issued_on=timezone.localdate(enrolment.completed_at),
        notify=notify,
        assets=assets,
        credential=(
            issuer_details(programme.organisation),
            achievement_details(programme, kind="unit"),
        ),
    )


def issue_participant_certificate(
    *, participant: Participant, notify: bool = True, assets: Any = None
) -> Certificate | None:
    """The certificate of a completed participant (issued once); None if not completed."""
    participant = Participant.objects.select_related(*PARTICIPANT_RELATED).get(pk=participant.pk)
    if participant.status != Participant.Status.COMPLETED:
        return None
    if is_anonymised(participant.user):
        return None  # anonymised: nobody to give it to, and it would carry the pseudonym
    template = template_for(PARTICIPANT_TEMPLATE_KEY, remembered_language(participant.user))
    certificate, _created = _issue_to_participant(
        participant, template=template, notify=notify, assets=assets
    )
    return certificate


def issue_unit_certificate(
    *, enrolment: UnitEnrolment, notify: bool = True, assets: Any = None
) -> Certificate | None:
    """The certificate of a completed unit, naming the unit and its team, sent to its
    manager (issued once); None if the unit has not completed."""
    enrolment = UnitEnrolment.objects.select_related(*ENROLMENT_RELATED).get(pk=enrolment.pk)
    if enrolment.status != UnitEnrolment.Status.COMPLETED:
        return None
    team = team_of(enrolment)
    certificate, _created = _issue_to_unit(
        enrolment,
        team=team,
        template=template_for(UNIT_TEMPLATE_KEY, remembered_language(team.manager)),
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
    not have yet, each in its recipient's language. Templates and their images are loaded
    once per language for the whole batch; the recipients' languages come with them.

    `on_progress(done, total)` hears how far it has come: at the start, now and then (when
    `done` is a multiple of 25, while issuing to participants), and at the end.
    """
    # Anonymised people get no new certificate: nobody to give it to (see above).
    participants = (
        participants.filter(status=Participant.Status.COMPLETED)
        .exclude(user__email__endswith=ANONYMISED_EMAIL_DOMAIN)
        .select_related(*PARTICIPANT_RELATED)
    )
    enrolments = enrolments.filter(status=UnitEnrolment.Status.COMPLETED).select_related(
        *ENROLMENT_RELATED
    )
    people = list(participants.order_by("pk"))
    units = list(enrolments.order_by("pk"))
    keys = [participant_key(person.public_id) for person in people] + [
        unit_key(unit.public_id) for unit in units
    ]
    existing = set(
        Certificate.objects.filter(source_key__in=keys).values_list("source_key", flat=True)
    )
    total, done, issued = len(keys), len(existing), 0
    if on_progress:
        on_progress(done, total)
    if done == total:
        return IssueSummary(issued=0, existing=done, total=total)

    templates = _Templates()
    missing_units = [unit for unit in units if unit_key(unit.public_id) not in existing]
    teams = teams_of(unit.pk for unit in missing_units)
    for person in people:
        if participant_key(person.public_id) in existing:
            continue
        template, assets = templates.for_recipient(PARTICIPANT_TEMPLATE_KEY, person.user)
        _certificate, created = _issue_to_participant(
            person, template=template, notify=notify, assets=assets
        )
        issued += created
        done += 1
        if on_progress and done % 25 == 0:
            on_progress(done, total)
    for unit in missing_units:
        team = teams.get(unit.pk, Team())
        template, assets = templates.for_recipient(UNIT_TEMPLATE_KEY, team.manager)
        _certificate, created = _issue_to_unit(
            unit, team=team, template=template, notify=notify, assets=assets
        )
        issued += created
        done += 1
    if on_progress:
        on_progress(done, total)
    return IssueSummary(issued=issued, existing=total - issued, total=total)


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
