"""Account journeys through django-allauth's pages, in the site's design and languages.

Password reset by e-mail, first-time two-factor set-up for an administrator, a wrong
authenticator code, nynorsk on allauth's own pages, and the brute-force limit on sign-in.
Every page is checked with axe. The site defaults to bokmål; where a test asserts on
wording, it is to prove which language (or which message) is shown.
"""

from __future__ import annotations

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialApp
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core import mail
from playwright.sync_api import expect

from lup.demo.seed import DEMO_PASSWORD, current_demo_totp_code, seed_demo
from lup.models import OrganisationMembership, Programme
from lup.roles import ADMINISTRATORS_GROUP
from tests.e2e.journeys import TWO_FACTOR_PATH, enter_authenticator_code, sign_in

ADMINISTRATOR = "admin@baerum.kommune.no"
MANAGER = "leder@baerum.kommune.no"
NEW_PASSWORD = "Nytt-passord-for-LUP-2026"
RESET_LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+")


@pytest.fixture
def demo_data() -> None:
    seed_demo(scale=1)


def is_signed_in(browser_page) -> bool:
    return browser_page.locator("form.sign-out").count() > 0


def signed_in_user_ids() -> list[str]:
    """The users of every stored session that is signed in."""
    sessions = (session.get_decoded() for session in Session.objects.all())
    return [data[SESSION_KEY] for data in sessions if SESSION_KEY in data]


def switch_language(browser_page, language: str) -> None:
    form = browser_page.locator("form.language-switch")
    form.locator("select[name=language]").select_option(language)
    form.locator('button[type="submit"]').click()
    expect(browser_page.locator("html")).to_have_attribute("lang", language)


def totp_code(secret: str) -> str:
    """What an authenticator app shows now for `secret` (as allauth computes it)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def test_a_forgotten_password_is_reset_by_e_mail(browser_page, demo_data):
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    browser_page.locator('main a[href="/accounts/password/reset/"]').click()

    expect(browser_page.page).to_have_url(re.compile(r"/accounts/password/reset/$"))
    browser_page.check_accessibility()
    reset_form = browser_page.locator('form[action="/accounts/password/reset/"]')
    expect(reset_form.locator('label[for="id_email"]')).to_be_visible()
    reset_form.locator("#id_email").fill(MANAGER)
    reset_form.locator('button[type="submit"]').click()

    expect(browser_page.page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    browser_page.check_accessibility()
    [message] = mail.outbox
    assert message.to == [MANAGER]
    assert "LUP-læringsplattformen" in message.body  # bokmål, the site's default
    link = RESET_LINK.search(message.body).group(0)

    browser_page.goto(link)
    expect(browser_page.page).to_have_url(
        re.compile(r"/accounts/password/reset/key/.+-set-password/$")
    )
    browser_page.check_accessibility()
    new_password = browser_page.locator("#id_password1")
    expect(new_password).to_have_attribute("autocomplete", "new-password")
    # The password rules are tied to the field, so screen readers read them with it.
    expect(new_password).to_have_attribute("aria-describedby", "id_password1_helptext")

    # Two different passwords: the error is shown and tied to the second field.
    new_password.fill(NEW_PASSWORD)
    browser_page.locator("#id_password2").fill(NEW_PASSWORD + "x")
    browser_page.locator('main button[name="action"]').click()
    repeat = browser_page.locator("#id_password2")
    expect(repeat).to_have_attribute("aria-invalid", "true")
    expect(repeat).to_have_attribute("aria-describedby", re.compile(r"\bid_password2_error\b"))
    expect(browser_page.locator("#id_password2_error")).to_be_visible()
    browser_page.check_accessibility()

    browser_page.locator("#id_password1").fill(NEW_PASSWORD)
    browser_page.locator("#id_password2").fill(NEW_PASSWORD)
    browser_page.locator('main button[name="action"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/password/reset/key/done/$"))
    browser_page.check_accessibility()
    assert not is_signed_in(browser_page)  # ACCOUNT_LOGIN_ON_PASSWORD_RESET is off

    browser_page.locator('main a[href="/accounts/login/"]').click()
    browser_page.check_accessibility()
    sign_in(browser_page, MANAGER, NEW_PASSWORD)
    expect(browser_page.page).to_have_url(browser_page.url_for("/"))
    expect(browser_page.locator(".signed-in-as")).to_contain_text(MANAGER)
    browser_page.check_accessibility()
    assert get_user_model().objects.get(email=MANAGER).check_password(NEW_PASSWORD)


def test_a_used_or_invalid_reset_link_says_so_and_offers_a_new_one(browser_page, demo_data):
    browser_page.goto("/accounts/password/reset/")
    browser_page.check_accessibility()
    browser_page.locator("#id_email").fill(MANAGER)
    browser_page.locator('main button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    browser_page.check_accessibility()
    link = RESET_LINK.search(mail.outbox[0].body).group(0)

    # A link whose key was tampered with (or has expired) is refused with a clear message.
    browser_page.goto(link.rstrip("/") + "x/")
    alert = browser_page.locator('main [role="alert"]')
    expect(alert).to_contain_text("utløpt")
    expect(browser_page.locator("#id_password1")).to_have_count(0)
    browser_page.check_accessibility()

    # Its way out: ask for a new link.
    browser_page.locator('main a[href="/accounts/password/reset/"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/password/reset/$"))
    browser_page.check_accessibility()


def test_an_administrator_without_two_factor_must_set_it_up_first(browser_page, demo_data):
    programme = Programme.objects.get(slug="lup")
    email = "ny.admin@baerum.kommune.no"
    person = get_user_model().objects.create_user(
        username=email, email=email, password=DEMO_PASSWORD, first_name="Ny", last_name="Admin"
    )
    person.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
    EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
    OrganisationMembership.objects.create(organisation=programme.organisation, user=person)

    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in(browser_page, email)

    # Sent straight to set-up, told why.
    expect(browser_page.locator(".site-messages .ds-alert").last).to_be_visible()
    if mfa_settings.REAUTHENTICATION_REQUIRED:
        # allauth asks for the password again before an authenticator is added.
        expect(browser_page.page).to_have_url(re.compile(r"/accounts/reauthenticate/\?next="))
        browser_page.check_accessibility()
        browser_page.locator("#id_password").fill(DEMO_PASSWORD)
        browser_page.locator('main button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(browser_page.locator("main img.totp-qr")).to_have_attribute("alt", re.compile(r"\S"))
    browser_page.check_accessibility()

    # Other pages stay closed until it is done.
    browser_page.goto(f"/programmes/{programme.slug}/")
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    browser_page.check_accessibility()

    secret = browser_page.locator("#totp-secret").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]+=*", secret)
    # A wrong code first: the field says so.
    wrong = "000000" if totp_code(secret) != "000000" else "111111"
    browser_page.locator("#id_code").fill(wrong)
    browser_page.locator('main button[type="submit"]').click()
    expect(browser_page.locator("#id_code")).to_have_attribute("aria-invalid", "true")
    expect(browser_page.locator("#id_code_error")).to_be_visible()
    browser_page.check_accessibility()
    # The secret is kept for the retry.
    assert browser_page.locator("#totp-secret").inner_text().strip() == secret

    browser_page.locator("#id_code").fill(totp_code(secret))
    browser_page.locator('main button[type="submit"]').click()

    expect(browser_page.page).to_have_url(re.compile(r"/accounts/2fa/recovery-codes/$"))
    expect(browser_page.locator("#recovery_codes li")).to_have_count(
        mfa_settings.RECOVERY_CODE_COUNT
    )
    browser_page.check_accessibility()
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()

    browser_page.locator('main a[href="/"]').click()
    expect(browser_page.page).to_have_url(re.compile(rf"/programmes/{programme.slug}/$"))
    expect(browser_page.locator("#headline")).to_be_visible()
    browser_page.check_accessibility()

    # The two-factor pages and the sign-out page render in the site's design too.
    browser_page.goto("/accounts/2fa/")
    expect(browser_page.locator("main section.ds-card")).to_have_count(2)
    browser_page.check_accessibility()
    for path in ("/accounts/2fa/totp/deactivate/", "/accounts/2fa/recovery-codes/generate/"):
        browser_page.goto(path)
        expect(browser_page.page).to_have_url(browser_page.url_for(path))
        expect(browser_page.locator("main button.ds-button[type=submit]")).to_have_count(1)
        browser_page.check_accessibility()
    browser_page.goto("/accounts/logout/")
    browser_page.check_accessibility()
    browser_page.locator('main form[action="/accounts/logout/"] button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/"))
    browser_page.check_accessibility()
    assert not is_signed_in(browser_page)


def test_a_wrong_authenticator_code_is_refused_and_signs_no_one_in(browser_page, demo_data):
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, ADMINISTRATOR)

    right = current_demo_totp_code()
    wrong = f"{(int(right[0]) + 1) % 10}{right[1:]}"
    enter_authenticator_code(browser_page, wrong)

    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(TWO_FACTOR_PATH)}$"))
    code = browser_page.locator("#id_code")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_have_attribute("aria-describedby", re.compile(r"\bid_code_error\b"))
    expect(browser_page.locator("#id_code_error")).to_contain_text("Feil kode")
    browser_page.check_accessibility()
    assert not is_signed_in(browser_page)
    assert not signed_in_user_ids()

    # The dashboard stays closed: allauth keeps asking for the code.
    browser_page.goto("/programmes/lup/")
    expect(browser_page.page).to_have_url(re.compile(rf"{re.escape(TWO_FACTOR_PATH)}$"))
    expect(browser_page.locator("#headline")).to_have_count(0)
    browser_page.check_accessibility()

    # "Cancel" abandons the half-finished sign-in.
    browser_page.locator('main button[form="logout-from-stage"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/$"))
    browser_page.check_accessibility()
    assert not is_signed_in(browser_page)
    assert not signed_in_user_ids()


def test_nynorsk_reaches_allauths_own_pages_and_messages(browser_page, demo_data):
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    switch_language(browser_page, "nn")
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(browser_page.locator("main")).to_contain_text("Hugs meg")
    browser_page.check_accessibility()

    # allauth's own error message, from our nynorsk catalogue for allauth.
    sign_in(browser_page, MANAGER, "feil-passord")
    expect(browser_page.locator('main [role="alert"]')).to_contain_text(
        "E-postadressa og/eller passordet du skreiv inn, er ikkje rett."
    )
    browser_page.check_accessibility()

    browser_page.locator('main a[href="/accounts/password/reset/"]').click()
    expect(browser_page.locator("main h1")).to_have_text("Tilbakestill passord")
    expect(browser_page.locator("main")).to_contain_text("Har du gløymt passordet?")
    expect(browser_page.locator("main button[type=submit]")).to_have_text("Tilbakestill passordet")
    browser_page.check_accessibility()

    browser_page.locator("#id_email").fill(MANAGER)
    browser_page.locator("main button[type=submit]").click()
    expect(browser_page.locator("main")).to_contain_text("Vi har sendt deg ein e-post.")
    browser_page.check_accessibility()
    assert "Hei frå LUP-læringsplattforma!" in mail.outbox[0].body


def test_repeated_wrong_passwords_lock_the_account_for_a_while(browser_page, demo_data):
    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    alert = browser_page.locator('main [role="alert"]')
    # ACCOUNT_RATE_LIMITS: five failed sign-ins per account in five minutes.
    for attempt in range(5):
        sign_in(browser_page, MANAGER, f"feil-passord-{attempt}")
        expect(alert).to_be_visible()
        expect(alert).not_to_contain_text("For mange")
        browser_page.check_accessibility()

    sign_in(browser_page, MANAGER, "feil-passord-igjen")
    expect(alert).to_contain_text("For mange")
    browser_page.check_accessibility()

    # While locked, even the right password is refused.
    sign_in(browser_page, MANAGER)
    expect(alert).to_contain_text("For mange")
    browser_page.check_accessibility()
    assert not is_signed_in(browser_page)


def test_an_unconfirmed_address_is_confirmed_from_the_e_mail(browser_page):
    email = "ny.deltaker@baerum.kommune.no"
    get_user_model().objects.create_user(username=email, email=email, password=DEMO_PASSWORD)

    browser_page.goto("/accounts/login/")
    browser_page.check_accessibility()
    sign_in(browser_page, email)
    # ACCOUNT_EMAIL_VERIFICATION is mandatory: no session until the address is confirmed.
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    browser_page.check_accessibility()
    assert not is_signed_in(browser_page)
    [message] = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)

    browser_page.goto(link)
    expect(browser_page.locator("main")).to_contain_text(email)
    browser_page.check_accessibility()
    browser_page.locator('main button[type="submit"]').click()
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/$"))
    browser_page.check_accessibility()
    assert EmailAddress.objects.get(email=email).verified

    sign_in(browser_page, email)
    expect(browser_page.page).to_have_url(browser_page.url_for("/"))
    expect(browser_page.locator(".signed-in-as")).to_contain_text(email)
    browser_page.check_accessibility()


def test_the_login_page_offers_each_single_sign_on_service(browser_page):
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="idporten",
        name="ID-porten",
        client_id="lup",
        secret="not-used",
        settings={"server_url": "https://idporten.example"},
    )

    browser_page.goto("/accounts/login/")
    button = browser_page.locator('form.sso-login[method="post"] button[type="submit"]')
    expect(button).to_have_text("Logg inn med ID-porten")
    expect(browser_page.locator("form.sso-login")).to_have_attribute(
        "action", re.compile(r"^/accounts/oidc/idporten/login/\?process=login")
    )
    browser_page.check_accessibility()


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/accounts/signup/", 200),
        ("/accounts/inactive/", 200),
        ("/accounts/confirm-email/not-a-key/", 200),
        ("/accounts/3rdparty/login/error/", 401),
        ("/accounts/3rdparty/login/cancelled/", 200),
    ],
)
def test_allauths_dead_ends_explain_themselves(browser_page, path, status):
    response = browser_page.goto(path)
    assert response.status == status
    expect(browser_page.locator("main h1")).to_be_visible()
    browser_page.check_accessibility()
    # Sign-up is closed: no page links to it.
    expect(browser_page.locator('a[href^="/accounts/signup"]')).to_have_count(0)


def test_a_role_granted_mid_session_asks_this_session_for_a_code(browser_page, demo_data):
    """Every door asks for the second factor: a session that never used a code is stopped
    at the first page after the person is made an administrator, and the admin's own
    password form is never offered."""
    browser_page.goto("/admin/login/")
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/login/\?next="))
    browser_page.check_accessibility()
    sign_in(browser_page, MANAGER)
    expect(browser_page.locator(".signed-in-as")).to_be_visible()
    browser_page.check_accessibility()

    # Meanwhile the manager sets up an authenticator elsewhere and is made administrator.
    person = get_user_model().objects.get(email=MANAGER)
    from tests.roles import with_two_factor

    with_two_factor(person)
    person.groups.add(Group.objects.get(name=ADMINISTRATORS_GROUP))
    OrganisationMembership.objects.create(
        organisation=Programme.objects.get(slug="lup").organisation, user=person
    )

    browser_page.goto("/programmes/lup/")
    expect(browser_page.page).to_have_url(re.compile(r"/accounts/2fa/reauthenticate/\?next="))
    browser_page.check_accessibility()
    browser_page.locator("#id_code").fill(current_demo_totp_code())
    browser_page.locator('main form[action="/accounts/2fa/reauthenticate/"] button').click()

    expect(browser_page.page).to_have_url(re.compile(r"/programmes/lup/$"))
    expect(browser_page.locator("#headline")).to_be_visible()
    browser_page.check_accessibility()
