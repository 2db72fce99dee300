"""A completion that earned certificates is withdrawn: the administrator finds the question
on the target dashboard, opens the certificates to review and revokes one; the other stays
waiting. Every page passes axe.

The site defaults to Norwegian bokmål, so the journey finds things by ids and values.
"""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from certificates.models import Certificate
from courses import services as course_services
from lup import services
from lup.demo.seed import DEMO_PASSWORD
from lup.models import AuditEvent, CertificateReview, OrganisationMembership
from lup.roles import ADMINISTRATORS_GROUP, ensure_role_groups
from tests.e2e.journeys import sign_in
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum


def can_sign_in(user):
    user.set_password(DEMO_PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def withdrawn():
    """A team that completed (three certificates), then the enthusiast's page was undone."""
    setup = build_curriculum(team_size=1)
    enthusiast = setup.enthusiasts[0]
    facilitator = UserFactory(email="fasilitator@example.no")
    setup.cohort.facilitators.add(facilitator)
    submission = course_services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Brukerreisen vår"
    )
    course_services.review_submission(submission=submission, reviewer=facilitator, approve=True)
    for person in (setup.manager, enthusiast):
        course_services.mark_done(user=person, activity=setup.page)
        services.record_attendance(
            gathering=setup.gathering,
            participant=setup.enrolment.participants.get(user=person),
            recorded_by=facilitator,
            method="facilitator",
        )
    assert Certificate.objects.count() == 3
    # An administrator's permissions without the two-factor group (as in other journeys).
    administrator = can_sign_in(UserFactory(email="admin@example.no"))
    administrator.user_permissions.add(
        *ensure_role_groups()[ADMINISTRATORS_GROUP].permissions.all()
    )
    OrganisationMembership.objects.create(
        organisation=setup.cohort.programme.organisation, user=administrator
    )
    course_services.withdraw_completion(
        user=enthusiast, activity=setup.page, withdrawn_by=administrator
    )
    assert CertificateReview.objects.filter(decided_at__isnull=True).count() == 2
    return setup, enthusiast, administrator


def test_administrator_revokes_a_certificate_after_a_withdrawn_completion(browser_page, withdrawn):
    setup, enthusiast, administrator = withdrawn
    programme = setup.cohort.programme
    dashboard = f"/programmes/{programme.slug}/"
    reviews = f"/programmes/{programme.slug}/certificates/reviews/"
    participant = setup.enrolment.participants.get(user=enthusiast)
    certificate = Certificate.objects.get(source_key=f"lup.participant:{participant.public_id}")
    review = CertificateReview.objects.get(certificate=certificate)

    browser_page.goto(f"/accounts/login/?next={dashboard}")
    browser_page.check_accessibility()
    sign_in(browser_page, administrator.email)
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(dashboard)}$"))
    alert = browser_page.locator("#certificate-reviews-alert")
    expect(alert).to_contain_text("2")
    browser_page.check_accessibility()

    alert.locator("a").click()
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(reviews)}$"))
    items = browser_page.locator("#certificate-reviews > li")
    expect(items).to_have_count(2)
    item = browser_page.locator(f"#review-{review.pk}")
    expect(item).to_contain_text(certificate.display_code)
    expect(item).to_contain_text(enthusiast.get_full_name())
    browser_page.check_accessibility()

    item.locator("textarea[name=note]").fill("Registrert ved en feil")
    item.locator("button[value=revoked]").click()
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(reviews)}$"))
    expect(items).to_have_count(1)
    expect(browser_page.locator(f"#review-{review.pk}")).to_have_count(0)
    expect(browser_page.locator(".site-messages")).to_be_visible()
    browser_page.check_accessibility()

    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert "Registrert ved en feil" in certificate.revocation_reason
    event = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_REVOKED)
    assert event.actor == administrator
    assert f" {review.pk} " in event.details["reason"]  # names the review

    # The verification page anyone can open now says revoked.
    browser_page.goto(f"/verify/{certificate.code}/")
    expect(browser_page.locator("#certificate-status")).to_have_attribute("data-color", "danger")
    browser_page.check_accessibility()

    # Back on the dashboard, one is left to decide.
    browser_page.goto(dashboard)
    expect(browser_page.locator("#certificate-reviews-alert")).to_contain_text("1")
    browser_page.check_accessibility()
