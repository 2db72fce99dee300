"""The programme administrator does without the admin for a certificate's signatories and a
course's title, description and images: adds a signatory with a signature image and moves
them, changes the course's description, uploads an image for content pages and deletes it
(warned that a page still shows it).

Every page is checked with axe at a desktop and a phone width, where nothing may overflow.
The site speaks bokmål, so the journey finds its way by ids and checks what was stored.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from certificates.models import CertificateTemplate
from courses.models import Activity, CourseImage, Module
from lup.demo.seed import seed_demo
from lup.models import Programme
from tests.e2e.journeys import sign_in_with_two_factor
from tests.images import image_bytes

ADMINISTRATOR = "admin@baerum.kommune.no"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def programme(settings, tmp_path) -> Programme:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    cache.clear()  # two-factor codes are accepted once
    seed_demo(scale=1)
    return Programme.objects.select_related("course").get(slug="lup")


def check_both_widths(browser_page) -> None:
    """axe at a desktop and a phone width; on the phone the page fits the screen."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def png(name: str) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": image_bytes("PNG", (300, 100))}


def test_signatories_and_course_images_without_the_admin(browser_page, programme):
    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    browser_page.check_accessibility()

    # A signatory with a signature image, then a second one, moved before the first.
    browser_page.goto("/programmes/lup/certificate-templates/lup-participant/")
    check_both_widths(browser_page)
    for name, title in (("Kari Nordmann", "Kommunedirektør"), ("Per Hansen", "HR-sjef")):
        browser_page.locator("#signatory-add").click()
        check_both_widths(browser_page)
        form = browser_page.locator("#signatory-form")
        form.locator("#id_name").fill(name)
        form.locator("#id_title").fill(title)
        form.locator("#id_signature").set_input_files(png("signatur.png"))
        form.locator("#signatory-save").click()
        expect(browser_page.page).to_have_url(re.compile(r"/lup-participant/#signatories$"))
        browser_page.check_accessibility()
    template = CertificateTemplate.objects.get(key="lup-participant")
    per = template.signatories.get(name="Per Hansen")
    browser_page.locator(f"#signatory-{per.pk} form button").first.click()
    expect(browser_page.page).to_have_url(re.compile(r"/lup-participant/#signatories$"))
    check_both_widths(browser_page)
    assert list(template.signatories.order_by("position").values_list("name", flat=True)) == [
        "Per Hansen",
        "Kari Nordmann",
    ]
    assert all(signatory.signature for signatory in template.signatories.all())

    # The course's description, on its own page from the editor's outline.
    course = programme.course
    browser_page.goto(f"/courses/{course.slug}/edit/")
    check_both_widths(browser_page)
    browser_page.locator("#edit-course-details").click()
    check_both_widths(browser_page)
    form = browser_page.locator("#course-details-form")
    form.locator("#id_description").fill("Et program om innovasjon i egen tjeneste.")
    form.locator('button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/edit/#course-details$"))
    browser_page.check_accessibility()
    course.refresh_from_db()
    assert course.description == "Et program om innovasjon i egen tjeneste."

    # An image for content pages, listed with its Markdown, used on a page, then deleted.
    browser_page.locator("#add-image").click()
    check_both_widths(browser_page)
    form = browser_page.locator("#course-image-form")
    form.locator("#id_image").set_input_files(png("kart.png"))
    form.locator("#id_alt_text").fill("Kart over tjenestestedene")
    form.locator('button[type="submit"]').click()
    image = CourseImage.objects.get(course=course)
    expect(browser_page.page).to_have_url(re.compile(rf"/edit/#image-{image.pk}$"))
    expect(browser_page.locator(f"#image-{image.pk}-markdown")).to_have_value(image.markdown)
    check_both_widths(browser_page)
    Activity.objects.create(
        module=Module.objects.filter(course=course).order_by("position").first(),
        position=999,
        kind="page",
        title="Kartet",
        body=image.markdown,
    )
    browser_page.locator(f'a[href$="/edit/images/{image.pk}/delete/"]').click()
    expect(browser_page.locator("#image-in-use")).to_contain_text("Kartet")
    check_both_widths(browser_page)
    browser_page.locator("#delete-form button").click()
    expect(browser_page.page).to_have_url(re.compile(r"/edit/#images$"))
    browser_page.check_accessibility()
    assert not CourseImage.objects.filter(course=course).exists()
