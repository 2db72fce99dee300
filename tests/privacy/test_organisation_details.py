"""The organisation's privacy details page: its administrators change what the privacy
statement says of the organisation as data controller, where scheduled exports may be
e-mailed, and the policy for anonymised people's certificates, without the Django admin.
Another municipality's organisation is never shown or changed; bad input is explained and
changes nothing; the change is in the audit log and in the privacy statement."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from lup import audit
from lup.models import AuditEvent, Organisation, OrganisationMembership
from lup.roles import ensure_role_groups
from tests.factories import OrganisationFactory, UserFactory
from tests.roles import with_two_factor

pytestmark = pytest.mark.django_db

PAGE = "/privacy/organisation/"

VALID = {
    "organisation_number": "974556215",
    "data_protection_officer": "Personvernombudet i Asker",
    "data_protection_email": "personvernombud@asker.kommune.no",
    "legal_basis": "GDPR art. 6(1)(e) og arbeidsmiljøloven § 3-1.",
    "export_email_domains": "asker.kommune.no\nhr.asker.kommune.no",
    "anonymised_certificates": "withhold_name",
}


@pytest.fixture
def asker() -> Organisation:
    return OrganisationFactory.create(name="Asker kommune", slug="asker")


@pytest.fixture
def baerum() -> Organisation:
    return OrganisationFactory.create(
        name="Bærum kommune", slug="baerum", data_protection_officer="Bærums ombud"
    )


def administrator_of(*organisations: Organisation) -> Any:
    """A programme administrator (the role's group) working for the organisations."""
    person = with_two_factor(UserFactory.create())
    person.groups.add(ensure_role_groups()["Programme administrators"])
    for organisation in organisations:
        OrganisationMembership.objects.create(organisation=organisation, user=person)
    return person


def details(organisation: Organisation) -> dict[str, Any]:
    organisation.refresh_from_db()
    return {name: getattr(organisation, name) for name in VALID}


def test_the_page_is_where_the_urls_say(asker):
    assert reverse("lup:organisation-details") == PAGE


def test_an_administrator_saves_the_details_and_the_statement_shows_them(
    client, asker, baerum, english_site, django_assert_max_num_queries
):
    client.force_login(administrator_of(asker))
    with django_assert_max_num_queries(12):
        page = client.get(PAGE)
    html = page.content.decode()
    assert page.status_code == 200
    assert "What Asker kommune says of itself as data controller" in html
    assert "Bærum" not in html

    saved = client.post(PAGE, VALID)

    assert saved.status_code == 302
    assert saved["Location"] == PAGE
    assert details(asker) == {
        **VALID,
        "export_email_domains": "asker.kommune.no\nhr.asker.kommune.no",
    }
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.ORGANISATION_CHANGED)
    assert event.details["fields"] == list(VALID)
    assert audit.describe(event)[0] == "For Asker kommune"
    assert "data protection officer" in audit.describe(event)[1]
    statement = client.get(reverse("lup:privacy-statement", kwargs={"slug": "asker"}))
    assert "Personvernombudet i Asker" in statement.content.decode()
    assert "personvernombud@asker.kommune.no" in statement.content.decode()
    # Saving the same again changes and audits nothing.
    again = client.post(PAGE, VALID, follow=True)
    assert "Nothing changed." in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ORGANISATION_CHANGED).count() == 1


@pytest.mark.parametrize(
    ("field", "given", "error"),
    [
        ("organisation_number", "97455621", "An organisation number has nine digits."),
        ("organisation_number", "97455621X", "An organisation number has nine digits."),
        ("data_protection_email", "not an address", "Enter a valid email address."),
        ("export_email_domains", "gmail.com@", None),
        ("anonymised_certificates", "delete_everything", "Select a valid choice."),
        ("data_protection_officer", "x" * 201, "at most 200 characters"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(
    client, asker, english_site, field, given, error
):
    client.force_login(administrator_of(asker))
    before = details(asker)

    page = client.post(PAGE, {**VALID, field: given})

    html = page.content.decode()
    assert page.status_code == 200
    assert f'id="id_{field}_error"' in html
    assert 'aria-invalid="true"' in html
    assert "Nothing was saved." in html
    if error:
        assert error in html
    assert details(asker) == before
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ORGANISATION_CHANGED).exists()


def test_another_organisations_details_are_never_shown_or_changed(client, asker, baerum):
    client.force_login(administrator_of(asker))
    before = details(baerum)

    assert client.get(f"{PAGE}?organisation=baerum").status_code == 404
    changed = client.post(f"{PAGE}?organisation=baerum", VALID)

    assert changed.status_code == 404
    assert details(baerum) == before


def test_an_administrator_of_two_chooses_and_changes_only_the_chosen(client, asker, baerum):
    client.force_login(administrator_of(asker, baerum))
    choice = client.get(PAGE).content.decode()
    assert "?organisation=asker" in choice
    assert "?organisation=baerum" in choice
    before = details(baerum)

    saved = client.post(f"{PAGE}?organisation=asker", VALID)

    assert saved["Location"] == f"{PAGE}?organisation=asker"
    assert details(asker)["data_protection_officer"] == VALID["data_protection_officer"]
    assert details(baerum) == before


def test_hr_and_people_without_the_role_may_not(client, asker):
    assert client.get(PAGE).status_code == 302  # to sign in
    hr = with_two_factor(UserFactory.create())
    hr.groups.add(ensure_role_groups()["HR"])
    OrganisationMembership.objects.create(organisation=asker, user=hr)
    client.force_login(hr)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, VALID).status_code == 403
    # The permission but no organisation of theirs.
    lonely = UserFactory.create()
    lonely.user_permissions.add(
        Permission.objects.get(content_type__app_label="lup", codename="change_organisation")
    )
    client.force_login(lonely)
    assert client.get(PAGE).status_code == 403
    assert details(asker)["data_protection_officer"] == ""


def test_the_service_refuses_fields_that_are_not_details(asker):
    from django.core.exceptions import ValidationError

    from lup.privacy.services_details import change_organisation_details

    with pytest.raises(ValidationError):
        change_organisation_details(
            organisation=asker, wanted={"name": "Renamed", "slug": "x"}, actor=None
        )
    asker.refresh_from_db()
    assert asker.name == "Asker kommune"
