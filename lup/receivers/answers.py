"""Answers to assignments (`courses.api.submission_submitted` and `submission_reviewed`)
become notifications (lup.notifications).

An answer handed in tells the facilitators of its team's cohort that it waits for their
review, linking to the review page. Once it is reviewed, those notifications are settled:
a facilitator who gets them in the daily digest is not sent one already dealt with. The
review tells whoever the answer is from, returned or approved: the learner who submitted
it and, for the team's work, everyone on the team now, with a link to the activity.

Each attempt is its own submission, so its key makes each hand-in and each review told
once per person, however often the signal comes, while a new attempt is told again. The
context names the activity and the unit, never a person: it is stored with each
recipient and outlives a learner's anonymisation.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse

from courses.api import Submission, submission_reviewed, submission_submitted

from .. import app_settings
from ..courses_adapter import TEAM_PREFIX, enrolment_of_submission
from ..models import Participant, UnitEnrolment
from ..notifications.models import Notification
from ..notifications.services import notify, settle

REVIEW_KINDS: dict[str, str] = {
    Submission.Status.RETURNED: Notification.Kind.ANSWER_RETURNED,
    Submission.Status.APPROVED: Notification.Kind.ANSWER_APPROVED,
}


def review_reminder(submission: Submission) -> str:
    """What the facilitators' notifications of a waiting answer are about (`settle`)."""
    return f"answer-review:{submission.pk}"


def _organisation_of(enrolment: UnitEnrolment | None) -> str:
    return enrolment.cohort.programme.organisation.name if enrolment is not None else ""


@receiver(submission_submitted, sender=Submission, dispatch_uid="lup_tell_answer_submitted")
def tell_facilitators(sender: Any, submission: Submission, **kwargs: Any) -> None:
    enrolment = enrolment_of_submission(submission)
    if enrolment is None:
        return  # not from a team of a cohort: nobody facilitates it here
    notify(
        recipients=enrolment.cohort.facilitators.all(),
        kind=Notification.Kind.ANSWER_SUBMITTED,
        key=f"answer-submitted:{submission.public_id}",
        context={
            "activity": submission.assignment.activity.title,
            "team": enrolment.unit.name,
            "organisation": _organisation_of(enrolment),
        },
        url=app_settings.SITE_URL()
        + reverse("courses:submission-review", kwargs={"submission_id": submission.public_id}),
        about=review_reminder(submission),
    )


def _whom_the_answer_is_from(
    submission: Submission, enrolment: UnitEnrolment | None, reviewer: Any
) -> Any:
    """The learner who submitted and, for a team's answer, the team's current members
    (not the reviewer: nobody is told of their own review)."""
    from_them = Q(pk=submission.submitted_by_id)
    if enrolment is not None and submission.group_key.startswith(TEAM_PREFIX):
        on_team = Participant.objects.current().filter(enrolment=enrolment)
        from_them |= Q(pk__in=on_team.values("user_id"))
    people = get_user_model().objects.filter(from_them)
    if reviewer is not None:
        people = people.exclude(pk=reviewer.pk)
    return people


@receiver(submission_reviewed, sender=Submission, dispatch_uid="lup_tell_answer_reviewed")
def tell_the_learners(sender: Any, submission: Submission, reviewer: Any, **kwargs: Any) -> None:
    # Reviewed: the facilitators' digest no longer needs to ask for it.
    settle(about=review_reminder(submission))
    kind = REVIEW_KINDS.get(submission.status)
    if kind is None:
        return
    activity = submission.assignment.activity
    enrolment = enrolment_of_submission(submission)
    notify(
        recipients=_whom_the_answer_is_from(submission, enrolment, reviewer),
        kind=kind,
        key=f"answer-{submission.status}:{submission.public_id}",
        context={"activity": activity.title, "organisation": _organisation_of(enrolment)},
        url=app_settings.SITE_URL()
        + reverse("courses:activity-detail", kwargs={"activity_id": activity.public_id}),
    )
