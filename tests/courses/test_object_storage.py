"""H5P packages and submitted files in S3-compatible object storage (moto, over HTTP).

The same journeys as on the local folder, re-run here with every storage on a bucket, and
what an outsider sees in the bucket checked with a separate S3 client.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import H5PLibrary, Submission
from tests.courses.test_h5p_player import (  # noqa: F401  (fixtures and tests re-run on S3)
    activity,
    content_url,
    learner,
    package,
    test_a_library_is_served_from_its_installed_folder_at_its_newest_patch,
    test_paths_outside_the_content_folder_are_not_found,
    test_the_package_files_are_served_with_strict_headers,
    test_the_state_is_saved_and_resumed,
    token,
)
from tests.courses.test_views import (  # noqa: F401
    PDF,
    facilitator,
    file_submission,
    setup,
    submit,
    test_others_are_told_the_file_does_not_exist,
    test_team_members_and_reviewers_download_the_file,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("object_storage")]


def test_an_installed_package_is_in_the_bucket_under_h5p(client, object_storage, package, token):
    keys = object_storage.object_keys("h5p/")
    library = H5PLibrary.objects.get(machine_name="LUP.Reflection")

    assert f"h5p/{package.original_path}" in keys
    assert f"h5p/{package.content_path}/content.json" in keys
    assert f"h5p/{library.files_path}/library.json" in keys
    served = client.get(content_url(token, "content.json"))
    stored = object_storage.read(f"h5p/{package.content_path}/content.json")
    assert json.loads(b"".join(served.streaming_content)) == json.loads(stored)


def test_a_submitted_file_is_a_private_object_under_a_name_of_its_own(
    client, object_storage, setup
):
    client.force_login(setup.manager)

    submit(client, setup, file=SimpleUploadedFile("brukerreise.pdf", PDF))

    submission = Submission.objects.get()
    [key] = object_storage.object_keys("private/")
    assert key == f"private/{submission.file.name}"
    assert object_storage.read(key) == PDF
    assert "brukerreise" not in key  # the learner's name for the file is not the key
    assert object_storage.object_keys("media/") == []  # nothing public
