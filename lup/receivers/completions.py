"""Completions: courses' activity signals to the core's services, and the core's
completion signals up to certification."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from certificates.api import certificate_revoked
from courses.api import activity_completed, activity_completion_withdrawn

from .. import certification, services
from ..signals import participant_completed, unit_completed


@receiver(activity_completed, dispatch_uid="lup_completion_after_activity")
def complete_after_activity(sender: Any, user: Any, activity: Any, **kwargs: Any) -> None:
    services.complete_after_activity(user=user, activity=activity)


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


@receiver(participant_completed, dispatch_uid="lup_certificate_for_participant")
def certify_participant(sender: Any, participant: Any, **kwargs: Any) -> None:
    certification.issue_when_committed(participant=participant)


@receiver(unit_completed, dispatch_uid="lup_certificate_for_unit")
def certify_unit(sender: Any, enrolment: Any, **kwargs: Any) -> None:
    certification.issue_when_committed(enrolment=enrolment)
