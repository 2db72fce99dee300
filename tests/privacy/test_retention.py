"""Retention: what outlived each organisation's period goes (rows, files, old audit events,
expired archives), what the figures and certificates stand on stays, the purge is audited
with counts only; the page, the API and the admin where administrators set the periods."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import (
    Activity,
    ActivityCompletion,
    Assignment,
    Course,
    Enrolment,
    H5PAttempt,
    H5PContentUserData,
    Module,
    Submission,
    XAPIStatement,
)
from lup import audit, scoping
from lup.models import (
    Attendance,
    AuditEvent,
    Cohort,
    Gathering,
    Organisation,
    OrganisationMembership,
    Participant,
)
from lup.notifications.models import Notification
from lup.privacy import retention
from lup.privacy.categories import RetainedCategory
from lup.privacy.models import PersonalDataExport, RetentionPeriod
from lup.privacy.register import LAST_COHORT_END
from lup.privacy.storage import archive_storage
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CHANGE = "lup.change_retentionperiod"


def local(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


# The world: Asker keeps learning records 12 months, Bærum the default 60. Each has a
# cohort that ended on 31 January 2026 and was closed the next day at noon.
COHORT_END = dt.date(2026, 1, 31)
CLOSED_AT = (2026, 2, 1, 12, 0)


@dataclass
class Place:
    organisation: Organisation
    cohort: Cohort
    course: Course
    page: Activity
    gathering: Gathering
    assignment: Assignment


def place(name: str, slug: str) -> Place:
    organisation = OrganisationFactory.create(name=name, slug=slug)
    programme = ProgrammeFactory.create(organisation=organisation, slug=f"lup-{slug}")
    cohort = CohortFactory.create(
        programme=programme,
        starts_on=dt.date(2025, 8, 1),
        ends_on=COHORT_END,
        closed_at=local(*CLOSED_AT),
    )
    course = Course.objects.create(title=f"LUP {name}", slug=f"lup-{slug}")
    module = Module.objects.create(course=course, position=1, title="Teori")
    page = Activity.objects.create(module=module, position=1, title="Side", kind="page")
    task = Activity.objects.create(module=module, position=2, title="Oppgave", kind="assignment")
    assignment = Assignment.objects.create(activity=task, instructions="Skriv.", team=False)
    gathering = Gathering.objects.create(
        cohort=cohort,
        title="Samling",
        starts_at=local(2025, 9, 1, 9),
        ends_at=local(2025, 9, 1, 15),
    )
    return Place(organisation, cohort, course, page, gathering, assignment)


@pytest.fixture
def asker() -> Place:
    found = place("Asker kommune", "asker")
    RetentionPeriod.objects.create(
        organisation=found.organisation, category="learning_records", months=12
    )
    return found


@pytest.fixture
def baerum() -> Place:
    return place("Bærum kommune", "baerum")


def learner(at: Place, cohort: Cohort | None = None, *, statement_at: dt.datetime | None = None):
    """A person on a team in `cohort` (default: the place's) with one of each learning
    record, and an xAPI statement received on 10 March 2025 (or `statement_at`)."""
    enrolment = UnitEnrolmentFactory.create(
        cohort=cohort or at.cohort,
        unit=ServiceUnitFactory.create(organisation=at.organisation),
    )
    participant = ParticipantFactory.create(enrolment=enrolment)
    user = participant.user
    records(user, at, statement_at=statement_at)
    gathering = at.gathering
    if enrolment.cohort != at.cohort:
        gathering = Gathering.objects.create(
            cohort=enrolment.cohort,
            title="Samling",
            starts_at=timezone.make_aware(
                dt.datetime.combine(enrolment.cohort.starts_on, dt.time(9))
            ),
            ends_at=timezone.make_aware(
                dt.datetime.combine(enrolment.cohort.starts_on, dt.time(15))
            ),
        )
    Attendance.objects.create(gathering=gathering, participant=participant, method="facilitator")
    return user


def records(user: Any, at: Place, *, statement_at: dt.datetime | None = None) -> None:
    """One of each course record, dated in autumn 2025."""
    Enrolment.objects.create(course=at.course, user=user, starts_on=dt.date(2025, 8, 1))
    ActivityCompletion.objects.create(
        activity=at.page, user=user, source="marked_done", completed_at=local(2025, 9, 1, 12)
    )
    H5PContentUserData.objects.create(user=user, activity=at.page, data="{}")
    H5PAttempt.objects.create(
        user=user, activity=at.page, statements=1, last_statement_at=local(2025, 9, 1, 12)
    )
    H5PContentUserData.objects.filter(user=user).update(updated_at=local(2025, 9, 1, 12))
    XAPIStatement.objects.create(
        user=user,
        activity=at.page,
        verb="http://adlnet.gov/expapi/verbs/answered",
        received_at=statement_at or local(2025, 3, 10, 12),
        raw={},
    )


LEARNING_MODELS = [Enrolment, ActivityCompletion, H5PContentUserData, H5PAttempt]


def learning_rows(user: Any) -> dict[str, int]:
    counts = {model.__name__: model.objects.filter(user=user).count() for model in LEARNING_MODELS}
    counts["Attendance"] = Attendance.objects.filter(participant__user=user).count()
    return counts


ALL = dict.fromkeys(["Enrolment", "ActivityCompletion", "H5PContentUserData"], 1) | {
    "H5PAttempt": 1,
    "Attendance": 1,
}
NONE = dict.fromkeys(ALL, 0)


# Learning records --------------------------------------------------------------------------


def test_learning_records_go_a_period_after_the_last_cohort_ends_and_closes(asker, baerum):
    in_asker, in_baerum = learner(asker), learner(baerum)

    # Asker: 12 months after the cohort closed (1 February 2026), to the day.
    retention.purge_personal_data(now=local(2027, 2, 1, 23, 0))
    assert learning_rows(in_asker) == ALL
    retention.purge_personal_data(now=local(2027, 2, 2, 1, 0))
    assert learning_rows(in_asker) == NONE
    assert learning_rows(in_baerum) == ALL  # Bærum keeps them 60 months

    retention.purge_personal_data(now=local(2031, 2, 1, 23, 0))
    assert learning_rows(in_baerum) == ALL
    retention.purge_personal_data(now=local(2031, 2, 2, 1, 0))
    assert learning_rows(in_baerum) == NONE
    # The participation stays: the team, its status and completion are not learning records.
    assert Participant.objects.filter(user__in=[in_asker, in_baerum]).count() == 2


def test_a_person_in_a_later_cohort_keeps_every_learning_record(asker):
    returning = learner(asker)
    later = CohortFactory.create(
        programme=asker.cohort.programme,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 6, 30),
        closed_at=local(2027, 7, 1, 12),
    )
    ParticipantFactory.create(
        user=returning,
        enrolment=UnitEnrolmentFactory.create(
            cohort=later, unit=ServiceUnitFactory.create(organisation=asker.organisation)
        ),
    )

    retention.purge_personal_data(now=local(2028, 6, 30, 12))
    assert learning_rows(returning) == ALL  # the later cohort closed under 12 months ago

    retention.purge_personal_data(now=local(2028, 7, 2, 12))
    assert learning_rows(returning) == NONE


def test_an_ended_cohort_that_is_not_closed_keeps_its_peoples_records_and_says_so(asker):
    waiting = learner(asker)
    Cohort.objects.filter(pk=asker.cohort.pk).update(closed_at=None)

    report = retention.purge_personal_data(now=local(2030, 1, 1, 12))

    assert learning_rows(waiting) == ALL
    [part] = [p for p in report.organisations if p.organisation_id == asker.organisation.pk]
    assert part.waiting_for_closing == 1
    assert "courses.ActivityCompletion" not in part.removed


def test_someone_joining_a_cohort_during_the_purge_keeps_their_records(asker, monkeypatch):
    """The purge decides from a snapshot of who is in which cohort, and checks again in the
    delete itself: a person put on a team meanwhile keeps everything."""
    joining = learner(asker)
    people = retention._people

    def snapshot_then_join() -> Any:
        found = people()
        later = CohortFactory.create(
            programme=asker.cohort.programme,
            starts_on=dt.date(2029, 1, 1),
            ends_on=dt.date(2029, 6, 30),
        )
        ParticipantFactory.create(
            user=joining,
            enrolment=UnitEnrolmentFactory.create(
                cohort=later, unit=ServiceUnitFactory.create(organisation=asker.organisation)
            ),
        )
        return found

    monkeypatch.setattr(retention, "_people", snapshot_then_join)
    retention.purge_personal_data(now=local(2028, 12, 1, 12))

    assert learning_rows(joining) == ALL


def test_people_without_a_team_run_from_the_rows_own_dates(asker):
    # An administrator of Asker who tried the course: Asker's 12 months from each row's date.
    tried = UserFactory.create()
    OrganisationMembership.objects.create(organisation=asker.organisation, user=tried)
    records(tried, asker)
    # Nobody's: the installation's defaults (60 months) from each row's own date.
    nobody = UserFactory.create()
    records(nobody, asker)
    H5PAttempt.objects.filter(user=nobody).update(last_statement_at=None)

    retention.purge_personal_data(now=local(2026, 7, 31, 12))
    assert learning_rows(tried) == ALL | {"Attendance": 0}
    retention.purge_personal_data(now=local(2026, 8, 15, 12))
    # The course enrolment started on 1 August 2025; the rest is from 1 September.
    assert learning_rows(tried) == ALL | {"Attendance": 0, "Enrolment": 0}
    retention.purge_personal_data(now=local(2026, 9, 2, 12))
    assert learning_rows(tried) == NONE
    assert learning_rows(nobody)["ActivityCompletion"] == 1

    retention.purge_personal_data(now=local(2030, 9, 2, 12))
    # Everything dated 60 months ago goes; an attempt never scored has no date: it stays.
    assert learning_rows(nobody) == NONE | {"H5PAttempt": 1}


# xAPI statements and uploaded files --------------------------------------------------------


def test_xapi_statements_go_by_when_they_were_received(asker, baerum):
    RetentionPeriod.objects.create(
        organisation=baerum.organisation, category="xapi_statements", months=6
    )
    in_asker, in_baerum = learner(asker), learner(baerum)

    retention.purge_personal_data(now=local(2025, 9, 10, 11, 59))
    assert XAPIStatement.objects.filter(user=in_baerum).count() == 1
    retention.purge_personal_data(now=local(2025, 9, 10, 12, 1))
    assert XAPIStatement.objects.filter(user=in_baerum).count() == 0
    assert XAPIStatement.objects.filter(user=in_asker).count() == 1  # 24 months there

    # A statement is not a learning record: those stay until their own period.
    assert learning_rows(in_baerum) == ALL

    retention.purge_personal_data(now=local(2027, 3, 10, 11, 59))
    assert XAPIStatement.objects.filter(user=in_asker).count() == 1
    retention.purge_personal_data(now=local(2027, 3, 10, 12, 1))
    assert XAPIStatement.objects.filter(user=in_asker).count() == 0


def submission(at: Place, user: Any, *, text: str, when: dt.datetime) -> Submission:
    answer = Submission(
        assignment=at.assignment,
        submitted_by=user,
        group_key=f"user:{user.pk}",
        attempt=1,
        text=text,
        file_name="refleksjon Kari Nordmann.pdf",
        file_size=7,
        submitted_at=when,
        status=Submission.Status.APPROVED,
        feedback="Bra!",
    )
    answer.file.save("x", ContentFile(b"%PDF-1."), save=False)
    answer.save()
    answer.members.add(user)
    return answer


def test_uploaded_files_leave_the_disk_and_the_submissions_stay(asker, english_site):
    person = learner(asker)
    only_file = submission(asker, person, text="", when=local(2024, 5, 1, 12))
    with_text = submission(
        asker, UserFactory.create(), text="Vårt svar", when=local(2024, 5, 1, 12)
    )
    OrganisationMembership.objects.create(
        organisation=asker.organisation, user=with_text.submitted_by
    )
    recent = submission(asker, learner(asker), text="", when=local(2024, 6, 1, 12))
    paths = [answer.file.path for answer in (only_file, with_text, recent)]
    assert all(os.path.exists(path) for path in paths)

    report = retention.purge_personal_data(now=local(2026, 5, 15, 12))  # 24 months

    assert not os.path.exists(paths[0])
    assert not os.path.exists(paths[1])
    assert os.path.exists(paths[2])
    only_file.refresh_from_db()
    with_text.refresh_from_db()
    assert (only_file.file.name, only_file.file_name, only_file.file_size) == ("", "", None)
    assert only_file.text == "The file handed in here was deleted when its retention ended."
    assert (only_file.status, only_file.feedback) == ("approved", "Bra!")
    assert with_text.text == "Vårt svar"
    assert not with_text.file
    [part] = [p for p in report.organisations if p.organisation_id == asker.organisation.pk]
    assert part.removed["courses.Submission.file"] == 2
    assert Submission.objects.count() == 3


# What the figures and certificates stand on -------------------------------------------------


def test_dashboard_hr_report_and_certificate_verification_are_unchanged(
    client, administrator, django_capture_on_commit_callbacks, english_site
):
    from certificates.api import Certificate, revoke_certificate
    from lup.selectors import programme_target_progress
    from tests.lup.curriculum import build_curriculum
    from tests.lup.test_certification import complete_everything

    setup = build_curriculum(team_size=1)
    complete_everything(setup, django_capture_on_commit_callbacks)
    Cohort.objects.filter(pk=setup.cohort.pk).update(closed_at=local(2027, 2, 1, 12))
    programme = setup.cohort.programme
    OrganisationMembership.objects.create(organisation=programme.organisation, user=administrator)
    client.force_login(administrator)
    codes = list(Certificate.objects.order_by("pk").values_list("code", flat=True))
    revoke_certificate(
        certificate=Certificate.objects.get(code=codes[0]), revoked_by=administrator, reason="Feil"
    )

    def what_they_see() -> tuple[Any, ...]:
        progress = programme_target_progress(programme, today=dt.date(2027, 3, 1))
        units = client.get("/api/v1/reports/units/").json()
        verified = [client.get(f"/verify/{code}.json").json() for code in codes]
        return progress.completed, progress.by_cohort, units, verified

    before = what_they_see()
    assert before[0] == 1
    assert [answer["status"] for answer in before[3]] == ["revoked", "valid", "valid"]
    assert ActivityCompletion.objects.exists()
    assert Attendance.objects.exists()

    retention.purge_personal_data(now=local(2033, 1, 1, 12))

    assert not ActivityCompletion.objects.exists()
    assert not Attendance.objects.exists()
    assert what_they_see() == before


# Audit, dry run, command, task ---------------------------------------------------------------


def test_the_purge_is_audited_per_organisation_with_counts_only(asker, baerum, english):
    person = learner(asker)
    learner(baerum, statement_at=local(2026, 1, 1, 12))  # nothing of Bærum's is due
    old = AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, at=local(2020, 1, 1))

    retention.purge_personal_data(now=local(2027, 3, 11, 12))

    events = AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_PURGED)
    by_organisation = {event.details.get("organisation_id"): event for event in events}
    assert set(by_organisation) == {asker.organisation.pk, None}  # Bærum: nothing went
    mine = by_organisation[asker.organisation.pk]
    assert mine.details["removed"] == {
        "courses.ActivityCompletion": 1,
        "courses.Enrolment": 1,
        "courses.H5PAttempt": 1,
        "courses.H5PContentUserData": 1,
        "courses.XAPIStatement": 1,
        "lup.Attendance": 1,
    }
    assert set(mine.details) == {"organisation_id", "organisation", "removed", "periods"}
    assert person.email not in json.dumps(mine.details)
    assert mine.subject is None
    assert by_organisation[None].details["removed"] == {"lup.AuditEvent": 1}
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert audit.describe(mine)[:3] == [
        "For Asker kommune",
        "Deleted: Activity completions, 1",
        "Deleted: Course enrolments, 1",
    ]
    # Asker's administrators read their organisation's event; Bærum's do not.
    for at, sees in ((asker, True), (baerum, False)):
        reader = UserFactory.create()
        reader.user_permissions.add(Permission.objects.get(codename="view_auditevent"))
        OrganisationMembership.objects.create(organisation=at.organisation, user=reader)
        assert scoping.audit_events_for(reader).filter(pk=mine.pk).exists() is sees


def test_a_dry_run_counts_what_would_go_and_changes_nothing(asker, baerum):
    person = learner(asker)
    submission(asker, person, text="", when=local(2024, 5, 1, 12))
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, at=local(2020, 1, 1))
    events = AuditEvent.objects.count()

    dry = retention.purge_personal_data(now=local(2027, 3, 11, 12), dry_run=True)

    assert learning_rows(person) == ALL
    assert Submission.objects.exclude(file="").count() == 1
    assert AuditEvent.objects.count() == events
    done = retention.purge_personal_data(now=local(2027, 3, 11, 12))
    assert dry.as_dict() | {"dry_run": False} == done.as_dict()
    assert dry.total == done.total == 8


def test_the_command_prints_counts_per_organisation_and_category(asker, baerum):
    # Dated by the real clock: the command purges as of now.
    old_cohort = CohortFactory.create(
        programme=asker.cohort.programme,
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 6, 30),
        closed_at=local(2015, 7, 1, 12),
    )
    gone = learner(asker, old_cohort, statement_at=local(2015, 3, 1, 12))
    out = io.StringIO()

    call_command("purge_personal_data", "--dry-run", stdout=out)

    assert learning_rows(gone) == ALL
    printed = out.getvalue()
    assert "Dry run: nothing is deleted." in printed
    assert (
        "Asker kommune (Learning records and attendance 12 months, Uploaded files 24 months, "
        "Learning activity statements (xAPI) 24 months):\n"
        "  Would delete 1 activity completions\n"
    ) in printed
    assert "  Would delete 1 attendances\n" in printed
    assert "Bærum kommune (Learning records and attendance 60 months" in printed
    assert "Would delete 6 in all." in printed

    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert "  Deleted 1 xAPI statements\n" in out.getvalue()
    assert learning_rows(gone) == NONE


def test_the_nightly_task_runs_through_celery(asker, settings):
    from config.celery import app

    old_cohort = CohortFactory.create(
        programme=asker.cohort.programme,
        starts_on=dt.date(2015, 1, 1),
        ends_on=dt.date(2015, 6, 30),
        closed_at=local(2015, 7, 1, 12),
    )
    gone = learner(asker, old_cohort)
    entry = settings.CELERY_BEAT_SCHEDULE["lup-purge-personal-data"]
    assert entry["task"] == "lup.privacy.purge_tasks.purge_personal_data"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({3}, {0})

    app.loader.import_default_modules()  # what a worker imports (CELERY_IMPORTS)
    result = app.tasks[entry["task"]].delay()

    assert result.get()["organisations"][str(asker.organisation.pk)]["lup.Attendance"] == 1

    assert learning_rows(gone) == NONE
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_PURGED).exists()


def test_the_purge_works_in_batches_whose_number_alone_grows_its_queries(asker, baerum):
    def world(people: int, statements: int) -> None:
        for _ in range(people):
            user = learner(asker)
            for day in range(statements):
                XAPIStatement.objects.create(
                    user=user,
                    activity=asker.page,
                    verb="v",
                    received_at=local(2024, 1, 1 + day, 12),
                    raw={},
                )

    def queries(batch_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            retention.purge_personal_data(now=local(2028, 1, 1, 12), batch_size=batch_size)
        return len(captured)

    world(3, 4)
    small = queries(1000)
    world(9, 12)  # three times the people, nine times the rows
    assert queries(1000) == small
    world(3, 4)  # in batches of 10: more batches, hence more queries
    assert queries(10) > small


# Installation-wide: audit events and own-data archives ----------------------------------------


def test_old_audit_events_and_expired_archives_go(settings, tmp_path, english):
    settings.LUP_PRIVATE_ROOT = str(tmp_path / "lup-private")
    settings.LUP_AUDIT_RETENTION_DAYS = 30
    person = UserFactory.create()
    storage = archive_storage()
    name = storage.save("exports/a.zip", ContentFile(b"PK"))
    expired = PersonalDataExport.objects.create(
        user=person, status="ready", archive_name=name, finished_at=local(2026, 1, 1, 12)
    )
    fresh_name = storage.save("exports/b.zip", ContentFile(b"PK"))
    fresh = PersonalDataExport.objects.create(
        user=person, status="ready", archive_name=fresh_name, finished_at=local(2026, 1, 7, 12)
    )
    failed = PersonalDataExport.objects.create(
        user=person, status="failed", finished_at=local(2025, 12, 1, 12)
    )
    waiting = PersonalDataExport.objects.create(user=person)
    old = AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, at=local(2025, 12, 1, 11))
    kept = AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, at=local(2025, 12, 10, 12))
    settings.LUP_NOTIFICATION_RETENTION_DAYS = 20
    told = {
        day: Notification.objects.create(
            recipient=person,
            kind="announcement",
            key=f"k{day}",
            created_at=local(2025, 12, day, 12),
        )
        for day in (1, 31)
    }

    retention.purge_personal_data(now=local(2026, 1, 1, 12) + dt.timedelta(days=7, hours=1))

    assert not storage.exists(name)
    assert storage.exists(fresh_name)
    assert set(PersonalDataExport.objects.values_list("pk", flat=True)) == {fresh.pk, waiting.pk}
    assert not PersonalDataExport.objects.filter(pk__in=[expired.pk, failed.pk]).exists()
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_PURGED)
    assert set(Notification.objects.values_list("pk", flat=True)) == {told[31].pk}
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_PURGED)
    assert event.details["removed"] == {
        "lup.AuditEvent": 1,
        "lup.Notification": 1,
        "lup.PersonalDataExport": 2,
    }
    assert "Deleted: Personal data exports, 2" in audit.describe(event)
    assert "Notifications are kept 20 days" in audit.describe(event)


def test_purge_audit_log_still_deletes_old_events(settings):
    settings.LUP_AUDIT_RETENTION_DAYS = 30
    old = AuditEvent.objects.create(
        action=AuditEvent.Action.LOGIN, at=timezone.now() - dt.timedelta(days=31)
    )
    out = io.StringIO()
    call_command("purge_audit_log", stdout=out)
    assert out.getvalue().startswith("Deleted 1 audit events from before ")
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


# The register drives it ---------------------------------------------------------------------


def test_every_retained_entry_has_a_way_to_go_and_a_date():
    for entry in retention.retained_entries():
        retention._remover(entry)  # raises for files it cannot remove
        if entry.retention_from == LAST_COHORT_END:
            assert entry.model in retention.OWN_DATES
        else:
            retention._field_at(entry.model_class(), entry.retention_from)


def test_the_logs_category_labels_are_the_categories():
    from lup.audit.labels import RETENTION_CATEGORY_LABELS

    assert {key: str(label) for key, label in RETENTION_CATEGORY_LABELS.items()} == {
        category.value: str(category.label) for category in RetainedCategory
    }


def test_months_before_keeps_the_time_and_clamps_the_day():
    assert retention.months_before(local(2027, 3, 31, 12), 1) == local(2027, 2, 28, 12)
    assert retention.months_before(local(2027, 1, 15, 8), 13) == local(2025, 12, 15, 8)


# Setting the periods: the page ------------------------------------------------------------

PAGE = "/privacy/retention/"


def administrator_of(*organisations: Organisation, permission: bool = True) -> Any:
    person = UserFactory.create()
    if permission:
        person.user_permissions.add(
            Permission.objects.get(content_type__app_label="lup", codename="change_retentionperiod")
        )
    for organisation in organisations:
        OrganisationMembership.objects.create(organisation=organisation, user=person)
    return person


def own_periods() -> set[tuple[str, str, int]]:
    return set(RetentionPeriod.objects.values_list("organisation__slug", "category", "months"))


def test_the_page_shows_the_organisations_periods_with_the_defaults(
    client, asker, baerum, english_site, django_assert_max_num_queries
):
    assert reverse("lup:retention-periods") == PAGE
    client.force_login(administrator_of(asker.organisation))

    with django_assert_max_num_queries(8):
        page = client.get(PAGE)

    html = page.content.decode()
    assert page.status_code == 200
    assert "How long Asker kommune keeps" in html
    assert 'name="learning_records" id="id_learning_records" value="12"' in html
    assert "Now: 12 months, set by the organisation." in html
    assert "The installation&#x27;s default is 24 months. Leave empty to use it." in html
    assert "Now: the default, 24 months." in html
    assert "Bærum" not in html


def test_saving_sets_the_periods_and_audits_old_and_new(client, asker, baerum, english_site):
    client.force_login(administrator_of(asker.organisation))

    saved = client.post(
        PAGE, {"learning_records": "", "uploaded_files": "36", "xapi_statements": "6"}
    )

    assert saved.status_code == 302
    assert saved["Location"] == PAGE
    assert own_periods() == {("asker", "uploaded_files", 36), ("asker", "xapi_statements", 6)}
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION_CHANGED)
    assert event.details["organisation_id"] == asker.organisation.pk
    assert event.details["changes"] == {
        "learning_records": {"before": 12, "after": 60, "own": False},
        "uploaded_files": {"before": 24, "after": 36, "own": True},
        "xapi_statements": {"before": 24, "after": 6, "own": True},
    }
    assert audit.describe(event) == [
        "For Asker kommune",
        "Learning records and attendance: back to the default, 60 months (was 12)",
        "Uploaded files: from 24 to 36 months",
        "Learning activity statements (xAPI): from 24 to 6 months",
    ]
    assert "The retention periods are saved." in client.get(PAGE).content.decode()


@pytest.mark.parametrize(
    ("given", "error"),
    [
        ("0", "Give a period from 1 to 240 months."),
        ("241", "Give a period from 1 to 240 months."),
        ("tolv", "Give the period as a whole number of months."),
        ("12.5", "Give the period as a whole number of months."),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(client, asker, english_site, given, error):
    client.force_login(administrator_of(asker.organisation))
    before = own_periods()

    page = client.post(
        PAGE, {"learning_records": "24", "uploaded_files": given, "xapi_statements": "6"}
    )

    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="id_uploaded_files_error">{error}</p>' in html
    assert 'aria-invalid="true"' in html
    assert own_periods() == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION_CHANGED).exists()


def test_another_organisations_periods_are_never_shown_or_changed(client, asker, baerum):
    client.force_login(administrator_of(asker.organisation))
    before = own_periods()

    assert client.get(f"{PAGE}?organisation=baerum").status_code == 404
    changed = client.post(f"{PAGE}?organisation=baerum", {"learning_records": "1"})

    assert changed.status_code == 404
    assert own_periods() == before


def test_only_administrators_with_the_permission_may(client, asker):
    assert client.get(PAGE).status_code == 302  # to sign in
    client.force_login(administrator_of(asker.organisation, permission=False))
    assert client.get(PAGE).status_code == 403
    client.force_login(administrator_of())  # the permission, no organisation
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"learning_records": "1"}).status_code == 403
    assert own_periods() == {("asker", "learning_records", 12)}


def test_administrators_of_several_organisations_choose_one(client, asker, baerum, english_site):
    client.force_login(administrator_of(asker.organisation, baerum.organisation))

    chooser = client.get(PAGE).content.decode()
    assert f'href="{PAGE}?organisation=asker">Asker kommune</a>' in chooser
    assert f'href="{PAGE}?organisation=baerum">Bærum kommune</a>' in chooser

    saved = client.post(f"{PAGE}?organisation=baerum", {"learning_records": "30"})
    assert saved["Location"] == f"{PAGE}?organisation=baerum"
    assert own_periods() == {("asker", "learning_records", 12), ("baerum", "learning_records", 30)}


# Setting the periods: the API ------------------------------------------------------------------


def api_url(at: Place | Organisation) -> str:
    organisation = at.organisation if isinstance(at, Place) else at
    return f"/api/v1/organisations/{organisation.public_id}/retention/"


def test_the_api_reads_and_sets_the_periods(client, asker, english_site):
    client.force_login(administrator_of(asker.organisation))

    read = client.get(api_url(asker))
    assert read.status_code == 200
    assert read.json() == {
        "organisation": str(asker.organisation.public_id),
        "periods": [
            {
                "category": "learning_records",
                "label": "Learning records and attendance",
                "months": 12,
                "default_months": 60,
                "own": True,
            },
            {
                "category": "uploaded_files",
                "label": "Uploaded files",
                "months": 24,
                "default_months": 24,
                "own": False,
            },
            {
                "category": "xapi_statements",
                "label": "Learning activity statements (xAPI)",
                "months": 24,
                "default_months": 24,
                "own": False,
            },
        ],
    }

    put = client.put(
        api_url(asker),
        {"learning_records": None, "xapi_statements": 3},
        content_type="application/json",
    )

    assert put.status_code == 200
    assert [period["months"] for period in put.json()["periods"]] == [60, 24, 3]
    assert own_periods() == {("asker", "xapi_statements", 3)}
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION_CHANGED)
    assert event.details["changes"]["xapi_statements"] == {"before": 24, "after": 3, "own": True}


@pytest.mark.parametrize(
    "body",
    [
        {"learning_records": 0},
        {"learning_records": 241},
        {"learning_records": "tolv"},
        {"learning_records": 12.5},
        {"learning_records": True},
        {"learning_records": 24, "audit": 12},
        [24],
    ],
)
def test_the_api_refuses_bad_periods_and_changes_nothing(client, asker, body):
    client.force_login(administrator_of(asker.organisation))

    answer = client.put(api_url(asker), body, content_type="application/json")

    assert answer.status_code == 400
    assert own_periods() == {("asker", "learning_records", 12)}
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION_CHANGED).exists()


def test_the_api_keeps_to_the_administrators_organisation(client, asker, baerum):
    client.force_login(administrator_of(asker.organisation))
    # OPTIONS describes writing to the organisation's own periods only.
    assert "PUT" in client.options(api_url(asker)).json()["actions"]
    assert "actions" not in client.options(api_url(baerum)).json()
    assert client.get(api_url(baerum)).status_code == 404
    assert client.get("/api/v1/organisations/asker/retention/").status_code == 404
    refused = client.put(api_url(baerum), {"learning_records": 1}, content_type="application/json")
    assert refused.status_code == 404

    client.force_login(administrator_of(asker.organisation, permission=False))
    assert client.get(api_url(asker)).status_code == 403
    assert (
        client.put(
            api_url(asker), {"learning_records": 1}, content_type="application/json"
        ).status_code
        == 403
    )
    assert own_periods() == {("asker", "learning_records", 12)}


# The admin ------------------------------------------------------------------------------------


def test_the_admin_lists_and_sets_only_the_staff_members_organisations(client, asker, baerum):
    RetentionPeriod.objects.create(
        organisation=baerum.organisation, category="uploaded_files", months=48
    )
    staff = administrator_of(asker.organisation)
    staff.is_staff = True
    staff.save()
    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_retentionperiod", "add_retentionperiod", "delete_retentionperiod"]
        )
    )
    client.force_login(staff)

    listing = client.get("/admin/lup/retentionperiod/").content.decode()
    assert "Asker kommune" in listing
    assert "Bærum kommune" not in listing

    added = client.post(
        "/admin/lup/retentionperiod/add/",
        {"organisation": asker.organisation.pk, "category": "xapi_statements", "months": "6"},
    )
    assert added.status_code == 302
    refused = [
        client.post(
            "/admin/lup/retentionperiod/add/",
            {"organisation": organisation.pk, "category": "uploaded_files", "months": months},
        ).status_code
        for organisation, months in ((baerum.organisation, "6"), (asker.organisation, "0"))
    ]
    assert refused == [200, 200]  # the form again, with its error
    assert own_periods() == {
        ("asker", "learning_records", 12),
        ("asker", "xapi_statements", 6),
        ("baerum", "uploaded_files", 48),
    }
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.RETENTION_CHANGED)
    assert event.details["changes"] == {"xapi_statements": {"before": 24, "after": 6, "own": True}}
    other = RetentionPeriod.objects.get(organisation=baerum.organisation)
    assert client.get(f"/admin/lup/retentionperiod/{other.pk}/change/").status_code == 302
