"""A certificate that no longer names its recipient (anonymised), and one drawn again with a
name replaced: what the verification page, its JSON, the badge and the PDF check say."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certificates import services
from certificates.models import Certificate
from certificates.selectors import valid_codes_by_source
from certificates.storage import pdf_storage
from tests.certificates.test_rendering import needs_poppler, pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

WITHHELD = "(name withheld)"


def stored(certificate: Certificate) -> Certificate:
    return Certificate.objects.get(pk=certificate.pk)


def upload(client, certificate, data):
    return client.post(
        f"/verify/{certificate.code}/",
        {"file": SimpleUploadedFile("c.pdf", data, content_type="application/pdf")},
    )


def test_withholding_replaces_every_copy_of_the_name_and_deletes_the_pdf(
    certificate, django_capture_on_commit_callbacks
):
    issued = stored(certificate)
    assert pdf_storage().exists(issued.pdf.name)

    with django_capture_on_commit_callbacks(execute=True):
        withheld = services.withhold_recipient_name(
            certificate=certificate, replacement=WITHHELD, names=["ase@example.no"]
        )

    after = stored(withheld)
    assert after.pdf.name == ""
    assert not pdf_storage().exists(issued.pdf.name)  # the file itself is gone, not just unlinked
    assert after.name_withheld_at is not None
    assert after.recipient_name == WITHHELD
    assert "Åse" not in after.body
    assert "Ødegård" not in after.title + after.body
    assert after.details["values"]["recipient_name"] == WITHHELD
    assert "Ødegård" not in str(after.details)
    assert after.pdf_bytes() == b""
    assert after.sha256 == issued.sha256  # the holder's copy still checks
    assert after.code == issued.code
    assert not after.is_revoked  # revoking is the caller's decision


def test_withholding_twice_changes_nothing_more(certificate):
    first = services.withhold_recipient_name(certificate=certificate, replacement=WITHHELD)
    second = services.withhold_recipient_name(certificate=certificate, replacement=WITHHELD)

    assert second.name_withheld_at == first.name_withheld_at
    assert second.recipient_name == WITHHELD


def test_the_public_page_json_and_badge_show_no_name(client, certificate, recipient):
    issued_pdf = stored(certificate).pdf_bytes()
    services.withhold_recipient_name(certificate=certificate, replacement=WITHHELD)
    services.revoke_certificate(certificate=certificate, reason="anonymised", revoked_by=None)

    page = client.get(f"/verify/{certificate.display_code}/").content.decode()
    data = client.get(f"/verify/{certificate.code}.json").json()
    badge = client.get(f"/credentials/{certificate.public_id}").json()
    signed = client.get(f"/credentials/{certificate.public_id}.jwt")
    check = upload(client, certificate, issued_pdf).content.decode()

    assert "This certificate was revoked" in page
    assert "The name is withheld" in page
    assert "Åse" not in page
    assert "Ødegård" not in page
    assert data["status"] == "revoked"
    assert data["valid"] is False
    assert data["recipient_name"] is None
    assert data["name_withheld"] is True
    assert "Ødegård" not in str(data)
    assert "name" not in badge["credentialSubject"]
    assert "identifier" not in badge["credentialSubject"]  # not even their hashed address
    assert "Ødegård" not in str(badge)
    assert signed.status_code == 410  # the signed copy named them: no longer published
    assert "The file matches" in check


def test_a_withheld_certificate_that_stays_valid_says_valid_without_the_name(
    client, certificate, recipient
):
    services.withhold_recipient_name(certificate=certificate, replacement=WITHHELD)

    page = client.get(f"/verify/{certificate.display_code}/").content.decode()
    badge = client.get(f"/credentials/{certificate.public_id}").json()
    client.force_login(recipient)
    listing = client.get("/certificates/").content.decode()
    download = client.get(f"/certificates/{certificate.public_id}/pdf")

    assert "This certificate is genuine and valid." in page
    assert "Ødegård" not in page
    assert "name" not in badge["credentialSubject"]
    assert "The name is withheld and the PDF deleted." in listing
    assert "Ødegård" not in listing
    assert download.status_code == 404  # no empty file, no error


def test_a_withheld_certificate_gets_no_e_mail(certificate, mailoutbox):
    services.withhold_recipient_name(certificate=certificate, replacement=WITHHELD)

    assert services.send_certificate_email(certificate=stored(certificate)) is False
    assert mailoutbox == []


def test_a_withheld_certificate_prints_no_code_in_reports(certificate):
    assert valid_codes_by_source([certificate.source_key]) == {
        certificate.source_key: certificate.display_code
    }
    services.withhold_recipient_name(certificate=certificate, replacement=WITHHELD)

    assert valid_codes_by_source([certificate.source_key]) == {}


@pytest.fixture
def team_certificate(issue):
    return issue(
        source_key="test:team",
        recipient_name="Solbakken skole",
        values={"team": "Åse Ødegård, Ola Nordmann"},
    )[0]


def test_replacing_a_name_draws_the_pdf_again_and_earlier_copies_still_verify(
    client, team_certificate, django_capture_on_commit_callbacks
):
    before = stored(team_certificate)
    before_pdf = before.pdf_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.replace_names(
            certificate=team_certificate, names=["Åse Ødegård"], replacement=WITHHELD
        )

    after = stored(team_certificate)
    assert changed is True
    assert after.details["values"]["team"] == f"{WITHHELD}, Ola Nordmann"
    assert after.recipient_name == "Solbakken skole"
    assert after.sha256 != before.sha256
    assert after.sha256 == services.sha256_of(after.pdf_bytes())
    assert after.details["earlier_sha256"] == [before.sha256]
    assert after.name_withheld_at is None
    # Only the new drawing is kept; the holder's earlier copy still verifies by its SHA-256.
    assert not pdf_storage().exists(before.pdf.name)
    assert pdf_storage().exists(after.pdf.name)
    earlier = upload(client, after, before_pdf).content.decode()
    current = upload(client, after, after.pdf_bytes()).content.decode()
    assert "matches an earlier version" in earlier
    assert "The file matches: it is the certificate issued" in current
    assert (
        services.replace_names(
            certificate=team_certificate, names=["Åse Ødegård"], replacement=WITHHELD
        )
        is False
    )  # nothing left to replace: the PDF stays


def test_names_are_replaced_as_whole_words_in_any_case(issue):
    certificate = issue(
        source_key="test:words",
        recipient_name="Unit",
        values={"team": "ÅSE ØDEGÅRD, Åse Ødegårdsen"},
    )[0]

    services.replace_names(certificate=certificate, names=["Åse Ødegård"], replacement="X")

    assert stored(certificate).details["values"]["team"] == "X, Åse Ødegårdsen"


@needs_poppler
def test_the_pdf_drawn_again_shows_the_replacement_not_the_name(team_certificate, tmp_path):
    # The default test template's body names the recipient only; show the team in it.
    Certificate.objects.filter(pk=team_certificate.pk).update(
        body="Teamet: Åse Ødegård, Ola Nordmann."
    )

    services.replace_names(
        certificate=team_certificate, names=["Åse Ødegård"], replacement=WITHHELD
    )

    text = " ".join(pdf_text(stored(team_certificate).pdf_bytes(), tmp_path).split())
    assert "Ødegård" not in text
    assert f"Teamet: {WITHHELD}, Ola Nordmann." in text
