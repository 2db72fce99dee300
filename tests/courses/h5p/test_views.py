"""The upload page and a package's page: who gets in, what a refusal shows, what is stored,
and attaching a package to an H5P activity."""

from __future__ import annotations

import stat

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.h5p.services import install_package
from courses.models import Activity, H5PPackage
from tests.courses.factories import ActivityFactory
from tests.courses.h5p.conftest import with_permissions
from tests.courses.h5p.corpus import Entry, make_zip, minimal_entries, minimal_package
from tests.factories import ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.django_db]
UPLOAD = reverse("courses:h5p-upload")


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def h5p_file(data: bytes, name: str = "quiz.h5p") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def package_url(package: H5PPackage) -> str:
    return reverse("courses:h5p-package-detail", args=[package.public_id])


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(UPLOAD)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_people_without_the_permission_are_refused(client):
    client.force_login(UserFactory())

    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD, {"file": h5p_file(minimal_package())}).status_code == 403
    assert not H5PPackage.objects.exists()


def test_the_upload_page_explains_the_rules_to_facilitators(client, facilitator):
    client.force_login(facilitator)

    response = client.get(UPLOAD)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="file"' in content
    assert 'accept=".h5p"' in content
    assert "must first be uploaded by an administrator" in content
    assert "No packages have been uploaded yet." in content


def test_an_administrator_uploads_a_package(client, h5p_admin):
    client.force_login(h5p_admin)

    response = client.post(UPLOAD, {"file": h5p_file(minimal_package()), "title": ""})

    package = H5PPackage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == package_url(package)
    assert package.uploaded_by == h5p_admin
    page = client.get(response["Location"])
    assert "The package “Minimal” is stored." in page.content.decode()
    assert "H5P.Minimal 1.0.0" in page.content.decode()


def test_the_title_can_be_set_on_upload(client, h5p_admin):
    client.force_login(h5p_admin)

    client.post(UPLOAD, {"file": h5p_file(minimal_package()), "title": "Innovasjonsquiz"})

    assert H5PPackage.objects.get().title == "Innovasjonsquiz"


def test_a_hostile_package_is_refused_with_every_problem_listed(client, h5p_admin, nothing_stored):
    client.force_login(h5p_admin)
    data = make_zip(
        [
            *minimal_entries(),
            Entry("../evil.js", b"x"),
            Entry("content/passwd.json", b"/etc/passwd", mode=stat.S_IFLNK | 0o777),
        ]
    )

    response = client.post(UPLOAD, {"file": h5p_file(data)})

    assert response.status_code == 200
    content = response.content.decode()
    assert "The package was not stored" in content
    assert "“../evil.js”: paths with “..” point outside the package" in content
    assert "“content/passwd.json” is a symbolic link" in content
    nothing_stored()


def test_a_file_that_is_not_a_package_is_refused(client, h5p_admin, nothing_stored):
    client.force_login(h5p_admin)

    response = client.post(UPLOAD, {"file": h5p_file(b"%PDF-1.7", "report.pdf")})

    assert "not a zip archive" in response.content.decode()
    nothing_stored()


def test_a_facilitator_cannot_install_new_libraries(client, facilitator, nothing_stored):
    client.force_login(facilitator)

    response = client.post(UPLOAD, {"file": h5p_file(minimal_package())})

    assert response.status_code == 200
    assert "only an administrator may install" in response.content.decode()
    nothing_stored()


def test_a_facilitator_uploads_once_the_libraries_are_installed(client, facilitator):
    install_package(
        upload=h5p_file(minimal_package(title="First")), uploaded_by=None, allow_new_libraries=True
    )
    client.force_login(facilitator)

    response = client.post(UPLOAD, {"file": h5p_file(minimal_package(title="Second"))})

    assert response.status_code == 302
    assert H5PPackage.objects.filter(title="Second", uploaded_by=facilitator).exists()


def test_the_same_file_again_leads_to_the_stored_package(client, h5p_admin):
    client.force_login(h5p_admin)
    data = minimal_package()
    client.post(UPLOAD, {"file": h5p_file(data)})

    response = client.post(UPLOAD, {"file": h5p_file(data)}, follow=True)

    assert "This file was uploaded before" in response.content.decode()
    assert H5PPackage.objects.count() == 1


def test_no_file_is_a_form_error(client, h5p_admin):
    client.force_login(h5p_admin)

    response = client.post(UPLOAD, {"title": "x"})

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()


# A package's page: attaching it ------------------------------------------------------------


@pytest.fixture
def package():
    stored, _created = install_package(
        upload=h5p_file(minimal_package()), uploaded_by=None, allow_new_libraries=True
    )
    return stored


def test_the_package_page_offers_the_h5p_activities_one_may_change(client, facilitator, package):
    h5p_activity = ActivityFactory(kind=Activity.Kind.H5P, title="Quiz om innovasjon")
    ActivityFactory(kind=Activity.Kind.PAGE, title="Lesestoff")
    # A course of another municipality's programme: not the facilitator's to author.
    elsewhere = ActivityFactory(kind=Activity.Kind.H5P, title="Askers quiz")
    ProgrammeFactory(course=elsewhere.module.course)
    client.force_login(facilitator)

    response = client.get(package_url(package))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Quiz om innovasjon" in content
    assert f'value="{h5p_activity.pk}"' in content
    assert "Lesestoff" not in content
    assert "Askers quiz" not in content

    response = client.post(package_url(package), {"activity": elsewhere.pk, "completion": "score"})
    assert response.status_code == 200
    elsewhere.refresh_from_db()
    assert elsewhere.h5p_package is None

    response = client.post(
        package_url(package), {"activity": h5p_activity.pk, "completion": "score"}
    )

    assert response.status_code == 302
    h5p_activity.refresh_from_db()
    assert h5p_activity.h5p_package == package
    page = client.get(package_url(package)).content.decode()
    assert "now shows" in page
    assert "Shown in:" in page


def test_without_the_permission_to_change_activities_nothing_is_offered(client, package):
    activity = ActivityFactory(kind=Activity.Kind.H5P)
    uploader = with_permissions(UserFactory(), "add_h5ppackage")
    client.force_login(uploader)

    response = client.get(package_url(package))

    assert "There is no H5P activity you may change" in response.content.decode()
    client.post(package_url(package), {"activity": activity.pk, "completion": "score"})
    activity.refresh_from_db()
    assert activity.h5p_package is None


def test_the_facilitator_chooses_how_the_activity_completes(client, facilitator, package):
    activity = ActivityFactory(kind=Activity.Kind.H5P, title="Quiz om innovasjon")
    client.force_login(facilitator)

    page = client.get(package_url(package)).content.decode()
    response = client.post(
        package_url(package),
        {"activity": activity.pk, "completion": "score", "min_score_percent": "80"},
    )

    assert 'value="score" checked' in page  # a scored type: by score, suggested
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.h5p_completion, activity.h5p_min_score) == ("score", 0.8)


@pytest.mark.parametrize(
    "data",
    [
        {"completion": "score", "min_score_percent": "150"},
        {"completion": "score", "min_score_percent": "-1"},
        {"completion": "whenever"},
        {},
    ],
)
def test_a_bad_completion_rule_changes_nothing(client, facilitator, package, data):
    activity = ActivityFactory(kind=Activity.Kind.H5P, title="Quiz om innovasjon")
    client.force_login(facilitator)

    response = client.post(package_url(package), {"activity": activity.pk, **data})

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    activity.refresh_from_db()
    assert activity.h5p_package is None
    assert (activity.h5p_completion, activity.h5p_min_score) == ("score", None)


def test_a_minimum_score_only_applies_to_the_score_rule(client, facilitator, package):
    activity = ActivityFactory(kind=Activity.Kind.H5P, title="Trekkspill")
    client.force_login(facilitator)

    client.post(
        package_url(package),
        {"activity": activity.pk, "completion": "marked_done", "min_score_percent": "50"},
    )

    activity.refresh_from_db()
    assert (activity.h5p_completion, activity.h5p_min_score) == ("marked_done", None)


def test_content_without_a_score_is_suggested_to_complete_when_viewed(client, facilitator, samples):
    accordion, _created = install_package(
        upload=str(samples / "accordion-6-7138.h5p"), uploaded_by=None, allow_new_libraries=True
    )
    ActivityFactory(kind=Activity.Kind.H5P, title="Trekkspill")
    client.force_login(facilitator)

    page = client.get(package_url(accordion)).content.decode()

    assert 'value="viewed" checked' in page


def test_the_package_page_needs_the_permission(client, package):
    client.force_login(UserFactory())

    assert client.get(package_url(package)).status_code == 403


def test_an_unknown_package_is_not_found(client, facilitator):
    client.force_login(facilitator)

    url = reverse("courses:h5p-package-detail", args=["00000000-0000-0000-0000-000000000000"])

    assert client.get(url).status_code == 404


def test_the_upload_page_lists_stored_packages(client, facilitator, package):
    client.force_login(facilitator)

    content = client.get(UPLOAD).content.decode()

    assert package_url(package) in content


def test_the_admin_lists_libraries_and_packages_and_adds_through_the_upload_page(client, package):
    staff = with_permissions(
        UserFactory(is_staff=True), "view_h5plibrary", "view_h5ppackage", "add_h5ppackage"
    )
    client.force_login(staff)

    assert client.get(reverse("admin:courses_h5plibrary_changelist")).status_code == 200
    assert client.get(reverse("admin:courses_h5ppackage_changelist")).status_code == 200
    library = package.main_library
    library_page = client.get(reverse("admin:courses_h5plibrary_change", args=[library.pk]))
    assert library_page.status_code == 200
    assert 'name="_save"' not in library_page.content.decode()  # read-only
    package_page = client.get(reverse("admin:courses_h5ppackage_change", args=[package.pk]))
    assert package_page.status_code == 200
    response = client.get(reverse("admin:courses_h5ppackage_add"))
    assert response.status_code == 302
    assert response["Location"] == UPLOAD


def test_adding_in_the_admin_needs_the_permission(client):
    staff = with_permissions(UserFactory(is_staff=True), "view_h5ppackage")
    client.force_login(staff)

    assert client.get(reverse("admin:courses_h5ppackage_add")).status_code == 403
