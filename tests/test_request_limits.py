"""Too large request bodies are refused with 413 before anything reads them, and nothing
is written; upload pages keep their own larger limits, for the people who may upload."""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import Submission
from tests.courses.test_views import PDF, activity_url
from tests.lup.curriculum import build_curriculum

pytestmark = [pytest.mark.django_db]

KB = 1024


@pytest.fixture
def small_limits(settings):
    settings.REQUEST_BODY_MAX_BYTES_ANONYMOUS = 4 * KB
    settings.REQUEST_BODY_MAX_BYTES = 16 * KB
    settings.COURSES_SUBMISSION_MAX_BYTES = 200 * KB
    return settings


def stored_files(settings) -> list[Path]:
    root = Path(settings.COURSES_PRIVATE_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_an_anonymous_post_larger_than_a_sign_in_form_is_refused_unread(client, small_limits):
    response = client.post(
        "/accounts/login/",
        data=b"x" * (5 * KB),
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 413
    html = response.content.decode()
    assert "The upload is too large" in html
    assert "Nothing was saved." in html
    assert 'href="/"' in html  # a way back


def test_the_413_page_speaks_norwegian(client, small_limits):
    response = client.post(
        "/accounts/login/", data=b"x" * (5 * KB), content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert '<html lang="nb"' in response.content.decode()
    assert "Opplastingen er for stor" in response.content.decode()


def test_a_sign_in_form_within_the_limit_still_works(client, small_limits):
    response = client.post("/accounts/login/", {"login": "nobody@example.no", "password": "x"})

    assert response.status_code == 200  # the form, with its own error


def test_an_api_caller_gets_json(client, small_limits):
    response = client.post(
        "/api/v1/participants/", data=b"{}" + b" " * (5 * KB), content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["detail"] == "Request body too large."


def test_an_unreadable_content_length_is_a_bad_request(client):
    response = client.generic("POST", "/accounts/login/", b"", CONTENT_LENGTH="many")

    assert response.status_code == 400


def test_a_signed_in_answer_over_the_upload_limit_is_refused_and_nothing_is_stored(
    client, small_limits
):
    setup = build_curriculum()
    client.force_login(setup.manager)
    too_large = PDF + b"0" * (300 * KB)

    response = client.post(
        activity_url(setup.assignment.activity),
        {"file": SimpleUploadedFile("reise.pdf", too_large)},
    )

    assert response.status_code == 413
    assert not Submission.objects.exists()
    assert stored_files(small_limits) == []


def test_the_answer_page_takes_files_larger_than_the_sites_default(client, small_limits):
    """A 100 KB answer is over the default signed-in limit (16 KB here) but within the
    submission limit (200 KB): the upload page's own limit applies."""
    setup = build_curriculum()
    client.force_login(setup.manager)

    client.post(
        activity_url(setup.assignment.activity),
        {"file": SimpleUploadedFile("reise.pdf", PDF + b"0" * (100 * KB))},
    )

    assert Submission.objects.count() == 1


def test_an_upload_page_gives_anonymous_visitors_no_larger_limit(client, small_limits):
    setup = build_curriculum()

    response = client.post(
        activity_url(setup.assignment.activity),
        {"file": SimpleUploadedFile("reise.pdf", PDF + b"0" * (100 * KB))},
    )

    assert response.status_code == 413


def test_the_public_certificate_check_takes_a_pdf_from_anyone(client, small_limits, settings):
    settings.CERTIFICATES_VERIFY_MAX_UPLOAD_BYTES = 200 * KB
    url = reverse("certificates-verify:certificate", kwargs={"code": "ABCD-EFGH"})

    response = client.post(url, {"pdf": SimpleUploadedFile("bevis.pdf", PDF + b"0" * 100 * KB)})

    assert response.status_code != 413  # the view answers (here: no such certificate)


@pytest.mark.django_db(transaction=True)
def test_a_300_mb_anonymous_post_is_answered_before_its_body_is_sent(live_server):
    """Over a real socket: the server answers 413 having read only the headers. Had it
    tried to read the declared 300 MB, the answer would never come (the socket times out)."""
    address = urlsplit(live_server.url)
    with socket.create_connection((address.hostname, address.port), timeout=15) as connection:
        connection.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\n"
            + f"Host: {address.hostname}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {300 * 1024 * 1024}\r\n".encode()
            + b"Connection: close\r\n\r\n"
            + b"--x\r\n"
        )
        answer = connection.recv(4096).decode("latin-1")

    assert answer.startswith("HTTP/1.1 413")
