"""Scheduled exports stop when their owner may no longer run them, and deliver only to
allowed places: recipients in the organisation's export domains, folders inside the export
root. Each attack proves nothing is sent or written and that the audit log says why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from lup import scoping
from lup.models import AuditEvent, Organisation, OrganisationMembership, Participant
from lup.reporting import tasks
from lup.reporting.models import ScheduledExport
from lup.reporting.services import (
    REPORT_EXPORTED,
    SCHEDULE_STOPPED,
    review_schedule_owners,
    run_scheduled_export,
    schedule_export,
)
from lup.roles import ADMINISTRATORS_GROUP, HR_GROUP
from tests.roles import build_world

TODAY = dt.date(2026, 3, 2)
Reason = ScheduledExport.StopReason


@pytest.fixture
def world(db, tmp_path, settings):
    settings.LUP_EXPORT_ROOT = str(tmp_path / "exports")
    world = build_world()
    row = world.team_u1.participants.get(user=world.people["enthusiast"])
    row.status = Participant.Status.COMPLETED
    row.completed_at = dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC)
    row.save()
    baerum = world.programme.organisation
    baerum.export_email_domains = "example.no\nbaerum.kommune.no"
    baerum.save()
    return world


@pytest.fixture
def outside(tmp_path):
    """A folder outside the export root, which must stay empty."""
    folder = tmp_path / "outside"
    folder.mkdir()
    return folder


def schedule(world, **overrides):
    values = {
        "organisation": world.programme.organisation,
        "name": "Månedsrapport",
        "preset_key": "successfactors",
        "export_format": "csv",
        "frequency": "monthly",
        "delivery": "email",
        "recipients": "lonn@example.no",
        "next_run_on": TODAY,
        "created_by": world.people["hr"],
    }
    values.update(overrides)
    return schedule_export(**values)


def assert_stopped(scheduled, reason, **details):
    """Nothing was sent or exported, the schedule is stopped (not deleted), the audit says why."""
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=REPORT_EXPORTED).exists()
    scheduled.refresh_from_db()
    assert scheduled.active is False
    assert scheduled.stopped_reason == reason
    assert scheduled.stopped_at is not None
    assert scheduled.last_run_at is None
    event = AuditEvent.objects.get(action=SCHEDULE_STOPPED)
    assert event.details["reason"] == reason
    assert event.details["schedule"] == scheduled.pk
    assert event.details["explanation"]
    for key, value in details.items():
        assert event.details[key] == value
    return event


def run_task(scheduled):
    return tasks.run_scheduled_export(scheduled.pk)


# The owner -------------------------------------------------------------------------------


def test_an_owner_who_lost_hr_stops_the_schedule_at_its_next_run(world):
    hr = world.people["hr"]
    scheduled = schedule(world)
    hr.groups.remove(Group.objects.get(name=HR_GROUP))

    assert run_task(scheduled) is None

    event = assert_stopped(scheduled, Reason.OWNER_LOST_ROLE)
    assert event.subject == hr


def test_an_owner_who_lost_hr_writes_no_file(world, tmp_path):
    scheduled = schedule(world, delivery="folder", recipients="", folder="hr")
    world.people["hr"].groups.clear()

    run_scheduled_export(schedule=scheduled, today=TODAY)

    assert_stopped(scheduled, Reason.OWNER_LOST_ROLE)
    assert not any((tmp_path / "exports").rglob("*.csv"))


def test_a_deactivated_owner_stops_the_schedule(world):
    scheduled = schedule(world)
    hr = world.people["hr"]
    hr.is_active = False
    hr.save()

    assert run_task(scheduled) is None

    assert_stopped(scheduled, Reason.OWNER_DEACTIVATED)


def test_an_owner_who_moved_to_another_organisation_stops_the_schedule(world):
    scheduled = schedule(world)
    hr = world.people["hr"]
    OrganisationMembership.objects.filter(user=hr).delete()
    OrganisationMembership.objects.create(user=hr, organisation=world.other_programme.organisation)

    assert run_task(scheduled) is None

    event = assert_stopped(scheduled, Reason.OWNER_LEFT)
    # Filed under Bærum: its administrators read why, though the owner works elsewhere now.
    assert event in scoping.audit_events_for(world.people["administrator"])


def test_a_deleted_owner_stops_the_schedule(world):
    scheduled = schedule(world)
    world.people["hr"].delete()

    assert run_task(scheduled) is None

    event = assert_stopped(scheduled, Reason.NO_OWNER)
    assert event.subject_label == scheduled.name


def test_a_schedule_saved_without_an_owner_never_runs(world):
    scheduled = schedule(world, created_by=None)

    run_scheduled_export(schedule=scheduled, today=TODAY)

    assert_stopped(scheduled, Reason.NO_OWNER)


@pytest.mark.parametrize("owner", ["hr", "administrator", "superuser"])
def test_owners_who_may_export_keep_their_schedules_running(world, owner):
    scheduled = schedule(world, created_by=world.people[owner])

    assert run_task(scheduled)  # the row count: it ran

    assert len(mail.outbox) == 1
    assert not AuditEvent.objects.filter(action=SCHEDULE_STOPPED).exists()
    event = AuditEvent.objects.get(action=REPORT_EXPORTED)
    assert event.actor == world.people[owner]


def test_a_stopped_schedule_is_not_due_and_not_run_again(world):
    scheduled = schedule(world, next_run_on=dt.date(2020, 1, 1))
    world.people["hr"].groups.clear()
    run_task(scheduled)

    assert tasks.run_due_scheduled_exports() == 0
    assert run_task(scheduled) is None

    assert mail.outbox == []
    assert AuditEvent.objects.filter(action=SCHEDULE_STOPPED).count() == 1


def test_review_stops_an_owners_schedules_as_soon_as_the_role_goes(world):
    hr = world.people["hr"]
    mine = schedule(world)
    theirs = schedule(world, name="Admin sin", created_by=world.people["administrator"])
    assert hr.has_perm("lup.export_completions")  # fills the instance's permission cache
    hr.groups.remove(Group.objects.get(name=HR_GROUP))  # lup.receivers.roles reviews at once

    assert review_schedule_owners(owner=hr) == []  # nothing left to stop
    assert_stopped(mine, Reason.OWNER_LOST_ROLE)
    theirs.refresh_from_db()
    assert theirs.active


def test_review_of_every_schedule_catches_a_role_that_lost_the_permission(world):
    scheduled = schedule(world)
    Group.objects.get(name=HR_GROUP).permissions.clear()  # reviewed at once by a receiver

    assert review_schedule_owners() == []
    assert_stopped(scheduled, Reason.OWNER_LOST_ROLE)


def test_review_leaves_owners_who_still_may_export_alone(world):
    scheduled = schedule(world)
    world.people["hr"].groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))

    assert review_schedule_owners(owner=world.people["hr"]) == []

    scheduled.refresh_from_db()
    assert scheduled.active
    assert not AuditEvent.objects.filter(action=SCHEDULE_STOPPED).exists()


def test_whoever_saves_a_stopped_schedule_active_becomes_its_owner(world):
    scheduled = schedule(world)
    world.people["hr"].groups.clear()
    run_task(scheduled)
    scheduled.refresh_from_db()

    schedule(world, schedule=scheduled, created_by=world.people["administrator"])

    scheduled.refresh_from_db()
    assert scheduled.active
    assert scheduled.created_by == world.people["administrator"]
    assert scheduled.stopped_at is None
    assert scheduled.stopped_reason == ""
    assert run_task(scheduled)  # the row count: it ran


@pytest.mark.parametrize("person", ["manager", "facilitator", "other_administrator"])
def test_only_someone_who_may_export_the_organisations_reports_can_own_a_schedule(world, person):
    with pytest.raises(ValidationError):
        schedule(world, created_by=world.people[person])

    assert not ScheduledExport.objects.exists()


def test_the_edit_page_says_why_a_schedule_stopped(client, world):
    scheduled = schedule(world)
    world.people["hr"].groups.clear()
    run_task(scheduled)
    client.force_login(world.people["administrator"])

    page = client.get(reverse("lup:report-schedule-edit", args=[scheduled.pk]))

    assert page.status_code == 200
    help_text = str(page.context["form"].fields["active"].help_text)
    assert str(Reason.OWNER_LOST_ROLE.label) in help_text


# E-mail recipients -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "recipients",
    [
        "angriper@gmail.com",
        "lonn@example.no\nangriper@gmail.com",
        "lonn@example.no.evil.com",  # the allowed domain as a prefix
        "lonn@evil-example.no",
        "lonn@sub.example.no",  # subdomains must be listed themselves
        "lonn@example.no@evil.com",
        '"Lønn" <lonn@evil.com>',
    ],
)
def test_an_outside_address_saved_behind_the_forms_back_is_never_mailed(world, recipients):
    scheduled = schedule(world)
    # Changed in the database directly (a shell, an old row): the run checks again.
    ScheduledExport.objects.filter(pk=scheduled.pk).update(recipients=recipients)
    scheduled.refresh_from_db()

    assert run_task(scheduled) is None

    assert_stopped(scheduled, Reason.DESTINATION_NOT_ALLOWED, destination="email")


def test_the_audit_names_the_refused_domain_not_the_address(world):
    scheduled = schedule(world)
    ScheduledExport.objects.filter(pk=scheduled.pk).update(
        recipients="lonn@example.no\nangriper@gmail.com"
    )

    run_task(scheduled)

    event = assert_stopped(
        scheduled,
        Reason.DESTINATION_NOT_ALLOWED,
        destination="email",
        problem="outside_domain",
        refused_domains=["gmail.com"],
    )
    assert "angriper" not in str(event.details)


def test_domains_removed_by_an_administrator_stop_e_mail_delivery(world):
    scheduled = schedule(world)
    Organisation.objects.filter(pk=world.programme.organisation.pk).update(export_email_domains="")

    assert run_task(scheduled) is None

    assert_stopped(
        scheduled,
        Reason.DESTINATION_NOT_ALLOWED,
        destination="email",
        problem="no_export_domains",
    )


def test_addresses_in_the_domains_are_mailed_whatever_their_case(world):
    scheduled = schedule(world, recipients="Lonn@EXAMPLE.no\npost@baerum.kommune.no")

    assert run_task(scheduled)  # the row count: it ran

    (message,) = mail.outbox
    assert message.to == ["Lonn@EXAMPLE.no", "post@baerum.kommune.no"]


def form_data(world, **changes):
    return {
        "organisation": world.programme.organisation.pk,
        "name": "X",
        "preset_key": "default",
        "format": "csv",
        "frequency": "weekly",
        "delivery": "email",
        "recipients": "lonn@example.no",
        "next_run_on": "2026-03-09",
        "active": "on",
        **changes,
    }


def test_the_form_refuses_an_outside_address_and_names_the_allowed_domains(client, world):
    client.force_login(world.people["hr"])

    response = client.post(
        reverse("lup:report-schedule-create"),
        form_data(world, recipients="lonn@example.no\nangriper@gmail.com"),
    )

    assert response.status_code == 200
    (error,) = response.context["form"].errors["recipients"]
    assert "angriper@gmail.com" in error
    assert "baerum.kommune.no, example.no" in error
    assert "lonn@example.no," not in error
    assert not ScheduledExport.objects.exists()


def test_the_form_refuses_e_mail_when_no_domains_are_configured(client, world, english_site):
    Organisation.objects.filter(pk=world.programme.organisation.pk).update(export_email_domains="")
    client.force_login(world.people["hr"])

    response = client.post(reverse("lup:report-schedule-create"), form_data(world))

    assert response.status_code == 200
    (error,) = response.context["form"].errors["recipients"]
    assert "administrator must first configure" in error
    assert not ScheduledExport.objects.exists()


def test_the_form_accepts_an_address_in_the_domains(client, world):
    client.force_login(world.people["hr"])

    response = client.post(
        reverse("lup:report-schedule-create"),
        form_data(world, recipients="lonn@example.no, post@BAERUM.kommune.no"),
    )

    assert response.status_code == 302
    scheduled = ScheduledExport.objects.get()
    assert scheduled.recipients == "lonn@example.no\npost@BAERUM.kommune.no"
    assert scheduled.created_by == world.people["hr"]


@pytest.mark.parametrize(
    ("domains", "valid"),
    [
        ("baerum.kommune.no\nexample.no", True),
        ("@example.no", True),
        ("bærum.no", True),
        ("*.example.no", False),
        ("lonn@example.no", False),
        ("https://example.no", False),
    ],
)
def test_organisation_export_domains_are_validated(world, domains, valid):
    organisation = world.programme.organisation
    organisation.export_email_domains = domains
    if valid:
        organisation.full_clean()
    else:
        with pytest.raises(ValidationError) as caught:
            organisation.full_clean()
        assert "export_email_domains" in caught.value.message_dict


def test_an_idn_domain_matches_its_ascii_form(world):
    Organisation.objects.filter(pk=world.programme.organisation.pk).update(
        export_email_domains="bærum.no"
    )
    scheduled = schedule(world, recipients="lonn@xn--brum-voa.no\npost@bærum.no")

    assert run_task(scheduled)  # the row count: it ran
    assert len(mail.outbox) == 1


# Folders ---------------------------------------------------------------------------------


def folder_schedule(world, folder="hr"):
    return schedule(world, delivery="folder", recipients="", folder=folder)


@pytest.mark.parametrize("folder", ["../outside", "/etc", "hr/../../outside"])
def test_a_folder_path_escaping_the_root_saved_behind_the_forms_back_writes_nothing(
    world, outside, folder
):
    scheduled = folder_schedule(world)
    ScheduledExport.objects.filter(pk=scheduled.pk).update(folder=folder)
    scheduled.refresh_from_db()

    assert run_task(scheduled) is None

    assert_stopped(scheduled, Reason.DESTINATION_NOT_ALLOWED, destination="folder")
    assert list(outside.iterdir()) == []


def test_a_symlink_out_of_the_root_made_after_saving_writes_nothing(world, tmp_path, outside):
    scheduled = folder_schedule(world, folder="hr")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "hr").symlink_to(outside, target_is_directory=True)

    assert run_task(scheduled) is None

    assert_stopped(
        scheduled,
        Reason.DESTINATION_NOT_ALLOWED,
        destination="folder",
        problem="outside_export_root",
    )
    assert list(outside.iterdir()) == []


def test_a_symlink_planted_as_the_file_is_not_followed(world, tmp_path, outside):
    scheduled = folder_schedule(world, folder="hr")
    folder = tmp_path / "exports" / "hr"
    folder.mkdir(parents=True)
    victim = outside / "victim.txt"
    victim.write_text("untouched")
    (folder / "participants-successfactors-2026-03-02.csv").symlink_to(victim)

    run_scheduled_export(schedule=scheduled, today=TODAY)

    assert_stopped(
        scheduled, Reason.DESTINATION_NOT_ALLOWED, destination="folder", problem="symlinked_file"
    )
    assert victim.read_text() == "untouched"


def test_the_form_refuses_a_folder_that_is_a_symlink_out_of_the_root(
    client, world, tmp_path, outside
):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "hr").symlink_to(outside, target_is_directory=True)
    client.force_login(world.people["hr"])

    response = client.post(
        reverse("lup:report-schedule-create"),
        form_data(world, delivery="folder", recipients="", folder="hr/lønn"),
    )

    assert response.status_code == 200
    assert "folder" in response.context["form"].errors
    assert not ScheduledExport.objects.exists()
    assert list(outside.iterdir()) == []


def test_the_service_refuses_a_folder_that_is_a_symlink_out_of_the_root(world, tmp_path, outside):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "hr").symlink_to(outside, target_is_directory=True)

    with pytest.raises(ValidationError) as caught:
        folder_schedule(world, folder="hr")

    assert "folder" in caught.value.message_dict
    assert not ScheduledExport.objects.exists()


@pytest.mark.parametrize("folder", ["../outside", "/etc", "hr/../../outside"])
def test_the_form_refuses_a_folder_path_escaping_the_root(client, world, folder):
    client.force_login(world.people["hr"])

    response = client.post(
        reverse("lup:report-schedule-create"),
        form_data(world, delivery="folder", recipients="", folder=folder),
    )

    assert response.status_code == 200
    assert "folder" in response.context["form"].errors
    assert not ScheduledExport.objects.exists()


def test_a_folder_inside_the_root_is_written(world, tmp_path):
    scheduled = folder_schedule(world, folder="hr/lønn")

    run_scheduled_export(schedule=scheduled, today=TODAY)

    written = tmp_path / "exports" / "hr" / "lønn" / "participants-successfactors-2026-03-02.csv"
    assert "enthusiast@example.no" in written.read_text("utf-8-sig")
    scheduled.refresh_from_db()
    assert scheduled.active


# Stopped at once, when the role data change -------------------------------------------------


def test_removing_the_owners_role_stops_the_schedule_at_once(world):
    scheduled = schedule(world)

    world.people["hr"].groups.remove(Group.objects.get(name=HR_GROUP))

    scheduled.refresh_from_db()
    assert scheduled.active is False
    assert scheduled.stopped_reason == Reason.OWNER_LOST_ROLE


def test_deactivating_the_owner_stops_the_schedule_at_once(world):
    scheduled = schedule(world)
    hr = world.people["hr"]

    hr.is_active = False
    hr.save()

    scheduled.refresh_from_db()
    assert (scheduled.active, scheduled.stopped_reason) == (False, Reason.OWNER_DEACTIVATED)


def test_the_owner_leaving_the_organisation_stops_the_schedule_at_once(world):
    scheduled = schedule(world)

    OrganisationMembership.objects.filter(user=world.people["hr"]).delete()

    scheduled.refresh_from_db()
    assert (scheduled.active, scheduled.stopped_reason) == (False, Reason.OWNER_LEFT)


@pytest.mark.django_db(transaction=True)  # the foreign keys are checked at commit
def test_deleting_an_owner_with_memberships_commits_and_stops_the_schedule(world):
    scheduled = schedule(world)
    hr = world.people["hr"]
    label = str(hr)

    hr.delete()

    scheduled.refresh_from_db()
    assert scheduled.active is False
    removed = AuditEvent.objects.filter(
        action=AuditEvent.Action.ROLE_CHANGED, subject_label=label, subject__isnull=True
    )
    assert removed.exists()
