"""What LUP's certificates say: their templates, and the values printed on them.

`certificates` is generic and knows nothing of units, so LUP finds its templates by key
(creating bokmål defaults when they are missing) and fills in the programme, cohort, unit
and team. A recipient who reads nynorsk or English gets the certificate in that language,
from a template of its own (`template_for`, `LANGUAGE_VARIANTS`).
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

# The same certificates in the site's other languages, for recipients who read them
# (`lup.languages`): each is a template of its own, keyed `<key>-<language>`, created when
# first needed, and then the administrators' to change like the bokmål ones.
LANGUAGE_VARIANTS: dict[str, dict[str, dict[str, Any]]] = {
    "nn": {
        PARTICIPANT_TEMPLATE_KEY: {
            "name": "LUP – kursbevis for deltakarar (nynorsk)",
            "title": "Kursbevis",
            "body": (
                "{recipient_name} har gjennomført {programme} i {cohort} "
                "som ein del av teamet ved {unit_name}."
            ),
            "language": "nn",
        },
        UNIT_TEMPLATE_KEY: {
            "name": "LUP – bevis for tenestestader (nynorsk)",
            "title": "Einingsbevis",
            "body": "{unit_name} har gjennomført {programme} i {cohort}.\nTeamet: {team}.",
            "language": "nn",
        },
    },
    "en": {
        PARTICIPANT_TEMPLATE_KEY: {
            "name": "LUP – certificate for participants (English)",
            "title": "Certificate",
            "body": (
                "{recipient_name} has completed {programme} in {cohort} "
                "as part of the team at {unit_name}."
            ),
            "language": "en",
        },
        UNIT_TEMPLATE_KEY: {
            "name": "LUP – certificate for service units (English)",
            "title": "Unit certificate",
            "body": "{unit_name} has completed {programme} in {cohort}.\nThe team: {team}.",
            "language": "en",
        },
    },
}

# What a language's template takes over from the kind's bokmål template when it is created.
DESIGN_FIELDS = ("issuer", "primary_colour", "accent_colour", "orientation")


def template_key(key: str, language: str | None) -> str:
    """The key of the template for certificates of kind `key` in `language`: the kind's own
    (bokmål) template for bokmål, for no language, and for a language LUP has no texts for."""
    if language is None or language not in LANGUAGE_VARIANTS:
        return key
    return f"{key}-{language}"


def template_for(key: str, language: str | None = None) -> CertificateTemplate:
    """The certificate template of kind `key` in `language` (see `template_key`), created
    from LUP's default texts for that language when missing.

    A language's template starts with LUP's text in that language and the look of the
    kind's bokmål template as it is then (colours, orientation, issuer, logo, signatories),
    so an organisation's design carries over; afterwards each is changed on its own.
    Existing templates, and certificates issued from them, are never changed.
    """
    variant = template_key(key, language)
    if language is None or variant == key:
        # No signatories by default: there is no real person to name; administrators add them.
        return ensure_template(key=key, defaults=DEFAULT_TEMPLATES[key])
    existing = CertificateTemplate.objects.filter(key=variant).first()
    if existing is not None:
        return existing
    base = template_for(key)
    design = {name: getattr(base, name) for name in DESIGN_FIELDS}
    design["logo"] = base.logo.name if base.logo else ""
    design["signatories"] = [
        {
            "name": signatory.name,
            "title": signatory.title,
            "signature": signatory.signature.name if signatory.signature else "",
        }
        for signatory in base.signatories.order_by("position")
    ]
    return ensure_template(key=variant, defaults={**design, **LANGUAGE_VARIANTS[language][key]})


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
        # The manager's remembered language chooses the unit certificate's language.
        .select_related("user__lup_profile")
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
