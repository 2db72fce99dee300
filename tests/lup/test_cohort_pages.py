"""Following a cohort: the facilitators' grid of units × modules with its review queue, the
manager's view of their team's progress, and the demo curriculum behind them."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import (
    Activity,
    ActivityCompletion,
    Assignment,
    Course,
    Enrolment,
    Module,
    Submission,
)
from lup.demo.seed import seed_demo
from lup.models import (
    Attendance,
    CompletionRule,
    Gathering,
    Participant,
    Programme,
    UnitEnrolment,
)
from lup.progress import DONE, IN_PROGRESS, NOT_STARTED
from tests.factories import (
    CohortFactory,
    ParticipantFactory,
    SectorFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)
from tests.roles import ROLES, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def grid_url(cohort) -> str:
    return reverse("lup:cohort-grid", kwargs={"pk": cohort.pk})


def build_curriculum(cohort, *, modules: int, first_due: int = 14, step: int = 60) -> list[Module]:
    """`modules` modules of two required pages and an optional link; the last one also has
    a team assignment. Module 1 is due `first_due` days after the start, the next `step` later."""
    course = Course.objects.create(title="Innovasjon", slug=f"innovasjon-{cohort.pk}")
    programme = cohort.programme
    programme.course = course
    programme.save(update_fields=["course"])
    created = []
    for position in range(1, modules + 1):
        module = Module.objects.create(
            course=course,
            position=position,
            title=f"Modul {position}",
            due_days_after_start=first_due + step * (position - 1),
        )
        for number in (1, 2):
            Activity.objects.create(
                module=module, position=number, title=f"Side {position}.{number}", kind="page"
            )
        Activity.objects.create(
            module=module,
            position=3,
            title="Les mer",
            kind="link",
            url="https://ks.no",
            required=False,
        )
        created.append(module)
    task = Activity.objects.create(
        module=created[-1], position=4, title="Brukerreise", kind="assignment"
    )
    Assignment.objects.create(activity=task, instructions="Lag en brukerreise.", team=True)
    return created


def team(enrolment, size: int = 2) -> list:
    members = [ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER)]
    members += [ParticipantFactory(enrolment=enrolment) for _ in range(size - 1)]
    return members


def complete(user, *activities) -> None:
    ActivityCompletion.objects.bulk_create(
        ActivityCompletion(activity=activity, user=user, source="marked_done")
        for activity in activities
    )


def submit(assignment, participant, *, status="submitted") -> Submission:
    return Submission.objects.create(
        assignment=assignment,
        submitted_by=participant.user,
        group_key=f"enrolment-{participant.enrolment_id}",
        attempt=1,
        text="Vår brukerreise",
        status=status,
    )


@pytest.fixture
def world():
    """A cohort 30 days in: module 1 was due on day 14, module 2 is due on day 74.

    A (school) has finished module 1 and started module 2; B (kindergarten) has not
    started; C has completed the programme; D has withdrawn.
    """
    today = timezone.localdate()
    cohort = CohortFactory(
        starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=150)
    )
    organisation = cohort.programme.organisation
    modules = build_curriculum(cohort, modules=2)
    school = SectorFactory(organisation=organisation, name="Skole")
    kindergarten = SectorFactory(organisation=organisation, name="Barnehage")

    def enrol(name, sector, **kwargs):
        unit = ServiceUnitFactory(organisation=organisation, sector=sector, name=name)
        return UnitEnrolmentFactory(cohort=cohort, unit=unit, **kwargs)

    a = enrol("A-skolen", school)
    b = enrol("B-barnehagen", kindergarten)
    c = enrol("C-skolen", school, status="completed", completed_at=timezone.now())
    d = enrol("D-barnehagen", kindergarten, status="withdrawn")
    team_a, team_b = team(a), team(b, size=3)
    team(c)
    team(d)
    m1 = list(modules[0].activities.filter(required=True))
    m2_first = modules[1].activities.get(position=1)
    for member in team_a:
        complete(member.user, *m1)
    complete(team_a[0].user, m2_first)
    facilitator = UserFactory(email="fasilitator@example.no")
    cohort.facilitators.add(facilitator)
    assignment = Assignment.objects.get(activity__module=modules[-1])
    return {
        "cohort": cohort,
        "a": a,
        "b": b,
        "c": c,
        "d": d,
        "team_a": team_a,
        "team_b": team_b,
        "facilitator": facilitator,
        "assignment": assignment,
        "school": school,
    }


def rows_by_unit(response) -> dict[str, list]:
    return {row.enrolment.unit.name: row for row in response.context["grid"].rows}


def test_grid_shows_each_team_per_module(client, world):
    client.force_login(world["facilitator"])

    response = client.get(grid_url(world["cohort"]))

    assert response.status_code == 200
    rows = rows_by_unit(response)
    assert set(rows) == {"A-skolen", "B-barnehagen", "C-skolen"}  # the withdrawn unit is left out
    a, b = rows["A-skolen"], rows["B-barnehagen"]
    assert [cell.status for cell in a.cells] == [DONE, IN_PROGRESS]
    assert [(cell.finished, cell.members) for cell in a.cells] == [(2, 2), (0, 2)]
    assert [cell.status for cell in b.cells] == [NOT_STARTED, NOT_STARTED]
    assert [cell.behind for cell in b.cells] == [True, False]  # module 1 is past due
    assert not a.behind
    assert not rows["C-skolen"].behind
    html = response.content.decode()
    assert "2/2" in html
    assert "! 0/3" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?behind=1", {"B-barnehagen"}),
        ("?status=completed", {"C-skolen"}),
        ("?status=withdrawn", {"D-barnehagen"}),
        ("?status=enrolled", {"A-skolen", "B-barnehagen"}),
        ("?sector=nonsense&status=nonsense", {"A-skolen", "B-barnehagen", "C-skolen"}),
    ],
)
def test_grid_filters(client, world, query, expected):
    client.force_login(world["facilitator"])

    response = client.get(grid_url(world["cohort"]) + query)

    assert set(rows_by_unit(response)) == expected


def test_grid_filters_by_sector(client, world):
    client.force_login(world["facilitator"])

    response = client.get(grid_url(world["cohort"]) + f"?sector={world['school'].pk}")

    assert set(rows_by_unit(response)) == {"A-skolen", "C-skolen"}
    assert response.context["grid"].units_total == 3


def test_review_queue_lists_this_cohorts_answers_waiting_for_review(client, world):
    waiting = submit(world["assignment"], world["team_a"][1])
    submit(world["assignment"], world["team_b"][0], status="approved")
    elsewhere = ParticipantFactory(enrolment=UnitEnrolmentFactory(cohort=CohortFactory()))
    submit(world["assignment"], elsewhere)
    client.force_login(world["facilitator"])

    response = client.get(grid_url(world["cohort"]))

    queue = response.context["grid"].review_queue
    assert [item.submission for item in queue] == [waiting]
    assert queue[0].enrolment == world["a"]
    review = reverse("courses:submission-review", kwargs={"submission_id": waiting.public_id})
    assert f'href="{review}"' in response.content.decode()


def test_review_links_are_for_those_who_may_review(client, world):
    """The organisation's administrators see the queue; facilitators review (the adapter)."""
    from lup.models import OrganisationMembership
    from tests.conftest import administrator_permissions

    waiting = submit(world["assignment"], world["team_a"][1])
    administrator = UserFactory(email="admin@example.no")
    administrator.user_permissions.add(*administrator_permissions())
    OrganisationMembership.objects.create(
        organisation=world["cohort"].programme.organisation, user=administrator
    )
    client.force_login(administrator)

    response = client.get(grid_url(world["cohort"]))

    assert [item.submission for item in response.context["grid"].review_queue] == [waiting]
    review = reverse("courses:submission-review", kwargs={"submission_id": waiting.public_id})
    assert review not in response.content.decode()
    client.force_login(world["facilitator"])
    assert client.get(review).status_code == 200


def test_grid_without_a_curriculum_says_so(client, world):
    programme = world["cohort"].programme
    programme.course = None
    programme.save(update_fields=["course"])
    client.force_login(world["facilitator"])

    response = client.get(grid_url(world["cohort"]))

    assert response.status_code == 200
    assert "no curriculum yet" in response.content.decode()


def build_sized_cohort(*, units: int, modules: int) -> tuple:
    cohort = CohortFactory(
        starts_on=timezone.localdate() - dt.timedelta(days=100),
        ends_on=timezone.localdate() + dt.timedelta(days=80),
    )
    created = build_curriculum(cohort, modules=modules, step=20)
    pages = list(Activity.objects.filter(module__in=created, required=True).order_by("pk"))
    assignment = Assignment.objects.get(activity__module=created[-1])
    sectors = [SectorFactory(organisation=cohort.programme.organisation) for _ in range(3)]
    for number in range(units):
        enrolment = UnitEnrolmentFactory(
            cohort=cohort,
            unit=ServiceUnitFactory(
                organisation=cohort.programme.organisation, sector=sectors[number % 3]
            ),
        )
        members = team(enrolment, size=3)
        for position, member in enumerate(members):
            complete(member.user, *pages[: (number + position) % len(pages)])
        submit(assignment, members[0])
    facilitator = UserFactory()
    cohort.facilitators.add(facilitator)
    return cohort, facilitator


def test_grid_runs_the_same_number_of_queries_whatever_the_size(client, django_assert_num_queries):
    small, small_facilitator = build_sized_cohort(units=4, modules=2)
    large, large_facilitator = build_sized_cohort(units=40, modules=8)
    client.force_login(small_facilitator)
    client.get(grid_url(small))  # warm the session
    reset_queries()  # a full query log would hide what is captured
    with CaptureQueriesContext(connection) as small_queries:
        small_response = client.get(grid_url(small))
    small_count = len(small_queries)  # now: later requests reset the log
    client.force_login(large_facilitator)
    client.get(grid_url(large))
    reset_queries()

    with django_assert_num_queries(small_count):
        large_response = client.get(grid_url(large))

    assert small_count <= 15
    assert len(small_response.context["grid"].rows) == 4
    assert len(large_response.context["grid"].rows) == 40
    assert len(large_response.context["grid"].columns) == 8
    assert len(large_response.context["grid"].review_queue) == 40


# Who may see the grid ------------------------------------------------------------------------

GRID_ACCESS = {
    "anonymous": 302,
    "enthusiast": 403,
    "manager": 403,
    "facilitator": 200,
    "hr": 200,
    "administrator": 200,
    "other_administrator": 404,
    "superuser": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_grid_is_for_facilitators_and_the_organisations_staff(client, role):
    world = build_world()
    person = world.people[role]
    if person is not None:
        client.force_login(person)

    response = client.get(grid_url(world.cohort_a))

    assert response.status_code == GRID_ACCESS[role]


def test_another_cohorts_facilitator_does_not_see_the_grid(client):
    world = build_world()
    client.force_login(world.people["facilitator"])

    assert client.get(grid_url(world.cohort_b)).status_code == 404


def cohort_page(client, person, cohort) -> str:
    client.force_login(person)
    return client.get(reverse("lup:cohort-detail", kwargs={"pk": cohort.pk})).content.decode()


def test_cohort_page_links_to_the_grid_attendance_and_qr_for_those_who_run_it(client):
    world = build_world()
    gathering = Gathering.objects.create(
        cohort=world.cohort_a,
        kind=Gathering.Kind.OPENING,
        title="Åpning",
        starts_at=timezone.now(),
        ends_at=timezone.now() + dt.timedelta(hours=6),
    )
    grid = grid_url(world.cohort_a)
    attendance = reverse("lup:gathering-attendance", kwargs={"pk": gathering.pk})
    qr = reverse("lup:gathering-qr", kwargs={"pk": gathering.pk})

    for role in ("facilitator", "administrator"):
        html = cohort_page(client, world.people[role], world.cohort_a)
        assert grid in html, role
        assert attendance in html, role
        assert qr in html, role
    html = cohort_page(client, world.people["hr"], world.cohort_a)
    assert grid in html
    assert attendance not in html
    html = cohort_page(client, world.people["enthusiast"], world.cohort_a)
    assert grid not in html
    assert attendance not in html
    assert qr not in html


# The manager's team page ---------------------------------------------------------------------


def team_url(enrolment) -> str:
    return reverse("lup:team-detail", kwargs={"pk": enrolment.pk})


def test_manager_sees_the_team_by_module_and_who_is_behind(client, world):
    manager, enthusiast = world["team_b"][0], world["team_b"][1]
    m1 = list(
        Activity.objects.filter(
            module__course=world["cohort"].programme.course, module__position=1, required=True
        )
    )
    complete(manager.user, *m1)
    complete(enthusiast.user, m1[0])
    client.force_login(manager.user)

    response = client.get(team_url(world["b"]))

    progress = response.context["progress"]
    assert [column.title for column in progress.columns] == ["Modul 1", "Modul 2"]
    statuses = {row.participant: [cell.status for cell in row.cells] for row in progress.rows}
    assert statuses[manager] == [DONE, NOT_STARTED]
    assert statuses[enthusiast] == [IN_PROGRESS, NOT_STARTED]
    behind = {row.participant for row in progress.behind}
    assert behind == set(world["team_b"][1:])  # everyone but the manager missed module 1
    html = response.content.decode()
    assert 'id="team-progress"' in html
    assert 'id="team-behind"' in html
    assert enthusiast.user.get_full_name() in html


def test_team_page_runs_the_same_number_of_queries_whatever_the_size(
    client, django_assert_num_queries
):
    small, small_facilitator = build_sized_cohort(units=1, modules=2)
    large, large_facilitator = build_sized_cohort(units=1, modules=8)
    large_team = large.enrolments.get()
    for _ in range(6):
        ParticipantFactory(enrolment=large_team)
    client.force_login(small_facilitator)
    small_url = team_url(small.enrolments.get())
    client.get(small_url)
    reset_queries()
    with CaptureQueriesContext(connection) as small_queries:
        client.get(small_url)
    small_count = len(small_queries)
    client.force_login(large_facilitator)
    client.get(team_url(large_team))
    reset_queries()

    with django_assert_num_queries(small_count):
        response = client.get(team_url(large_team))

    assert len(response.context["progress"].rows) == 9


# The demo curriculum -------------------------------------------------------------------------


def curriculum_counts() -> tuple[int, ...]:
    return (
        Course.objects.count(),
        Module.objects.count(),
        Activity.objects.count(),
        Enrolment.objects.count(),
        ActivityCompletion.objects.count(),
        Attendance.objects.count(),
        Submission.objects.count(),
        Submission.members.through.objects.count(),
        CompletionRule.objects.count(),
    )


@pytest.fixture
def demo():
    seed_demo(scale=1)
    return Programme.objects.get(slug="lup")


def test_demo_curriculum_is_linked_and_seeding_again_creates_nothing(demo):
    first = curriculum_counts()
    seed_demo(scale=1)

    assert curriculum_counts() == first
    course = demo.course
    assert course.title == "LUP – innovasjon i teori og praksis"
    assert course.modules.count() == 6
    assert set(course.modules.values_list("kind", flat=True)) == {"theory", "practice"}
    kinds = set(Activity.objects.filter(module__course=course).values_list("kind", flat=True))
    assert {"page", "link", "assignment", "attendance"} <= kinds
    assert set(
        Assignment.objects.filter(activity__module__course=course).values_list(
            "activity__title", "team"
        )
    ) == {("Brukerreise", True), ("Teamcanvas", True)}
    rule = demo.completion_rule
    assert (rule.min_enthusiasts, rule.min_attendance) == (1, 2)
    assert not Gathering.objects.filter(cohort__programme=demo, activity__isnull=True).exists()
    participants = Participant.objects.filter(enrolment__cohort__programme=demo)
    assert Enrolment.objects.filter(course=course).count() == participants.count()


def test_demo_completion_statuses_agree_with_the_rule(demo):
    required = set(
        Activity.objects.filter(module__course=demo.course, required=True).values_list(
            "pk", flat=True
        )
    )
    done: dict[int, set[int]] = {}
    for user_id, activity_id in ActivityCompletion.objects.values_list("user_id", "activity_id"):
        done.setdefault(user_id, set()).add(activity_id)
    attended = Counter(Attendance.objects.values_list("participant_id", flat=True))
    participants = list(
        Participant.objects.filter(enrolment__cohort__programme=demo).select_related("enrolment")
    )

    for participant in participants:
        meets_rule = required <= done.get(participant.user_id, set()) and (
            attended[participant.pk] >= 2
        )
        assert meets_rule == (participant.status == Participant.Status.COMPLETED), participant
    completed_units = {
        participant.enrolment_id
        for participant in participants
        if participant.enrolment.status == UnitEnrolment.Status.COMPLETED
    }
    assert completed_units
    for enrolment_id in completed_units:
        roles = Counter(
            p.role
            for p in participants
            if p.enrolment_id == enrolment_id and p.status == Participant.Status.COMPLETED
        )
        assert roles["manager"] == 1
        assert roles["enthusiast"] >= 1


def test_demo_running_cohort_is_part_of_the_way_and_the_upcoming_has_not_started(client, demo):
    today = timezone.localdate()
    cohorts = {cohort.phase_on(today): cohort for cohort in demo.cohorts.all()}
    running, upcoming = cohorts["current"], cohorts["future"]
    facilitator = running.facilitators.get(email="fasilitator@baerum.kommune.no")
    client.force_login(facilitator)

    grid = client.get(grid_url(running)).context["grid"]

    assert grid.review_queue, "answers should be waiting for review"
    statuses = Counter(cell.status for row in grid.rows for cell in row.cells)
    assert statuses[DONE]
    assert statuses[IN_PROGRESS]
    assert statuses[NOT_STARTED]
    assert grid.units_behind >= 1
    returned = Submission.objects.get(status=Submission.Status.RETURNED)
    assert returned.feedback
    assert returned.submitted_by.email == "leder@baerum.kommune.no"
    upcoming_people = Participant.objects.filter(enrolment__cohort=upcoming).values("user_id")
    assert not ActivityCompletion.objects.filter(user_id__in=upcoming_people).exists()
    assert not Attendance.objects.filter(gathering__cohort=upcoming).exists()
    assert not Participant.objects.filter(
        enrolment__cohort=running, status=Participant.Status.COMPLETED
    ).exists()
