"""The completion rule, and only its decisions: whether a participant, and so their unit,
has completed the programme, judged from the state the caller can see.

Nothing here writes. The services in `lup.services` stamp and withdraw completions: they
lock the row that owns the invariant (the participant, the unit's enrolment), then ask
these functions under that lock, so the answer is taken from committed state.

Innovation projects belong to `lup.innovation`, a layer above this one: the rule reads
them through Django's app registry and never imports that package.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Count, Q

from courses.api import Activity, ActivityCompletion

from .models import Attendance, CompletionRule, Participant, UnitEnrolment


def rule_of(programme: Any) -> CompletionRule:
    """The programme's completion rule (an unsaved default when it has none)."""
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
    rule = rule_of(participant.enrolment.cohort.programme)
    return participant.pk in members_who_completed([participant], required, rule)


def members_who_completed(
    participants: list[Participant], required: set[int] | frozenset[int], rule: CompletionRule
) -> set[int]:
    """The primary keys of those `participants` who have done every `required` activity
    and attended at least the rule's minimum of gatherings: one query, two when the rule
    counts attendance, whatever their number."""
    if not required or not participants:
        return set()  # a programme without a curriculum is completed by hand
    done = dict(
        ActivityCompletion.objects.filter(
            user_id__in={participant.user_id for participant in participants},
            activity_id__in=required,
        )
        .values("user_id")
        .annotate(activities=Count("activity_id", distinct=True))
        .values_list("user_id", "activities")
    )
    qualified = [
        participant
        for participant in participants
        if done.get(participant.user_id, 0) >= len(required)
    ]
    if rule.min_attendance and qualified:
        attended = dict(
            Attendance.objects.filter(participant__in=qualified)
            .values("participant_id")
            .annotate(gatherings=Count("pk"))
            .values_list("participant_id", "gatherings")
        )
        qualified = [
            participant
            for participant in qualified
            if attended.get(participant.pk, 0) >= rule.min_attendance
        ]
    return {participant.pk for participant in qualified}


def participant_earned(participant: Participant) -> bool:
    """Whether the participant meets their programme's rule now."""
    programme = participant.enrolment.cohort.programme
    return participant_has_completed(participant, required_activity_ids(programme))


def project_requirement_met(enrolment: UnitEnrolment, rule: CompletionRule) -> bool:
    """The rule's hook for innovation projects: met when the rule does not require an
    approved project, or when the enrolment's project is approved."""
    if not rule.require_project_approval:
        return True
    project: Any = apps.get_model("lup", "InnovationProject")
    return bool(
        project.objects.filter(enrolment=enrolment, review_status=project.Review.APPROVED).exists()
    )


def unit_has_completed(enrolment: UnitEnrolment) -> bool:
    """The manager and enough enthusiasts have completed (and the project hook agrees)."""
    rule = rule_of(enrolment.cohort.programme)
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


def participations(user: Any, activity: Activity) -> list[Participant]:
    """The user's current participations in programmes whose course holds `activity`."""
    return list(
        Participant.objects.filter(
            user=user,
            enrolment__cohort__programme__course_id=activity.module.course_id,
        )
        .exclude(status=Participant.Status.WITHDRAWN)
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("user", "enrolment__cohort__programme__completion_rule")
    )
