"""The programme administrator sets up the programme in its own pages, not the admin: opens
the settings from the dashboard, changes the minimum attendance, previews what the rule
would complete, saves; creates an API token (its secret shown once) and revokes it;
previews a certificate template as a PDF.

Every page is checked with axe at a desktop and a phone width. The site speaks bokmål, so
the journey finds its way by ids and checks what was stored.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import AuditEvent, CompletionCheck, CompletionRule, Programme
from lup.reporting.models import ApiToken
from tests.e2e.journeys import sign_in_with_two_factor

ADMINISTRATOR = "admin@baerum.kommune.no"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def programme() -> Programme:
    cache.clear()  # two-factor codes are accepted once
    seed_demo(scale=1)
    return Programme.objects.get(slug="lup")


def check_both_widths(browser_page) -> None:
    """axe at a desktop and a phone width; on the phone the page fits the screen."""
    browser_page.set_viewport_size(DESKTOP)
    browser_page.check_accessibility()
    browser_page.set_viewport_size(PHONE)
    browser_page.check_accessibility()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    browser_page.set_viewport_size(DESKTOP)


def test_the_administrator_sets_up_the_programme(browser_page, programme):
    rule = CompletionRule.objects.get(programme=programme)
    attendance = rule.min_attendance
    wanted = attendance + 1

    browser_page.set_viewport_size(DESKTOP)
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, ADMINISTRATOR)
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    browser_page.check_accessibility()

    # From the dashboard to the settings; change the minimum attendance and preview it.
    browser_page.locator("#settings-link").click()
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/settings/$"))
    check_both_widths(browser_page)
    expect(browser_page.locator("#rule-change-note")).to_be_visible()
    browser_page.locator("#id_min_attendance").fill(str(wanted))
    browser_page.locator("#preview-button").click()
    expect(browser_page.locator("#rule-preview")).to_be_visible()
    check_both_widths(browser_page)
    rule.refresh_from_db()
    assert rule.min_attendance == attendance  # the preview saved nothing
    expect(browser_page.locator("#preview-counts")).to_contain_text(re.compile(r"\d+"))

    # Save: the rule changes, the change is audited and a completion check ran.
    browser_page.locator("#save-button").click()
    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/settings/$"))
    expect(browser_page.locator(".site-messages")).to_be_visible()
    browser_page.check_accessibility()
    rule.refresh_from_db()
    assert rule.min_attendance == wanted
    event = AuditEvent.objects.filter(action=AuditEvent.Action.PROGRAMME_CHANGED).latest("pk")
    assert event.actor.email == ADMINISTRATOR
    assert event.details["changes"]["min_attendance"] == {"before": attendance, "after": wanted}
    assert CompletionCheck.objects.filter(
        programme=programme, reason=CompletionCheck.Reason.RULE_CHANGED
    ).exists()

    # API tokens: create one, see its secret once, revoke it.
    browser_page.locator('nav a[href="/organisations/baerum/api-tokens/"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/organisations/baerum/api-tokens/$"))
    check_both_widths(browser_page)
    browser_page.locator("#id_name").fill("Lønnssystemet")
    browser_page.locator("#create-token-button").click()
    expect(browser_page.locator("#token-secret")).to_be_visible()
    check_both_widths(browser_page)
    secret = browser_page.locator("#token-secret-value").inner_text()
    assert secret.startswith("lup_")
    token = ApiToken.objects.get(name="Lønnssystemet")
    assert token.revoked_at is None
    browser_page.goto("/organisations/baerum/api-tokens/")
    browser_page.check_accessibility()
    assert secret not in browser_page.content()
    browser_page.locator(
        f'form[action="/organisations/baerum/api-tokens/{token.pk}/revoke/"] button'
    ).click()
    expect(browser_page.page).to_have_url(re.compile(r"/organisations/baerum/api-tokens/$"))
    check_both_widths(browser_page)
    token.refresh_from_db()
    assert token.revoked_at is not None

    # Certificate templates: open one and preview it as a PDF (nothing saved).
    browser_page.goto("/programmes/lup/certificate-templates/")
    check_both_widths(browser_page)
    browser_page.locator('a[href="/programmes/lup/certificate-templates/lup-participant/"]').click()
    expect(browser_page.page).to_have_url(
        re.compile(r"/programmes/lup/certificate-templates/lup-participant/$")
    )
    check_both_widths(browser_page)
    browser_page.locator("#id_title").fill("Kursbevis (forhåndsvisning)")
    with browser_page.page.context.expect_event(
        "response", lambda response: response.url.endswith("/lup-participant/preview/")
    ) as preview:
        browser_page.locator("#template-preview-button").click()
    assert preview.value.status == 200
    assert preview.value.headers["content-type"] == "application/pdf"
    for page in browser_page.page.context.pages:
        if page != browser_page.page:
            page.close()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TEMPLATE_CHANGED).exists()
