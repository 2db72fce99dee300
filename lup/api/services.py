"""Flows the API calls that compose lup's services, as the CSV import does for a file.

`add_team_member` is the one-row form of `lup.imports.import_participants`: find or
create the person by e-mail, enrol the unit, put the person on its team.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from .. import services
from ..models import Cohort, Participant, ServiceUnit


def add_team_member(
    *,
    cohort: Cohort,
    unit: ServiceUnit,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str,
    actor: Any,
) -> tuple[Participant, bool]:
    """Put the person with this e-mail on the unit's team in the cohort (creating the
    person without a password, as the import does, and enrolling the unit when needed).

    Returns (participant, created); raises ValidationError as `enrol_unit` and
    `add_participant` do (an inactive unit, a second manager, an account that belongs to
    another organisation: that refusal is also audited, so it is checked here, before the
    transaction that would roll the audit entry back).
    """
    email = email.strip().lower()
    user: Any = get_user_model().objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        services.refuse_another_tenants_account(
            person=user,
            actor=actor,
            organisation_ids={cohort.programme.organisation_id, unit.organisation_id},
            attempted="add_participant",
        )
    return _add_team_member(
        cohort=cohort,
        unit=unit,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
    )


@transaction.atomic
def _add_team_member(
    *,
    cohort: Cohort,
    unit: ServiceUnit,
    user: Any,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
) -> tuple[Participant, bool]:
    user_model = get_user_model()
    if user is None:
        user = user_model(
            username=email[:150], email=email, first_name=first_name, last_name=last_name
        )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    enrolment = services.enrol_unit(cohort=cohort, unit=unit)
    return services.add_participant(enrolment=enrolment, user=user, role=role)
