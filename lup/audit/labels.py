"""Labels and sentences for reading the audit log: declarative tables, translated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _lazy

from ..models import (
    Cohort,
    Organisation,
    Programme,
    Sector,
    ServiceUnit,
)

# Reading the log ------------------------------------------------------------------------
#
# Events keep their details as data (keys and values, as the code that wrote them had
# them). People read them as sentences in their own language: each kind of event has its
# describer below, which takes the keys it knows out of a copy of the details; what is
# left (a key a newer writer added) is shown with a translated label, never as code.

Details = dict[str, Any]
Names = Mapping[tuple[str, int], str]

# Keys that mean nothing to a reader: identifiers (the title or name is in "concerning"),
# the organisations an event is filed under, and times the event's own time already gives.
HIDDEN_KEYS = frozenset(
    {"project", "source", "at", "schedule", "organisation_id", "previous_organisation_id"}
)

# The role flags of a user account (see lup.receivers.ROLE_FLAGS): given, and taken away.
FLAG_SENTENCES = {
    "is_staff": (
        _lazy("Given staff access to the admin"),
        _lazy("Staff access to the admin removed"),
    ),
    "is_superuser": (
        _lazy("Made superuser: every permission in every organisation"),
        _lazy("Superuser status removed"),
    ),
    "is_active": (
        _lazy("Account reactivated: can sign in again"),
        _lazy("Account deactivated: can no longer sign in"),
    ),
}

# The role groups (lup.roles, a layer above this module, names them; a test holds the two
# lists together). Group names are data, so their translations are kept here.
GROUP_LABELS = {
    "Programme administrators": _lazy("Programme administrators"),
    "HR": _lazy("HR"),
    "Facilitators": _lazy("Facilitators"),
    "Prize jury": _lazy("Prize jury"),
}

# Values of the reporting and innovation features (layers above this module), as they
# write them into the log.
REPORT_LABELS = {"participants": _lazy("Participants"), "units": _lazy("Units")}
FORMAT_LABELS = {"csv": "CSV", "xlsx": "XLSX (Excel)", "json": "JSON"}
CHANNEL_SENTENCES = {
    "browser": _lazy("Downloaded in the browser"),
    "command": _lazy("Written by the export command on the server"),
    "scheduled": _lazy("Delivered by a scheduled export"),
    "api": _lazy("Fetched through the API"),
}
TOKEN_SCOPE_LABELS = {
    "reports": _lazy("Read completion reports"),
    "read": _lazy("Read everything in scope"),
    "write": _lazy("Read and write"),
}
LICENCE_LABELS = {
    "CC-BY-4.0": "CC BY 4.0",
    "CC-BY-SA-4.0": "CC BY-SA 4.0",
    "CC0-1.0": "CC0 1.0",
    "NLOD-2.0": _lazy("Norwegian Licence for Open Government Data (NLOD) 2.0"),
}
REFUSED_ATTEMPTS = {
    "anonymise": _lazy("Tried to anonymise the person"),
    "add_participant": _lazy("Tried to add the person to a team"),
    "give_role": _lazy("Tried to give the person a role in a programme office"),
}
STOP_REASONS = {
    "owner_lost_role": _lazy("The owner lost the export role"),
    "owner_deactivated": _lazy("The owner's account was deactivated"),
    "owner_left": _lazy("The owner no longer works for the organisation"),
    "no_owner": _lazy("The schedule has no owner (the account was deleted)"),
    "destination_not_allowed": _lazy("The destination is not allowed"),
}
WITHDRAWAL_REASONS = {
    "project approval withdrawn": _lazy("The innovation project's approval was withdrawn"),
    "attendance removed": _lazy("An attendance was removed and the rule no longer holds"),
}

# Export filters name what they narrow to by primary key; `names_for` looks the names up.
FILTER_MODELS: dict[str, type[models.Model]] = {
    "organisation": Organisation,
    "programme": Programme,
    "cohort": Cohort,
    "sector": Sector,
    "unit": ServiceUnit,
}
FILTER_LABELS = {
    "organisation": _lazy("organisation"),
    "programme": _lazy("programme"),
    "cohort": _lazy("cohort"),
    "sector": _lazy("sector"),
    "unit": _lazy("unit"),
    "status": _lazy("status"),
    "completed_from": _lazy("completed from"),
    "completed_to": _lazy("completed to"),
}
DATE_FILTERS = frozenset({"completed_from", "completed_to"})

# Labels for keys no describer takes (the generic line).
KEY_LABELS = {
    # What anonymising a person did (counts of rows), lup.privacy.anonymise.
    "deleted": _lazy("rows deleted"),
    "kept": _lazy("rows kept with the pseudonym"),
    "redacted": _lazy("rows where the name or address was replaced"),
    "certificates_revoked": _lazy("certificates revoked"),
    "names_withheld": _lazy("certificates with the name withheld"),
    "certificates_redrawn": _lazy("unit certificates redrawn without the name"),
    "unit": _lazy("unit"),
    "cohort": _lazy("cohort"),
    "programme": _lazy("programme"),
    "organisation": _lazy("organisation"),
    "reason": _lazy("reason"),
    "format": _lazy("format"),
    "rows": _lazy("rows"),
    "service": _lazy("service"),
    "scope": _lazy("access"),
    "expires": _lazy("expires"),
    "licence": _lazy("licence"),
    "destination": _lazy("destination"),
    "problem": _lazy("problem"),
    "folder": _lazy("folder"),
    # A certificate template's signatory (TEMPLATE_CHANGED, lup.setup.signatory_services).
    "signatory": _lazy("signatory"),
}

# What the programme fields look like when they are empty (see PROGRAMME_CHANGED).
EMPTY_VALUES = {
    "population_sectors": _lazy("every sector"),
    "required_modules": _lazy("every module of the curriculum"),
    "population_size_override": _lazy("none (counted from the unit register)"),
    "course": _lazy("none"),
}
PROGRAMME_DATE_FIELDS = frozenset({"starts_on", "deadline"})

# The retained categories of personal data (lup.privacy.categories.RetainedCategory, a
# feature above this module; a test holds the two lists together), as the purge and the
# retention page write them into the log.
RETENTION_CATEGORY_LABELS = {
    "learning_records": _lazy("Learning records and attendance"),
    "uploaded_files": _lazy("Uploaded files"),
    "xapi_statements": _lazy("Learning activity statements (xAPI)"),
}
# What the purge counts that is not rows of a model (those read as the model's name).
PURGE_LABELS = {
    "courses.Submission.file": _lazy("Files removed from submissions (the submissions stay)"),
}

# What the curriculum editor did (courses.api.CurriculumChange values), as sentences.
CURRICULUM_SENTENCES = {
    "course_changed": _lazy("Title or description changed: %(item)s"),
    "image_added": _lazy("Image added: %(item)s"),
    "image_removed": _lazy("Image deleted: %(item)s"),
    "module_added": _lazy("Module added: %(item)s"),
    "module_changed": _lazy("Module changed: %(item)s"),
    "module_removed": _lazy("Module deleted: %(item)s"),
    "module_moved": _lazy("Module moved: %(item)s"),
    "activity_added": _lazy("Activity added: %(item)s"),
    "activity_changed": _lazy("Activity changed: %(item)s"),
    "activity_removed": _lazy("Activity deleted: %(item)s"),
    "activity_moved": _lazy("Activity moved: %(item)s"),
}
