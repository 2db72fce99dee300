"""Scheduled exports delivered to a folder of S3-compatible object storage (moto, over
HTTP): every app server and worker writes to the same place, under the `exports/` prefix,
and folder names still cannot leave it."""

from __future__ import annotations

import pytest

from lup.reporting.services import run_scheduled_export
from tests.lup.reporting.test_scheduled_exports import TODAY, schedule, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("object_storage")]


def test_a_folder_delivery_is_an_object_under_the_exports_prefix(world, object_storage):
    scheduled = schedule(
        world, delivery="folder", recipients="", folder="hr/lønn", export_format="xlsx"
    )

    run_scheduled_export(schedule=scheduled, today=TODAY)

    key = "exports/hr/lønn/participants-successfactors-2026-03-02.xlsx"
    assert object_storage.object_keys() == [key]
    assert object_storage.read(key).startswith(b"PK")  # a zip: XLSX


def test_the_next_run_replaces_a_file_of_the_same_name(world, object_storage):
    scheduled = schedule(world, delivery="folder", recipients="", folder="ut", preset_key="default")
    run_scheduled_export(schedule=scheduled, today=TODAY)
    scheduled.refresh_from_db()
    scheduled.next_run_on = TODAY

    run_scheduled_export(schedule=scheduled, today=TODAY)

    assert len(object_storage.object_keys("exports/ut/")) == 1


@pytest.mark.parametrize("folder", ["../etc", "/etc", "a/../../b", ".hidden"])
def test_a_folder_outside_the_prefix_is_refused(world, object_storage, folder):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        schedule(world, delivery="folder", recipients="", folder=folder)
    assert object_storage.object_keys() == []
