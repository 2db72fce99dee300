"""The curriculum editor's course details and images (courses.authoring_*): the course's
title and description changed on its own page; images for content pages uploaded with their
text alternative (checked by their bytes: PNG, JPEG, WebP or GIF, within the size limits),
listed with the Markdown to paste, and deleted with a warning when a page still shows them.
Every change is audited through `curriculum_changed`; nobody else changes anything.

Bærum owns the course (tests.roles.build_world); Asker's programme may share it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import authoring_selectors
from courses import authoring_services as authoring
from courses.models import Activity, Course, CourseImage
from lup.models import AuditEvent, CourseOwnership
from tests.courses.factories import ActivityFactory, AssignmentFactory, CourseFactory, ModuleFactory
from tests.images import TEXT_AS_PNG, image_bytes, png_claiming, upload
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """Pages in English: the tests read the messages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Course images go to the test's own directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def course(world):
    course = CourseFactory(title="LUP-kurset", slug="lup-kurset", description="Om kurset.")
    CourseOwnership.objects.create(course=course, organisation=world.programme.organisation)
    world.programme.course = course
    world.programme.save()
    return course


@pytest.fixture
def admin(world):
    return world.people["administrator"]


def details_url(course):
    return reverse("courses:course-details", kwargs={"slug": course.slug})


def image_add_url(course):
    return reverse("courses:course-image-add", kwargs={"slug": course.slug})


def image_delete_url(image):
    return reverse(
        "courses:course-image-delete", kwargs={"slug": image.course.slug, "image_id": image.pk}
    )


def outline_url(course):
    return reverse("courses:course-edit", kwargs={"slug": course.slug})


def changes():
    return [
        (event.details["change"], event.details["item"])
        for event in AuditEvent.objects.filter(
            action=AuditEvent.Action.CURRICULUM_CHANGED
        ).order_by("pk")
    ]


def stored(image: CourseImage) -> Path:
    return Path(image.image.path)


# Title and description -----------------------------------------------------------------------


def test_the_administrator_changes_the_title_and_description(client, course, admin):
    client.force_login(admin)
    page = client.get(details_url(course))
    assert page.status_code == 200
    assert "Om kurset." in page.content.decode()

    response = client.post(
        details_url(course), {"title": " LUP 2026 ", "description": "# Velkommen\n\nTekst."}
    )

    assert response.status_code == 302
    assert response["Location"].endswith(outline_url(course) + "#course-details")
    course.refresh_from_db()
    assert (course.title, course.description) == ("LUP 2026", "# Velkommen\n\nTekst.")
    assert changes() == [("course_changed", "LUP 2026")]
    outline = client.get(outline_url(course)).content.decode()
    assert "Velkommen" in outline
    assert details_url(course) in outline


def test_saving_the_details_unchanged_records_nothing(client, course, admin):
    client.force_login(admin)

    response = client.post(
        details_url(course), {"title": "LUP-kurset", "description": "Om kurset."}
    )

    assert response.status_code == 302
    assert changes() == []


@pytest.mark.parametrize(
    "data",
    [{"title": "   ", "description": "x"}, {"title": "x" * 201}, {"description": "x"}],
    ids=["blank", "too-long", "missing"],
)
def test_a_bad_title_is_an_error_and_changes_nothing(client, course, admin, data):
    client.force_login(admin)

    response = client.post(details_url(course), data)

    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    course.refresh_from_db()
    assert course.title == "LUP-kurset"
    assert changes() == []


def test_the_description_is_sanitised_for_learners(client, world, course):
    authoring.update_course(
        course=course,
        user=world.people["administrator"],
        title="LUP-kurset",
        description="Hei <script>alert(1)</script> [lenke](javascript:alert(1))",
    )
    from courses import services as course_services

    learner = world.people["enthusiast"]
    course_services.enrol(user=learner, course=course, starts_on=world.cohort_a.starts_on)
    client.force_login(learner)

    page = client.get(reverse("courses:course-detail", kwargs={"slug": course.slug}))

    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert(1)" not in html
    assert "javascript:alert" not in html


# Images ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "ending"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp"), ("GIF", "gif")]
)
def test_an_image_is_uploaded_and_listed_with_its_markdown(client, course, admin, fmt, ending):
    client.force_login(admin)
    assert client.get(image_add_url(course)).status_code == 200

    response = client.post(
        image_add_url(course),
        {"image": upload(image_bytes(fmt), "bilde.html"), "alt_text": " Et   kart [skisse] "},
    )

    assert response.status_code == 302
    image = CourseImage.objects.get(course=course)
    assert image.alt_text == "Et kart [skisse]"
    assert image.image.name.startswith("courses/images/")
    assert image.image.name.endswith(f".{ending}")  # never the uploaded name's ending
    assert stored(image).exists()
    assert image.markdown == f"![Et kart \\[skisse\\]]({image.image.url})"
    assert changes() == [("image_added", "Et kart [skisse]")]
    outline = client.get(outline_url(course)).content.decode()
    assert f'id="image-{image.pk}"' in outline
    assert image.image.url in outline
    assert image_delete_url(image) in outline


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_photos_metadata_is_dropped_and_its_rotation_kept(client, course, admin, fmt):
    """Course images are public: a phone photo's EXIF (its GPS position, camera and time)
    never reaches the stored file, and the camera's rotation is applied instead."""
    import io

    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to show
    exif[0x010F] = "Kamerafabrikken"  # make
    exif[0x8825] = {1: "N", 2: (59.0, 54.0, 0.0)}  # GPS: near Sandvika
    photo = Image.new("RGB", (300, 100), "teal")
    raw = io.BytesIO()
    photo.save(raw, format=fmt, exif=exif)
    assert b"Kamerafabrikken" in raw.getvalue()
    client.force_login(admin)

    response = client.post(
        image_add_url(course), {"image": upload(raw.getvalue()), "alt_text": "Et bilde"}
    )

    assert response.status_code == 302
    image = CourseImage.objects.get(course=course)
    with image.image.open("rb") as handle:
        data = handle.read()
    assert b"Kamerafabrikken" not in data
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.format == fmt
        assert kept.size == (100, 300)  # turned upright
        assert not kept.getexif()


def test_the_markdown_shows_the_image_on_a_content_page(world, course, admin):
    from courses.rendering import render_markdown

    image = authoring.add_course_image(
        course=course, user=admin, image=upload(image_bytes()), alt_text="Et kart"
    )

    html = render_markdown(image.markdown)

    assert f'src="{image.image.url}"' in html
    assert 'alt="Et kart"' in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (TEXT_AS_PNG, "must be a PNG, JPEG, WebP or GIF image"),
        (b"%PDF-1.7 not an image", "must be a PNG, JPEG, WebP or GIF image"),
        (image_bytes("BMP"), "must be a PNG, JPEG, WebP or GIF image"),
        (png_claiming(40000, 40000), "too many pixels"),
        (png_claiming(6000, 6000), "too many pixels"),
    ],
    ids=["text-named-png", "pdf", "bmp", "bomb", "36-megapixels"],
)
def test_a_hostile_image_is_refused_and_nothing_is_stored(client, course, admin, data, message):
    client.force_login(admin)

    response = client.post(
        image_add_url(course), {"image": upload(data, "bilde.png"), "alt_text": "Et bilde"}
    )

    assert response.status_code == 200
    assert "image" in response.context["form"].errors
    assert message in response.content.decode()
    assert not CourseImage.objects.exists()
    assert changes() == []


def test_an_image_over_the_size_limit_is_refused(client, course, admin, settings):
    settings.COURSES_COURSE_IMAGE_MAX_BYTES = 1024 * 1024
    client.force_login(admin)
    data = b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024)

    response = client.post(
        image_add_url(course), {"image": upload(data, "stor.png"), "alt_text": "Et bilde"}
    )

    assert "at most 1 MB" in response.content.decode()
    assert not CourseImage.objects.exists()


def test_an_image_needs_its_text_alternative(client, course, admin):
    client.force_login(admin)

    response = client.post(
        image_add_url(course), {"image": upload(image_bytes()), "alt_text": "  \n "}
    )

    assert response.status_code == 200
    assert "alt_text" in response.context["form"].errors
    assert not CourseImage.objects.exists()


def test_the_service_checks_the_image_itself(course, admin):
    """What the form would not send, the service refuses too."""
    with pytest.raises(ValidationError) as refused:
        authoring.add_course_image(
            course=course, user=admin, image=upload(TEXT_AS_PNG), alt_text="Et bilde"
        )

    assert "image" in refused.value.error_dict
    assert not CourseImage.objects.exists()


def test_an_unused_image_is_deleted_with_its_file(
    client, course, admin, django_capture_on_commit_callbacks
):
    image = authoring.add_course_image(
        course=course, user=admin, image=upload(image_bytes()), alt_text="Et kart"
    )
    path = stored(image)
    client.force_login(admin)
    confirm = client.get(image_delete_url(image))
    assert confirm.status_code == 200
    assert 'id="image-in-use"' not in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(image_delete_url(image))

    assert response.status_code == 302
    assert not CourseImage.objects.exists()
    assert not path.exists()
    assert changes()[-1] == ("image_removed", "Et kart")


def test_deleting_an_image_a_page_shows_warns_first_and_is_allowed(client, course, admin):
    image = authoring.add_course_image(
        course=course, user=admin, image=upload(image_bytes()), alt_text="Et kart"
    )
    module = ModuleFactory(course=course, title="Teori")
    page = ActivityFactory(module=module, title="Kartlegging", body=f"Se:\n\n{image.markdown}")
    task = AssignmentFactory(
        activity__module=module, activity__title="Oppgaven", instructions=image.markdown
    )
    ActivityFactory(module=module, title="Uten bilde", body="Ingen bilder her.")
    Course.objects.filter(pk=course.pk).update(description=f"Kurs {image.markdown}")
    client.force_login(admin)

    confirm = client.get(image_delete_url(image)).content.decode()

    assert 'id="image-in-use"' in confirm
    assert "Kartlegging" in confirm
    assert "Oppgaven" in confirm
    assert "description" in confirm.split('id="image-in-use"')[1].split("</ul>")[0]
    assert "Uten bilde" not in confirm
    assert client.post(image_delete_url(image)).status_code == 302
    assert not CourseImage.objects.exists()
    assert Activity.objects.filter(pk__in=[page.pk, task.activity_id]).count() == 2  # kept


def test_the_image_warning_reads_in_a_fixed_number_of_queries(course, admin):
    image = authoring.add_course_image(
        course=course, user=admin, image=upload(image_bytes()), alt_text="Et kart"
    )
    image = CourseImage.objects.select_related("course").get(pk=image.pk)
    for number in range(5):
        module = ModuleFactory(course=course)
        ActivityFactory(module=module, body=image.markdown if number % 2 else "")
        AssignmentFactory(activity__module=module, instructions=image.markdown)

    with CaptureQueriesContext(connection) as queries:
        used = authoring_selectors.pages_using_image(image)

    assert len(queries.captured_queries) == 1
    assert len(used.activities) == 7


def test_the_outline_lists_images_in_the_same_queries_however_many(client, course, admin):
    client.force_login(admin)
    authoring.add_course_image(
        course=course, user=admin, image=upload(image_bytes()), alt_text="Første"
    )
    client.get(outline_url(course))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as one:
        client.get(outline_url(course))
    for number in range(4):
        authoring.add_course_image(
            course=course, user=admin, image=upload(image_bytes()), alt_text=f"Bilde {number}"
        )

    with CaptureQueriesContext(connection) as five:
        response = client.get(outline_url(course))

    assert response.content.decode().count('class="ds-card course-image"') == 5
    assert len(five.captured_queries) == len(one.captured_queries)


# Who may -----------------------------------------------------------------------------------------


def test_another_courses_image_is_not_found_through_this_one(client, world, course, admin):
    other = CourseFactory(slug="annet-kurs")
    CourseOwnership.objects.create(course=other, organisation=world.programme.organisation)
    image = authoring.add_course_image(
        course=other, user=admin, image=upload(image_bytes()), alt_text="Annet"
    )
    client.force_login(admin)
    url = reverse("courses:course-image-delete", kwargs={"slug": course.slug, "image_id": image.pk})

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert CourseImage.objects.filter(pk=image.pk).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("other_administrator", 404),
        ("facilitator", 403),
        ("hr", 403),
        ("enthusiast", 403),
        ("manager", 403),
    ],
)
def test_nobody_else_changes_the_details_or_images(client, world, course, admin, role, status):
    image = authoring.add_course_image(
        course=course, user=admin, image=upload(image_bytes()), alt_text="Et kart"
    )
    before = changes()
    client.force_login(world.people[role])

    for url in (details_url(course), image_add_url(course), image_delete_url(image)):
        assert client.get(url).status_code == status, url
    attempts = [
        (details_url(course), {"title": "Overtatt", "description": "X"}),
        (image_add_url(course), {"image": upload(image_bytes()), "alt_text": "Overtatt"}),
        (image_delete_url(image), {}),
    ]
    for url, data in attempts:
        assert client.post(url, data).status_code == status, url

    course.refresh_from_db()
    assert course.title == "LUP-kurset"
    assert list(CourseImage.objects.values_list("alt_text", flat=True)) == ["Et kart"]
    assert changes() == before


def test_a_shared_course_is_changed_by_its_owner_only(client, world, course):
    world.other_programme.course = course
    world.other_programme.save()
    client.force_login(world.people["other_administrator"])

    assert client.post(details_url(course), {"title": "Askers"}).status_code == 404
    course.refresh_from_db()
    assert course.title == "LUP-kurset"


@pytest.mark.parametrize("role", ["other_administrator", "facilitator", "enthusiast"])
def test_the_services_refuse_those_who_may_not_edit(world, course, admin, role):
    user = world.people[role]
    image = authoring.add_course_image(
        course=course, user=admin, image=upload(image_bytes()), alt_text="Et kart"
    )

    with pytest.raises(PermissionDenied):
        authoring.update_course(course=course, user=user, title="X", description="")
    with pytest.raises(PermissionDenied):
        authoring.add_course_image(
            course=course, user=user, image=upload(image_bytes()), alt_text="X"
        )
    with pytest.raises(PermissionDenied):
        authoring.delete_course_image(image=image, user=user)
    assert CourseImage.objects.count() == 1


def test_the_audit_log_reads_the_changes_as_sentences(course, admin):
    from django.utils import translation

    from lup.audit.reading import describe

    authoring.update_course(course=course, user=admin, title="LUP 2026", description="")
    image = authoring.add_course_image(
        course=course, user=admin, image=upload(image_bytes()), alt_text="Et kart"
    )
    authoring.delete_course_image(image=image, user=admin)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.CURRICULUM_CHANGED).order_by("pk")

    with translation.override("en"):
        assert [describe(event) for event in events] == [
            ["Title or description changed: LUP 2026"],
            ["Image added: Et kart"],
            ["Image deleted: Et kart"],
        ]
