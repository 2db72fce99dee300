"""Completion at event time: when a learner's activity completes (or is withdrawn), decide
whether that participant, and so their unit, has now completed the programme.

Called by the receivers of `courses`' signals, inside the transaction that recorded the
activity, with a fixed number of queries whatever the size of the cohort.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from courses.api import Activity, ActivityCompletion

from .audit import record_event
from .models import (
    Attendance,
    AuditEvent,
    CompletionRule,
    InnovationProject,
    Participant,
    UnitEnrolment,
)


def _rule(programme: Any) -> CompletionRule:
    rule = getattr(programme, "completion_rule", None)
    return rule if rule is not None else CompletionRule(programme=programme)


def required_activity_ids(programme: Any) -> set[int]:
    """The required activities of the programme's required modules (all modules if none)."""
    if programme.course_id is None:
        return set()
    activities = Activity.objects.filter(module__course_id=programme.course_id, required=True)
    rule = getattr(programme, "completion_rule", None)
    if rule is not None and rule.pk is not None:
        chosen = list(rule.required_modules.values_list("pk", flat=True))
        if chosen:
            activities = activities.filter(module_id__in=chosen)
    return set(activities.values_list("pk", flat=True))


def participant_has_completed(participant: Participant, required: set[int]) -> bool:
    """Whether a participant has done every required activity and attended enough."""
    if not required:
        return False  # a programme without a curriculum is completed by hand
    done = ActivityCompletion.objects.filter(
        user_id=participant.user_id, activity_id__in=required
    ).count()
    if done < len(required):
        return False
    minimum = _rule(participant.enrolment.cohort.programme).min_attendance
    if minimum:
        attended = Attendance.objects.filter(participant=participant).count()
        if attended < minimum:
            return False
    return True


def project_requirement_met(enrolment: UnitEnrolment, rule: CompletionRule) -> bool:
    """The rule's hook for innovation projects: met when the rule does not require an
    approved project, or when the enrolment's project is approved."""
    if not rule.require_project_approval:
        return True
    return InnovationProject.objects.filter(
        enrolment=enrolment, review_status=InnovationProject.Review.APPROVED
    ).exists()


def unit_has_completed(enrolment: UnitEnrolment) -> bool:
    """The manager and enough enthusiasts have completed (and the project hook agrees)."""
    rule = _rule(enrolment.cohort.programme)
    counts = Participant.objects.filter(
        enrolment=enrolment, status=Participant.Status.COMPLETED
    ).aggregate(
        managers=Count("pk", filter=Q(role=Participant.Role.MANAGER)),
        enthusiasts=Count("pk", filter=Q(role=Participant.Role.ENTHUSIAST)),
    )
    return (
        counts["managers"] >= 1
        and counts["enthusiasts"] >= rule.min_enthusiasts
        and project_requirement_met(enrolment, rule)
    )


def _participations(user: Any, activity: Activity) -> list[Participant]:
    return list(
        Participant.objects.filter(
            user=user,
            enrolment__cohort__programme__course_id=activity.module.course_id,
        )
        .exclude(status=Participant.Status.WITHDRAWN)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("enrolment__cohort__programme__completion_rule")
    )


def evaluate_after_completion(*, user: Any, activity: Activity) -> None:
    """A learner did an activity: stamp them, and their unit, if that completes them."""
    from . import services

    for participant in _participations(user, activity):
        if participant.status == Participant.Status.COMPLETED:
            continue
        programme = participant.enrolment.cohort.programme
        if not participant_has_completed(participant, required_activity_ids(programme)):
            continue
        services.record_participant_completion(participant=participant)
        enrolment = participant.enrolment
        if enrolment.status == UnitEnrolment.Status.ENROLLED and unit_has_completed(enrolment):
            services.record_unit_completion(enrolment=enrolment)


def evaluate_after_withdrawal(*, user: Any, activity: Activity, withdrawn_by: Any) -> None:
    """A learner's activity was withdrawn: take back their completion, and their unit's,
    if they no longer hold, with an audit entry for each."""
    for participant in _participations(user, activity):
        if participant.status != Participant.Status.COMPLETED:
            continue
        programme = participant.enrolment.cohort.programme
        if participant_has_completed(participant, required_activity_ids(programme)):
            continue
        Participant.objects.filter(pk=participant.pk).update(
            status=Participant.Status.ACTIVE, completed_at=None, updated_at=timezone.now()
        )
        record_event(
            action=AuditEvent.Action.COMPLETION_WITHDRAWN,
            actor=withdrawn_by,
            subject=user,
            activity=activity.title,
            cohort=participant.enrolment.cohort.name,
        )
        enrolment = participant.enrolment
        if enrolment.status == UnitEnrolment.Status.COMPLETED and not unit_has_completed(enrolment):
            UnitEnrolment.objects.filter(pk=enrolment.pk).update(
                status=UnitEnrolment.Status.ENROLLED, completed_at=None, updated_at=timezone.now()
            )
            record_event(
                action=AuditEvent.Action.COMPLETION_WITHDRAWN,
                actor=withdrawn_by,
                subject_label=enrolment.unit.name,
                unit=enrolment.unit.name,
                cohort=enrolment.cohort.name,
                at=timezone.now().isoformat(),
            )


def reevaluate_participant(*, participant: Participant) -> None:
    """Re-check one participant (after something other than an activity changed)."""
    from . import services

    if participant.status != Participant.Status.ACTIVE:
        return
    programme = participant.enrolment.cohort.programme
    if participant_has_completed(participant, required_activity_ids(programme)):
        services.record_participant_completion(participant=participant)
        enrolment = participant.enrolment
        if enrolment.status == UnitEnrolment.Status.ENROLLED and unit_has_completed(enrolment):
            services.record_unit_completion(enrolment=enrolment)


def reevaluate_unit(*, enrolment: UnitEnrolment) -> None:
    """Re-check a unit after something other than an activity changed (its project was
    approved): a unit whose people have all completed completes now."""
    from . import services

    if enrolment.status == UnitEnrolment.Status.ENROLLED and unit_has_completed(enrolment):
        services.record_unit_completion(enrolment=enrolment)


def withdraw_unit_completion_for_project(*, enrolment: UnitEnrolment, withdrawn_by: Any) -> None:
    """The unit's project approval was taken back: when the programme requires an approved
    project, the unit's completion goes back too, with an audit entry (as for a withdrawn
    activity). Only the project requirement is re-checked, so a unit completed by hand for
    other reasons is left alone when its programme does not require approval."""
    rule = _rule(enrolment.cohort.programme)
    if enrolment.status != UnitEnrolment.Status.COMPLETED or project_requirement_met(
        enrolment, rule
    ):
        return
    UnitEnrolment.objects.filter(pk=enrolment.pk).update(
        status=UnitEnrolment.Status.ENROLLED, completed_at=None, updated_at=timezone.now()
    )
    enrolment.status, enrolment.completed_at = UnitEnrolment.Status.ENROLLED, None
    record_event(
        action=AuditEvent.Action.COMPLETION_WITHDRAWN,
        actor=withdrawn_by,
        subject_label=enrolment.unit.name,
        unit=enrolment.unit.name,
        cohort=enrolment.cohort.name,
        reason="project approval withdrawn",
        at=timezone.now().isoformat(),
    )
