"""The checks of a participant file, made before anything is written: each row on its own
(`validate_participant_rows`), then the rows together against the teams and enrolments
already stored (`team_conflicts`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from ..models import (
    PLACE_GIVEN_UP,
    Cohort,
    Organisation,
    OrganisationMembership,
    Participant,
    Programme,
    ServiceUnit,
    UnitEnrolment,
)
from ..permissions import tenancy_ties
from ..services import another_tenants_account_refusal, guest_unit_refusal
from .csv_table import Table, check_length
from .results import RowError

PARTICIPANT_COLUMNS: Mapping[str, set[str]] = {
    "email": {"email", "e-mail", "e-post", "epost", "e_post"},
    "first_name": {"first_name", "first name", "fornavn"},
    "last_name": {"last_name", "last name", "etternavn"},
    "unit_code": {"unit_code", "unit", "kode", "enhetskode", "ansvarssted"},
    "cohort": {"cohort", "kull"},
    "role": {"role", "rolle"},
    "organisation": {"organisation", "organisasjon", "kommune"},
}
PARTICIPANT_REQUIRED = ("email", "unit_code", "cohort", "role")

_ROLE_WORDS = {
    "manager": Participant.Role.MANAGER,
    "leder": Participant.Role.MANAGER,
    "leiar": Participant.Role.MANAGER,
    "enhetsleder": Participant.Role.MANAGER,
    "enthusiast": Participant.Role.ENTHUSIAST,
    "ildsjel": Participant.Role.ENTHUSIAST,
    "eldsjel": Participant.Role.ENTHUSIAST,
}


@dataclass(frozen=True)
class ParticipantRow:
    """A row that passed its own checks, with its unit, cohort and role found."""

    line: int
    email: str
    first_name: str
    last_name: str
    unit: ServiceUnit
    cohort: Cohort
    role: str


def find_users_by_email(table: Table) -> dict[str, list]:
    """The existing users with the file's e-mail addresses, by lower-cased address (several
    users may share one; `validate_participant_rows` rejects such rows)."""
    user_model = get_user_model()
    emails = {row["email"].lower() for _line, row in table.rows}
    users_by_email: dict[str, list] = defaultdict(list)
    for user in user_model.objects.annotate(email_lower=Lower("email")).filter(
        email_lower__in=emails
    ):
        users_by_email[user.email.lower()].append(user)
    return users_by_email


def validate_participant_rows(
    table: Table, programme: Programme, users_by_email: Mapping[str, list]
) -> tuple[list[ParticipantRow], list[RowError]]:
    """Check each row on its own: a valid address, one user with it, a known organisation,
    unit (active), cohort and role, names that fit, no repeat of a person in a cohort.
    Returns the rows that passed, and every problem found."""
    cohorts = {cohort.name.lower(): cohort for cohort in programme.cohorts.all()}
    organisations = {org.name.lower(): org for org in Organisation.objects.all()}
    organisations.update({org.slug.lower(): org for org in organisations.values()})
    unit_keys = {
        (
            organisations[row["organisation"].lower()].pk
            if row.get("organisation", "").lower() in organisations
            else programme.organisation_id,
            row["unit_code"],
        )
        for _line, row in table.rows
    }
    units = {
        (unit.organisation_id, unit.code): unit
        for unit in ServiceUnit.objects.filter(
            code__in={code for _org, code in unit_keys},
            organisation_id__in={org for org, _code in unit_keys},
        )
    }

    ties = tenancy_ties(user for found in users_by_email.values() for user in found)
    # Organisations with staff of their own: their units are never another's guests.
    tenants = set(
        OrganisationMembership.objects.filter(
            organisation_id__in={unit.organisation_id for unit in units.values()}
        ).values_list("organisation_id", flat=True)
    )
    errors: list[RowError] = []
    parsed: list[ParticipantRow] = []
    seen: dict[tuple[int, str], int] = {}
    for line, row in table.rows:
        row_errors: list[RowError] = []
        email = row["email"].lower()
        try:
            validate_email(email)
        except ValidationError:
            row_errors.append(
                RowError(line, _("“%(email)s” is not an e-mail address.") % {"email": row["email"]})
            )
        if len(users_by_email.get(email, [])) > 1:
            row_errors.append(
                RowError(
                    line, _("Several users have the e-mail address %(email)s.") % {"email": email}
                )
            )
        organisation_id = programme.organisation_id
        if row.get("organisation"):
            organisation = organisations.get(row["organisation"].lower())
            if organisation is None:
                row_errors.append(
                    RowError(
                        line,
                        _("Unknown organisation “%(name)s”.") % {"name": row["organisation"]},
                    )
                )
            else:
                organisation_id = organisation.pk
        unit = units.get((organisation_id, row["unit_code"]))
        if unit is None:
            row_errors.append(
                RowError(line, _("No unit has the code “%(code)s”.") % {"code": row["unit_code"]})
            )
        elif not unit.active:
            row_errors.append(RowError(line, _("%(unit)s is inactive.") % {"unit": unit.name}))
        if (
            unit is not None
            and unit.organisation_id != programme.organisation_id
            and unit.organisation_id in tenants
        ):
            row_errors.append(RowError(line, guest_unit_refusal(unit)))
        elif unit is not None:
            allowed = {programme.organisation_id, unit.organisation_id}
            for person in users_by_email.get(email, []):
                if ties[person.pk].reach_beyond(allowed):
                    row_errors.append(RowError(line, another_tenants_account_refusal(email)))
        cohort = cohorts.get(row["cohort"].lower())
        if cohort is None:
            row_errors.append(
                RowError(
                    line,
                    _("%(programme)s has no cohort called “%(cohort)s”.")
                    % {"programme": programme.short_name, "cohort": row["cohort"]},
                )
            )
        elif cohort.is_closed:
            row_errors.append(
                RowError(
                    line,
                    _("%(cohort)s is closed and takes no new units.") % {"cohort": cohort.name},
                )
            )
        role = _ROLE_WORDS.get(row["role"].strip().lower())
        if role is None:
            row_errors.append(
                RowError(
                    line,
                    _("Unknown role “%(role)s”: use leder (manager) or ildsjel (enthusiast).")
                    % {"role": row["role"]},
                )
            )
        for key, label in (("first_name", _("The first name")), ("last_name", _("The last name"))):
            check_length(row_errors, line, label, row.get(key, ""), 150)
        if cohort is not None:
            seen_key = (cohort.pk, email)
            if seen_key in seen:
                row_errors.append(
                    RowError(
                        line,
                        _("%(email)s already appears in %(cohort)s on line %(line)d.")
                        % {"email": email, "cohort": cohort.name, "line": seen[seen_key]},
                    )
                )
            else:
                seen[seen_key] = line
        if row_errors:
            errors.extend(row_errors)
            continue
        # No row errors means the unit, cohort and role were all found.
        assert unit is not None
        assert cohort is not None
        assert role is not None
        parsed.append(
            ParticipantRow(
                line=line,
                email=email,
                first_name=row.get("first_name", ""),
                last_name=row.get("last_name", ""),
                unit=unit,
                cohort=cohort,
                role=role,
            )
        )
    return parsed, errors


def team_conflicts(rows: list[ParticipantRow]) -> list[RowError]:
    """Rows that would break a team or enrolment rule once the whole file is applied."""
    errors: list[RowError] = []
    if not rows:
        return errors
    pairs = {(row.cohort.pk, row.unit.pk) for row in rows}
    enrolments = {
        (enrolment.cohort_id, enrolment.unit_id): enrolment
        for enrolment in UnitEnrolment.objects.filter(
            cohort_id__in={cohort for cohort, _unit in pairs},
            unit_id__in={unit for _cohort, unit in pairs},
        )
    }
    # Other cohorts of the same programme these units are already in.
    programme_ids = {row.cohort.programme_id for row in rows}
    elsewhere: dict[tuple[int, int], str] = {}
    for enrolment in (
        UnitEnrolment.objects.filter(
            cohort__programme_id__in=programme_ids, unit_id__in={unit for _c, unit in pairs}
        )
        .exclude(status__in=PLACE_GIVEN_UP)
        .select_related("cohort")
    ):
        elsewhere[(enrolment.cohort.programme_id, enrolment.unit_id)] = enrolment.cohort.name
    current_managers: dict[tuple[int, int], str] = {}
    for participant in (
        Participant.objects.current()
        .filter(enrolment__in=enrolments.values(), role=Participant.Role.MANAGER)
        .select_related("user", "enrolment")
    ):
        key = (participant.enrolment.cohort_id, participant.enrolment.unit_id)
        current_managers[key] = participant.user.email.lower()

    file_roles = {(row.cohort.pk, row.unit.pk, row.email): row.role for row in rows}
    managers_in_file: dict[tuple[int, int], list[ParticipantRow]] = defaultdict(list)
    for row in rows:
        enrolled_in = elsewhere.get((row.cohort.programme_id, row.unit.pk))
        if enrolled_in is not None and enrolled_in != row.cohort.name:
            errors.append(
                RowError(
                    row.line,
                    _("%(unit)s is already enrolled in %(cohort)s.")
                    % {"unit": row.unit.name, "cohort": enrolled_in},
                )
            )
        if row.role == Participant.Role.MANAGER:
            managers_in_file[(row.cohort.pk, row.unit.pk)].append(row)
    for key, managers in managers_in_file.items():
        if len(managers) > 1:
            for row in managers[1:]:
                errors.append(
                    RowError(
                        row.line,
                        _("%(unit)s has more than one manager in the file (also line %(line)d).")
                        % {"unit": row.unit.name, "line": managers[0].line},
                    )
                )
            continue
        existing = current_managers.get(key)
        row = managers[0]
        # The current manager stays unless this file makes them an enthusiast.
        if (
            existing
            and existing != row.email
            and file_roles.get((key[0], key[1], existing)) != Participant.Role.ENTHUSIAST
        ):
            errors.append(
                RowError(
                    row.line,
                    _("%(unit)s already has a manager in %(cohort)s: %(email)s.")
                    % {"unit": row.unit.name, "cohort": row.cohort.name, "email": existing},
                )
            )
    return errors
