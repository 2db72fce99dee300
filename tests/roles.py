"""A small world with every role, for access tests and the permission matrix.

Bærum runs LUP with cohorts A and B; in cohort A, unit U1 has a manager and an
enthusiast and unit U2 another manager. Asker runs its own programme. People:
superuser, Bærum's administrator and HR (two-factor set up), Asker's administrator,
cohort A's facilitator, U1's manager and enthusiast, and U2's manager.

Asker has the same roles, to attack Bærum from (tests/test_tenant_walls.py): its HR
person, the facilitator of its cohort and the manager of its team (`asker_hr`,
`asker_facilitator`, `asker_manager`). Each organisation's administrator has a write API
token (`World.tokens`, by the administrator's role: the token and its secret).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group

from lup.demo.seed import DEMO_TOTP_SECRET
from lup.models import OrganisationMembership, Participant
from lup.roles import ADMINISTRATORS_GROUP, HR_GROUP, ensure_role_groups
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)

ROLES = [
    "anonymous",
    "enthusiast",
    "manager",
    "facilitator",
    "hr",
    "administrator",
    "other_administrator",
    "superuser",
]


@dataclass
class World:
    people: dict[str, Any]
    programme: Any
    other_programme: Any
    cohort_a: Any
    cohort_b: Any
    team_u1: Any
    team_u2: Any
    team_other: Any
    project: Any = None  # U1's innovation project (lup.innovation)
    other_cohort: Any = None  # Asker's cohort (team_other's)
    # a write token of each organisation's administrator: role -> (ApiToken, secret)
    tokens: dict[str, tuple[Any, str]] = field(default_factory=dict)


def with_two_factor(user: Any) -> Any:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, DEMO_TOTP_SECRET)
    return user


def build_world() -> World:
    groups: dict[str, Group] = ensure_role_groups()
    baerum = OrganisationFactory(name="Bærum kommune", slug="baerum")
    asker = OrganisationFactory(name="Asker kommune", slug="asker")
    programme = ProgrammeFactory(organisation=baerum, slug="lup")
    other_programme = ProgrammeFactory(organisation=asker, slug="lup-asker")
    cohort_a = CohortFactory(programme=programme, name="LUP 1")
    cohort_b = CohortFactory(programme=programme, name="LUP 2")
    other_cohort = CohortFactory(programme=other_programme, name="Asker 1")
    team_u1 = UnitEnrolmentFactory(cohort=cohort_a, unit=ServiceUnitFactory(organisation=baerum))
    team_u2 = UnitEnrolmentFactory(cohort=cohort_a, unit=ServiceUnitFactory(organisation=baerum))
    team_b = UnitEnrolmentFactory(cohort=cohort_b, unit=ServiceUnitFactory(organisation=baerum))
    team_other = UnitEnrolmentFactory(
        cohort=other_cohort, unit=ServiceUnitFactory(organisation=asker)
    )

    people: dict[str, Any] = {"anonymous": None}
    people["superuser"] = with_two_factor(
        UserFactory(email="root@example.no", is_superuser=True, is_staff=True)
    )
    for role, organisation, group in (
        ("administrator", baerum, ADMINISTRATORS_GROUP),
        ("hr", baerum, HR_GROUP),
        ("other_administrator", asker, ADMINISTRATORS_GROUP),
        ("asker_hr", asker, HR_GROUP),
    ):
        person = with_two_factor(
            UserFactory(email=f"{role}@example.no", is_staff=group == ADMINISTRATORS_GROUP)
        )
        person.groups.add(groups[group])
        OrganisationMembership.objects.create(organisation=organisation, user=person)
        people[role] = person
    people["facilitator"] = UserFactory(email="facilitator@example.no")
    people["facilitator"].groups.add(groups["Facilitators"])
    cohort_a.facilitators.add(people["facilitator"])
    people["manager"] = ParticipantFactory(
        enrolment=team_u1, role=Participant.Role.MANAGER, user__email="manager@example.no"
    ).user
    people["enthusiast"] = ParticipantFactory(
        enrolment=team_u1, user__email="enthusiast@example.no"
    ).user
    people["other_manager"] = ParticipantFactory(
        enrolment=team_u2, role=Participant.Role.MANAGER, user__email="manager2@example.no"
    ).user
    ParticipantFactory(enrolment=team_b, role=Participant.Role.MANAGER)
    people["asker_manager"] = ParticipantFactory(
        enrolment=team_other, role=Participant.Role.MANAGER
    ).user
    people["asker_facilitator"] = UserFactory(email="asker-facilitator@example.no")
    people["asker_facilitator"].groups.add(groups["Facilitators"])
    other_cohort.facilitators.add(people["asker_facilitator"])
    from lup.innovation.services import start_project

    project = start_project(
        enrolment=team_u1,
        title="Digitalt nattilsyn",
        need="Beboerne vekkes av nattlige runder.",
        audience="Beboere og nattevakter",
    )
    tokens = {
        role: _write_token(organisation, people[role])
        for role, organisation in (("administrator", baerum), ("other_administrator", asker))
    }
    return World(
        project=project,
        other_cohort=other_cohort,
        tokens=tokens,
        people=people,
        programme=programme,
        other_programme=other_programme,
        cohort_a=cohort_a,
        cohort_b=cohort_b,
        team_u1=team_u1,
        team_u2=team_u2,
        team_other=team_other,
    )


def _write_token(organisation: Any, administrator: Any) -> tuple[Any, str]:
    """A write token the administrator made for a system of their organisation."""
    import datetime as dt

    from django.utils import timezone

    from lup.api.tokens import create_api_token

    return create_api_token(
        name=f"Integrasjon {organisation.slug}",
        organisation=organisation,
        scope="write",
        expires_at=timezone.now() + dt.timedelta(days=30),
        created_by=administrator,
    )
