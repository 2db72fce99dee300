"""Systems call the API with tokens that administrators create: scoped, expiring, revocable."""

import datetime as dt

import pytest
from django.utils import timezone

from lup.api import throttling
from lup.api.tokens import create_api_token, hash_secret, revoke_api_token
from lup.models import OrganisationMembership, Participant
from lup.reporting.models import ApiToken
from lup.services import record_participant_completion
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


@pytest.fixture
def world():
    return build_world()


def make_token(world, scope, **overrides):
    arguments = {
        "name": "HR system",
        "organisation": world.programme.organisation,
        "scope": scope,
        "expires_at": timezone.now() + dt.timedelta(days=30),
        "created_by": world.people["administrator"],
        **overrides,
    }
    return create_api_token(**arguments)


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_only_a_hash_of_the_secret_is_kept(world):
    token, secret = make_token(world, ApiToken.Scope.READ)

    assert secret.startswith("lup_")
    assert token.secret_hash == hash_secret(secret)
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    account = token.user
    assert not account.has_usable_password()
    assert OrganisationMembership.objects.filter(
        user=account, organisation=world.programme.organisation
    ).exists()


def test_a_token_acts_as_its_service_account_with_either_keyword(client, world):
    _token, secret = make_token(world, ApiToken.Scope.READ)

    bearer_me = client.get("/api/v1/me/", **bearer(secret))
    token_me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {secret}")

    assert bearer_me.status_code == token_me.status_code == 200
    assert bearer_me.json()["token_scope"] == "read"
    assert bearer_me.json()["organisations"] == ["Bærum kommune"]


def test_a_token_sees_its_organisations_scope_only(client, world):
    _token, secret = make_token(world, ApiToken.Scope.READ)

    emails = {
        row["email"]
        for row in client.get("/api/v1/participants/", **bearer(secret)).json()["results"]
    }
    other = world.team_other.participants.get()

    assert "enthusiast@example.no" in emails
    assert other.user.email not in emails
    assert (
        client.get(f"/api/v1/participants/{other.public_id}/", **bearer(secret)).status_code == 404
    )


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("revoke", "This API token has been revoked."),
        ("expire", "This API token has expired."),
        ("unknown", "Invalid API token."),
    ],
)
def test_unusable_tokens_are_401_with_a_clear_message(client, world, change, message):
    token, secret = make_token(world, ApiToken.Scope.READ)
    if change == "revoke":
        revoke_api_token(token=token)
    elif change == "expire":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    else:
        secret = "lup_not-a-token"

    response = client.get("/api/v1/completions/", **bearer(secret))

    assert response.status_code == 401
    assert response.json() == {"detail": message}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_malformed_header_is_401(client, world):
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer two words").status_code == 401


def test_without_a_token_or_session_it_is_403_as_before(client, world):
    assert client.get("/api/v1/me/").status_code == 403


def test_the_token_records_when_it_was_last_used(client, world):
    token, secret = make_token(world, ApiToken.Scope.REPORTS)

    client.get("/api/v1/completions/", **bearer(secret))

    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("scope", "method", "url", "expected"),
    [
        # reports: the completions feed only, and only reading
        ("reports", "get", "/api/v1/completions/", 200),
        ("reports", "get", "/api/v1/participants/", 403),
        ("reports", "get", "/api/v1/programmes/", 403),
        ("reports", "post", "/api/v1/participants/", 403),
        # read: every GET, no writes
        ("read", "get", "/api/v1/participants/", 200),
        ("read", "get", "/api/v1/completions/", 200),
        ("read", "post", "/api/v1/participants/", 403),
        # write: writes too (the body here is empty: a 400 means it got through)
        ("write", "get", "/api/v1/participants/", 200),
        ("write", "post", "/api/v1/participants/", 400),
    ],
)
def test_a_tokens_scope_limits_what_it_may_do(client, world, scope, method, url, expected):
    _token, secret = make_token(world, scope)

    response = getattr(client, method)(url, **bearer(secret))

    assert response.status_code == expected, response.content


def test_a_write_token_adds_a_participant_like_an_administrator(client, world):
    _token, secret = make_token(world, ApiToken.Scope.WRITE)

    response = client.post(
        "/api/v1/participants/",
        {
            "email": "ny@example.no",
            "first_name": "Ny",
            "last_name": "Ildsjel",
            "cohort": str(world.cohort_a.public_id),
            "unit": str(world.team_u2.unit.public_id),
            "role": "enthusiast",
        },
        content_type="application/json",
        **bearer(secret),
    )

    assert response.status_code == 201, response.content
    assert world.team_u2.participants.filter(user__email="ny@example.no").exists()


def read_feed(client, secret, **params):
    """Every page of the completions feed, following `next`."""
    rows = []
    response = client.get("/api/v1/completions/", {"page_size": 2, **params}, **bearer(secret))
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        rows.extend(body["results"])
        if not body["next"]:
            return rows
        response = client.get(body["next"], **bearer(secret))


def test_a_system_syncs_completions_incrementally(client, world):
    _token, secret = make_token(world, ApiToken.Scope.REPORTS)
    first_sync = read_feed(client, secret)
    in_scope = Participant.objects.filter(enrolment__cohort__programme=world.programme)
    assert {row["id"] for row in first_sync} == {str(p.public_id) for p in in_scope}
    stamps = [row["updated_at"] for row in first_sync]
    assert stamps == sorted(stamps)
    last_seen = max(row["updated_at"] for row in first_sync)

    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])
    record_participant_completion(participant=enthusiast)
    second_sync = read_feed(client, secret, updated_since=last_seen)

    assert [row["id"] for row in second_sync] == [str(enthusiast.public_id)]
    assert second_sync[0]["status"] == "completed"
    assert second_sync[0]["completed_at"] is not None
    assert read_feed(client, secret, updated_since=second_sync[0]["updated_at"]) == []


def test_each_token_has_its_own_rate_limit(client, world, monkeypatch):
    monkeypatch.setattr(throttling.TokenOrUserRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    _first, first_secret = make_token(world, ApiToken.Scope.REPORTS)
    _second, second_secret = make_token(world, ApiToken.Scope.REPORTS)

    codes = [
        client.get("/api/v1/completions/", **bearer(first_secret)).status_code for _ in range(3)
    ]
    other = client.get("/api/v1/completions/", **bearer(second_secret)).status_code

    assert codes == [200, 200, 429]
    assert other == 200


def test_creating_a_token_checks_scope_and_expiry(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_token(world, "everything")
    with pytest.raises(ValidationError):
        make_token(world, ApiToken.Scope.READ, expires_at=timezone.now() - dt.timedelta(days=1))


def test_an_administrator_creates_a_token_in_the_admin_and_sees_the_secret_once(client, world):
    administrator = world.people["administrator"]
    client.force_login(administrator)

    response = client.post(
        "/admin/lup/apitoken/add/",
        {
            "name": "Visma HR",
            "organisation": world.programme.organisation.pk,
            "scope": "reports",
            "expires_at_0": (timezone.localdate() + dt.timedelta(days=90)).isoformat(),
            "expires_at_1": "12:00:00",
        },
        follow=True,
    )

    token = ApiToken.objects.get(name="Visma HR")
    shown = [str(message) for message in response.context["messages"]]
    secret = next(word for text in shown for word in text.split() if word.startswith("lup_"))
    assert token.secret_hash == hash_secret(secret)
    assert token.created_by == administrator
    assert client.get("/api/v1/completions/", **bearer(secret)).status_code == 200
    assert secret not in client.get(f"/admin/lup/apitoken/{token.pk}/change/").content.decode()


def test_an_administrator_revokes_tokens_in_the_admin(client, world):
    token, secret = make_token(world, ApiToken.Scope.READ)
    client.force_login(world.people["administrator"])

    client.post(
        "/admin/lup/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/v1/me/", **bearer(secret)).status_code == 401


def test_another_organisations_administrator_does_not_see_the_token(client, world):
    token, _secret = make_token(world, ApiToken.Scope.READ)
    client.force_login(world.people["other_administrator"])

    listing = client.get("/admin/lup/apitoken/").content.decode()

    assert token.prefix not in listing


def test_creating_and_revoking_a_token_is_in_the_audit_log(world):
    from lup.models import AuditEvent

    token, _secret = make_token(world, scope=ApiToken.Scope.READ)
    revoke_api_token(token=token, revoked_by=world.people["administrator"])

    actions = list(AuditEvent.objects.order_by("at", "pk").values_list("action", "subject_label"))
    assert (AuditEvent.Action.API_TOKEN_CREATED, str(token)) in actions
    assert (AuditEvent.Action.API_TOKEN_REVOKED, str(token)) in actions
    revoked = AuditEvent.objects.get(action=AuditEvent.Action.API_TOKEN_REVOKED)
    assert revoked.actor == world.people["administrator"]
