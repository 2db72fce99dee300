"""Scheduled exports: HR schedules a preset; a daily task generates and delivers what is due."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from lup.models import AuditEvent, Participant
from lup.reporting import tasks
from lup.reporting.models import ScheduledExport
from lup.reporting.services import (
    REPORT_EXPORTED,
    clean_folder_name,
    next_run_after,
    run_scheduled_export,
    save_preset,
    schedule_export,
)
from tests.roles import build_world

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def world(db):
    world = build_world()
    row = world.team_u1.participants.get(user=world.people["enthusiast"])
    row.status = Participant.Status.COMPLETED
    row.completed_at = dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC)
    row.save()
    organisation = world.programme.organisation
    organisation.export_email_domains = "example.no"
    organisation.save()
    return world


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


def test_a_due_schedule_is_mailed_as_an_attachment_audited_and_moved_on(world):
    scheduled = schedule(world, filters={"status": "completed"})

    run_scheduled_export(schedule=scheduled, today=TODAY)

    (message,) = mail.outbox
    assert message.to == ["lonn@example.no"]
    ((filename, content, mimetype),) = message.attachments
    assert filename == "participants-successfactors-2026-03-02.csv"
    assert mimetype == "text/csv; charset=utf-8"
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    assert text.splitlines()[0].startswith("STUD_ID;")
    assert "enthusiast@example.no" in text
    assert len(text.splitlines()) == 2  # only the completed row
    scheduled.refresh_from_db()
    assert scheduled.last_row_count == 1
    assert scheduled.next_run_on == dt.date(2026, 4, 2)
    event = AuditEvent.objects.get(action=REPORT_EXPORTED)
    assert event.details["channel"] == "scheduled"
    assert event.details["rows"] == 1


def test_a_folder_delivery_writes_under_the_export_root(world, tmp_path, settings):
    settings.LUP_EXPORT_ROOT = str(tmp_path)
    scheduled = schedule(
        world, delivery="folder", recipients="", folder="hr/lønn", export_format="xlsx"
    )

    run_scheduled_export(schedule=scheduled, today=TODAY)

    written = tmp_path / "hr" / "lønn" / "participants-successfactors-2026-03-02.xlsx"
    assert written.read_bytes().startswith(b"PK")  # a zip: XLSX


def test_the_scope_is_the_schedules_organisation(world, tmp_path, settings):
    settings.LUP_EXPORT_ROOT = str(tmp_path)
    scheduled = schedule(
        world, delivery="folder", recipients="", folder="out", preset_key="default"
    )

    run_scheduled_export(schedule=scheduled, today=TODAY)

    (written,) = (tmp_path / "out").iterdir()
    text = written.read_text("utf-8-sig")
    assert "enthusiast@example.no" in text
    assert world.team_other.participants.get().user.email not in text


@pytest.mark.parametrize("folder", ["../etc", "/etc", "a/../../b", ".hidden", "a//b", "a\\..\\b"])
def test_folder_names_cannot_leave_the_export_root(folder):
    with pytest.raises(ValidationError):
        clean_folder_name(folder)


def test_a_folder_name_is_kept_tidy():
    assert clean_folder_name(" HR / Lønn 2026 ") == "HR/Lønn 2026"


@pytest.mark.parametrize(
    ("day", "frequency", "expected"),
    [
        (dt.date(2026, 1, 31), "monthly", dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 15), "monthly", dt.date(2027, 1, 15)),
        (dt.date(2026, 3, 2), "weekly", dt.date(2026, 3, 9)),
    ],
)
def test_next_run(day, frequency, expected):
    assert next_run_after(day, frequency) == expected


def test_the_daily_task_runs_only_what_is_due(world, monkeypatch):
    due = schedule(world, next_run_on=dt.date(2020, 1, 1), frequency="weekly")
    later = schedule(world, name="Senere", next_run_on=dt.date(2999, 1, 1))
    paused = schedule(world, name="Pause", active=False, next_run_on=dt.date(2020, 1, 1))

    assert tasks.run_due_scheduled_exports() == 1  # Celery runs eagerly in tests

    due.refresh_from_db()
    later.refresh_from_db()
    paused.refresh_from_db()
    assert due.last_run_at is not None
    assert due.next_run_on > dt.date.today()  # overdue runs do not pile up
    assert later.last_run_at is None
    assert paused.last_run_at is None
    assert len(mail.outbox) == 1


def test_a_schedule_whose_preset_is_gone_is_skipped_and_logged(world, caplog):
    preset = save_preset(
        organisation=world.programme.organisation,
        key="egen",
        name="Egen",
        report="participants",
        columns=["email"],
    )
    scheduled = schedule(world, preset_key="egen")
    preset.delete()

    assert tasks.run_scheduled_export(scheduled.pk) is None

    assert "could not run" in caplog.text
    assert mail.outbox == []


def test_hr_schedules_an_export_with_filters(client, world):
    client.force_login(world.people["hr"])

    response = client.post(
        reverse("lup:report-schedule-create"),
        {
            "organisation": world.programme.organisation.pk,
            "name": "Ukentlig",
            "preset_key": "units",
            "format": "xlsx",
            "frequency": "weekly",
            "delivery": "folder",
            "folder": "hr/ukentlig",
            "next_run_on": "2026-03-09",
            "active": "on",
            "filter-status": "completed",
            "filter-cohort": str(world.cohort_a.pk),
        },
    )

    assert response.status_code == 302, response.context["form"].errors
    scheduled = ScheduledExport.objects.get(name="Ukentlig")
    assert scheduled.filters == {"cohort": str(world.cohort_a.pk), "status": "completed"}
    assert scheduled.created_by == world.people["hr"]
    listing = client.get(reverse("lup:report-schedules"))
    assert "Ukentlig" in listing.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"delivery": "email", "recipients": ""}, "recipients"),
        ({"delivery": "email", "recipients": "not-an-address"}, "recipients"),
        ({"delivery": "folder", "folder": "../../etc"}, "folder"),
        ({"preset_key": "nope"}, "preset_key"),
        ({"filter-status": "enrolled"}, "status"),  # a unit status, for a participant preset
    ],
)
def test_schedule_form_errors(client, world, changes, field):
    client.force_login(world.people["hr"])
    data = {
        "organisation": world.programme.organisation.pk,
        "name": "X",
        "preset_key": "default",
        "format": "csv",
        "frequency": "weekly",
        "delivery": "folder",
        "folder": "x",
        "next_run_on": "2026-03-09",
        **changes,
    }

    response = client.post(reverse("lup:report-schedule-create"), data)

    assert response.status_code == 200
    errors = {**response.context["form"].errors, **response.context["filter_form"].errors}
    assert field in errors
    assert not ScheduledExport.objects.exists()


def test_another_organisations_schedule_is_not_found(client, world):
    other = schedule(
        world,
        organisation=world.other_programme.organisation,
        created_by=world.people["other_administrator"],
    )
    client.force_login(world.people["hr"])

    assert client.get(reverse("lup:report-schedule-edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("lup:report-schedule-delete", args=[other.pk])).status_code == 404
    assert ScheduledExport.objects.filter(pk=other.pk).exists()
