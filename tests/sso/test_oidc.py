"""OpenID Connect sign-in against a real provider (django-oauth-toolkit on 127.0.0.1).

Each refusal is checked the same way: the person sees why, and no session is created.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from lup.sso import NONCE_STATE_KEY
from tests.oidc_provider.launcher import RunningProvider
from tests.sso.conftest import KARI, LAV, UKJENT
from tests.sso.flow import (
    MINIMUM_ACR,
    callback_url,
    is_signed_in,
    keys_anywhere,
    make_person,
    make_social_app,
    prove_work_email,
    sso_sign_in,
    start_sign_in,
)

pytestmark = pytest.mark.django_db

LOW_LEVEL_MESSAGE = (
    "Your sign-in used a lower security level than this service requires. "
    "Please sign in again with a higher security level, such as BankID."
)
UNVERIFIED_MESSAGE = "The sign-in response could not be verified. Please try to sign in again."


@pytest.fixture
def client() -> Client:
    """The site's pages in English, so messages read as written in lup/sso.py."""
    return Client(headers={"Accept-Language": "en"})


def test_an_existing_person_signs_in_through_the_real_provider(
    client: Client, provider: RunningProvider
) -> None:
    make_social_app(provider)
    kari = make_person(KARI.email)

    callback = sso_sign_in(client, provider, KARI.username)
    assert not is_signed_in(client)  # ID-porten sends no e-mail: nobody matches yet
    response = prove_work_email(client, callback, KARI.email)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(kari.pk)
    home = client.get("/")
    assert KARI.email in home.content.decode()

    account = SocialAccount.objects.get(user=kari)
    assert account.provider == "idporten"
    claims = keys_anywhere(account.extra_data)
    assert "pid" not in claims
    assert not claims & {"email", "email_verified", "name", "given_name", "family_name"}
    assert account.uid == account.extra_data["id_token"]["sub"]
    assert account.uid != str(kari.pk)
    assert account.extra_data["id_token"]["acr"] == MINIMUM_ACR

    [authorize] = provider.audit("authorize")
    assert authorize["code_challenge_method"] == "S256"
    assert len(authorize["code_challenge"]) >= 43
    assert authorize["nonce"] == account.extra_data["id_token"]["nonce"]
    assert authorize["acr_values"] == MINIMUM_ACR
    [token] = provider.audit("token")
    assert token["code_verifier_sent"] is True


def test_a_returning_person_keeps_no_identity_number(
    client: Client, provider: RunningProvider
) -> None:
    make_social_app(provider)
    kari = make_person(KARI.email)
    prove_work_email(client, sso_sign_in(client, provider, KARI.username), KARI.email)
    client.logout()

    # Now the account is linked: allauth finds it by `sub` and goes straight through.
    response = sso_sign_in(client, provider, KARI.username)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(kari.pk)
    account = SocialAccount.objects.get(user=kari)
    assert "pid" not in keys_anywhere(account.extra_data)
    assert len(provider.audit("token")) == 2


def test_the_authorization_request_carries_nonce_pkce_and_the_minimum_level(
    client: Client, provider: RunningProvider
) -> None:
    make_social_app(provider)

    # Even a request asking for a lower level gets the app's minimum.
    authorize_url = start_sign_in(client, query="?auth_params=acr_values%3Didporten-loa-low")

    query = parse_qs(urlsplit(authorize_url).query)
    assert query["acr_values"] == [MINIMUM_ACR]
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [callback_url("idporten")]
    [nonce] = query["nonce"]
    [state_id] = query["state"]
    stashed = client.session["socialaccount_states"][state_id][0]
    assert stashed[NONCE_STATE_KEY] == nonce
    assert len(nonce) >= 32


def test_a_lower_assurance_level_is_refused(client: Client, provider: RunningProvider) -> None:
    make_social_app(provider)
    make_person(LAV.email)

    response = sso_sign_in(client, provider, LAV.username)

    assert response.status_code == 403
    assert response.context["lup_sso_message"] == LOW_LEVEL_MESSAGE
    assert LOW_LEVEL_MESSAGE in response.content.decode()
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert not is_signed_in(client)
    assert not SocialAccount.objects.exists()
    # The provider did issue its tokens: the refusal is the site's own check.
    assert len(provider.audit("token")) == 1


def test_a_forged_issuer_is_refused(client: Client, provider: RunningProvider) -> None:
    make_social_app(
        provider,
        provider_id="wrong-issuer",
        openid_configuration_overrides={"issuer": "http://wrong.example"},
    )
    make_person(KARI.email)

    response = sso_sign_in(client, provider, KARI.username, provider_id="wrong-issuer")

    assert response.status_code == 401  # allauth's own error page
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert "Invalid id_token" in str(response.context["auth_error"]["exception"])
    assert not is_signed_in(client)
    assert not SocialAccount.objects.exists()


def test_someone_the_site_does_not_know_is_neither_signed_in_nor_registered(
    client: Client, provider: RunningProvider
) -> None:
    make_social_app(provider)
    people_before = get_user_model().objects.count()

    callback = sso_sign_in(client, provider, UKJENT.username)
    asked = client.post("/sign-in/link/", {"email": UKJENT.email})
    code_page = client.get(asked["Location"])
    guess = client.post("/sign-in/link/code/", {"code": "123456"})

    # The same answer as for a registered address, and nothing is sent or created.
    assert callback["Location"] == "/sign-in/link/"
    assert asked["Location"] == "/sign-in/link/code/"
    assert UKJENT.email in code_page.content.decode()
    assert not mail.outbox
    assert guess.status_code == 200
    assert guess.context["form"].errors["code"]
    assert not is_signed_in(client)
    assert get_user_model().objects.count() == people_before
    assert not get_user_model().objects.filter(email=UKJENT.email).exists()
    assert not SocialAccount.objects.exists()


def test_a_callback_with_an_unknown_state_is_refused(
    client: Client, provider: RunningProvider
) -> None:
    make_social_app(provider)
    make_person(KARI.email)

    response = client.get("/accounts/oidc/idporten/login/callback/?state=bogus&code=x")

    assert response.status_code == 401
    assert response.templates[0].name == "socialaccount/authentication_error.html"
    assert not is_signed_in(client)
    assert provider.audit("token") == []  # the code was never even tried


def test_a_tampered_nonce_is_refused(client: Client, provider: RunningProvider) -> None:
    make_social_app(provider)
    make_person(KARI.email)

    def tamper(client: Client) -> None:
        session = client.session
        states = session["socialaccount_states"]
        for state, _timestamp, _provider in states.values():
            state[NONCE_STATE_KEY] = "not-the-nonce-that-was-sent"
        session["socialaccount_states"] = states
        session.save()

    response = sso_sign_in(client, provider, KARI.username, before_callback=tamper)

    assert response.status_code == 403
    assert response.context["lup_sso_message"] == UNVERIFIED_MESSAGE
    assert UNVERIFIED_MESSAGE in response.content.decode()
    assert not is_signed_in(client)
    assert not SocialAccount.objects.exists()
    [authorize] = provider.audit("authorize")
    assert authorize["nonce"] != "not-the-nonce-that-was-sent"
