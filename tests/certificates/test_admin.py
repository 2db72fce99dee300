"""The admin: editing templates with a PDF preview of unsaved changes, and revoking."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from certificates.models import Certificate, CertificateTemplate
from lup.models import AuditEvent
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def editor(client, settings):
    """Staff with the certificates permissions (no two-factor group, so no MFA step), with
    the generic adapter: they see every certificate."""
    settings.CERTIFICATES_ADAPTER = "certificates.adapter.DefaultCertificatesAdapter"
    user = UserFactory(email="editor@example.no", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="certificates"))
    client.force_login(user)
    return user


def form_data(template: CertificateTemplate, **changes) -> dict:
    data = {
        "name": template.name,
        "key": template.key,
        "language": "nb",
        "title": template.title,
        "body": template.body,
        "issuer": "",
        "orientation": "landscape",
        "primary_colour": "#1E2B3C",
        "accent_colour": "#0062BA",
        "signatories-TOTAL_FORMS": "1",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
        "signatories-0-position": "1",
        "signatories-0-name": "Randi Rektor",
        "signatories-0-title": "Rektor",
    }
    data.update(changes)
    return data


def test_the_preview_renders_unsaved_changes_as_pdf(client, editor, template):
    url = f"/admin/certificates/certificatetemplate/{template.pk}/preview/"

    response = client.post(url, form_data(template, title="Helt nytt bevis"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"/Title (Helt nytt bevis)" in response.content
    template.refresh_from_db()
    assert template.title == "Kursbevis"  # nothing saved


def test_the_preview_works_before_the_template_is_saved(client, editor, template):
    data = form_data(template, key="new-kind", name="New")

    response = client.post("/admin/certificates/certificatetemplate/add/preview/", data)

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert not CertificateTemplate.objects.filter(key="new-kind").exists()


def test_the_preview_explains_an_unknown_placeholder(client, editor, template):
    url = f"/admin/certificates/certificatetemplate/{template.pk}/preview/"

    response = client.post(url, form_data(template, body="Hei {navn}"))

    assert response.status_code == 400
    assert "Unknown placeholder: {navn}" in response.content.decode()


def test_the_change_form_offers_the_preview_and_lists_placeholders(client, editor, template):
    text = client.get(f"/admin/certificates/certificatetemplate/{template.pk}/change/").content

    assert b'id="certificate-preview"' in text
    assert b"{recipient_name}" in text


def test_saving_in_the_admin_raises_the_version(client, editor, template):
    url = f"/admin/certificates/certificatetemplate/{template.pk}/change/"
    data = form_data(template, body="{recipient_name} er ferdig.")
    data["signatories-INITIAL_FORMS"] = "0"

    response = client.post(url, data)

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.version == 2
    assert template.body == "{recipient_name} er ferdig."


def test_saving_an_unknown_placeholder_is_refused(client, editor, template):
    url = f"/admin/certificates/certificatetemplate/{template.pk}/change/"

    response = client.post(url, form_data(template, body="Hei {navn}"))

    assert response.status_code == 200
    assert "Unknown placeholder: {navn}" in response.content.decode()


def test_revoking_with_a_reason_is_audited(client, editor, certificate):
    url = f"/admin/certificates/certificate/{certificate.pk}/revoke/"
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "Wrong person"})

    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.is_revoked
    event = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_REVOKED)
    assert event.actor == editor
    assert event.subject == certificate.recipient
    assert event.details["reason"] == "Wrong person"
    assert event.details["code"] == certificate.display_code


def test_issued_certificates_cannot_be_changed_or_deleted_in_the_admin(client, editor, certificate):
    base = f"/admin/certificates/certificate/{certificate.pk}"

    assert client.get(f"{base}/change/").status_code == 200  # read-only view
    assert client.post(f"{base}/change/", {"recipient_name": "X"}).status_code == 403
    assert client.get(f"{base}/delete/").status_code == 403
    assert client.get("/admin/certificates/certificate/add/").status_code == 403
    assert Certificate.objects.get(pk=certificate.pk).recipient_name == "Åse Ødegård"
