"""A template's signatories through `certificates.services` (what the settings pages call):
added in order with an optional PNG or JPEG signature checked by its bytes, changed, moved
and removed; each change raises the template's version, and certificates already issued
keep the signatories they were issued with."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from certificates import selectors, services
from certificates.models import CertificateTemplate, Signatory
from tests.images import TEXT_AS_PNG, image_bytes, png_claiming, truncated_png, upload

pytestmark = pytest.mark.django_db


def names(template):
    return list(template.signatories.order_by("position").values_list("name", flat=True))


def version(template):
    return CertificateTemplate.objects.get(pk=template.pk).version


def test_signatories_are_added_in_order_and_raise_the_version(template):
    first = version(template)

    kari = services.add_signatory(template=template, name=" Kari Nordmann ", title="Rådmann")
    services.add_signatory(
        template=template,
        name="Per Hansen",
        signature=upload(image_bytes("JPEG"), "underskrift.jpeg", "image/jpeg"),
    )

    assert names(template) == ["Ola Nordmann", "Kari Nordmann", "Per Hansen"]
    assert [s.position for s in selectors.signatories_of(template)] == [1, 2, 3]
    assert kari.name == "Kari Nordmann"
    per = Signatory.objects.get(name="Per Hansen")
    assert per.signature.name.startswith("certificates/signatures/signature")
    assert per.signature.name.endswith(".jpg")
    assert version(template) == first + 2


def test_a_certificate_has_room_for_three(template):
    services.add_signatory(template=template, name="To")
    services.add_signatory(template=template, name="Tre")
    before = version(template)

    with pytest.raises(ValidationError) as refused:
        services.add_signatory(template=template, name="Fire")

    assert refused.value.code == "signatories_full"
    assert names(template) == ["Ola Nordmann", "To", "Tre"]
    assert version(template) == before


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (TEXT_AS_PNG, "underskrift.png", "signature_type"),
        (image_bytes("GIF"), "underskrift.png", "signature_type"),
        (image_bytes("WEBP"), "underskrift.png", "signature_type"),
        (truncated_png(), "underskrift.png", "signature_type"),
        (b"", "tom.png", "signature_type"),
        (png_claiming(5000, 5000), "stor.png", "signature_pixels"),
        (png_claiming(40000, 40000), "bombe.png", "signature_pixels"),
        (image_bytes("PNG", (4000, 4000), "L"), "stor.png", "signature_pixels"),
    ],
    ids=["text", "gif", "webp", "truncated", "empty", "claims-25mpx", "bomb", "4000x4000"],
)
def test_a_signature_that_is_not_a_small_png_or_jpeg_is_refused(template, data, name, code):
    before = version(template)

    with pytest.raises(ValidationError) as refused:
        services.add_signatory(template=template, name="Kari", signature=upload(data, name))

    assert refused.value.error_dict["signature"][0].code == code
    assert names(template) == ["Ola Nordmann"]
    assert version(template) == before


def test_a_signature_over_the_byte_limit_is_refused(template, settings):
    settings.CERTIFICATES_SIGNATURE_MAX_BYTES = 200
    data = image_bytes("PNG", (300, 100))
    assert len(data) > 200

    with pytest.raises(ValidationError) as refused:
        services.check_signature_image(upload(data))

    assert refused.value.code == "signature_size"


def test_a_signatory_is_changed_its_image_replaced_and_removed(template):
    ola = template.signatories.get()
    before = version(template)

    assert services.change_signatory(signatory=ola, name="Ola Nordmann", title="Rektor") == ()
    assert version(template) == before
    changed = services.change_signatory(
        signatory=ola, name="Ola Nordmann", title="Skoleleder", signature=upload(image_bytes())
    )
    ola.refresh_from_db()

    assert changed == ("title", "signature")
    assert ola.signature.name.endswith(".png")
    assert version(template) == before + 1
    assert services.change_signatory(
        signatory=ola, name="Ola Nordmann", title="Skoleleder", remove_signature=True
    ) == ("signature",)
    ola.refresh_from_db()
    assert not ola.signature


def test_a_blank_name_is_refused(template):
    ola = template.signatories.get()

    with pytest.raises(ValidationError) as refused:
        services.change_signatory(signatory=ola, name="  ", title="Rektor")

    assert "name" in refused.value.error_dict
    assert names(template) == ["Ola Nordmann"]


def test_signatories_move_and_close_up_when_one_is_removed(template):
    kari = services.add_signatory(template=template, name="Kari")
    per = services.add_signatory(template=template, name="Per")
    ola = Signatory.objects.get(name="Ola Nordmann")

    assert services.move_signatory(signatory=per, direction="up")
    assert names(template) == ["Ola Nordmann", "Per", "Kari"]
    before = version(template)
    assert not services.move_signatory(signatory=ola, direction="up")  # first already
    assert version(template) == before

    assert services.remove_signatory(signatory=ola)
    assert not services.remove_signatory(signatory=ola)  # gone already: nothing more
    assert names(template) == ["Per", "Kari"]
    assert list(template.signatories.order_by("position").values_list("position", flat=True)) == [
        1,
        2,
    ]
    assert version(template) == before + 1
    assert kari.pk in set(template.signatories.values_list("pk", flat=True))


def test_certificates_already_issued_keep_their_signatories(template, issue):
    certificate, _created = issue()
    services.add_signatory(template=template, name="Kari Nordmann")

    certificate.refresh_from_db()

    assert [s["name"] for s in certificate.details["signatories"]] == ["Ola Nordmann"]
    assert certificate.template_version == 1
