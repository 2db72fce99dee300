"""Writes that carry the programme's invariants, called by views, imports, admin and API.

One module per concern: `teams` (enrolling units, putting people on teams),
`completion_writes` (every stamp and withdrawal of a completion, under a row lock),
`team_members` (the manager's team changes: invite, remove, replace, hand over),
`attendance` (attendance at gatherings and check-in), `cohorts` (closing a cohort, moving a unit),
`reconcile` (re-checking a programme's completions) and `people` (the wall around another
tenant's account, the anonymised pseudonym, e-mail verification and a person's language;
anonymising is `lup.privacy.anonymise`). Callers import from `lup.services`.
"""

from .attendance import check_in, record_attendance, remove_attendance
from .cohorts import (
    CohortClosing,
    close_cohort,
    closing_refusal,
    later_cohorts,
    move_enrolled_unit,
)
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
    refuse_another_tenants_account,
    remember_language,
    verify_email_after_password_reset,
)
from .reconcile import (
    enrolments_to_check,
    latest_completion_check,
    reconcile_programme,
    request_completion_check,
)
from .team_members import (
    TeamSize,
    hand_over_manager,
    invite_to_team,
    person_for_email,
    remove_from_team,
    replace_in_team,
    team_size,
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
    "CohortClosing",
    "Reevaluation",
    "TeamSize",
    "add_participant",
    "another_tenants_account",
    "another_tenants_account_refusal",
    "check_in",
    "close_cohort",
    "closing_refusal",
    "complete_after_activity",
    "complete_participant_if_earned",
    "complete_unit_if_earned",
    "enrol_unit",
    "enrolment_conflict",
    "enrolments_to_check",
    "guest_unit_refusal",
    "hand_over_manager",
    "invite_to_team",
    "later_cohorts",
    "latest_completion_check",
    "move_enrolled_unit",
    "person_for_email",
    "reconcile_programme",
    "record_attendance",
    "record_participant_completion",
    "record_unit_completion",
    "reevaluate_enrolment",
    "refuse_another_tenants_account",
    "remember_language",
    "remove_attendance",
    "remove_from_team",
    "replace_in_team",
    "request_completion_check",
    "team_organisations",
    "team_size",
    "touch_team",
    "verify_email_after_password_reset",
    "withdraw_after_activity",
    "withdraw_participant_completion_if_unearned",
    "withdraw_unit_completion_for_project",
    "withdraw_unit_completion_if_unearned",
]
