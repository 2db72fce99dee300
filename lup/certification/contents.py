"""What LUP's certificates say: their templates, and the values printed on them.

`certificates` is generic and knows nothing of units, so LUP finds its templates by key
(creating bokmål defaults when they are missing) and fills in the programme, cohort, unit
and team.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from certificates.api import CertificateTemplate, ensure_template

from ..models import Participant, UnitEnrolment

PARTICIPANT_TEMPLATE_KEY = "lup-participant"
UNIT_TEMPLATE_KEY = "lup-unit"

# Created when missing; administrators change them in the admin afterwards. These are
# certificate texts (data), in bokmål, the programme's language: not interface strings.
DEFAULT_TEMPLATES: dict[str, dict[str, Any]] = {
    PARTICIPANT_TEMPLATE_KEY: {
        "name": "LUP – kursbevis for deltakere",
        "title": "Kursbevis",
        "body": (
            "{recipient_name} har gjennomført {programme} i {cohort} "
            "som del av teamet ved {unit_name}."
        ),
        "language": "nb",
    },
    UNIT_TEMPLATE_KEY: {
        "name": "LUP – bevis for tjenestesteder",
        "title": "Enhetsbevis",
        "body": "{unit_name} har gjennomført {programme} i {cohort}.\nTeamet: {team}.",
        "language": "nb",
    },
}


def template_for(key: str) -> CertificateTemplate:
    """The certificate template with `key`, created from LUP's default when missing."""
    # No signatories by default: there is no real person to name; administrators add them.
    return ensure_template(key=key, defaults=DEFAULT_TEMPLATES[key])


def person_name(user: Any) -> str:
    """How a person is named on a certificate: full name, else e-mail, else username."""
    return str(user.get_full_name() or user.email or user.username)


@dataclass
class Team:
    """A unit's current team as its certificate names it: the manager first, and the
    manager (who receives the unit's certificate; None for a team without one)."""

    names: list[str] = field(default_factory=list)
    manager: Any = None


def teams_of(enrolment_ids: Iterable[int]) -> dict[int, Team]:
    """Each enrolment's current team, in one query (enrolments without one are left out)."""
    teams: dict[int, Team] = {}
    members = (
        Participant.objects.current()
        .filter(enrolment_id__in=list(enrolment_ids))
        .select_related("user")
        .order_by("enrolment_id", "role", "user__last_name", "user__first_name")
    )
    for member in members:
        team = teams.setdefault(member.enrolment_id, Team())
        # A team has at most one current manager (a database constraint).
        if member.role == Participant.Role.MANAGER:
            team.names.insert(0, person_name(member.user))
            team.manager = member.user
        else:
            team.names.append(person_name(member.user))
    return teams


def team_of(enrolment: UnitEnrolment) -> Team:
    """The enrolment's current team (one query)."""
    return teams_of([enrolment.pk]).get(enrolment.pk, Team())


def participant_context(participant: Participant) -> dict[str, str]:
    """What a participant's certificate shows, besides name, issuer and date."""
    enrolment = participant.enrolment
    programme = enrolment.cohort.programme
    return {
        "programme": programme.name,
        "cohort": enrolment.cohort.name,
        "unit_name": enrolment.unit.name,
        "team": "",
    }


def unit_context(enrolment: UnitEnrolment, *, team: str | None = None) -> dict[str, str]:
    """What a unit's certificate shows: the unit, its programme, cohort and team."""
    programme = enrolment.cohort.programme
    return {
        "programme": programme.name,
        "cohort": enrolment.cohort.name,
        "unit_name": enrolment.unit.name,
        "team": team if team is not None else ", ".join(team_of(enrolment).names),
    }
