"""People's own-data archives on S3-compatible object storage (moto, over HTTP): built from
the files in the bucket (submissions, certificate PDFs), kept in the bucket's private
prefix, downloaded through the permission-checked view, and deleted when they expire or
the person is anonymised."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lup.privacy import services as privacy_services
from lup.privacy.models import PersonalDataExport
from tests.privacy.test_anonymise import (  # noqa: F401  (fixtures and journeys, re-run on S3)
    administrator,
    history,
    organisation,
    test_their_archives_files_are_deleted,
    test_their_certificate_under_the_policy,
)
from tests.privacy.test_export import (  # noqa: F401
    test_the_archive_holds_the_export_the_files_and_the_certificates,
)
from tests.privacy.test_retention import (  # noqa: F401
    test_old_audit_events_and_expired_archives_go,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("object_storage", "english_site")]


def test_the_archive_is_a_private_object_and_the_files_it_holds_come_from_the_bucket(
    client,
    object_storage,
    history,
    django_capture_on_commit_callbacks,
):
    assert object_storage.object_keys("private/")  # the history's submissions
    assert object_storage.object_keys("certificates/")  # and its certificates' PDFs

    with django_capture_on_commit_callbacks(execute=True):
        privacy_services.request_archive(person=history.person, language="en")

    record = PersonalDataExport.objects.get(user=history.person, status="ready")
    assert object_storage.object_keys("lup-private/") == [f"lup-private/{record.archive_name}"]
    client.force_login(history.person)
    download = client.get(reverse("lup:my-data-archive", args=[record.public_id]))
    served = b"".join(download.streaming_content)
    assert served == object_storage.read(f"lup-private/{record.archive_name}")
    assert object_storage.object_keys("media/") == []  # nothing about a person is public
