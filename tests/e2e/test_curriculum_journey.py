"""The programme administrator edits the curriculum in the product's own pages: from the
dashboard to the editor, a new module, a content page written in Markdown and previewed
before it is saved, moved up, and an assignment with a two-criterion rubric.

Every page is checked with axe at 1366 px and at 390 px, where nothing may overflow. The
site speaks Norwegian bokmål by default, so the test asserts on ids, structure and data.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from courses.models import Activity, Assignment, Module
from lup.demo.seed import seed_demo
from lup.models import AuditEvent, Programme
from tests.e2e.journeys import sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def course():
    seed_demo(scale=1)
    return Programme.objects.select_related("course").get(slug="lup").course


def check_both_widths(browser_page) -> None:
    """axe at the desktop's width and the phone's, and no sideways scrolling on the phone."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_the_administrator_edits_the_curriculum(browser_page, course):
    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    check_both_widths(browser_page)

    # The dashboard links the editor; the outline lists the demo's modules in order.
    browser_page.locator("#edit-curriculum-link").click()
    expect(browser_page.page).to_have_url(re.compile(rf"/courses/{course.slug}/edit/$"))
    modules_before = Module.objects.filter(course=course).count()
    expect(browser_page.locator("#outline > li")).to_have_count(modules_before)
    check_both_widths(browser_page)

    # A new module, at the end.
    browser_page.locator("#add-module").click()
    check_both_widths(browser_page)
    form = browser_page.locator("#module-form")
    form.locator("#id_title").fill("Tjenestedesign i praksis")
    form.locator("#id_kind_1").check()
    form.locator("#id_summary").fill("Fra innsikt til prototyp.")
    form.locator('button[type="submit"]').click()
    module = Module.objects.get(course=course, title="Tjenestedesign i praksis")
    assert module.kind == "practice"
    assert module.position == max(
        Module.objects.filter(course=course).values_list("position", flat=True)
    )
    expect(browser_page.page).to_have_url(re.compile(rf"/edit/#module-{module.pk}$"))
    card = browser_page.locator(f"#module-{module.pk}")
    expect(card).to_contain_text("Tjenestedesign i praksis")
    check_both_widths(browser_page)

    # A content page in Markdown, previewed first: the preview shows it and saves nothing.
    card.locator(f'a[href$="/edit/modules/{module.pk}/new/page/"]').click()
    check_both_widths(browser_page)
    form = browser_page.locator("#activity-form")
    form.locator("#id_title").fill("Hva er en prototyp?")
    form.locator("#id_body").fill(
        "# Prototyper\n\nEn **prototyp** er en enkel modell.\n\n"
        "<script>alert('x')</script>\n\n[Les mer](javascript:alert(1))"
    )
    form.locator("#preview-activity").click()
    preview = browser_page.locator("#preview-content")
    expect(preview.locator("h2")).to_have_text("Prototyper")
    expect(preview.locator("strong")).to_have_text("prototyp")
    expect(preview.locator("script")).to_have_count(0)
    expect(preview.locator('a[href^="javascript"]')).to_have_count(0)
    assert not Activity.objects.filter(module=module).exists()
    check_both_widths(browser_page)
    browser_page.locator("#save-activity").click()
    page = Activity.objects.get(module=module, title="Hva er en prototyp?")
    assert page.kind == "page"
    assert page.body.startswith("# Prototyper")
    expect(browser_page.page).to_have_url(re.compile(rf"#activity-{page.public_id}$"))
    expect(browser_page.locator(f"#activity-{page.public_id}")).to_be_visible()
    check_both_widths(browser_page)

    # A second page, then the first moved below it with "move up" on the second.
    card.locator(f'a[href$="/edit/modules/{module.pk}/new/page/"]').click()
    browser_page.check_accessibility()
    browser_page.locator("#id_title").fill("Innsikt først")
    browser_page.locator("#id_body").fill("Snakk med brukerne.")
    browser_page.locator("#save-activity").click()
    second = Activity.objects.get(module=module, title="Innsikt først")
    row = browser_page.locator(f"#activity-{second.public_id}")
    row.locator('form[action$="/move/"] button').click()
    expect(browser_page.locator(f"#module-{module.pk} .authoring-list > li").first).to_have_id(
        f"activity-{second.public_id}"
    )
    assert list(
        Activity.objects.filter(module=module).order_by("position").values_list("title", flat=True)
    ) == ["Innsikt først", "Hva er en prototyp?"]
    check_both_widths(browser_page)

    # An assignment with a rubric of two criteria, levels one a line, lowest first.
    card = browser_page.locator(f"#module-{module.pk}")
    card.locator(f'a[href$="/edit/modules/{module.pk}/new/assignment/"]').click()
    check_both_widths(browser_page)
    form = browser_page.locator("#activity-form")
    form.locator("#id_title").fill("Lag en prototyp")
    form.locator("#id_instructions").fill("Lag en *papirprototyp* og test den på to brukere.")
    form.locator("#id_team").check()
    form.locator("#id_criteria-0-title").fill("Brukerinnsikt")
    form.locator("#id_criteria-0-levels").fill("Begynnende\nGodt\nSvært godt")
    form.locator("#id_criteria-1-title").fill("Testing")
    form.locator("#id_criteria-1-levels").fill("Ikke testet\nTestet med brukere")
    form.locator("#save-activity").click()
    assignment = Assignment.objects.get(activity__module=module, activity__title="Lag en prototyp")
    assert assignment.team
    assert [(c.title, c.levels) for c in assignment.criteria.order_by("position")] == [
        ("Brukerinnsikt", ["Begynnende", "Godt", "Svært godt"]),
        ("Testing", ["Ikke testet", "Testet med brukere"]),
    ]
    expect(browser_page.locator(f"#activity-{assignment.activity.public_id}")).to_be_visible()
    check_both_widths(browser_page)

    # Its page again: the rubric is there to edit, with room for more.
    browser_page.locator(f"#activity-{assignment.activity.public_id} a.ds-link").click()
    expect(browser_page.locator("#id_criteria-1-title")).to_have_value("Testing")
    expect(browser_page.locator("#id_criteria-3-title")).to_have_value("")
    check_both_widths(browser_page)

    # Every change is in the audit log, filed under Bærum.
    changes = AuditEvent.objects.filter(action=AuditEvent.Action.CURRICULUM_CHANGED)
    assert list(changes.order_by("at", "pk").values_list("details__change", flat=True)) == [
        "module_added",
        "activity_added",
        "activity_added",
        "activity_moved",
        "activity_added",
    ]
    assert {event.actor.email for event in changes} == {ADMINISTRATOR}
