"""Units enrolled in the demo cohorts, their outcomes, and the teams of people behind them."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from ..models import Cohort, Participant, Programme, ServiceUnit, UnitEnrolment
from . import names as demo_names
from .common import BATCH, at, plain_ascii, rng

# How a finished cohort's units ended: below the first mark completed, below the second
# withdrew, the rest still enrolled.
COMPLETED_BELOW = 0.86
WITHDRAWN_BELOW = 0.93
UPCOMING_COHORT_SIZE = 20  # the other cohorts take 23 to 26 units each


def seed_unit_enrolments(
    index: int,
    programme: Programme,
    *,
    cohorts: list[Cohort],
    units: list[ServiceUnit],
    guests: list[ServiceUnit],
    organisation_rng: random.Random,
    today: dt.date,
) -> list[UnitEnrolment]:
    """Spread the units over the cohorts (guests join three of them) and decide how the
    finished cohorts' units ended; returns every enrolment of the programme."""
    organisation_rng.shuffle(units)
    enrolment_plan: list[tuple[Cohort, ServiceUnit]] = []
    cursor = 0
    for position, cohort in enumerate(cohorts):
        size = UPCOMING_COHORT_SIZE if position == 5 else organisation_rng.randint(23, 26)
        enrolment_plan.extend((cohort, unit) for unit in units[cursor : cursor + size])
        cursor += size
    for guest, cohort in zip(guests, cohorts[2:5], strict=False):
        enrolment_plan.append((cohort, guest))

    existing_pairs = set(
        UnitEnrolment.objects.filter(cohort__programme=programme).values_list(
            "cohort_id", "unit_id"
        )
    )
    UnitEnrolment.objects.bulk_create(
        [
            _enrolment(index, cohort, unit, today=today)
            for cohort, unit in enrolment_plan
            if (cohort.pk, unit.pk) not in existing_pairs
        ],
        batch_size=BATCH,
    )
    return list(
        UnitEnrolment.objects.filter(cohort__programme=programme)
        .select_related("unit", "cohort")
        .order_by("cohort__starts_on", "unit__code")
    )


def _enrolment(index: int, cohort: Cohort, unit: ServiceUnit, *, today: dt.date) -> UnitEnrolment:
    """A unit's enrolment; in a finished cohort most completed (some a little late), a few
    withdrew and the rest are still enrolled."""
    enrolment = UnitEnrolment(cohort=cohort, unit=unit)
    if cohort.ends_on < today:
        unit_rng = rng(index, "outcome", cohort.name, unit.code)
        outcome = unit_rng.random()
        if outcome < COMPLETED_BELOW:
            enrolment.status = UnitEnrolment.Status.COMPLETED
            late = unit_rng.choice([0, 0, 0, 7, 21])
            enrolment.completed_at = at(cohort.ends_on, 15) + dt.timedelta(days=late)
        elif outcome < WITHDRAWN_BELOW:
            enrolment.status = UnitEnrolment.Status.WITHDRAWN
    return enrolment


def seed_participants(enrolments: list[UnitEnrolment], *, index: int, domain: str) -> None:
    """A manager and 3–9 enthusiasts for each enrolment, with accounts that sign in by SSO;
    their statuses follow the unit's outcome."""
    user_model = get_user_model()
    unusable_password = make_password(None)
    planned: list[tuple[UnitEnrolment, str, str, str, str, int]] = []
    for enrolment in enrolments:
        # Each team draws from its own stream, so a re-run plans exactly the same people.
        team_rng = rng(index, "team", enrolment.cohort.name, enrolment.unit.code)
        team_size = team_rng.randint(4, 10)
        for seat in range(team_size):
            first = team_rng.choice(demo_names.FIRST_NAMES)
            last = team_rng.choice(demo_names.LAST_NAMES)
            local_part = f"{plain_ascii(first)}.{plain_ascii(last)}"
            email = f"{local_part}.{enrolment.unit.code.lower()}{seat}@{domain}"
            role: str = Participant.Role.MANAGER if seat == 0 else Participant.Role.ENTHUSIAST
            planned.append((enrolment, email, first, last, role, seat))

    emails = [email for _e, email, *_ in planned]
    existing_users = set(
        user_model.objects.filter(email__in=emails).values_list("email", flat=True)
    )
    user_model.objects.bulk_create(
        [
            user_model(
                username=email,
                email=email,
                first_name=first,
                last_name=last,
                password=unusable_password,  # they would sign in by SSO
            )
            for _enrolment, email, first, last, _role, _seat in planned
            if email not in existing_users
        ],
        batch_size=BATCH,
    )
    user_ids = dict(user_model.objects.filter(email__in=emails).values_list("email", "pk"))
    existing = set(
        Participant.objects.filter(enrolment__in=enrolments).values_list("enrolment_id", "user_id")
    )
    new_participants = []
    for enrolment, email, _first, _last, role, seat in planned:
        user_id = user_ids[email]
        if (enrolment.pk, user_id) in existing:
            continue
        participant = Participant(enrolment=enrolment, user_id=user_id, role=role)
        if enrolment.status == UnitEnrolment.Status.COMPLETED:
            # The manager and the first enthusiast stay, so the unit meets the rule.
            if seat <= 1 or rng(index, "stays", email).random() < 0.9:
                participant.status = Participant.Status.COMPLETED
                participant.completed_at = enrolment.completed_at
            else:
                participant.status = Participant.Status.WITHDRAWN
        elif enrolment.status == UnitEnrolment.Status.WITHDRAWN:
            participant.status = Participant.Status.WITHDRAWN
        new_participants.append(participant)
    Participant.objects.bulk_create(new_participants, batch_size=BATCH)
