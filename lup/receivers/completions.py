"""Completions: courses' activity signals to the core's services (and to the reminders: a
finished module's waiting due-date reminders are settled), and the core's
completion signals up to certification (certificates issued; a withdrawn completion's
certificate put to an administrator, settled when the completion is earned again)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from certificates.api import certificate_revoked
from courses.api import activity_completed, activity_completion_withdrawn

from .. import certification, services
from ..reminders.services import settle_finished_module
from ..signals import (
    participant_completed,
    participant_completion_withdrawn,
    unit_completed,
    unit_completion_withdrawn,
)


@receiver(activity_completed, dispatch_uid="lup_completion_after_activity")
def complete_after_activity(sender: Any, user: Any, activity: Any, **kwargs: Any) -> None:
    services.complete_after_activity(user=user, activity=activity)


@receiver(activity_completed, dispatch_uid="lup_settle_due_reminders")
def settle_due_reminders(sender: Any, user: Any, activity: Any, **kwargs: Any) -> None:
    settle_finished_module(user=user, activity=activity)


@receiver(activity_completion_withdrawn, dispatch_uid="lup_completion_after_withdrawal")
def reevaluate_after_withdrawal(
    sender: Any, user: Any, activity: Any, withdrawn_by: Any, **kwargs: Any
) -> None:
    services.withdraw_after_activity(user=user, activity=activity, withdrawn_by=withdrawn_by)


@receiver(certificate_revoked, dispatch_uid="lup_audit_certificate_revoked")
def audit_certificate_revoked(
    sender: Any, certificate: Any, revoked_by: Any, reason: str, **kwargs: Any
) -> None:
    certification.record_revocation(certificate=certificate, revoked_by=revoked_by, reason=reason)


@receiver(certificate_revoked, dispatch_uid="lup_close_review_of_revoked")
def close_review_of_revoked(sender: Any, certificate: Any, revoked_by: Any, **kwargs: Any) -> None:
    certification.close_review_when_revoked(certificate=certificate, revoked_by=revoked_by)


@receiver(participant_completed, dispatch_uid="lup_certificate_for_participant")
def certify_participant(sender: Any, participant: Any, **kwargs: Any) -> None:
    certification.issue_when_committed(participant=participant)


@receiver(unit_completed, dispatch_uid="lup_certificate_for_unit")
def certify_unit(sender: Any, enrolment: Any, **kwargs: Any) -> None:
    certification.issue_when_committed(enrolment=enrolment)


# A completion taken back asks whether its certificate stays; earned again, it is settled.


@receiver(participant_completion_withdrawn, dispatch_uid="lup_review_participant_certificate")
def review_participant_certificate(sender: Any, participant: Any, **kwargs: Any) -> None:
    certification.open_review_if_certified(participant=participant)


@receiver(unit_completion_withdrawn, dispatch_uid="lup_review_unit_certificate")
def review_unit_certificate(sender: Any, enrolment: Any, **kwargs: Any) -> None:
    certification.open_review_if_certified(enrolment=enrolment)


@receiver(participant_completed, dispatch_uid="lup_close_participant_review")
def close_participant_review(sender: Any, participant: Any, **kwargs: Any) -> None:
    certification.close_review_when_earned_again(participant=participant)


@receiver(unit_completed, dispatch_uid="lup_close_unit_review")
def close_unit_review(sender: Any, enrolment: Any, **kwargs: Any) -> None:
    certification.close_review_when_earned_again(enrolment=enrolment)
