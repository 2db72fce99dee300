"""An imported participant's first sign-in: reset a password by e-mail, then sign in."""

import re

import pytest
from django.core import mail

from lup.imports import import_participants
from tests.factories import CohortFactory, OrganisationFactory, ProgrammeFactory, ServiceUnitFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Et-langt-passord-2026"


def test_an_imported_participant_sets_a_password_and_signs_in(client):
    organisation = OrganisationFactory()
    programme = ProgrammeFactory(organisation=organisation)
    CohortFactory(programme=programme, name="LUP 5")
    ServiceUnitFactory(organisation=organisation, code="1")
    import_participants(
        data=b"email;unit_code;cohort;role\nkari@example.no;1;LUP 5;ildsjel\n", programme=programme
    )

    client.post("/accounts/password/reset/", {"email": "kari@example.no"})
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    form = client.get(link.group(1), follow=True)
    form_url = form.redirect_chain[-1][0] if form.redirect_chain else link.group(1)
    client.post(form_url, {"password1": PASSWORD, "password2": PASSWORD})
    signed_in = client.post(
        "/accounts/login/", {"login": "kari@example.no", "password": PASSWORD}, follow=True
    )

    assert signed_in.wsgi_request.user.is_authenticated
    assert len(mail.outbox) == 1  # no second "confirm your address" e-mail
