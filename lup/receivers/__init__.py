"""Signal receivers of `lup`, connected in LupConfig.ready(): each one calls a service.

They listen to Django's auth signals (and allauth's, for a person's language at sign-in), to
changes of role data (group memberships, cohort facilitators, organisation memberships), to
changes of programmes' targets, populations and completion rules, to changes on units' teams,
to changes of a course's curriculum on its authoring pages (audited), to the office's
changes of gatherings (the cohort is told, with the calendar event),
to the signals of `courses` and `certificates` (answers handed in and reviewed, and
certificates issued, told as notifications), and to the core's own completion signals
(`lup.signals`), which they hand up to the features: this module sits above every layer of
`lup` (see pyproject.toml).
"""

from __future__ import annotations

# Importing the modules registers their @receiver functions.
from . import (
    accounts,
    answers,
    completions,
    curriculum,
    gatherings,
    issued_certificates,
    languages,
    programme_changes,
    roles,
    team_changes,
)
from .accounts import connect_account_receivers
from .languages import connect_language_receivers
from .roles import ROLE_FLAGS, connect_role_change_receivers

__all__ = [
    "ROLE_FLAGS",
    "accounts",
    "answers",
    "completions",
    "connect_account_receivers",
    "connect_language_receivers",
    "connect_role_change_receivers",
    "curriculum",
    "gatherings",
    "issued_certificates",
    "languages",
    "programme_changes",
    "roles",
    "team_changes",
]
