"""The error pages (400, 403, 404, 500, CSRF failure): the site's layout, its languages,
a way back to the front page, and a 500 page that needs no request and no database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client, override_settings
from django.urls import get_resolver, reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from tests.error_urls import BROKEN_PATH
from tests.factories import UserFactory

MISSING_PATH = "/finnes-ikke/"


@pytest.fixture(autouse=True)
def quiet_error_logs() -> Iterator[None]:
    """4xx and 500 responses log warnings and errors by design."""
    logging.disable(logging.ERROR)
    yield
    logging.disable(logging.NOTSET)


def assert_in_the_layout(content: str, language: str) -> None:
    assert f'<html lang="{language}"' in content
    assert 'class="ds-skip-link" href="#main"' in content
    assert '<main id="main"' in content
    assert content.count("<h1") == 1
    assert 'href="/"' in content  # the way back
    assert f'href="{reverse("accessibility-statement")}"' in content  # the footer


# 404


@pytest.mark.parametrize(
    ("accept_language", "language", "heading", "access_hint"),
    [
        ("nb", "nb", "Fant ikke siden", "du har kanskje ikke tilgang"),
        ("nn", "nn", "Fann ikkje sida", "du har kanskje ikkje tilgang"),
        ("en", "en", "Page not found", "you may not have access"),
    ],
)
def test_a_missing_page_is_404_in_the_layout_and_language(
    client, db, accept_language, language, heading, access_hint
):
    response = client.get(MISSING_PATH, HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 404
    assert "404.html" in [template.name for template in response.templates]
    content = response.content.decode()
    assert_in_the_layout(content, language)
    assert heading in content
    assert access_hint in content


def test_the_404_page_is_english_on_an_english_site(client, db, english_site):
    content = client.get(MISSING_PATH).content.decode()

    assert '<html lang="en"' in content
    assert "Page not found" in content
    assert "Go to the front page" in content


def test_a_signed_in_person_keeps_the_menu_on_the_404_page(client, db):
    client.force_login(UserFactory())

    content = client.get(MISSING_PATH).content.decode()

    assert "Fant ikke siden" in content
    assert '<nav aria-label="Hovedmeny">' in content
    assert 'class="sign-out"' in content


# 403


@pytest.mark.parametrize(
    ("accept_language", "heading"),
    [
        ("nb", "Du har ikke tilgang"),
        ("nn", "Du har ikkje tilgang"),
        ("en", "You do not have access"),
    ],
)
def test_a_page_the_role_does_not_allow_is_403_in_the_layout(client, db, accept_language, heading):
    client.force_login(UserFactory())  # signed in, but not HR: no reports

    response = client.get(reverse("lup:report-participants"), HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    content = response.content.decode()
    assert_in_the_layout(content, accept_language)
    assert heading in content


# 400


def test_a_bad_request_is_400_in_the_layout(client, db):
    response = client.get("/", HTTP_HOST="not-this-site.example")  # DisallowedHost

    assert response.status_code == 400
    assert "400.html" in [template.name for template in response.templates]
    content = response.content.decode()
    assert_in_the_layout(content, "nb")
    assert "Vi kunne ikke behandle forespørselen" in content


# CSRF failure


@pytest.mark.parametrize(
    ("accept_language", "heading", "hint"),
    [
        ("nb", "Skjemaet kunne ikke sendes", "last inn siden på nytt"),
        ("nn", "Skjemaet kunne ikkje sendast", "last inn sida på nytt"),
        ("en", "The form could not be sent", "reload the page"),
    ],
)
def test_a_form_without_a_csrf_token_gets_the_csrf_page(db, accept_language, heading, hint):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("set_language"), {"language": "en"}, HTTP_ACCEPT_LANGUAGE=accept_language
    )

    assert response.status_code == 403
    assert "403_csrf.html" in [template.name for template in response.templates]
    content = response.content.decode()
    assert_in_the_layout(content, accept_language)
    assert heading in content
    assert hint in content
    assert "CSRF" not in content  # plain words, not the technical reason


# 500


@pytest.fixture
def broken_site(client: Client) -> Iterator[Client]:
    """The site plus a view that fails; the client answers like production (no re-raise)."""
    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF="tests.error_urls"):
        yield client


@pytest.mark.parametrize(
    ("accept_language", "heading"),
    [
        ("nb", "Noe gikk galt"),
        ("nn", "Noko gjekk gale"),
        ("en", "Something went wrong"),
    ],
)
def test_a_server_error_is_500_in_the_layout_and_language(
    broken_site, db, accept_language, heading
):
    response = broken_site.get(BROKEN_PATH, HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 500
    content = response.content.decode()
    assert_in_the_layout(content, accept_language)
    assert heading in content


def test_the_500_page_leaves_out_the_menu_language_form_and_person(broken_site, db):
    broken_site.force_login(UserFactory(email="kari@example.no"))

    content = broken_site.get(BROKEN_PATH).content.decode()

    assert "Noe gikk galt" in content
    assert "<nav" not in content
    assert "language-switch" not in content
    assert "kari@example.no" not in content
    assert "csrfmiddlewaretoken" not in content


def test_the_500_page_renders_with_the_database_down(rf):
    """Django renders 500.html with an empty context; nothing on it may touch the database."""
    request = rf.get(BROKEN_PATH)
    # A signed-in person's request: reading the user would query the database.
    request.user = SimpleLazyObject(lambda: get_user_model().objects.get(pk=1))
    handler500 = get_resolver().resolve_error_handler(500)  # the site's handler, as Django finds it

    with (
        mock.patch.object(
            BaseDatabaseWrapper, "ensure_connection", side_effect=OperationalError("down")
        ),
        translation.override("nb"),
    ):
        response = handler500(request)

    assert response.status_code == 500
    content = response.content.decode()
    assert_in_the_layout(content, "nb")
    assert "Noe gikk galt" in content


def test_the_500_page_makes_no_queries(rf, db, django_assert_num_queries):
    user = UserFactory()
    request = rf.get(BROKEN_PATH)
    request.user = SimpleLazyObject(lambda: get_user_model().objects.get(pk=user.pk))
    handler500 = get_resolver().resolve_error_handler(500)

    with django_assert_num_queries(0):
        response = handler500(request)

    assert response.status_code == 500
