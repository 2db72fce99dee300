"""Believable demo data: a municipality of 200 service units taking part in LUP.

`seed_demo(scale=N)` builds N organisations (the first is Bærum), each with seven
sectors, 200 units, a LUP programme with six cohorts (four finished, one running,
one upcoming), about 1,000 participants, and completions at the past cohorts'
closing gatherings, so the target dashboard shows a real trend. Guest units from
Hole take part in Bærum's cohorts. Running it again creates nothing twice.

Every programme follows the same curriculum (`lup.demo.curriculum`): six modules of theory
and practice, with two team assignments, an H5P reflection (our own content type, built and
installed by the seed) and attendance at the three gatherings, and a
completion rule (every module, the manager and one enthusiast, two gatherings attended).
Progress is consistent with the outcomes (`lup.demo.progress`).

Rows are inserted in bulk so that scale 20 takes seconds, not minutes; they are
written in states that satisfy every database constraint the services rely on. The
completion statuses of units and participants are written directly, not through the
event-time evaluation in `lup.completion`, so they are planned to agree with the rule.

Each part lives in its own module, in the order the seed runs them: `organisations`
(organisations, sectors, units), `programmes` (programme, cohorts, gatherings),
`enrolments` (units' enrolments and outcomes, teams of people), `logins` (the README.md
logins and their two-factor), `course` (the demo course), `progress` (participants'
progress), `projects` (innovation projects with their benefit plans) and `barometer` (the
teams' innovation barometer answers before and after).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from .. import certification
from ..models import (
    Cohort,
    CourseOwnership,
    Organisation,
    Participant,
    Programme,
    ServiceUnit,
    UnitEnrolment,
)
from ..roles import ensure_role_groups
from . import names as demo_names
from .barometer import seed_barometer
from .common import plain_ascii, rng
from .course import seed_curriculum
from .enrolments import seed_participants, seed_unit_enrolments
from .intake import seed_intake
from .logins import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DemoLogin,
    current_demo_totp_code,
    seed_demo_logins,
)
from .organisations import seed_guest_organisation, seed_organisation
from .programmes import PROGRAMME_NAME, close_finished_cohorts, seed_programme
from .progress import seed_progress
from .projects import seed_projects

__all__ = [
    "DEMO_LOGINS",
    "DEMO_PASSWORD",
    "DEMO_TOTP_SECRET",
    "PROGRAMME_NAME",
    "DemoLogin",
    "DemoSummary",
    "current_demo_totp_code",
    "seed_demo",
]


@dataclass
class DemoSummary:
    """What the demo holds after seeding, for the command's report."""

    organisations: int = 0
    units: int = 0
    cohorts: int = 0
    participants: int = 0
    completed_units: int = 0


#: The largest scale: Norway's 356 municipalities, in one installation.
MAX_SCALE = 356
#: The organisations whose completed participants and units get their certificates: the
#: ten named municipalities. Each certificate is a PDF and a signed credential (about 28
#: ms), four fifths of the seed's time; at national scale the figures do not need them
#: past these, so the organisations further down the list have none.
CERTIFIED_ORGANISATIONS = len(demo_names.ORGANISATIONS)


def seed_demo(*, scale: int = 1, today: dt.date | None = None) -> DemoSummary:
    """Create (or complete) the demo data for `scale` organisations (1 to MAX_SCALE); the
    first CERTIFIED_ORGANISATIONS get their certificates. Idempotent."""
    if scale < 1 or scale > MAX_SCALE:
        raise ValueError(f"scale must be between 1 and {MAX_SCALE}")
    today = today or timezone.localdate()
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        groups = ensure_role_groups()
        guests = seed_guest_organisation()
        programmes = [
            _seed_organisation(index, today=today, guests=guests if index == 0 else [])
            for index in range(scale)
        ]
        seed_demo_logins(groups=groups, password_hash=password_hash, today=today)
        curriculum = seed_curriculum()
        # Every demo programme uses the one course; Bærum (the first) owns it and may change
        # it, the others use it as it is (the wall between tenants).
        CourseOwnership.objects.get_or_create(
            course=curriculum.course, defaults={"organisation": programmes[0].organisation}
        )
        for index, programme in enumerate(programmes):
            seed_progress(index, programme=programme, curriculum=curriculum, today=today)
            seed_projects(programme, index=index, today=today)
            seed_barometer(programme, index=index, today=today)
        # The certificates completed participants and units have earned, without e-mail.
        certified = programmes[:CERTIFIED_ORGANISATIONS]
        certification.issue_earned_certificates(
            participants=Participant.objects.filter(enrolment__cohort__programme__in=certified),
            enrolments=UnitEnrolment.objects.filter(cohort__programme__in=certified),
            notify=False,
        )
        for programme in programmes:
            close_finished_cohorts(programme, today=today)
        seed_intake(programmes[0], today=today)
    _refresh_planner_statistics()
    return DemoSummary(
        organisations=Organisation.objects.count(),
        units=ServiceUnit.objects.count(),
        cohorts=Cohort.objects.count(),
        participants=Participant.objects.count(),
        completed_units=UnitEnrolment.objects.filter(status=UnitEnrolment.Status.COMPLETED).count(),
    )


def _refresh_planner_statistics() -> None:
    """PostgreSQL plans queries from statistics that autovacuum refreshes only later: right
    after a bulk seed they still describe empty tables, and a dashboard query that takes
    15 ms was measured at 460 ms (scale 40) until ANALYZE. The seed refreshes them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _seed_organisation(index: int, *, today: dt.date, guests: list[ServiceUnit]) -> Programme:
    """The `index`-th organisation with its units, programme, cohorts and teams."""
    # One stream for the organisation's units and how they are spread over the cohorts.
    organisation_rng = rng(index, "organisation")
    organisation, units = seed_organisation(index, organisation_rng)
    programme, cohorts = seed_programme(index, organisation, today=today)
    enrolments = seed_unit_enrolments(
        index,
        programme,
        cohorts=cohorts,
        units=units,
        guests=guests,
        organisation_rng=organisation_rng,
        today=today,
    )
    seed_participants(
        enrolments, index=index, domain=f"{plain_ascii(organisation.slug)}.kommune.no"
    )
    return programme
