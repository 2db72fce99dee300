"""Reads for the programme office's pages: who may facilitate a programme's cohorts, and
where a unit may move."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet

from ..models import Cohort, OrganisationMembership, Programme, UnitEnrolment
from ..permissions import tenancy_ties
from ..roles import FACILITATORS_GROUP


def _facilitates_here(organisation_id: int) -> Q:
    return Q(
        Exists(
            Cohort.facilitators.through.objects.filter(
                user_id=OuterRef("pk"), cohort__programme__organisation_id=organisation_id
            )
        )
    )


def _works_here(organisation_id: int) -> Q:
    return Q(
        Exists(
            OrganisationMembership.objects.filter(
                user_id=OuterRef("pk"), organisation_id=organisation_id
            )
        )
    )


def people_of(organisation_id: int) -> QuerySet[Any]:
    """Active accounts of an organisation that may facilitate its cohorts: those who work
    for it (a membership) or already facilitate one of its cohorts. (Those tied to another
    organisation as well are taken out by `facilitator_candidates` and refused by the
    services: `lup.permissions.belongs_elsewhere`.)"""
    return get_user_model().objects.filter(
        Q(is_active=True) & (_works_here(organisation_id) | _facilitates_here(organisation_id))
    )


def facilitator_candidates(programme: Programme, cohort: Cohort | None = None) -> list[Any]:
    """The people offered as a cohort's facilitators, a short list: the organisation's
    people in the facilitators' role group or already facilitating one of its cohorts, and
    the cohort's own facilitators; never an account tied to another organisation (nor a
    superuser). Sorted by name; four queries whatever their number."""
    organisation_id = programme.organisation_id
    chosen = Q(pk__in=cohort.facilitators.values("pk")) if cohort and cohort.pk else Q(pk__in=[])
    people = list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            chosen
            | (_works_here(organisation_id) & Q(groups__name=FACILITATORS_GROUP))
            | _facilitates_here(organisation_id)
        )
        .distinct()
        .order_by("first_name", "last_name", "email")
    )
    ties = tenancy_ties(people)
    return [person for person in people if not ties[person.pk].reach_beyond({organisation_id})]


def move_targets(enrolment: UnitEnrolment) -> QuerySet[Cohort]:
    """The cohorts a unit may move to now: the programme's other open cohorts that do not
    have it already, in the order they start."""
    return (
        Cohort.objects.filter(programme_id=enrolment.cohort.programme_id, closed_at__isnull=True)
        .exclude(pk=enrolment.cohort_id)
        .exclude(enrolments__unit_id=enrolment.unit_id)
        .order_by("starts_on", "name")
    )
