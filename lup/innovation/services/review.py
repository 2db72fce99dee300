"""Facilitators' review of a project: the team submits it, a facilitator comments on it,
approves it or returns it. Approval feeds the programme's completion rule."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import UnitEnrolment
from ...services import complete_unit_if_earned, withdraw_unit_completion_for_project
from ..models import InnovationProject, ProjectReview


@transaction.atomic
def submit_for_review(*, project: InnovationProject) -> InnovationProject:
    """The team asks its facilitators to review the project."""
    if project.review_status not in {
        InnovationProject.Review.DRAFT,
        InnovationProject.Review.RETURNED,
    }:
        raise ValidationError(_("The project is already submitted or approved."))
    project.review_status = InnovationProject.Review.SUBMITTED
    project.save(update_fields=["review_status", "updated_at"])
    return project


@transaction.atomic
def review_project(
    *,
    project: InnovationProject,
    reviewer: User,
    point: str,
    decision: str,
    comment: str = "",
) -> ProjectReview:
    """A facilitator or programme administrator comments on, approves or returns a project.

    Approval stamps the project and re-evaluates the unit's completion (a programme may
    require an approved project). Returning an approved project takes the approval back,
    and with it the unit's completion when the programme requires approval (audited).
    """
    project = InnovationProject.objects.select_for_update().get(pk=project.pk)
    if project.enrolment_id is None:
        raise ValidationError(_("An imported project cannot be reviewed."))
    comment = comment.strip()
    if decision in {ProjectReview.Decision.COMMENT, ProjectReview.Decision.RETURN} and not comment:
        raise ValidationError({"comment": _("Write a comment for the team.")})
    was_approved = project.review_status == InnovationProject.Review.APPROVED
    if decision == ProjectReview.Decision.APPROVE and was_approved:
        raise ValidationError({"decision": _("The project is already approved.")})
    review = ProjectReview(
        project=project, point=point, decision=decision, comment=comment, reviewer=reviewer
    )
    review.full_clean()
    review.save()
    enrolment = UnitEnrolment.objects.select_related(
        "unit", "cohort__programme__completion_rule"
    ).get(pk=project.enrolment_id)
    if decision == ProjectReview.Decision.APPROVE:
        project.review_status = InnovationProject.Review.APPROVED
        project.approved_at = timezone.now()
        project.save(update_fields=["review_status", "approved_at", "updated_at"])
        complete_unit_if_earned(enrolment=enrolment)
    elif decision == ProjectReview.Decision.RETURN:
        project.review_status = InnovationProject.Review.RETURNED
        project.approved_at = None
        project.save(update_fields=["review_status", "approved_at", "updated_at"])
        if was_approved:
            withdraw_unit_completion_for_project(enrolment=enrolment, withdrawn_by=reviewer)
    return review
