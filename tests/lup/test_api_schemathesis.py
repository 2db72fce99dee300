"""Schemathesis generates requests for every operation of the schema and the API never
answers with a server error (as a token-authenticated administrator of Bærum)."""

import datetime as dt

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from config.wsgi import application
from lup.api.tokens import create_api_token
from lup.reporting.models import ApiToken
from tests.roles import build_world

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


@pytest.fixture
def secret(db):
    world = build_world()
    _token, secret = create_api_token(
        name="Schemathesis",
        organisation=world.programme.organisation,
        scope=ApiToken.Scope.WRITE,
        expires_at=timezone.now() + dt.timedelta(days=1),
        created_by=world.people["administrator"],
    )
    return secret


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calling the WSGI application directly fires request_started/finished, whose
    close_old_connections would close the test's database connection mid-transaction on
    PostgreSQL. Django's test client disconnects it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch):
    from lup.api import throttling

    monkeypatch.setattr(throttling.TokenOrUserRateThrottle, "allow_request", lambda *a: True)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_operation_answers_with_a_server_error(case, secret):
    response = case.call(headers={"Authorization": f"Bearer {secret}"})

    case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])
