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
Progress is consistent with the outcomes: completed participants have done every
required activity and attended the opening and the closing; the running cohort is part
of the way, with answers waiting for review and one returned with feedback; the upcoming
cohort has not started.

Rows are inserted in bulk so that scale 20 takes seconds, not minutes; they are
written in states that satisfy every database constraint the services rely on. The
completion statuses of units and participants are written directly, not through the
event-time evaluation in `lup.completion`, so they are planned to agree with the rule.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from courses.api import (
    Activity,
    ActivityCompletion,
    Assignment,
    Course,
    Enrolment,
    H5PAttempt,
    Module,
    Submission,
    install_package,
    reflection_package,
)

from .. import certification
from ..courses_adapter import TEAM_PREFIX
from ..models import (
    Attendance,
    Cohort,
    CompletionRule,
    Gathering,
    Organisation,
    OrganisationMembership,
    Participant,
    Programme,
    Sector,
    ServiceUnit,
    UnitEnrolment,
)
from ..roles import ADMINISTRATORS_GROUP, FACILITATORS_GROUP, HR_GROUP, ensure_role_groups
from . import curriculum as demo_curriculum
from . import names as demo_names
from .projects import seed_projects

DEMO_PASSWORD = "lup-demo-2026"  # noqa: S105  (documented demo logins, demo data only)
# The demo administrator's and HR's authenticator secret, published in README.md (demo only).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPLUPDEMOLUPDEMO22"  # noqa: S105
PROGRAMME_NAME = "Lederutviklingsprogram for innovasjon og ledelse"
OSLO = ZoneInfo("Europe/Oslo")
BATCH = 500


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


DEMO_LOGINS = [
    DemoLogin("admin@baerum.kommune.no", "programme administrator"),
    DemoLogin("hr@baerum.kommune.no", "HR"),
    DemoLogin("fasilitator@baerum.kommune.no", "facilitator of the running cohort"),
    DemoLogin("leder@baerum.kommune.no", "unit manager in the running cohort"),
    DemoLogin("ildsjel@baerum.kommune.no", "enthusiast in the running cohort"),
]


@dataclass
class DemoSummary:
    organisations: int = 0
    units: int = 0
    cohorts: int = 0
    participants: int = 0
    completed_units: int = 0


def seed_demo(*, scale: int = 1, today: dt.date | None = None) -> DemoSummary:
    """Create (or complete) the demo data for `scale` organisations. Idempotent."""
    if scale < 1 or scale > len(demo_names.ORGANISATIONS) * 10:
        raise ValueError("scale must be between 1 and 100")
    today = today or timezone.localdate()
    password_hash = make_password(DEMO_PASSWORD)
    with transaction.atomic():
        groups = ensure_role_groups()
        guests = _seed_guest_organisation()
        programmes = [
            _seed_organisation(
                index, today=today, guests=guests if index == 0 else [], password_hash=password_hash
            )
            for index in range(scale)
        ]
        _seed_demo_logins(groups=groups, password_hash=password_hash, today=today)
        curriculum = _seed_curriculum()
        for index, programme in enumerate(programmes):
            _seed_progress(index, programme=programme, curriculum=curriculum, today=today)
            seed_projects(programme, index=index, today=today)
        # The certificates completed participants and units have earned, without e-mail.
        certification.issue_earned_certificates(
            participants=Participant.objects.all(),
            enrolments=UnitEnrolment.objects.all(),
            notify=False,
        )
    summary = DemoSummary(
        organisations=Organisation.objects.count(),
        units=ServiceUnit.objects.count(),
        cohorts=Cohort.objects.count(),
        participants=Participant.objects.count(),
        completed_units=UnitEnrolment.objects.filter(status=UnitEnrolment.Status.COMPLETED).count(),
    )
    return summary


def _rng(*key: object) -> random.Random:
    """A reproducible random stream for one piece of the demo (not for security)."""
    return random.Random("lup-demo-" + "-".join(str(part) for part in key))


def _organisation_identity(index: int) -> tuple[str, str, str]:
    base = demo_names.ORGANISATIONS[index % len(demo_names.ORGANISATIONS)]
    if index < len(demo_names.ORGANISATIONS):
        return base
    round_ = index // len(demo_names.ORGANISATIONS) + 1
    return (f"{base[0]} {round_}", f"{base[1]}-{round_}", "")


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch in ".-")


def _seed_guest_organisation() -> list[ServiceUnit]:
    name, slug, number = demo_names.GUEST_ORGANISATION
    organisation, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "organisation_number": number}
    )
    units = []
    for code, unit_name, sector_name in demo_names.GUEST_UNITS:
        sector, _ = Sector.objects.get_or_create(organisation=organisation, name=sector_name)
        unit, _ = ServiceUnit.objects.get_or_create(
            organisation=organisation, code=code, defaults={"name": unit_name, "sector": sector}
        )
        units.append(unit)
    return units


def _unit_rows(rng: random.Random) -> list[tuple[str, str, str, bool]]:
    """(sector, code, name, active) for 200 units, with a few closed units."""
    rows = []
    for sector_name, count, prefix, kinds in demo_names.SECTORS:
        names: set[str] = set()
        places = demo_names.PLACES[:]
        rng.shuffle(places)
        number = 0
        while len(names) < count:
            place = places[number % len(places)]
            kind = kinds[(number // len(places)) % len(kinds)]
            number += 1
            name = f"{place} {kind}" if kind[0].islower() else f"{kind} {place}"
            names.add(name)
        for position, name in enumerate(sorted(names), start=1):
            rows.append((sector_name, f"{prefix}{position:03d}", name, True))
    # A handful of units have closed since the register was made: not in the population.
    for position in rng.sample(range(len(rows)), 4):
        sector_name, code, name, _active = rows[position]
        rows[position] = (sector_name, code, name, False)
    return rows


def _cohort_plan(today: dt.date) -> tuple[dt.date, dt.date, list[tuple[str, dt.date, dt.date]]]:
    """Programme start, deadline and six cohorts: four finished, one running, one upcoming."""
    current_start = _add_months(today.replace(day=1), -3)
    cohorts = []
    for number in range(1, 7):
        starts = _add_months(current_start, 6 * (number - 5))
        ends = _add_months(starts, 6) - dt.timedelta(days=14)
        cohorts.append((f"LUP {number}", starts, ends))
    deadline = dt.date(today.year, 12, 31)
    if (deadline - today).days < 30:
        deadline = dt.date(today.year + 1, 12, 31)
    return cohorts[0][1], deadline, cohorts


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 + months
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def _seed_organisation(
    index: int, *, today: dt.date, guests: list[ServiceUnit], password_hash: str
) -> Programme:
    rng = _rng(index, "organisation")
    name, slug, number = _organisation_identity(index)
    organisation, _ = Organisation.objects.get_or_create(
        slug=slug, defaults={"name": name, "organisation_number": number}
    )
    domain = f"{_ascii(slug)}.kommune.no"

    sectors = {}
    for sector_name, *_rest in demo_names.SECTORS:
        sectors[sector_name], _ = Sector.objects.get_or_create(
            organisation=organisation, name=sector_name
        )
    rows = _unit_rows(rng)
    existing_codes = set(organisation.units.values_list("code", flat=True))
    ServiceUnit.objects.bulk_create(
        [
            ServiceUnit(
                organisation=organisation,
                sector=sectors[sector_name],
                code=code,
                name=unit_name,
                active=active,
            )
            for sector_name, code, unit_name, active in rows
            if code not in existing_codes
        ],
        batch_size=BATCH,
    )
    units = list(organisation.units.filter(active=True).order_by("code"))

    starts_on, deadline, plan = _cohort_plan(today)
    programme, _ = Programme.objects.get_or_create(
        slug="lup" if index == 0 else f"lup-{slug}",
        defaults={
            "organisation": organisation,
            "name": PROGRAMME_NAME,
            "short_name": "LUP",
            "description": "Lederen og noen ildsjeler fra samme tjenestested lærer innovasjon "
            "i teori og praksis, sammen, og gjennomfører et eget innovasjonsprosjekt.",
            "starts_on": starts_on,
            "deadline": deadline,
            "target_units": 120,
        },
    )
    cohorts = []
    for cohort_name, cohort_start, cohort_end in plan:
        cohort, created = Cohort.objects.get_or_create(
            programme=programme,
            name=cohort_name,
            defaults={"starts_on": cohort_start, "ends_on": cohort_end},
        )
        if created:
            _seed_gatherings(cohort)
        cohorts.append(cohort)

    # Spread units over the cohorts; guests join three of them.
    rng.shuffle(units)
    enrolment_plan: list[tuple[Cohort, ServiceUnit]] = []
    cursor = 0
    for position, cohort in enumerate(cohorts):
        size = 20 if position == 5 else rng.randint(23, 26)
        enrolment_plan.extend((cohort, unit) for unit in units[cursor : cursor + size])
        cursor += size
    for guest, cohort in zip(guests, cohorts[2:5], strict=False):
        enrolment_plan.append((cohort, guest))

    existing_pairs = set(
        UnitEnrolment.objects.filter(cohort__programme=programme).values_list(
            "cohort_id", "unit_id"
        )
    )
    new_enrolments = []
    for cohort, unit in enrolment_plan:
        if (cohort.pk, unit.pk) in existing_pairs:
            continue
        enrolment = UnitEnrolment(cohort=cohort, unit=unit)
        if cohort.ends_on < today:
            unit_rng = _rng(index, "outcome", cohort.name, unit.code)
            outcome = unit_rng.random()
            if outcome < 0.86:
                enrolment.status = UnitEnrolment.Status.COMPLETED
                closing = dt.datetime.combine(cohort.ends_on, dt.time(15), tzinfo=OSLO)
                late = unit_rng.choice([0, 0, 0, 7, 21])
                enrolment.completed_at = closing + dt.timedelta(days=late)
            elif outcome < 0.93:
                enrolment.status = UnitEnrolment.Status.WITHDRAWN
        new_enrolments.append(enrolment)
    UnitEnrolment.objects.bulk_create(new_enrolments, batch_size=BATCH)

    enrolments = list(
        UnitEnrolment.objects.filter(cohort__programme=programme)
        .select_related("unit", "cohort")
        .order_by("cohort__starts_on", "unit__code")
    )
    _seed_participants(enrolments, index=index, domain=domain)
    return programme


def _seed_gatherings(cohort: Cohort) -> None:
    def at(day: dt.date, hour: int) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO)

    middle = cohort.starts_on + (cohort.ends_on - cohort.starts_on) / 2
    Gathering.objects.bulk_create(
        [
            Gathering(
                cohort=cohort,
                kind=Gathering.Kind.OPENING,
                title="Åpningssamling",
                starts_at=at(cohort.starts_on, 9),
                ends_at=at(cohort.starts_on, 15),
                place="Sandvika rådhus, Kommunestyresalen",
                agenda="Velkommen, innovasjon i Bærum, teamcanvas, behovskartlegging.",
            ),
            Gathering(
                cohort=cohort,
                kind=Gathering.Kind.SESSION,
                title="Samling 2: Innsikt og idéutvikling",
                starts_at=at(middle, 9),
                ends_at=at(middle, 15),
                place="Kunnskapssenteret, Bekkestua",
                agenda="Brukerinnsikt, idéverksted, gevinstkartlegging.",
            ),
            Gathering(
                cohort=cohort,
                kind=Gathering.Kind.CLOSING,
                title="Avslutningssamling med prosjektpresentasjoner",
                starts_at=at(cohort.ends_on, 9),
                ends_at=at(cohort.ends_on, 15),
                place="Sandvika rådhus, Kommunestyresalen",
                agenda="Prosjektpresentasjoner, stjæl og del, kursbevis.",
            ),
        ]
    )


def _seed_participants(enrolments: list[UnitEnrolment], *, index: int, domain: str) -> None:
    user_model = get_user_model()
    unusable_password = make_password(None)
    planned: list[tuple[UnitEnrolment, str, str, str, str, int]] = []
    for enrolment in enrolments:
        # Each team draws from its own stream, so a re-run plans exactly the same people.
        rng = _rng(index, "team", enrolment.cohort.name, enrolment.unit.code)
        team_size = rng.randint(4, 10)
        for seat in range(team_size):
            first = rng.choice(demo_names.FIRST_NAMES)
            last = rng.choice(demo_names.LAST_NAMES)
            email = f"{_ascii(first)}.{_ascii(last)}.{enrolment.unit.code.lower()}{seat}@{domain}"
            role: str = Participant.Role.MANAGER if seat == 0 else Participant.Role.ENTHUSIAST
            planned.append((enrolment, email, first, last, role, seat))

    existing_users = {
        user.email: user
        for user in user_model.objects.filter(email__in=[email for _e, email, *_ in planned])
    }
    user_model.objects.bulk_create(
        [
            user_model(
                username=email,
                email=email,
                first_name=first,
                last_name=last,
                password=unusable_password,  # they would sign in by SSO
            )
            for _enrolment, email, first, last, _role, _seat in planned
            if email not in existing_users
        ],
        batch_size=BATCH,
    )
    users = {
        user.email: user
        for user in user_model.objects.filter(email__in=[email for _e, email, *_ in planned])
    }
    existing = set(
        Participant.objects.filter(enrolment__in=enrolments).values_list("enrolment_id", "user_id")
    )
    new_participants = []
    for enrolment, email, _first, _last, role, seat in planned:
        user = users[email]
        if (enrolment.pk, user.pk) in existing:
            continue
        participant = Participant(enrolment=enrolment, user=user, role=role)
        if enrolment.status == UnitEnrolment.Status.COMPLETED:
            # The manager and the first enthusiast stay, so the unit meets the rule.
            if seat <= 1 or _rng(index, "stays", email).random() < 0.9:
                participant.status = Participant.Status.COMPLETED
                participant.completed_at = enrolment.completed_at
            else:
                participant.status = Participant.Status.WITHDRAWN
        elif enrolment.status == UnitEnrolment.Status.WITHDRAWN:
            participant.status = Participant.Status.WITHDRAWN
        new_participants.append(participant)
    Participant.objects.bulk_create(new_participants, batch_size=BATCH)


def _seed_demo_logins(*, groups: dict[str, Group], password_hash: str, today: dt.date) -> None:
    """The people named in README.md, with the demo password, in the first organisation."""
    user_model = get_user_model()
    programme = Programme.objects.get(slug="lup")
    running = programme.cohorts.filter(starts_on__lte=today).order_by("-starts_on").first()
    people = {}
    for login, (first, last) in zip(
        DEMO_LOGINS,
        [
            ("Astrid", "Admin"),
            ("Hanne", "Rød"),
            ("Frida", "Fasilitator"),
            ("Leif", "Leder"),
            ("Ida", "Ildsjel"),
        ],
        strict=True,
    ):
        user, _ = user_model.objects.get_or_create(
            email=login.email,
            defaults={"username": login.email, "first_name": first, "last_name": last},
        )
        user.password = password_hash
        user.save(update_fields=["password"])
        people[login.email] = user
        _verify_email(user)
    administrator = people["admin@baerum.kommune.no"]
    administrator.is_staff = True
    administrator.save(update_fields=["is_staff"])
    administrator.groups.add(groups[ADMINISTRATORS_GROUP])
    people["hr@baerum.kommune.no"].groups.add(groups[HR_GROUP])
    for email in ("admin@baerum.kommune.no", "hr@baerum.kommune.no"):
        OrganisationMembership.objects.get_or_create(
            organisation=programme.organisation, user=people[email]
        )
    for email in ("admin@baerum.kommune.no", "hr@baerum.kommune.no"):
        _activate_demo_totp(people[email])
    if running is None:
        return
    running.facilitators.add(people["fasilitator@baerum.kommune.no"])
    people["fasilitator@baerum.kommune.no"].groups.add(groups[FACILITATORS_GROUP])
    enrolment = running.enrolments.order_by("unit__code").first()
    if enrolment is None:
        return
    # The demo manager takes over the first team's manager seat; the enthusiast joins it.
    manager = people["leder@baerum.kommune.no"]
    if not enrolment.participants.filter(user=manager).exists():
        enrolment.participants.filter(role=Participant.Role.MANAGER).update(
            role=Participant.Role.ENTHUSIAST
        )
        Participant.objects.create(enrolment=enrolment, user=manager, role=Participant.Role.MANAGER)
    Participant.objects.get_or_create(
        enrolment=enrolment,
        user=people["ildsjel@baerum.kommune.no"],
        defaults={"role": Participant.Role.ENTHUSIAST},
    )


def _verify_email(user: Any) -> None:
    """Mark the demo address verified for django-allauth, when it is installed."""
    from django.apps import apps

    if not apps.is_installed("allauth.account"):
        return
    email_address_model = apps.get_model("account", "EmailAddress")
    email_address_model.objects.update_or_create(
        user=user,
        email=user.email,
        defaults={"verified": True, "primary": True},
    )


def _activate_demo_totp(user: Any) -> None:
    """Give a demo login the published authenticator secret, since its role requires MFA."""
    from django.apps import apps

    if not apps.is_installed("allauth.mfa"):
        return
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists():
        RecoveryCodes.activate(user)


def current_demo_totp_code() -> str:
    """The code an authenticator app would show now for DEMO_TOTP_SECRET."""
    import time

    from allauth.mfa import app_settings as mfa_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))


# The curriculum and the participants' progress ---------------------------------------------


@dataclass
class Curriculum:
    course: Course
    activities: dict[str, Activity]  # by ActivityPlan.key
    assignments: dict[str, Assignment]  # by ActivityPlan.key
    attendance: dict[str, Activity]  # by gathering kind
    modules: list[demo_curriculum.ModulePlan]


def _seed_curriculum() -> Curriculum:
    """The demo course with its modules, activities and assignments (get or create)."""
    course, _ = Course.objects.get_or_create(
        slug=demo_curriculum.COURSE_SLUG,
        defaults={
            "title": demo_curriculum.COURSE_TITLE,
            "description": demo_curriculum.COURSE_DESCRIPTION,
        },
    )
    modules: dict[int, Module] = {}
    activities: dict[str, Activity] = {}
    assignments: dict[str, Assignment] = {}
    attendance: dict[str, Activity] = {}
    for module_plan in demo_curriculum.MODULES:
        module, _ = Module.objects.get_or_create(
            course=course,
            position=module_plan.position,
            defaults={
                "title": module_plan.title,
                "kind": module_plan.kind,
                "summary": module_plan.summary,
                "due_days_after_start": module_plan.due_days,
            },
        )
        modules[module_plan.position] = module
        if module_plan.after:
            module.prerequisites.add(*(modules[position] for position in module_plan.after))
        for position, plan in enumerate(module_plan.activities, start=1):
            activity, _ = Activity.objects.get_or_create(
                module=module,
                position=position,
                defaults={
                    "title": plan.title,
                    "kind": plan.kind,
                    "required": plan.required,
                    "body": plan.body,
                    "url": plan.url,
                },
            )
            activities[plan.key] = activity
            if plan.kind == Activity.Kind.ASSIGNMENT:
                assignments[plan.key], _ = Assignment.objects.get_or_create(
                    activity=activity,
                    defaults={
                        "instructions": plan.instructions,
                        "team": plan.team,
                        "due_days_after_start": module_plan.due_days,
                    },
                )
            if plan.gathering_kind:
                attendance[plan.gathering_kind] = activity
            if plan.h5p and activity.h5p_package_id is None:
                _link_demo_h5p(activity, plan.h5p)
    return Curriculum(
        course=course,
        activities=activities,
        assignments=assignments,
        attendance=attendance,
        modules=demo_curriculum.MODULES,
    )


DEMO_H5P_PACKAGES = {"reflection": reflection_package}


def _link_demo_h5p(activity: Activity, name: str) -> None:
    """Build our own demo package, install it (once: the same bytes find the same package)
    and show it in the activity."""
    package, _created = install_package(
        upload=io.BytesIO(DEMO_H5P_PACKAGES[name]()), uploaded_by=None, allow_new_libraries=True
    )
    activity.h5p_package = package
    activity.save(update_fields=["h5p_package"])


@dataclass
class _Member:
    participant_id: int
    user_id: int
    email: str
    role: str
    status: str


@dataclass
class _Team:
    enrolment_id: int
    status: str
    completed_at: dt.datetime | None
    cohort: Cohort
    unit_code: str
    members: list[_Member]


@dataclass
class _Rows:
    completions: list[ActivityCompletion]
    attendances: list[Attendance]
    submissions: list[tuple[Submission, list[int]]]
    attempts: list[H5PAttempt] = field(default_factory=list)


def _seed_progress(
    index: int, *, programme: Programme, curriculum: Curriculum, today: dt.date
) -> None:
    """Link the programme to the curriculum, and give each participant not yet enrolled in
    the course an enrolment and the progress that fits their cohort and outcome."""
    course = curriculum.course
    if programme.course_id is None:
        programme.course = course
        programme.save(update_fields=["course"])
    CompletionRule.objects.get_or_create(
        programme=programme, defaults={"min_enthusiasts": 1, "min_attendance": 2}
    )
    for kind, activity in curriculum.attendance.items():
        Gathering.objects.filter(
            cohort__programme=programme, kind=kind, activity__isnull=True
        ).update(activity=activity)

    newcomers = (
        Participant.objects.filter(enrolment__cohort__programme=programme)
        .exclude(Exists(Enrolment.objects.filter(course=course, user_id=OuterRef("user_id"))))
        .order_by("enrolment__unit__code", "pk")
        .values_list(
            "pk",
            "user_id",
            "user__email",
            "role",
            "status",
            "enrolment_id",
            "enrolment__status",
            "enrolment__completed_at",
            "enrolment__cohort_id",
            "enrolment__unit__code",
        )
    )
    cohorts = {cohort.pk: cohort for cohort in programme.cohorts.all()}
    teams: dict[int, _Team] = {}
    for (
        participant_id,
        user_id,
        email,
        role,
        status,
        enrolment_id,
        enrolment_status,
        completed_at,
        cohort_id,
        unit_code,
    ) in newcomers:
        team = teams.get(enrolment_id)
        if team is None:
            team = teams[enrolment_id] = _Team(
                enrolment_id, enrolment_status, completed_at, cohorts[cohort_id], unit_code, []
            )
        team.members.append(_Member(participant_id, user_id, email, role, status))
    if not teams:
        return

    Enrolment.objects.bulk_create(
        [
            Enrolment(course=course, user_id=member.user_id, starts_on=team.cohort.starts_on)
            for team in teams.values()
            for member in team.members
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    gatherings = {
        (gathering.cohort_id, gathering.kind): gathering
        for gathering in Gathering.objects.filter(cohort__programme=programme)
    }
    facilitator = (
        get_user_model().objects.filter(email="fasilitator@baerum.kommune.no").first()
        if index == 0
        else None
    )
    running_teams = sorted(
        (team for team in teams.values() if team.cohort.phase_on(today) == "current"),
        key=lambda team: team.unit_code,
    )
    returned_team = running_teams[0].enrolment_id if running_teams else None
    now = timezone.now()
    rows = _Rows([], [], [])
    for team in teams.values():
        _plan_team(
            team,
            index=index,
            curriculum=curriculum,
            gatherings=gatherings,
            today=today,
            now=now,
            returned=team.enrolment_id == returned_team,
            reviewer=facilitator if team.cohort.phase_on(today) == "current" else None,
            rows=rows,
        )
    ActivityCompletion.objects.bulk_create(
        rows.completions, batch_size=BATCH, ignore_conflicts=True
    )
    Attendance.objects.bulk_create(rows.attendances, batch_size=BATCH, ignore_conflicts=True)
    H5PAttempt.objects.bulk_create(rows.attempts, batch_size=BATCH, ignore_conflicts=True)
    _create_submissions(rows.submissions)


def _create_submissions(planned: list[tuple[Submission, list[int]]]) -> None:
    """Team answers and the members they cover; a team's existing answers are kept."""
    if not planned:
        return
    keys = {submission.group_key for submission, _members in planned}
    existing = set(
        Submission.objects.filter(group_key__in=keys).values_list("assignment_id", "group_key")
    )
    new = [
        (submission, members)
        for submission, members in planned
        if (submission.assignment_id, submission.group_key) not in existing
    ]
    Submission.objects.bulk_create([submission for submission, _members in new], batch_size=BATCH)
    ids = {
        (assignment_id, group_key): pk
        for pk, assignment_id, group_key in Submission.objects.filter(
            group_key__in=keys
        ).values_list("pk", "assignment_id", "group_key")
    }
    through = Submission.members.through
    through.objects.bulk_create(
        [
            through(
                submission_id=ids[(submission.assignment_id, submission.group_key)],
                user_id=user_id,
            )
            for submission, members in new
            for user_id in members
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def _at(day: dt.date, hour: int, minutes: int = 0) -> dt.datetime:
    """`minutes` after `hour` o'clock on `day`, in Oslo."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=OSLO) + dt.timedelta(minutes=minutes)


def _plan_team(
    team: _Team,
    *,
    index: int,
    curriculum: Curriculum,
    gatherings: dict[tuple[int, str], Gathering],
    today: dt.date,
    now: dt.datetime,
    returned: bool,
    reviewer: Any,
    rows: _Rows,
) -> None:
    """Plan one team's completions, attendances and answers (appended to `rows`)."""
    cohort = team.cohort
    phase = cohort.phase_on(today)
    if phase == "future":
        return
    rng = _rng(index, "progress", cohort.name, team.unit_code)
    modules = curriculum.modules
    elapsed = (today - cohort.starts_on).days
    expected = sum(1 for module in modules if module.due_days < elapsed)
    if team.status == UnitEnrolment.Status.COMPLETED:
        level = len(modules)
    elif team.status == UnitEnrolment.Status.WITHDRAWN:
        level = rng.choice([0, 0, 1])
    elif phase == "past":  # still enrolled after the closing: did not finish
        level = rng.choice([3, 4])
    elif returned:
        level = 1  # the demo team: its user journey came back with feedback
    else:
        level = expected + rng.choices([-2, -1, 0, 1], weights=[2, 4, 4, 1])[0]
    if phase == "current":
        level = max(0, min(level, len(modules) - 1))  # the closing is still ahead

    def when(module_position: int, early_days: int) -> dt.datetime:
        due = cohort.starts_on + dt.timedelta(days=modules[module_position - 1].due_days)
        moment = _at(due - dt.timedelta(days=early_days), 8, rng.randint(0, 600))
        if phase != "past" and moment > now:
            moment = now - dt.timedelta(hours=rng.randint(1, 48))
        return moment

    current = [member for member in team.members if member.status != Participant.Status.WITHDRAWN]
    submitter = next(
        (member for member in current if member.role == Participant.Role.MANAGER),
        current[0] if current else None,
    )
    # Team answers: approved for the modules the team has done; the next one may wait.
    for module in modules:
        for plan in module.activities:
            if plan.kind != Activity.Kind.ASSIGNMENT or submitter is None:
                continue
            assignment = curriculum.assignments[plan.key]
            if module.position <= level:
                status = Submission.Status.APPROVED
            elif returned and module.position == level + 1:
                status = Submission.Status.RETURNED
            elif (
                phase == "current"
                and module.position == level + 1
                and rng.random() < 0.6
                and team.status == UnitEnrolment.Status.ENROLLED
            ):
                status = Submission.Status.SUBMITTED
            else:
                continue
            submitted_at = when(module.position, rng.randint(3, 12))
            reviewed = status != Submission.Status.SUBMITTED
            reviewed_at = min(submitted_at + dt.timedelta(days=2), now - dt.timedelta(minutes=30))
            due = _at(cohort.starts_on + dt.timedelta(days=module.due_days), 23, 59)
            rows.submissions.append(
                (
                    Submission(
                        assignment=assignment,
                        submitted_by_id=submitter.user_id,
                        group_key=f"{TEAM_PREFIX}{team.enrolment_id}",
                        attempt=1,
                        text=demo_curriculum.ANSWERS[plan.key],
                        submitted_at=submitted_at,
                        late=submitted_at > due,
                        status=status,
                        feedback=(
                            demo_curriculum.RETURNED_FEEDBACK
                            if status == Submission.Status.RETURNED
                            else demo_curriculum.APPROVED_FEEDBACK[plan.key]
                            if reviewed
                            else ""
                        ),
                        reviewed_by=reviewer if reviewed else None,
                        reviewed_at=reviewed_at if reviewed else None,
                    ),
                    [member.user_id for member in current],
                )
            )
            if status == Submission.Status.APPROVED:
                rows.completions.extend(
                    ActivityCompletion(
                        activity=assignment.activity,
                        user_id=member.user_id,
                        completed_at=reviewed_at,
                        source=ActivityCompletion.Source.SUBMISSION_APPROVED,
                    )
                    for member in current
                )

    for member in team.members:
        member_rng = _rng(index, "member", member.email)
        completed = member.status == Participant.Status.COMPLETED
        if member.status == Participant.Status.WITHDRAWN:
            member_level = min(level, member_rng.choice([0, 1]))
        elif phase == "current" and member.role == Participant.Role.ENTHUSIAST:
            member_level = max(0, level - (member_rng.random() < 0.07))
        else:
            member_level = level
        # Attendance: the completed were at the opening and the closing.
        for kind, activity in curriculum.attendance.items():
            gathering = gatherings.get((cohort.pk, kind))
            if gathering is None or gathering.starts_at > now:
                continue
            if kind == Gathering.Kind.OPENING:
                present = completed or member_rng.random() < (
                    0.8 if member.status == Participant.Status.WITHDRAWN else 0.98
                )
            elif kind == Gathering.Kind.CLOSING:
                present = completed
            else:
                present = member.status != Participant.Status.WITHDRAWN and (
                    member_rng.random() < (0.9 if completed else 0.8)
                )
            if not present:
                continue
            recorded_at = gathering.starts_at + dt.timedelta(minutes=member_rng.randint(5, 40))
            rows.attendances.append(
                Attendance(
                    gathering=gathering,
                    participant_id=member.participant_id,
                    method=Attendance.Method.FACILITATOR,
                    recorded_at=recorded_at,
                )
            )
            rows.completions.append(
                ActivityCompletion(
                    activity=activity,
                    user_id=member.user_id,
                    completed_at=recorded_at,
                    source=ActivityCompletion.Source.ATTENDANCE,
                )
            )
        # Pages and links: every module up to the member's level, and a start on the next.
        for module in modules:
            started_next = module.position == member_level + 1 and member_rng.random() < 0.5
            if module.position > member_level and not started_next:
                continue
            for plan in module.activities:
                if plan.kind not in (Activity.Kind.PAGE, Activity.Kind.LINK, Activity.Kind.H5P):
                    continue
                if not plan.required and member_rng.random() < 0.4:
                    continue
                moment = when(module.position, member_rng.randint(1, 14))
                if completed and module.position == len(modules):
                    moment = (team.completed_at or moment) - dt.timedelta(hours=1)
                h5p = plan.kind == Activity.Kind.H5P
                rows.completions.append(
                    ActivityCompletion(
                        activity=curriculum.activities[plan.key],
                        user_id=member.user_id,
                        completed_at=moment,
                        source=(
                            ActivityCompletion.Source.H5P
                            if h5p
                            else ActivityCompletion.Source.MARKED_DONE
                        ),
                    )
                )
                if h5p:
                    # The reflection scores 1 point, and 1 more for a right self-check.
                    raw = member_rng.choice([1, 2, 2, 2])
                    rows.attempts.append(
                        H5PAttempt(
                            activity=curriculum.activities[plan.key],
                            user_id=member.user_id,
                            statements=member_rng.randint(4, 9),
                            best_score_raw=raw,
                            best_score_max=2,
                            best_score_scaled=raw / 2,
                            last_statement_at=moment,
                        )
                    )
                if started_next:
                    break  # only the first page of the module begun
