"""The public verification pages: valid, revoked, unknown, the PDF check, rate limits."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from certificates import services
from certificates.models import Certificate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def page(client, certificate, **kwargs):
    return client.get(f"/verify/{certificate.display_code}/", **kwargs)


def test_a_valid_certificate_says_so_with_its_facts(client, certificate):
    response = page(client, certificate)

    assert response.status_code == 200
    text = response.content.decode()
    assert "This certificate is genuine and valid." in text
    assert "Åse Ødegård" in text
    assert "Innovasjon i praksis" in text
    assert "Bærum kommune" in text
    assert certificate.display_code in text


def test_the_page_takes_a_fixed_number_of_queries(client, issue, django_assert_num_queries):
    certificates = [issue(source_key=f"test:{n}")[0] for n in range(5)]
    page(client, certificates[0])  # warm up (session, translations)

    for certificate in certificates:
        with django_assert_num_queries(1):
            assert page(client, certificate).status_code == 200


def test_a_revoked_certificate_says_revoked_but_not_why(client, certificate, recipient):
    services.revoke_certificate(
        certificate=certificate, reason="Private matter", revoked_by=recipient
    )

    text = page(client, certificate).content.decode()

    assert "This certificate was revoked" in text
    assert "genuine and valid" not in text
    assert "Private matter" not in text


def test_an_unknown_code_is_just_not_found(client, certificate):
    response = client.get("/verify/ZZZZ-ZZZZ/")

    assert response.status_code == 404
    assert "No certificate has this code." in response.content.decode()
    assert "Åse" not in response.content.decode()


@pytest.mark.parametrize("spelling", ["lower", "no_dash", "spaces", "letter_o"])
def test_codes_match_however_they_are_typed(client, template, recipient, spelling):
    certificate, _ = services.issue_certificate(
        template=template,
        source_key="test:typed",
        recipient=recipient,
        recipient_name="Åse",
        achievement="A",
        issuer="B",
        notify=False,
    )
    Certificate.objects.filter(pk=certificate.pk).update(code="AB0D1EF7")
    typed = {
        "lower": "ab0d-1ef7",
        "no_dash": "AB0D1EF7",
        "spaces": "AB0D 1EF7",
        "letter_o": "ABOD-IEF7",
    }[spelling]

    assert client.get(f"/verify/{typed}/").status_code == 200


def test_the_code_form_leads_to_the_certificate(client, certificate):
    assert client.get("/verify/").status_code == 200

    response = client.get("/verify/", {"code": certificate.display_code.lower()})

    assert response.status_code == 302
    assert response["Location"] == f"/verify/{certificate.code}/"


def test_the_code_form_explains_a_malformed_code(client):
    response = client.get("/verify/", {"code": "12"})

    assert response.status_code == 200
    assert "A verification code has eight letters and digits" in response.content.decode()


def test_json_variants(client, certificate):
    for url in (
        f"/verify/{certificate.code}.json",
        f"/verify/{certificate.code}/?format=json",
    ):
        data = client.get(url).json()
        assert data["status"] == "valid"
        assert data["valid"] is True
        assert data["recipient_name"] == "Åse Ødegård"
        assert data["code"] == certificate.display_code
        assert data["sha256"] == certificate.sha256

    missing = client.get("/verify/ZZZZZZZZ.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not found"}


def upload(client, certificate, data, name="certificate.pdf"):
    return client.post(
        f"/verify/{certificate.code}/",
        {"file": SimpleUploadedFile(name, data, content_type="application/pdf")},
    )


def test_uploading_the_issued_pdf_confirms_it(client, certificate):
    pdf = Certificate.objects.get(pk=certificate.pk).pdf_bytes()

    text = upload(client, certificate, pdf).content.decode()

    assert "The file matches" in text


def test_uploading_a_changed_pdf_says_it_does_not_match(client, certificate):
    pdf = Certificate.objects.get(pk=certificate.pk).pdf_bytes()
    tampered = pdf.replace(b"Kursbevis", b"Kursbeviz")

    text = upload(client, certificate, tampered).content.decode()

    assert "The file does not match" in text
    assert "The file matches" not in text


def test_uploading_something_else_is_refused(client, certificate):
    response = upload(client, certificate, b"hello", name="notes.txt")

    assert response.status_code == 422
    assert "neither a certificate PDF nor a credential file" in response.content.decode()


def test_too_many_checks_from_one_address_are_refused(client, certificate, settings):
    settings.CERTIFICATES_VERIFY_RATE = "3/minute"

    statuses = [page(client, certificate).status_code for _ in range(4)]
    json_response = client.get(f"/verify/{certificate.code}.json")

    assert statuses == [200, 200, 200, 429]
    assert json_response.status_code == 429
    refused = page(client, certificate)
    assert "Too many checks" in refused.content.decode()
    assert refused["Retry-After"] == "60"
    # Another address is not affected.
    assert page(client, certificate, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_my_certificates_lists_only_my_own(client, certificate, recipient, issue):
    from tests.factories import UserFactory

    other = UserFactory()
    issue(source_key="test:other", recipient=other, recipient_name="Someone Else")
    client.force_login(recipient)

    text = client.get("/certificates/").content.decode()

    assert certificate.display_code in text
    assert "Someone Else" not in text


def test_the_recipient_downloads_the_exact_pdf(client, certificate, recipient):
    client.force_login(recipient)

    response = client.get(f"/certificates/{certificate.public_id}/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert services.sha256_of(response.content) == certificate.sha256


def test_someone_else_is_told_it_does_not_exist(client, certificate):
    from tests.factories import UserFactory

    client.force_login(UserFactory())

    assert client.get(f"/certificates/{certificate.public_id}/pdf").status_code == 404
    assert client.get(f"/certificates/{certificate.public_id}/badge.json").status_code == 404


def test_the_open_badge_names_the_achievement_and_recipient(client, certificate, recipient):
    client.force_login(recipient)

    old_link = client.get(f"/certificates/{certificate.public_id}/badge.json")
    client.logout()
    badge = client.get(urlsplit(old_link["Location"]).path).json()

    assert old_link.status_code == 302  # the holder's old link leads to the public one
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["credentialSubject"]["achievement"]["name"] == "Innovasjon i praksis"
    assert badge["credentialSubject"]["name"] == "Åse Ødegård"
    assert badge["issuer"]["name"] == "Bærum kommune"
    assert badge["validFrom"]
