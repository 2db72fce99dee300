"""The privacy statement and the records of processing activities: every claim they make
is checked here against the code that makes it true (the register, the retention periods,
the settings, the sign-in services, the scopes), and the pages as people use them."""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from allauth.socialaccount.models import SocialApp
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from lup import app_settings, scoping
from lup.models import Organisation, OrganisationMembership, Participant
from lup.permissions import requires_multi_factor
from lup.privacy.categories import Category
from lup.privacy.models import RetentionPeriod
from lup.privacy.periods import audit_retention_days, periods_for
from lup.privacy.records import ACTIVITIES, processing_records, security_measures
from lup.privacy.register import REGISTER, OnAnonymise, entries
from lup.privacy.statement import known_period_starts, privacy_statement
from lup.roles import ADMINISTRATORS_GROUP, HR_GROUP, ensure_role_groups
from lup.sso import strip_forbidden_claims
from tests.conftest import sign_in_with_password_only
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)
from tests.roles import World, build_world, with_two_factor
from tests.tools import requires_tools

needs_poppler = requires_tools("pdftotext", install="poppler-utils")

NO_SERVICES: dict[str, Any] = {
    "COURSES_LRS_ENDPOINT": "",
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "SOCIALACCOUNT_PROVIDERS": {"openid_connect": {}, "microsoft": {}},
}


def visible(markup: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, white space collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def section(markup: str, category: str) -> str:
    found = re.search(
        rf'<section[^>]*data-category="{category}"[^>]*>(.*?)</section>', markup, re.S
    )
    assert found, f"no section for {category}"
    return visible(found.group(1))


def element(markup: str, element_id: str) -> str:
    found = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>(.*?)</\1>', markup, re.S)
    assert found, f"no element #{element_id}"
    return visible(found.group(2))


def page(client: Any, organisation: Organisation) -> str:
    response = client.get(reverse("lup:privacy-statement", args=[organisation.slug]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def no_services(settings: Any) -> None:
    for name, value in NO_SERVICES.items():
        setattr(settings, name, value)
    settings.STORAGES = {
        key: value
        for key, value in settings.STORAGES.items()
        if key not in {"courses_private", "default"}
    } | {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


@pytest.fixture
def baerum(db: None) -> Organisation:
    return OrganisationFactory.create(
        name="Bærum kommune",
        slug="baerum",
        organisation_number="974547283",
        data_protection_officer="Personvernombudet",
        data_protection_email="personvernombud@baerum.example.no",
    )


def administrator_of(organisation: Organisation, email: str = "admin@example.no") -> Any:
    """A programme administrator of `organisation`, with two-factor set up (their role
    requires it) and the role's permissions from its group."""
    person = with_two_factor(UserFactory.create(email=email, is_staff=True))
    person.groups.add(ensure_role_groups()[ADMINISTRATORS_GROUP])
    OrganisationMembership.objects.create(organisation=organisation, user=person)
    return person


# What is stored, why and for how long ------------------------------------------------------


def test_every_category_of_the_register_appears_with_each_entrys_purpose_and_fate(
    client, english_site, baerum, no_services
):
    markup = page(client, baerum)

    for category in {entry.category for entry in entries()}:
        text = section(markup, category.value)
        assert visible(str(category.label)) in visible(markup)
        for entry in entries():
            if entry.category == category:
                assert str(entry.purpose) in text, entry.model
                assert f"When you leave: {entry.on_anonymise.label}." in text, entry.model


def test_the_people_without_an_account_are_named(client, english_site, baerum, no_services):
    assert "The names and titles of the people who sign certificates" in visible(
        page(client, baerum)
    )


def test_retention_periods_are_the_organisations_and_change_with_them(
    client, english_site, baerum, no_services
):
    periods = periods_for(baerum)
    markup = page(client, baerum)
    learning = periods["learning_records"]
    assert f"Deleted {learning} months after the end of the participant's last cohort." in section(
        markup, "learning_records"
    )
    assert f"Deleted {learning} months after the end of the cohort." in section(
        markup, "attendance"
    )
    assert f"Deleted {periods['uploaded_files']} months after they were handed in." in section(
        markup, "uploaded_files"
    )
    assert f"Deleted {periods['xapi_statements']} months after they were received." in section(
        markup, "xapi_statements"
    )

    RetentionPeriod.objects.create(organisation=baerum, category="learning_records", months=18)
    RetentionPeriod.objects.create(organisation=baerum, category="xapi_statements", months=1)
    markup = page(client, baerum)

    assert "Deleted 18 months after the end of the participant's last cohort." in section(
        markup, "learning_records"
    )
    assert "Deleted 18 months after the end of the cohort." in section(markup, "attendance")
    assert f"{learning} months" not in section(markup, "learning_records")
    assert "Deleted 1 month after they were received." in section(markup, "xapi_statements")


def test_another_organisations_period_does_not_change_this_statement(
    client, english_site, baerum, no_services
):
    other = OrganisationFactory.create()
    RetentionPeriod.objects.create(organisation=other, category="uploaded_files", months=7)

    assert "7 months" not in section(page(client, baerum), "uploaded_files")


def test_the_installation_defaults_apply_without_a_period_of_its_own(
    client, english_site, baerum, no_services, settings
):
    settings.LUP_RETENTION_UPLOADED_FILES_MONTHS = 30

    assert "Deleted 30 months after they were handed in." in section(
        page(client, baerum), "uploaded_files"
    )


def test_the_audit_log_and_own_data_archives_say_their_settings_days(
    client, english_site, baerum, no_services, settings
):
    settings.LUP_AUDIT_RETENTION_DAYS = 400
    settings.LUP_PERSONAL_EXPORT_DAYS = 3
    markup = page(client, baerum)

    assert audit_retention_days() == 400
    assert section(markup, "audit").endswith("How long: Deleted after 400 days.")
    assert section(markup, "data_exports").endswith("How long: Deleted 3 days after it is ready.")


def test_data_without_a_period_is_kept_while_the_account_is(
    client, english_site, baerum, no_services
):
    text = section(page(client, baerum), "account")

    assert text.endswith(
        "How long: Kept as long as you have an account. When you leave, an administrator "
        "anonymises you."
    )
    assert all(entry.retention is None for entry in entries() if entry.category == Category.ACCOUNT)


def test_every_retention_start_in_the_register_has_words():
    used = {entry.retention_from for entry in REGISTER if entry.retention is not None}

    assert used <= known_period_starts()


def test_what_leaving_removes_is_what_the_register_does(client, english_site, baerum):
    # The statement: "your name, e-mail address, sign-in methods and roles are removed, and
    # what stays for the programme's figures names only a pseudonym".
    assert "sign-in methods and roles are removed" in visible(page(client, baerum))
    by_model = {entry.model: entry for entry in REGISTER}
    assert by_model["auth.User"].on_anonymise == OnAnonymise.REDACT
    assert by_model["account.EmailAddress"].on_anonymise == OnAnonymise.ERASE
    assert by_model["lup.OrganisationMembership"].on_anonymise == OnAnonymise.ERASE
    assert all(
        entry.on_anonymise == OnAnonymise.ERASE
        for entry in REGISTER
        if entry.category == Category.SIGN_IN
    )


# The certificate policy, the legal basis, the data protection officer ----------------------


@pytest.mark.parametrize(
    ("policy", "says", "never"),
    [
        (Organisation.AnonymisedCertificates.REVOKE, "certificates are revoked", "withholds"),
        (Organisation.AnonymisedCertificates.WITHHOLD_NAME, "withholds your name", "revoked"),
    ],
)
def test_the_certificate_policy_follows_the_organisations_setting(
    client, english_site, baerum, policy, says, never
):
    baerum.anonymised_certificates = policy
    baerum.save()

    text = element(page(client, baerum), "certificate-policy")

    assert says in text
    assert never not in text


def test_the_legal_basis_is_the_organisations_or_the_default(client, english_site, baerum):
    assert "GDPR article 6(1)(e)" in element(page(client, baerum), "legal-basis-text")

    baerum.legal_basis = "Arbeidsmiljøloven § 4-2 og kommunens egen opplæringsplan."
    baerum.save()
    text = element(page(client, baerum), "legal-basis-text")

    assert text == "Arbeidsmiljøloven § 4-2 og kommunens egen opplæringsplan."


def test_the_controller_and_the_data_protection_officer_are_named(client, english_site, baerum):
    markup = page(client, baerum)

    assert "Bærum kommune (organisation number 974547283)" in visible(markup)
    assert element(markup, "officer") == ("Personvernombudet, personvernombud@baerum.example.no")
    assert 'href="mailto:personvernombud@baerum.example.no"' in markup


def test_a_missing_officer_is_said_plainly_and_administrators_are_warned(
    client, english_site, baerum
):
    baerum.data_protection_officer = ""
    baerum.data_protection_email = ""
    baerum.save()
    participant = ParticipantFactory.create(
        enrolment__unit__organisation=baerum, enrolment__cohort__programme__organisation=baerum
    ).user
    administrator = administrator_of(baerum)

    anonymous = page(client, baerum)
    assert "has not given its data protection officer's contact" in element(anonymous, "officer")
    assert 'id="officer-missing"' not in anonymous
    client.force_login(participant)
    assert 'id="officer-missing"' not in page(client, baerum)

    client.force_login(administrator)
    markup = page(client, baerum)
    assert "no e-mail address for Bærum kommune's data protection officer" in element(
        markup, "officer-missing"
    )
    settings_url = reverse("admin:lup_organisation_change", args=[baerum.pk])
    assert f'href="{settings_url}"' in markup
    assert client.get(settings_url).status_code == 200


def test_another_organisations_administrator_is_not_warned_about_this_one(
    client, english_site, baerum
):
    baerum.data_protection_email = ""
    baerum.save()
    client.force_login(administrator_of(OrganisationFactory.create()))

    markup = page(client, baerum)

    assert 'id="officer-missing"' not in markup
    assert 'id="records-download"' not in markup


# Services outside the platform --------------------------------------------------------------


def recipients(markup: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for kind, text in re.findall(r'<li data-recipient="(\w+)">(.*?)</li>', markup, re.S):
        found.setdefault(kind, []).append(visible(text))
    return found


def test_no_services_configured_means_none_are_named(client, english_site, baerum, no_services):
    markup = page(client, baerum)

    assert recipients(markup) == {}
    assert "sends no personal data to services outside it" in element(markup, "no-recipients")


def test_the_learning_record_store_is_named_when_configured(
    client, english_site, baerum, no_services, settings
):
    settings.COURSES_LRS_ENDPOINT = "https://lrs.example.no/xapi/"

    (lrs,) = recipients(page(client, baerum))["lrs"]

    assert lrs.startswith("Learning Record Store (LRS) (lrs.example.no):")
    assert "under a pseudonym" in lrs


def test_the_email_provider_is_named_when_mail_goes_out_by_smtp(
    client, english_site, baerum, no_services, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.example.no"

    (email,) = recipients(page(client, baerum))["email"]

    assert email.startswith("E-mail provider (smtp.example.no):")


def test_sign_in_services_are_named_exactly_as_configured(
    client, english_site, baerum, no_services, settings
):
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="idporten",
        name="ID-porten",
        client_id="lup",
        secret="hemmelig",
        settings={"server_url": "https://idporten.no"},
    )
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="ansattporten",
        name="Ansattporten",
        client_id="lup",
        secret="hemmelig",
        settings={"server_url": "https://ansattporten.no", "check_employer": True},
    )
    markup = page(client, baerum)
    names = [text.split(":")[0] for text in recipients(markup)["sign_in"]]

    assert names == ["Ansattporten (ansattporten.no)", "ID-porten (idporten.no)"]
    assert "Microsoft Entra ID" not in markup

    # Entra ID from the settings (ENTRA_CLIENT_ID), as config/settings.py builds it.
    settings.SOCIALACCOUNT_PROVIDERS = {
        **NO_SERVICES["SOCIALACCOUNT_PROVIDERS"],
        "microsoft": {
            "APPS": [{"client_id": "entra", "secret": "s", "settings": {"tenant": "baerum"}}]
        },
    }
    names = [text.split(":")[0] for text in recipients(page(client, baerum))["sign_in"]]

    assert names == [
        "Ansattporten (ansattporten.no)",
        "ID-porten (idporten.no)",
        "Microsoft Entra ID (login.microsoftonline.com)",
    ]


def test_outside_storage_is_named_when_configured(
    client, english_site, baerum, no_services, settings
):
    settings.STORAGES = {
        **settings.STORAGES,
        "courses_private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"bucket_name": "lup-private", "endpoint_url": "https://s3.example.no"},
        },
    }

    (storage,) = recipients(page(client, baerum))["storage"]

    assert storage.startswith("File storage (s3.example.no):")


# No national identity number ---------------------------------------------------------------


def test_no_national_identity_number_is_stored_as_the_statement_says(
    client, english_site, baerum, no_services
):
    markup = page(client, baerum)
    assert "never stores your national identity number" in element(markup, "no-identity-number")
    # Nothing in what is stored claims one...
    for category in {entry.category for entry in entries()}:
        text = section(markup, category.value)
        assert "identity number" not in text.replace("never your national identity number", "")
    # ...no model has a field for one...
    forbidden = set(app_settings.SSO_FORBIDDEN_CLAIMS())
    assert {"pid", "fnr"} <= forbidden
    for model in apps.get_models():
        names = {field.name.lower() for field in model._meta.get_fields()}
        assert not names & (forbidden | {"fodselsnummer", "personnummer", "ssn"}), model
    # ...and single sign-on strips it, however deeply it comes.
    assert strip_forbidden_claims({"sub": "x", "id_token": {"pid": "02027012345"}}) == {
        "sub": "x",
        "id_token": {},
    }


# Who sees it --------------------------------------------------------------------------------


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def test_who_sees_your_data_is_what_the_scopes_allow(client, english_site, world):
    assert "your team sees your name in its shared work" in visible(
        page(client, world.programme.organisation)
    )
    enthusiast = world.people["enthusiast"]
    mine = Participant.objects.get(user=enthusiast)
    other_team = Participant.objects.get(user=world.people["other_manager"])

    assert world.project in scoping.projects_for(enthusiast)
    assert world.project not in scoping.projects_for(world.people["other_manager"])
    assert other_team not in scoping.participants_for(enthusiast)
    for role in ("manager", "facilitator", "administrator", "hr"):
        assert mine in scoping.participants_for(world.people[role]), role
    for role in ("other_manager", "other_administrator", "asker_hr", "asker_facilitator"):
        assert mine not in scoping.participants_for(world.people[role]), role


# Rights -------------------------------------------------------------------------------------


def test_the_rights_link_to_the_own_data_page_and_datatilsynet(client, english_site, world):
    enthusiast = world.people["enthusiast"]
    client.force_login(enthusiast)

    response = client.get(reverse("privacy"))  # their organisation's statement, directly
    markup = response.content.decode()
    access = re.search(r'<li data-right="access">(.*?)</li>', markup, re.S)
    assert access
    link = re.search(r'href="([^"]+)"', access.group(1))
    assert link
    assert link.group(1) == reverse("lup:my-data")
    assert client.get(link.group(1)).status_code == 200
    assert 'href="https://www.datatilsynet.no/"' in markup
    for right in ("rectification", "erasure", "restriction", "objection", "complaint"):
        assert f'data-right="{right}"' in markup


# Choosing the organisation, languages, queries ---------------------------------------------


def test_anonymous_visitors_choose_among_the_organisations(client, english_site, baerum):
    asker = OrganisationFactory.create(name="Asker kommune", slug="asker")

    markup = client.get(reverse("privacy")).content.decode()

    for organisation in (baerum, asker):
        assert f'href="{reverse("lup:privacy-statement", args=[organisation.slug])}"' in markup
    assert 'id="privacy-statement"' not in markup


def test_the_only_organisation_is_shown_directly(client, english_site, baerum):
    markup = client.get(reverse("privacy")).content.decode()

    assert 'id="privacy-statement"' in markup
    assert "Bærum kommune" in element(markup, "controller-name")


def test_a_signed_in_person_gets_their_own_organisations_statement(client, english_site, world):
    client.force_login(world.people["asker_manager"])

    markup = client.get(reverse("privacy")).content.decode()

    assert element(markup, "controller-name") == "Asker kommune"


def test_a_guest_unit_member_chooses_between_the_host_and_their_employer(
    client, english_site, baerum
):
    hole = OrganisationFactory.create(name="Hole kommune", slug="hole")
    cohort = CohortFactory.create(programme=ProgrammeFactory.create(organisation=baerum))
    guest = ParticipantFactory.create(
        enrolment=UnitEnrolmentFactory.create(
            cohort=cohort, unit=ServiceUnitFactory.create(organisation=hole)
        )
    ).user
    OrganisationFactory.create(name="Asker kommune", slug="asker")
    client.force_login(guest)

    markup = client.get(reverse("privacy")).content.decode()

    links = re.findall(r'href="/personvern/([\w-]+)/"', markup)
    assert sorted(links) == ["baerum", "hole"]


def test_an_unknown_organisation_is_not_found(client, db):
    assert client.get("/personvern/finnes-ikke/").status_code == 404


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_statement_renders_in_each_language(client, settings, baerum, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get(reverse("lup:privacy-statement", args=[baerum.slug]))

    assert response.status_code == 200
    assert f'<html lang="{language}"' in response.content.decode()


def test_the_statement_is_in_english_on_the_english_site(client, english_site, baerum):
    markup = page(client, baerum)

    assert "Privacy statement" in element(markup, "statement-heading")
    assert "Your rights" in visible(markup)


def test_the_statement_page_takes_a_fixed_number_of_queries(
    client, english_site, baerum, no_services
):
    administrator = administrator_of(baerum)
    client.force_login(administrator)
    url = reverse("lup:privacy-statement", args=[baerum.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200

    for category, months in (("learning_records", 12), ("uploaded_files", 6)):
        RetentionPeriod.objects.create(organisation=baerum, category=category, months=months)
    for number in range(3):
        SocialApp.objects.create(
            provider="openid_connect",
            provider_id=f"oidc{number}",
            name=f"Tjeneste {number}",
            client_id=f"c{number}",
            secret="s",
            settings={"server_url": f"https://sso{number}.example.no"},
        )
    with CaptureQueriesContext(connection) as more:
        assert client.get(url).status_code == 200

    assert len(more) == len(few)
    assert len(few) <= 12


# The records of processing activities -------------------------------------------------------


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "records.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@needs_poppler
def test_an_administrator_downloads_the_records_naming_everything(
    client, english_site, world, tmp_path
):
    organisation = world.programme.organisation
    organisation.data_protection_officer = "Personvernombudet"
    organisation.data_protection_email = "personvernombud@baerum.example.no"
    organisation.save()
    RetentionPeriod.objects.create(organisation=organisation, category="uploaded_files", months=9)
    client.force_login(world.people["administrator"])

    # The statement page offers the download to its administrators.
    markup = page(client, organisation)
    url = reverse("lup:processing-records", args=[organisation.slug])
    button = re.search(r'<a [^>]*id="records-download"[^>]*>', markup)
    assert button
    assert f'href="{url}"' in button.group(0)
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="behandlingsprotokoll-')
    text = pdf_text(response.content, tmp_path)
    assert "Records of processing activities: Bærum kommune" in text
    assert "Personvernombudet, personvernombud@baerum.example.no" in text
    statement = privacy_statement(organisation)
    for section_ in statement.categories:
        assert section_.label in text
        for rule in section_.retention:
            assert rule.record_text in text, rule.record_text
    assert "Deleted 9 months after they were handed in." in text
    assert f"kept {audit_retention_days()} days" in text
    for activity in processing_records(organisation).activities:
        assert activity.name in text


def test_records_are_for_the_organisations_administrators_only(client, world):
    url = reverse("lup:processing-records", args=[world.programme.organisation.slug])

    assert client.get(url).status_code == 302  # to sign in
    for role, status in (
        ("enthusiast", 403),
        ("manager", 403),
        ("facilitator", 403),
        ("other_administrator", 404),
        ("asker_hr", 404),
        ("administrator", 200),
        ("superuser", 200),
    ):
        client.force_login(world.people[role])
        assert client.get(url).status_code == status, role


def test_records_need_the_second_factor_the_statement_does_not(client, world):
    # URL names starting with "privacy" pass before two-factor (lup.middleware): the public
    # statement does, the records of processing (an administrator's download) do not.
    organisation = world.programme.organisation
    sign_in_with_password_only(client, world.people["administrator"])

    assert client.get(reverse("lup:privacy-statement", args=[organisation.slug])).status_code == 200
    response = client.get(reverse("lup:processing-records", args=[organisation.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_the_records_are_in_the_api_as_json(client, english_site, world):
    organisation = world.programme.organisation
    url = reverse("lup-api:organisation-processing-records", args=[organisation.public_id])
    client.force_login(world.people["administrator"])

    data = client.get(url).json()

    assert data["organisation"] == str(organisation.public_id)
    assert data["controller"]["name"] == "Bærum kommune"
    periods = periods_for(organisation)
    by_category = {
        category["category"]: category
        for activity in data["activities"]
        for category in activity["categories"]
    }
    assert by_category["learning_records"]["months"] == [periods["learning_records"]]
    assert by_category["audit"]["days"] == [audit_retention_days()]
    assert set(by_category) == {entry.category.value for entry in entries()}


def test_the_records_api_refuses_others(client, world):
    organisation = world.programme.organisation
    url = reverse("lup-api:organisation-processing-records", args=[organisation.public_id])

    client.force_login(world.people["enthusiast"])
    assert client.get(url).status_code == 403
    client.force_login(world.people["other_administrator"])
    assert client.get(url).status_code == 404
    bad = reverse("lup-api:organisation-processing-records", args=["not-an-id"])
    client.force_login(world.people["administrator"])
    assert client.get(bad).status_code == 404


def test_every_category_belongs_to_exactly_one_processing_activity():
    covered = [category for activity in ACTIVITIES for category in activity.categories]

    assert sorted(covered) == sorted(Category)


def test_transfers_are_none_unless_a_service_may_be_outside_the_eea(
    english_site, baerum, no_services, settings
):
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="idporten",
        name="ID-porten",
        client_id="lup",
        secret="s",
        settings={"server_url": "https://idporten.no"},
    )
    activities = {activity.key: activity for activity in processing_records(baerum).activities}
    assert activities["accounts"].transfers == "None configured."
    assert activities["programme"].transfers == "None configured."

    settings.COURSES_LRS_ENDPOINT = "https://lrs.example.com/xapi"
    activities = {activity.key: activity for activity in processing_records(baerum).activities}
    assert "Learning Record Store (LRS) (lrs.example.com)" in activities["programme"].transfers
    assert activities["accounts"].transfers == "None configured."


def test_security_measures_claim_only_what_is_configured(english_site, settings, db):
    settings.SECURE_SSL_REDIRECT = False
    measures = " ".join(security_measures())
    assert "does not enforce encrypted connections" in measures
    assert "HTTP is redirected to HTTPS" not in measures

    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = True
    measures = " ".join(security_measures())
    assert "HTTP is redirected to HTTPS (with HSTS)" in measures

    # Two-factor: the groups the statement names are those whose members must use it.
    groups = app_settings.MFA_REQUIRED_GROUPS()
    assert f"required for superusers and for: {', '.join(groups)}." in measures
    person = UserFactory.create()
    person.groups.add(ensure_role_groups()[HR_GROUP])
    assert HR_GROUP in groups
    assert requires_multi_factor(person)
    settings.LUP_MFA_REQUIRED_GROUPS = []
    assert not requires_multi_factor(person)
    assert "required for superusers." in " ".join(security_measures())


def test_the_records_permission_is_the_administrators(db):
    permission = Permission.objects.get(codename="view_processing_records")
    groups = ensure_role_groups()

    assert permission in groups[ADMINISTRATORS_GROUP].permissions.all()


# The organisation's settings in the admin ---------------------------------------------------


def form_data(markup: str) -> dict[str, str]:
    """What a browser would send for the admin's change form as it is shown."""
    data: dict[str, str] = {}
    for tag in re.findall(r"<input[^>]*>", markup):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if not name or (kind and kind.group(1) in {"submit", "checkbox", "file"}):
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', markup, re.S
    ):
        data[name] = html.unescape(value.strip("\n"))
    for name, options in re.findall(
        r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', markup, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_administrators_set_the_privacy_fields_in_the_organisation_admin(
    client, english_site, world
):
    organisation = world.programme.organisation
    client.force_login(world.people["administrator"])
    url = reverse("admin:lup_organisation_change", args=[organisation.pk])
    markup = client.get(url).content.decode()

    privacy = re.search(r"<fieldset[^>]*>\s*<h2[^>]*>Privacy</h2>(.*?)</fieldset>", markup, re.S)
    assert privacy, "no Privacy fieldset"
    for field in (
        "data_protection_officer",
        "data_protection_email",
        "legal_basis",
        "anonymised_certificates",
    ):
        assert f'name="{field}"' in privacy.group(1)
    data = form_data(markup) | {
        "data_protection_officer": "Personvernombudet",
        "data_protection_email": "personvernombud@baerum.example.no",
        "anonymised_certificates": "withhold_name",
        "_save": "Save",
    }
    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    statement = page(client, organisation)
    assert element(statement, "officer") == "Personvernombudet, personvernombud@baerum.example.no"
    assert "withholds your name" in element(statement, "certificate-policy")


def test_the_demo_organisations_name_a_data_protection_officer(db):
    from lup.demo.organisations import seed_guest_organisation

    (hole, *_rest) = {unit.organisation for unit in seed_guest_organisation()}

    assert hole.data_protection_officer == "Personvernombudet"
    assert hole.data_protection_email == "personvernombud@hole.example.no"
    assert privacy_statement(hole).officer.given


def test_with_s3_every_storage_holding_personal_data_is_named(
    client, english_site, baerum, no_services, settings
):
    """S3_BUCKET as production configures it (config.storages): the statement names the
    bucket's host for submissions, certificates, own-data archives, reports and uploads."""
    from config.storages import s3_storages

    settings.STORAGES = s3_storages(bucket="lup", endpoint_url="https://s3.example.no")

    named = recipients(page(client, baerum))["storage"]

    assert len(named) == 5
    assert all(text.startswith("File storage (s3.example.no):") for text in named)
    said = " ".join(named)
    for held in ("hand in", "certificates as PDF", "archive of your own data", "Completion"):
        assert held in said
