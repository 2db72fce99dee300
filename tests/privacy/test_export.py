"""A person's own data: the export holds every row the database has about them (compared
with an independent walk of the models), never a secret, in a fixed number of queries;
the archive holds the same data with their files and certificates; only they get it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections import defaultdict
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.models import Certificate
from lup.models import AuditEvent
from lup.privacy import services as privacy_services
from lup.privacy.export import FORMAT, personal_data_of
from lup.privacy.models import PersonalDataExport
from lup.privacy.register import entries
from lup.reporting.models import ApiToken
from tests.factories import UserFactory
from tests.privacy.history import (
    CONFIRMATION_KEY,
    SOCIAL_TOKEN,
    TOTP_SECRET,
    History,
    build_history,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


@pytest.fixture(autouse=True)
def archives_in_tmp(settings, tmp_path):
    """People's archives go to the test's own directory."""
    settings.LUP_PRIVATE_ROOT = str(tmp_path / "lup-private")


@pytest.fixture
def history() -> History:
    return build_history()


# The independent walk: what the database holds about a person, found from the models alone.


def _forward_relations(model: type[Any]) -> list[Any]:
    return [
        field
        for field in model._meta.get_fields()
        if (field.is_relation and field.concrete) or (field.many_to_many and not field.auto_created)
    ]


def _rows_about_one_person(user_model: type[Any]) -> dict[type[Any], list[str]]:
    """Models whose rows each belong to one person: a required relation to the account
    (a participation, an e-mail address, a sign-in account...), with that relation's names."""
    found: dict[type[Any], list[str]] = defaultdict(list)
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model and not field.null:
                found[model].append(field.name)
    # A certificate is its recipient's alone too, though the relation may be empty: a
    # certificate outlives the account it was issued to (so its credential is theirs).
    found[apps.get_model("certificates", "Certificate")].append("recipient")
    return found


def orm_walk(person: Any) -> dict[str, set[Any]]:
    """For every installed model, the primary keys of its rows related to `person`: through
    any relation to the user model, or to a row that belongs to them alone."""
    user_model = get_user_model()
    owned = _rows_about_one_person(user_model)
    walk: dict[str, set[Any]] = {user_model._meta.label: {person.pk}}
    for model in apps.get_models():
        pks: set[Any] = set()
        for field in _forward_relations(model):
            target = field.related_model
            if target is user_model:
                pks |= set(
                    model._default_manager.filter(**{field.name: person.pk}).values_list(
                        "pk", flat=True
                    )
                )
            elif target in owned:
                theirs = set()
                for name in owned[target]:
                    theirs |= set(
                        target._default_manager.filter(**{name: person.pk}).values_list(
                            "pk", flat=True
                        )
                    )
                pks |= set(
                    model._default_manager.filter(**{f"{field.name}__in": theirs}).values_list(
                        "pk", flat=True
                    )
                )
        if pks:
            walk.setdefault(model._meta.label, set()).update(pks)
    return walk


def exported_ids(data: dict[str, Any]) -> dict[str, set[Any]]:
    ids = {}
    for category in data["categories"].values():
        for label, model in category["models"].items():
            if model["rows"]:
                ids[label] = {row[model["pk"]] for row in model["rows"]}
    return ids


def test_the_export_holds_exactly_the_rows_the_database_has_about_the_person(history):
    data = personal_data_of(history.person)

    assert exported_ids(data) == orm_walk(history.person)
    # The history reaches every entry, so the comparison covers the whole register.
    assert {label for label, ids in exported_ids(data).items() if ids} == {
        entry.model for entry in entries()
    }
    for category in data["categories"].values():
        for model in category["models"].values():
            assert model["count"] == len(model["rows"])


def test_the_export_has_every_column_but_secrets_and_documents_itself(history):
    data = personal_data_of(history.person)

    assert data["format"] == FORMAT
    assert data["complete"] is True
    assert data["person"]["email"] == history.person.email
    assert [p["cohort"] for p in data["participations"]] == [history.setup.cohort.name]
    account = data["categories"]["account"]
    assert account["label"] == "Account"
    user = account["models"]["auth.User"]
    assert "password" not in user["fields"]
    assert user["withheld"] == ["password"]
    assert user["on_anonymise"] == "redact"
    assert (
        set(user["rows"][0])
        == set(user["fields"])
        == {
            field.name
            for field in [
                *get_user_model()._meta.concrete_fields,
                *get_user_model()._meta.many_to_many,
            ]
            if field.name != "password"
        }
    )
    submissions = data["categories"]["uploaded_files"]["models"]["courses.Submission"]
    assert submissions["purpose"].startswith("What you or your team handed in")
    assert submissions["retention"] == "uploaded_files"
    team_answer = next(row for row in submissions["rows"] if row["text"] == "Brukerreisen vår")
    assert team_answer["members"] == sorted([history.person.pk, history.teammate.pk])
    assert team_answer["reviewed_by"] == history.facilitator.pk
    own = [row for row in submissions["rows"] if row["id"] in history.files]
    assert {row["file"] for row in own} == {
        f"files/courses.Submission/{row['id']}/file/{row['file_name']}" for row in own
    }


def test_no_secret_is_exported(history):
    text = json.dumps(personal_data_of(history.person))
    token = ApiToken.objects.get(created_by=history.person)

    assert history.person.password
    for secret in (
        history.person.password,
        TOTP_SECRET,
        token.secret_hash,
        history.api_token_secret,
        CONFIRMATION_KEY,
        SOCIAL_TOKEN,
    ):
        assert secret not in text


def test_another_persons_rows_stay_out(history):
    data = personal_data_of(history.person)
    text = json.dumps(data)

    teammate_certificate = Certificate.objects.get(recipient=history.teammate)
    assert teammate_certificate.code not in text
    assert history.stranger.email not in text
    completions = data["categories"]["learning_records"]["models"]["courses.ActivityCompletion"]
    assert {row["user"] for row in completions["rows"]} == {history.person.pk}


def test_a_submission_the_person_only_reviewed_is_listed_without_its_file(history):
    data = personal_data_of(history.person)

    submissions = data["categories"]["uploaded_files"]["models"]["courses.Submission"]["rows"]
    reviewed = next(row for row in submissions if row["submitted_by"] == history.teammate.pk)
    assert reviewed["reviewed_by"] == history.person.pk
    assert reviewed["file_name"] == "teammate.pdf"
    assert reviewed["file"] is None  # the teammate's file is theirs, not the reviewer's


def _queries(person: Any) -> int:
    with CaptureQueriesContext(connection) as queries:
        personal_data_of(person)
    return len(queries)


def test_the_export_takes_the_same_queries_for_a_short_and_a_long_history(db):
    short = build_history(submissions=1, completions=1, statements=1, name="kort")
    short_count = _queries(short.person)
    long = build_history(submissions=20, completions=40, statements=60, name="lang")
    long_count = _queries(long.person)

    # One per entry, one per many-to-many field of an entry with rows (every entry has rows
    # here: the account's groups and permissions, facilitators, submissions' and projects'
    # members, an H5P package's libraries, a call's sectors and units, a sector's leaders),
    # and two for the readable top (roles, participations).
    registered = list(entries())
    many_to_many = sum(len(entry.model_class()._meta.many_to_many) for entry in registered)
    assert many_to_many == 9
    assert short_count == long_count == len(registered) + many_to_many + 2


# The page.


def test_the_page_shows_each_category_with_counts_and_the_newest_rows(client, history):
    client.force_login(history.person)

    page = client.get(reverse("lup:my-data"))

    assert page.status_code == 200
    html = page.content.decode()
    for heading in (
        "Submissions and uploaded files",
        "Certificates",
        "Learning activity statements (xAPI)",
        "Security and audit log",
    ):
        assert heading in html
    assert "Activity completions (16)" in html
    assert "11 more rows: see the download for all." in html
    assert "refleksjon-0.pdf" in html
    assert "Certificates (2)" in html
    assert history.certificates[0].code in html
    assert TOTP_SECRET not in html


def test_the_page_takes_the_same_queries_for_a_short_and_a_long_history(client, db):
    counts = []
    for size in (1, 20):
        history = build_history(
            submissions=size, completions=size, statements=size, name=f"leder{size}"
        )
        client.force_login(history.person)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("lup:my-data")).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_json_download_is_the_export_and_is_audited(client, history):
    client.force_login(history.person)
    before = orm_walk(history.person)

    response = client.get(reverse("lup:my-data-json"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mine-data-')
    # The download's own audit event is written after the export is made.
    assert exported_ids(json.loads(response.content)) == before
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED,
        subject=history.person,
        details={"format": "json"},
    ).exists()


# The archive.


def _request_archive(client, django_capture_on_commit_callbacks) -> Any:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lup:my-data-archive-request"))
    assert response.status_code == 302
    return response


def _zip(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _without_moving_parts(data: dict[str, Any]) -> dict[str, Any]:
    """An export without what changes between two downloads: when it was made, and the
    archive's own row (queued while it was built, ready after)."""
    data = dict(data)
    data.pop("generated_at")
    data["categories"] = dict(data["categories"])
    data["categories"].pop("data_exports")
    return data


def test_the_archive_holds_the_export_the_files_and_the_certificates(
    client, history, django_capture_on_commit_callbacks
):
    client.force_login(history.person)

    _request_archive(client, django_capture_on_commit_callbacks)
    record = PersonalDataExport.objects.get(user=history.person, status="ready")
    page = client.get(reverse("lup:my-data"))
    link = reverse("lup:my-data-archive", args=[record.public_id])
    assert link in page.content.decode()
    export = json.loads(client.get(reverse("lup:my-data-json")).content)
    download = client.get(link)

    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    assert download["Cache-Control"] == "private, no-store"
    archive = _zip(download)
    assert archive.testzip() is None
    names = set(archive.namelist())
    data = json.loads(archive.read("data.json"))
    assert _without_moving_parts(data) == _without_moving_parts(export)
    assert "data.json" in archive.read("README.txt").decode()
    submissions = data["categories"]["uploaded_files"]["models"]["courses.Submission"]["rows"]
    for row in submissions:
        if row["id"] in history.files:
            assert archive.read(row["file"]) == history.files[row["id"]]
    assert not any("teammate" in name for name in names)
    certificates = data["categories"]["certificates"]["models"]["certificates.Certificate"]
    for row in certificates["rows"]:
        pdf = archive.read(row["pdf"])
        assert pdf.startswith(b"%PDF")
        assert hashlib.sha256(pdf).hexdigest() == row["sha256"]
    assert len(certificates["rows"]) == len(history.certificates) == 2
    assert record.rows == sum(
        model["count"]
        for category in data["categories"].values()
        for model in category["models"].values()
    )
    assert record.size == len(b"".join(client.get(link).streaming_content))
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.PERSONAL_DATA_EXPORTED,
            subject=history.person,
            details={"format": "zip"},
        ).count()
        == 2
    )


def test_the_readme_is_in_the_persons_language(client, history, django_capture_on_commit_callbacks):
    client.force_login(history.person)

    with django_capture_on_commit_callbacks(execute=True):
        privacy_services.request_archive(person=history.person, language="nb")
    record = PersonalDataExport.objects.get(user=history.person, status="ready")
    archive = _zip(client.get(reverse("lup:my-data-archive", args=[record.public_id])))

    readme = archive.read("README.txt").decode()
    assert "Innleveringer: " in readme  # the models' names, in bokmål
    assert json.loads(archive.read("data.json"))["language"] == "nb"


def test_only_the_owner_downloads_an_archive(client, history, django_capture_on_commit_callbacks):
    client.force_login(history.person)
    _request_archive(client, django_capture_on_commit_callbacks)
    record = PersonalDataExport.objects.get(user=history.person, status="ready")
    link = reverse("lup:my-data-archive", args=[record.public_id])

    client.force_login(history.teammate)
    assert client.get(link).status_code == 404
    client.logout()
    assert client.get(link).status_code == 302  # to sign in
    assert not AuditEvent.objects.filter(details={"format": "zip"}).exists()


def test_an_expired_or_unknown_archive_is_not_found(
    client, history, django_capture_on_commit_callbacks
):
    client.force_login(history.person)
    _request_archive(client, django_capture_on_commit_callbacks)
    record = PersonalDataExport.objects.get(user=history.person, status="ready")
    link = reverse("lup:my-data-archive", args=[record.public_id])
    assert client.get(link).status_code == 200
    assert record.finished_at is not None

    PersonalDataExport.objects.filter(pk=record.pk).update(
        finished_at=record.finished_at - dt.timedelta(days=8)
    )

    assert client.get(link).status_code == 404
    assert "Expired" in client.get(reverse("lup:my-data")).content.decode()
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/me/data/archives/{unknown}/").status_code == 404
    assert client.get("/me/data/archives/not-a-uuid/").status_code == 404


def test_a_second_request_waits_for_the_first(client, history):
    client.force_login(history.person)
    waiting = PersonalDataExport.objects.create(user=history.person)

    response = client.post(reverse("lup:my-data-archive-request"), follow=True)

    assert "already being prepared" in response.content.decode()
    assert list(PersonalDataExport.objects.filter(user=history.person, status="queued")) == [
        waiting
    ]


def test_a_request_that_lost_its_task_is_failed_and_a_new_one_accepted(client, history):
    stale = PersonalDataExport.objects.create(user=history.person)
    PersonalDataExport.objects.filter(pk=stale.pk).update(
        requested_at=stale.requested_at - dt.timedelta(hours=3)
    )

    record = privacy_services.request_archive(person=history.person)

    stale.refresh_from_db()
    assert stale.status == "failed"
    assert record.status == "queued"
    assert record.pk != stale.pk


def test_an_archive_that_cannot_be_built_is_marked_failed(
    client, history, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(export: Any, destination: Any) -> Any:
        raise OSError("disk full")

    monkeypatch.setattr(privacy_services, "build_archive", broken)
    client.force_login(history.person)

    _request_archive(client, django_capture_on_commit_callbacks)

    record = PersonalDataExport.objects.filter(user=history.person).latest("requested_at")
    assert record.status == "failed"
    assert not record.archive_name
    page = client.get(reverse("lup:my-data")).content.decode()
    assert "Failed" in page
    assert reverse("lup:my-data-archive", args=[record.public_id]) not in page
    # The person can ask again.
    monkeypatch.undo()
    _request_archive(client, django_capture_on_commit_callbacks)
    assert PersonalDataExport.objects.filter(user=history.person, status="ready").exists()


def test_the_task_builds_a_request_once(history):
    from lup.privacy.tasks import build_personal_archive

    record = PersonalDataExport.objects.create(user=history.person)

    assert build_personal_archive(record.pk, "en") == "ready"
    assert build_personal_archive(record.pk, "en") is None  # built already
    assert build_personal_archive(10**9, "en") is None


# The API.


def test_the_api_gives_the_person_their_export_and_audits_it(client, history):
    client.force_login(history.person)

    response = client.get("/api/v1/me/personal-data/")

    assert response.status_code == 200
    data = response.json()
    assert data["format"] == FORMAT
    assert (
        exported_ids(data)["courses.Submission"] == orm_walk(history.person)["courses.Submission"]
    )
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED, subject=history.person
    ).exists()


def test_the_api_prepares_and_serves_an_archive(
    client, history, django_capture_on_commit_callbacks
):
    client.force_login(history.person)

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post("/api/v1/me/personal-data/archives/")
    assert created.status_code == 202
    archive_id = created.json()["id"]
    status = client.get(f"/api/v1/me/personal-data/archives/{archive_id}/").json()
    listing = client.get("/api/v1/me/personal-data/archives/").json()
    download = client.get(status["download_url"])

    assert status["status"] == "ready"
    assert status["expires_at"]
    assert status["download_url"].endswith(
        f"/api/v1/me/personal-data/archives/{archive_id}/download/"
    )
    assert listing[0]["id"] == archive_id
    assert download.status_code == 200
    assert _zip(download).read("data.json")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PERSONAL_DATA_EXPORTED,
        subject=history.person,
        details={"format": "zip"},
    ).exists()


def test_the_api_refuses_a_second_request_while_one_waits(client, history):
    client.force_login(history.person)
    waiting = PersonalDataExport.objects.create(user=history.person)

    response = client.post("/api/v1/me/personal-data/archives/")

    assert response.status_code == 409
    assert "already being prepared" in response.json()["detail"]
    assert response.json()["archive"]["id"] == str(waiting.public_id)
    assert PersonalDataExport.objects.filter(user=history.person).count() == 2  # + the old one


def test_the_api_keeps_archives_to_their_owner(client, history, django_capture_on_commit_callbacks):
    client.force_login(history.person)
    with django_capture_on_commit_callbacks(execute=True):
        archive_id = client.post("/api/v1/me/personal-data/archives/").json()["id"]
    status_url = f"/api/v1/me/personal-data/archives/{archive_id}/"
    download_url = f"{status_url}download/"

    client.force_login(history.teammate)
    assert client.get(status_url).status_code == 404
    assert client.get(download_url).status_code == 404
    assert client.get("/api/v1/me/personal-data/archives/").json() == []
    theirs = client.get("/api/v1/me/personal-data/").json()
    assert theirs["person"]["email"] == history.teammate.email

    client.logout()
    for url in (
        "/api/v1/me/personal-data/",
        "/api/v1/me/personal-data/archives/",
        status_url,
        download_url,
    ):
        assert client.get(url).status_code == 403
    assert client.post("/api/v1/me/personal-data/archives/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/me/personal-data/archives/00000000-0000-4000-8000-000000000000/",
        "/api/v1/me/personal-data/archives/00000000-0000-4000-8000-000000000000/download/",
        "/api/v1/me/personal-data/archives/not-a-uuid/",
        "/api/v1/me/personal-data/archives/not-a-uuid/download/",
        "/api/v1/me/personal-data/archives/%00/",
    ],
)
def test_the_api_answers_bad_ids_with_404(client, db, path):
    client.force_login(UserFactory.create())

    assert client.get(path).status_code == 404


def test_api_tokens_get_no_personal_data(client, history):
    secret = history.api_token_secret

    for method, url in (
        ("get", "/api/v1/me/personal-data/"),
        ("get", "/api/v1/me/personal-data/archives/"),
        ("post", "/api/v1/me/personal-data/archives/"),
    ):
        response = getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 403
        assert "API tokens act for systems" in response.json()["detail"]
    assert not PersonalDataExport.objects.filter(status="queued").exists()


def test_without_a_language_the_archive_is_in_the_persons_own(history):
    from lup.privacy.archive import archive_name
    from lup.privacy.storage import archive_storage
    from lup.privacy.tasks import build_personal_archive

    record = PersonalDataExport.objects.create(user=history.person)  # profile says "nb"

    build_personal_archive(record.pk, "")

    with archive_storage().open(archive_name(record)) as stored:
        data = json.loads(zipfile.ZipFile(stored).read("data.json"))
    assert data["language"] == "nb"
