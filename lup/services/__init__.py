"""Writes that carry the programme's invariants, called by views, imports, admin and API.

One module per concern: `teams` (enrolling units, putting people on teams),
`completion_writes` (every stamp and withdrawal of a completion, under a row lock),
`attendance` (attendance at gatherings and check-in) and `people` (anonymisation and
e-mail verification). Callers import from `lup.services`.
"""

from .attendance import check_in, record_attendance, remove_attendance
from .completion_writes import (
    Reevaluation,
    complete_after_activity,
    complete_participant_if_earned,
    complete_unit_if_earned,
    record_participant_completion,
    record_unit_completion,
    reevaluate_enrolment,
    touch_team,
    withdraw_after_activity,
    withdraw_participant_completion_if_unearned,
    withdraw_unit_completion_for_project,
    withdraw_unit_completion_if_unearned,
)
from .people import (
    ANONYMISED_EMAIL_DOMAIN,
    ANONYMISED_NAME,
    anonymise_person,
    refuse_another_tenants_account,
    verify_email_after_password_reset,
)
from .teams import (
    add_participant,
    another_tenants_account,
    another_tenants_account_refusal,
    enrol_unit,
    enrolment_conflict,
    guest_unit_refusal,
    team_organisations,
)

__all__ = [
    "ANONYMISED_EMAIL_DOMAIN",
    "ANONYMISED_NAME",
    "Reevaluation",
    "add_participant",
    "anonymise_person",
    "another_tenants_account",
    "another_tenants_account_refusal",
    "check_in",
    "complete_after_activity",
    "complete_participant_if_earned",
    "complete_unit_if_earned",
    "enrol_unit",
    "enrolment_conflict",
    "guest_unit_refusal",
    "record_attendance",
    "record_participant_completion",
    "record_unit_completion",
    "reevaluate_enrolment",
    "refuse_another_tenants_account",
    "remove_attendance",
    "team_organisations",
    "touch_team",
    "verify_email_after_password_reset",
    "withdraw_after_activity",
    "withdraw_participant_completion_if_unearned",
    "withdraw_unit_completion_for_project",
    "withdraw_unit_completion_if_unearned",
]
