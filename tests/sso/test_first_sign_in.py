"""A first ID-porten or Ansattporten sign-in proves the work e-mail once, and cannot be
talked into linking someone else's account (a real provider sending ID-porten's claims)."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.test import Client

from lup.models import AuditEvent, OrganisationMembership
from lup.sso.linking import MAX_CODE_ATTEMPTS, MAX_CODES_SENT
from tests.factories import OrganisationFactory
from tests.oidc_provider.launcher import RunningProvider
from tests.sso.conftest import ANNEN, ANSATT, KARI
from tests.sso.flow import (
    is_signed_in,
    make_person,
    make_social_app,
    prove_work_email,
    sso_sign_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    return Client(headers={"Accept-Language": "en"})


def test_a_wrong_code_links_nothing_and_the_attempts_run_out(client, provider):
    make_social_app(provider)
    kari = make_person(KARI.email)
    sso_sign_in(client, provider, KARI.username)
    client.post("/sign-in/link/", {"email": KARI.email})
    [message] = mail.outbox
    right_code = next(word for word in message.body.split() if word.isdigit() and len(word) == 6)
    wrong = f"{(int(right_code) + 1) % 10**6:06d}"

    for _ in range(MAX_CODE_ATTEMPTS):
        attempt = client.post("/sign-in/link/code/", {"code": wrong})
        assert attempt.status_code == 200
    too_late = client.post("/sign-in/link/code/", {"code": right_code})

    assert too_late.status_code in {200, 302}
    assert not is_signed_in(client)
    assert not SocialAccount.objects.filter(user=kari).exists()


def test_codes_are_sent_a_few_times_per_sign_in_at_most(client, provider):
    make_social_app(provider)
    make_person(KARI.email)
    sso_sign_in(client, provider, KARI.username)

    for _ in range(MAX_CODES_SENT + 2):
        client.post("/sign-in/link/", {"email": KARI.email})

    assert len(mail.outbox) == MAX_CODES_SENT


def test_an_account_already_linked_to_another_identity_gets_no_code(client, provider):
    make_social_app(provider)
    kari = make_person(KARI.email)
    SocialAccount.objects.create(user=kari, provider="idporten", uid="someone-elses-sub")
    sso_sign_in(client, provider, KARI.username)

    client.post("/sign-in/link/", {"email": KARI.email})

    assert not mail.outbox
    assert SocialAccount.objects.filter(user=kari).count() == 1


def test_the_link_is_audited_and_the_address_verified(client, provider):
    make_social_app(provider)
    kari = make_person(KARI.email)
    kari.emailaddress_set.update(verified=False)

    prove_work_email(client, sso_sign_in(client, provider, KARI.username), KARI.email)

    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN_LINKED)
    assert event.subject == kari
    assert event.details["service"] == "ID-porten"
    assert kari.emailaddress_set.get().verified


def test_the_linking_pages_need_a_sign_in_waiting(client):
    assert client.get("/sign-in/link/")["Location"].startswith("/accounts/login/")
    assert client.post("/sign-in/link/code/", {"code": "123456"}).status_code == 302


def employee_of_baerum(email: str):
    person = make_person(email)
    baerum = OrganisationFactory(name="Bærum kommune", organisation_number="974556584")
    OrganisationMembership.objects.create(organisation=baerum, user=person)
    return person


def test_ansattporten_admits_someone_acting_for_their_own_municipality(
    client: Client, provider: RunningProvider
):
    make_social_app(provider, provider_id="ansattporten", check_employer=True)
    person = employee_of_baerum(ANSATT.email)

    callback = sso_sign_in(client, provider, ANSATT.username, provider_id="ansattporten")
    response = prove_work_email(client, callback, ANSATT.email)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(person.pk)
    client.logout()
    again = sso_sign_in(client, provider, ANSATT.username, provider_id="ansattporten")
    assert again.status_code == 302
    assert again["Location"] == "/"


def test_ansattporten_refuses_someone_acting_for_another_organisation(
    client: Client, provider: RunningProvider
):
    make_social_app(provider, provider_id="ansattporten", check_employer=True)
    employee_of_baerum(ANNEN.email)

    callback = sso_sign_in(client, provider, ANNEN.username, provider_id="ansattporten")
    response = prove_work_email(client, callback, ANNEN.email)

    assert response.status_code == 403
    assert "work for the municipality" in response.content.decode()
    assert not is_signed_in(client)
    assert not SocialAccount.objects.exists()


def test_one_address_gets_a_few_codes_an_hour_whatever_the_sign_ins(provider):
    from lup.sso.linking import MAX_CODES_PER_ADDRESS_PER_HOUR

    make_social_app(provider)
    make_person(KARI.email)
    for _ in range(MAX_CODES_PER_ADDRESS_PER_HOUR + 2):
        browser = Client()
        sso_sign_in(browser, provider, KARI.username)
        browser.post("/sign-in/link/", {"email": KARI.email})

    assert len(mail.outbox) == MAX_CODES_PER_ADDRESS_PER_HOUR
