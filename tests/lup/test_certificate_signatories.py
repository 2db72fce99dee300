"""A certificate template's signatories on the settings pages (lup.setup), not the admin:
listed in order on the template's page, added with an optional PNG or JPEG signature image
(checked by its bytes), changed, moved and removed; each change audited as TEMPLATE_CHANGED
and shown in the PDF preview. Only those who may change the templates get there; another
template's signatory is not found through this one; hostile images change nothing."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from certificates.models import CertificateTemplate, Signatory
from lup.certification.contents import template_for
from lup.models import AuditEvent, Programme
from tests.images import TEXT_AS_PNG, image_bytes, png_claiming, truncated_png, upload
from tests.roles import build_world
from tests.tools import requires_tools

pytestmark = pytest.mark.django_db

needs_poppler = requires_tools("pdftotext", install="poppler-utils")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Signature images go to the test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world():
    """Bærum's programme, and Asker's: the templates are shared, so only a superuser
    changes them (`sole` makes Bærum the only organisation running a programme)."""
    return build_world()


@pytest.fixture
def sole(world):
    """Bærum runs the only programme here: its administrator may change the templates."""
    Programme.objects.filter(pk=world.other_programme.pk).update(
        organisation=world.programme.organisation
    )
    return world.people["administrator"]


@pytest.fixture
def template(world):
    return template_for("lup-participant")


def edit_url(world, key="lup-participant"):
    return reverse(
        "lup:certificate-template-edit", kwargs={"slug": world.programme.slug, "key": key}
    )


def add_url(world, key="lup-participant"):
    return reverse(
        "lup:certificate-signatory-add", kwargs={"slug": world.programme.slug, "key": key}
    )


def signatory_url(world, name, signatory, key="lup-participant"):
    return reverse(
        f"lup:certificate-signatory-{name}",
        kwargs={"slug": world.programme.slug, "key": key, "pk": signatory.pk},
    )


def names(template):
    return list(template.signatories.order_by("position").values_list("name", flat=True))


def version(template):
    return CertificateTemplate.objects.get(pk=template.pk).version


def events():
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.TEMPLATE_CHANGED).order_by("pk"))


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "preview.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


# Adding, listing, previewing ---------------------------------------------------------------


def test_the_administrator_adds_a_signatory_with_a_signature(client, world, sole, template):
    client.force_login(sole)
    assert client.get(add_url(world)).status_code == 200

    response = client.post(
        add_url(world),
        {
            "name": "Kari Nordmann",
            "title": "Kommunedirektør",
            "signature": upload(image_bytes("PNG"), "underskrift.exe.png"),
        },
    )

    assert response.status_code == 302
    assert response["Location"].endswith(edit_url(world) + "#signatories")
    kari = template.signatories.get()
    assert (kari.name, kari.title, kari.position) == ("Kari Nordmann", "Kommunedirektør", 1)
    assert kari.signature.name.startswith("certificates/signatures/signature")
    assert kari.signature.name.endswith(".png")
    assert version(template) == 2
    [event] = events()
    assert event.actor == sole
    assert event.details["template"] == "lup-participant"
    assert event.details["signatory"] == "Kari Nordmann"
    assert event.details["version"] == 2
    assert event.details["organisation_id"] == world.programme.organisation_id
    page = client.get(edit_url(world)).content.decode()
    assert "Kari Nordmann" in page
    assert "Kommunedirektør" in page
    assert "With a signature image" in page


@needs_poppler
def test_the_preview_pdf_shows_the_signatories(client, world, template, tmp_path):
    Signatory.objects.create(template=template, position=1, name="Signe Signatar", title="Rektor")
    client.force_login(world.people["administrator"])  # previews, though it may not save
    page = client.get(edit_url(world))
    data = {
        "name": template.name,
        "title": template.title,
        "body": template.body,
        "issuer": template.issuer,
        "primary_colour": template.primary_colour,
        "accent_colour": template.accent_colour,
        "orientation": template.orientation,
    }

    response = client.post(
        reverse(
            "lup:certificate-template-preview",
            kwargs={"slug": world.programme.slug, "key": "lup-participant"},
        ),
        data,
    )

    assert page.status_code == 200
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, tmp_path)
    assert "Signe Signatar" in text
    assert "Rektor" in text


def test_the_page_lists_the_signatories_in_a_fixed_number_of_queries(
    client, world, sole, template, django_assert_max_num_queries
):
    client.force_login(sole)
    client.get(edit_url(world))  # warm up: sessions, permissions
    Signatory.objects.create(template=template, position=1, name="Én")
    with django_assert_max_num_queries(30) as one:
        client.get(edit_url(world))
    Signatory.objects.create(template=template, position=2, name="To")
    Signatory.objects.create(template=template, position=3, name="Tre")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(edit_url(world))

    page = response.content.decode()
    assert page.index("Én") < page.index("To") < page.index("Tre")
    assert "signatories-full" in page  # three: no room for a fourth
    assert add_url(world) not in page


# Changing, moving, removing --------------------------------------------------------------------


def test_a_signatory_is_edited_moved_and_removed(client, world, sole, template):
    client.force_login(sole)
    ola = Signatory.objects.create(template=template, position=1, name="Ola", title="Rektor")
    kari = Signatory.objects.create(template=template, position=2, name="Kari")
    assert client.get(signatory_url(world, "edit", ola)).status_code == 200

    edited = client.post(
        signatory_url(world, "edit", ola),
        {"name": "Ola Nordmann", "title": "Rektor", "signature": upload(image_bytes("JPEG"))},
    )
    moved = client.post(signatory_url(world, "move", kari), {"direction": "up"})
    at_the_end = client.post(signatory_url(world, "move", kari), {"direction": "up"})
    confirm = client.get(signatory_url(world, "delete", ola))
    removed = client.post(signatory_url(world, "delete", ola))

    assert edited.status_code == moved.status_code == at_the_end.status_code == 302
    assert confirm.status_code == 200
    assert "Remove Ola Nordmann" in confirm.content.decode()
    assert removed.status_code == 302
    assert names(template) == ["Kari"]
    assert template.signatories.get().position == 1
    assert [event.details["signatory"] for event in events()] == [
        "Ola Nordmann",  # changed
        "Kari",  # moved (moving further, past the start, is no change)
        "Ola Nordmann",  # removed
    ]
    assert version(template) == 4


def test_saving_a_signatory_unchanged_records_nothing(client, world, sole, template):
    client.force_login(sole)
    ola = Signatory.objects.create(template=template, position=1, name="Ola", title="Rektor")

    response = client.post(signatory_url(world, "edit", ola), {"name": "Ola", "title": "Rektor"})

    assert response.status_code == 302
    assert events() == []
    assert version(template) == 1


def test_the_signature_image_is_removed_on_request(client, world, sole, template):
    client.force_login(sole)
    client.post(add_url(world), {"name": "Ola", "signature": upload(image_bytes("PNG"), "ola.png")})
    ola = template.signatories.get()
    page = client.get(signatory_url(world, "edit", ola)).content.decode()
    assert "remove_signature" in page

    client.post(
        signatory_url(world, "edit", ola), {"name": "Ola", "title": "", "remove_signature": "on"}
    )

    ola.refresh_from_db()
    assert not ola.signature


def test_a_fourth_signatory_is_refused(client, world, sole, template):
    client.force_login(sole)
    for position, name in enumerate(["Én", "To", "Tre"], start=1):
        Signatory.objects.create(template=template, position=position, name=name)

    response = client.post(add_url(world), {"name": "Fire"})

    assert response.status_code == 200
    assert "room for at most 3 signatories" in response.content.decode()
    assert names(template) == ["Én", "To", "Tre"]
    assert events() == []


# Hostile input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (TEXT_AS_PNG, "underskrift.png", "must be a PNG or JPEG image"),
        (image_bytes("GIF"), "underskrift.gif", "must be a PNG or JPEG image"),
        (truncated_png(), "underskrift.png", "must be a PNG or JPEG image"),
        (png_claiming(40000, 40000), "bombe.png", "too many pixels"),
        (image_bytes("PNG", (4000, 4000), "L"), "stor.png", "too many pixels"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024 + 1), "stor.png", "at most 1024 kB"),
    ],
    ids=["text-named-png", "gif", "truncated", "bomb", "huge", "over-1mb"],
)
def test_a_hostile_signature_image_is_refused_and_nothing_changes(
    client, world, sole, template, data, filename, message
):
    client.force_login(sole)
    ola = Signatory.objects.create(template=template, position=1, name="Ola")

    added = client.post(add_url(world), {"name": "Kari", "signature": upload(data, filename)})
    edited = client.post(
        signatory_url(world, "edit", ola),
        {"name": "Ola Endret", "signature": upload(data, filename)},
    )

    for response in (added, edited):
        assert response.status_code == 200
        assert message in response.content.decode()
        assert "signature" in response.context["form"].errors
    assert names(template) == ["Ola"]
    assert not Signatory.objects.get(pk=ola.pk).signature
    assert version(template) == 1
    assert events() == []


def test_a_name_is_required(client, world, sole, template):
    client.force_login(sole)

    response = client.post(add_url(world), {"name": "   ", "title": "Rektor"})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not template.signatories.exists()


def test_a_bad_direction_moves_nothing(client, world, sole, template):
    client.force_login(sole)
    Signatory.objects.create(template=template, position=1, name="Ola")
    kari = Signatory.objects.create(template=template, position=2, name="Kari")

    response = client.post(signatory_url(world, "move", kari), {"direction": "sideways"})

    assert response.status_code == 302
    assert names(template) == ["Ola", "Kari"]
    assert events() == []


# Who may ------------------------------------------------------------------------------------------


def test_another_templates_signatory_is_not_found_through_this_one(client, world, sole, template):
    """The unit template's signatory, addressed through the participant template's key."""
    client.force_login(world.people["superuser"])
    unit_signatory = Signatory.objects.create(
        template=template_for("lup-unit"), position=1, name="Enhetens"
    )

    for name in ("edit", "delete"):
        assert client.get(signatory_url(world, name, unit_signatory)).status_code == 404
    for name, data in (("edit", {"name": "Overtatt"}), ("move", {"direction": "up"})):
        assert client.post(signatory_url(world, name, unit_signatory), data).status_code == 404
    assert client.post(signatory_url(world, "delete", unit_signatory)).status_code == 404
    assert Signatory.objects.get(pk=unit_signatory.pk).name == "Enhetens"
    # and a key that is not one of LUP's templates
    assert client.get(add_url(world, "someone-else")).status_code == 404


def test_a_shared_template_gets_signatories_from_a_superuser_only(client, world, template):
    """Asker runs a programme here too: Bærum's administrator may not change what Asker's
    certificates show, and is not even offered to."""
    ola = Signatory.objects.create(template=template, position=1, name="Ola")
    client.force_login(world.people["administrator"])

    page = client.get(edit_url(world)).content.decode()
    assert "Ola" in page
    assert add_url(world) not in page
    assert signatory_url(world, "edit", ola) not in page
    assert client.get(add_url(world)).status_code == 403
    assert client.post(add_url(world), {"name": "Kari"}).status_code == 403
    assert client.post(signatory_url(world, "edit", ola), {"name": "X"}).status_code == 403
    assert client.post(signatory_url(world, "move", ola), {"direction": "down"}).status_code == 403
    assert client.post(signatory_url(world, "delete", ola)).status_code == 403

    client.force_login(world.people["superuser"])
    assert client.post(add_url(world), {"name": "Kari"}).status_code == 302
    assert names(template) == ["Ola", "Kari"]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("enthusiast", 403),
        ("manager", 403),
        ("facilitator", 403),
        ("hr", 403),
        ("other_administrator", 404),
    ],
)
def test_others_cannot_add_change_move_or_remove_signatories(
    client, world, sole, template, role, status
):
    ola = Signatory.objects.create(template=template, position=1, name="Ola")
    Signatory.objects.create(template=template, position=2, name="Kari")
    client.force_login(world.people[role])

    assert client.get(add_url(world)).status_code == status
    assert client.post(add_url(world), {"name": "Overtatt"}).status_code == status
    assert client.get(signatory_url(world, "edit", ola)).status_code == status
    assert client.post(signatory_url(world, "edit", ola), {"name": "X"}).status_code == status
    move = client.post(signatory_url(world, "move", ola), {"direction": "down"})
    assert move.status_code == status
    assert client.post(signatory_url(world, "delete", ola)).status_code == status
    assert names(template) == ["Ola", "Kari"]
    assert events() == []


def test_anonymous_is_sent_to_sign_in(client, world, template):
    response = client.get(add_url(world))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
