"""Importing the participants of a programme's cohorts from a CSV file."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from .. import services
from ..models import Participant, Programme
from .csv_table import read_table
from .participant_rows import (
    PARTICIPANT_COLUMNS,
    PARTICIPANT_REQUIRED,
    ParticipantRow,
    find_users_by_email,
    team_conflicts,
    validate_participant_rows,
)
from .results import ImportRejected, ImportResult


def import_participants(*, data: bytes, programme: Programme) -> ImportResult:
    """Create or update participants of a programme's cohorts from a CSV file.

    Columns: email, first_name, last_name, unit_code, cohort, role (manager/leder
    or enthusiast/ildsjel), and optionally organisation for guest units. People
    are matched by e-mail; a unit is enrolled in the cohort when it is not yet.
    Raises ImportRejected with every bad row; in that case nothing is written.
    """
    table = read_table(data, PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED)
    users_by_email = find_users_by_email(table)
    parsed, errors = validate_participant_rows(table, programme, users_by_email)
    errors.extend(team_conflicts(parsed))
    if errors:
        raise ImportRejected(errors)

    result = ImportResult()
    with transaction.atomic():
        for item in parsed:
            user, user_changed = _upsert_user(item, users_by_email)
            enrolment = services.enrol_unit(cohort=item.cohort, unit=item.unit)
            before = Participant.objects.filter(enrolment=enrolment, user=user).first()
            _participant, created = services.add_participant(
                enrolment=enrolment, user=user, role=item.role
            )
            if created:
                result.created += 1
            elif user_changed or (before is not None and before.role != item.role):
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def _upsert_user(item: ParticipantRow, users_by_email: dict[str, list]) -> tuple[Any, bool]:
    """Find the person by e-mail or create them with no usable password (they sign in by SSO
    or reset their password); update their names when the file has new ones."""
    user_model = get_user_model()
    found = users_by_email.get(item.email)
    user: Any
    if not found:
        user = user_model(
            username=item.email[:150],
            email=item.email,
            first_name=item.first_name,
            last_name=item.last_name,
        )
        user.set_unusable_password()
        user.save()
        users_by_email[item.email] = [user]
        return user, False
    user = found[0]
    changed = False
    for attribute in ("first_name", "last_name"):
        value = getattr(item, attribute)
        if value and getattr(user, attribute) != value:
            setattr(user, attribute, value)
            changed = True
    if changed:
        user.save(update_fields=["first_name", "last_name"])
    return user, changed
