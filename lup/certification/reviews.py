"""Certificates to review after a withdrawn completion: ask, decide, close.

A completion taken back (`lup.signals.participant_completion_withdrawn`,
`unit_completion_withdrawn`) leaves its certificate valid: whether it stays is an
administrator's decision, never the code's. `open_review_if_certified` (from
`lup.receivers`) opens a `CertificateReview` when the achievement has a valid certificate,
once (a partial unique constraint holds one open review per certificate);
`decide_review` records the decision: revoked through `certificates.api` (audited as
CERTIFICATE_REVOKED by its receiver, with a reason that names the review), or kept
(audited as CERTIFICATE_KEPT).

A completion earned again before anyone decided closes its review
(`close_review_when_earned_again`): recorded as kept, by nobody (`decided_by` empty), and
audited as CERTIFICATE_KEPT with `earned_again`, so the log says why it closed. Deleting the
review would hide that the certificate was once in question.

A certificate revoked some other way (the admin, the API) closes its open review as
revoked (`close_review_when_revoked`), so the list only holds what is still undecided.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates.api import Certificate, revoke_certificate

from .. import permissions, scoping
from ..audit import WITHDRAWAL_REASONS, record_event
from ..models import AuditEvent, CertificateReview, Participant, Programme, UnitEnrolment
from .keys import achievement_of, participant_key, unit_key

# How `CertificateReview.reason` says why the completion was withdrawn: a key of
# `lup.audit.WITHDRAWAL_REASONS`, an undone activity (this prefix and its title), or the
# rule no longer holding. Shown in the reader's language by `withdrawal_reason_text`.
ACTIVITY_UNDONE = "activity undone: "
RULE_NO_LONGER_MET = "rule no longer met"
REVIEW_NOTE_MAX_LENGTH = 2000
REASON_MAX_LENGTH = CertificateReview._meta.get_field("reason").max_length or 200
# What a review's page and the API read of its certificate (never the PDF or the text).
CERTIFICATE_FIELDS_NOT_READ = ("certificate__pdf", "certificate__body", "certificate__details")


def _source_key(participant: Participant | None, enrolment: UnitEnrolment | None) -> str:
    if participant is not None:
        return participant_key(participant.public_id)
    if enrolment is not None:
        return unit_key(enrolment.public_id)
    raise TypeError("Name a participant or a unit enrolment.")


def _why_withdrawn(participant: Participant | None, enrolment: UnitEnrolment | None) -> str:
    """Why the completion was just taken back, from the audit entry the withdrawal service
    wrote in this same transaction (the signal carries no reason)."""
    events = AuditEvent.objects.filter(action=AuditEvent.Action.COMPLETION_WITHDRAWN)
    if participant is not None:
        events = events.filter(subject_id=participant.user_id)
    elif enrolment is not None:
        events = events.filter(subject__isnull=True, subject_label=enrolment.unit.name)
    details = events.order_by("-pk").values_list("details", flat=True).first()
    if isinstance(details, dict):
        if details.get("reason"):
            return str(details["reason"])[:REASON_MAX_LENGTH]
        if details.get("activity"):
            return f"{ACTIVITY_UNDONE}{details['activity']}"[:REASON_MAX_LENGTH]
    return RULE_NO_LONGER_MET


def withdrawal_reason_text(reason: str) -> str:
    """A review's reason (why the completion was withdrawn) in the reader's language."""
    if reason.startswith(ACTIVITY_UNDONE):
        return _("The activity “%(activity)s” was undone") % {
            "activity": reason.removeprefix(ACTIVITY_UNDONE)
        }
    if reason == RULE_NO_LONGER_MET:
        return _("The completion rule no longer holds")
    known = WITHDRAWAL_REASONS.get(reason)
    return str(known) if known else reason


def open_review_if_certified(
    *,
    participant: Participant | None = None,
    enrolment: UnitEnrolment | None = None,
    reason: str | None = None,
) -> CertificateReview | None:
    """Ask an administrator about the certificate of an achievement whose completion was
    just withdrawn: open a review when a valid (not revoked) certificate exists for it.

    Called by `lup.receivers` on `participant_completion_withdrawn` (with `participant`)
    and `unit_completion_withdrawn` (with `enrolment`), inside the withdrawing
    transaction. Idempotent: an open review of the certificate is returned as it is (the
    database holds one open review per certificate, so a parallel withdrawal finds the
    other's). `reason` defaults to the withdrawal's own audit entry. None without a valid
    certificate (not issued yet, or already revoked): there is nothing to decide.
    """
    key = _source_key(participant, enrolment)
    certificate = (
        Certificate.objects.filter(source_key=key, revoked_at__isnull=True)
        .only("pk", "source_key")
        .first()
    )
    if certificate is None:
        return None
    if participant is not None:
        programme_id = participant.enrolment.cohort.programme_id
    else:
        assert enrolment is not None
        programme_id = enrolment.cohort.programme_id
    if reason is None:
        reason = _why_withdrawn(participant, enrolment)
    review, _created = CertificateReview.objects.get_or_create(
        certificate=certificate,
        decided_at__isnull=True,
        defaults={"programme_id": programme_id, "reason": reason[:REASON_MAX_LENGTH]},
    )
    return review


def revocation_reason(review: CertificateReview, note: str = "") -> str:
    """The reason a certificate revoked on a review carries (on the certificate, and in the
    CERTIFICATE_REVOKED audit entry): it says it was decided on the review, and why the
    completion had been withdrawn, then the administrator's note, if any."""
    reason = _("Revoked on review %(review)s after the completion was withdrawn (%(why)s).") % {
        "review": review.pk,
        "why": withdrawal_reason_text(review.reason),
    }
    return f"{reason} {note}" if note else reason


def _record_kept(
    review: CertificateReview,
    certificate: Certificate,
    *,
    actor: Any,
    note: str = "",
    earned_again: bool = False,
) -> None:
    details: dict[str, Any] = {
        "code": certificate.display_code,
        "achievement": certificate.achievement,
        "organisation_id": review.programme.organisation_id,
        "review": review.pk,
    }
    if note:
        details["note"] = note
    if earned_again:
        details["earned_again"] = True
    record_event(
        action=AuditEvent.Action.CERTIFICATE_KEPT,
        actor=actor,
        subject=certificate.recipient,
        subject_label=certificate.recipient_name,
        **details,
    )


@transaction.atomic
def decide_review(
    *, review: CertificateReview, decision: str, decided_by: Any, reason_text: str = ""
) -> CertificateReview:
    """Record an administrator's decision on an open review: `REVOKED` revokes the
    certificate (through `certificates.api`, whose receiver audits it, with a reason naming
    this review), `KEPT` leaves it valid and audits CERTIFICATE_KEPT. `reason_text` is the
    administrator's optional note, kept in the audit log.

    Raises PermissionDenied unless `decided_by` may decide for the programme's
    organisation (`permissions.can_decide_certificate_review`), and ValidationError,
    changing nothing, for an unknown decision, a note too long, or a review already
    decided (by someone else meanwhile: the review is locked while deciding).
    """
    if decision not in CertificateReview.Decision.values:
        raise ValidationError(
            _("Choose whether to revoke or keep the certificate."), code="invalid_decision"
        )
    note = (reason_text or "").strip()
    if len(note) > REVIEW_NOTE_MAX_LENGTH:
        raise ValidationError(
            _("Keep the note to %(limit)d characters.") % {"limit": REVIEW_NOTE_MAX_LENGTH},
            code="note_too_long",
        )
    locked = CertificateReview.objects.select_for_update().get(pk=review.pk)
    locked.programme = Programme.objects.only("pk", "organisation_id").get(pk=locked.programme_id)
    if not permissions.can_decide_certificate_review(decided_by, locked.programme.organisation_id):
        raise PermissionDenied(_("Only the programme's administrators decide about certificates."))
    if locked.decided_at is not None:
        raise ValidationError(
            _("This certificate has already been decided: %(decision)s.")
            % {"decision": locked.get_decision_display().lower()},
            code="already_decided",
        )
    certificate = (
        Certificate.objects.select_related("recipient")
        .defer("body", "details")
        .get(pk=locked.certificate_id)
    )
    locked.decision = decision
    locked.decided_at = timezone.now()
    locked.decided_by = decided_by if getattr(decided_by, "pk", None) else None
    locked.save(update_fields=["decision", "decided_at", "decided_by"])
    if decision == CertificateReview.Decision.REVOKED:
        # Decided first, so the revocation's own receiver finds no open review to close.
        if not certificate.is_revoked:
            revoke_certificate(
                certificate=certificate,
                reason=revocation_reason(locked, note),
                revoked_by=decided_by,
            )
    else:
        _record_kept(locked, certificate, actor=decided_by, note=note)
    return locked


def _open_reviews_of(key: str) -> QuerySet[CertificateReview]:
    # A subquery, not a join: the rows updated are the reviews' alone.
    return CertificateReview.objects.filter(
        decided_at__isnull=True,
        certificate_id__in=Certificate.objects.filter(source_key=key).values("pk"),
    )


def close_review_when_earned_again(
    *, participant: Participant | None = None, enrolment: UnitEnrolment | None = None
) -> int:
    """The achievement's completion was stamped again before anyone decided: its open
    review is closed as kept, decided by nobody, and audited (CERTIFICATE_KEPT with
    `earned_again`). Called by `lup.receivers` on `participant_completed` and
    `unit_completed`; one query when there is nothing to close. Returns how many closed."""
    closed = 0
    for review in (
        _open_reviews_of(_source_key(participant, enrolment))
        .select_related("programme", "certificate__recipient")
        .defer(*CERTIFICATE_FIELDS_NOT_READ)
    ):
        # Decided only if still open: a parallel decision wins, and is not overwritten.
        if (
            CertificateReview.objects.filter(pk=review.pk, decided_at__isnull=True).update(
                decision=CertificateReview.Decision.KEPT,
                decided_at=timezone.now(),
                decided_by=None,
            )
            == 1
        ):
            _record_kept(review, review.certificate, actor=None, earned_again=True)
            closed += 1
    return closed


def close_review_when_revoked(*, certificate: Certificate, revoked_by: Any) -> int:
    """A certificate was revoked (on a review, in the admin or through the API): its open
    review, if any, is decided as revoked by the same person. The revocation is audited
    by `record_revocation`. Returns how many closed."""
    return CertificateReview.objects.filter(
        certificate_id=certificate.pk, decided_at__isnull=True
    ).update(
        decision=CertificateReview.Decision.REVOKED,
        decided_at=timezone.now(),
        decided_by=revoked_by if getattr(revoked_by, "pk", None) else None,
    )


# Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRow:
    """An open review as the page shows it: whose certificate, and why it is in question."""

    review: CertificateReview
    certificate: Certificate
    kind: str  # "participant" or "unit"
    person: str  # the participant's name; empty for a unit's certificate
    unit: str
    cohort: str
    why: str

    @property
    def withdrawn_at(self) -> Any:
        return self.review.opened_at


def review_rows(reviews: QuerySet[CertificateReview]) -> list[ReviewRow]:
    """The reviews (from `lup.scoping.certificate_reviews_for`, filtered by the caller) with
    who and which unit each is about: three queries, however many."""
    listed = list(
        reviews.select_related("certificate")
        .defer(*CERTIFICATE_FIELDS_NOT_READ)
        .order_by("opened_at", "pk")
    )
    achievements = {review.pk: achievement_of(review.certificate.source_key) for review in listed}
    person_ids = {a.participant for a in achievements.values() if a.participant}
    unit_ids = {a.enrolment for a in achievements.values() if a.enrolment}
    people: dict[uuid.UUID, Participant] = {}
    if person_ids:
        people = {
            participant.public_id: participant
            for participant in Participant.objects.filter(public_id__in=person_ids).select_related(
                "user", "enrolment__unit", "enrolment__cohort"
            )
        }
    units: dict[uuid.UUID, UnitEnrolment] = {}
    if unit_ids:
        units = {
            enrolment.public_id: enrolment
            for enrolment in UnitEnrolment.objects.filter(public_id__in=unit_ids).select_related(
                "unit", "cohort"
            )
        }
    rows = []
    for review in listed:
        achievement = achievements[review.pk]
        certificate = review.certificate
        participant = people.get(achievement.participant) if achievement.participant else None
        enrolment = (
            participant.enrolment
            if participant is not None
            else units.get(achievement.enrolment)
            if achievement.enrolment
            else None
        )
        rows.append(
            ReviewRow(
                review=review,
                certificate=certificate,
                kind="participant" if achievement.participant else "unit",
                person=certificate.recipient_name if achievement.participant else "",
                unit=enrolment.unit.name if enrolment else "",
                cohort=enrolment.cohort.name if enrolment else "",
                why=withdrawal_reason_text(review.reason),
            )
        )
    return rows


def open_reviews(reviews: QuerySet[CertificateReview]) -> QuerySet[CertificateReview]:
    """Those of the reviews still waiting for a decision."""
    return reviews.filter(decided_at__isnull=True)


def reviews_to_decide(user: Any, programme: Programme) -> int:
    """How many of the programme's certificates wait for the user's decision (the
    dashboard's link): one query for those who may decide, none for anyone else."""
    return open_reviews(scoping.certificate_reviews_for(user).filter(programme=programme)).count()


def review_kind(review: CertificateReview) -> str:
    """Whose certificate a review is about: "participant" or "unit" (from its source key)."""
    return "participant" if achievement_of(review.certificate.source_key).participant else "unit"
