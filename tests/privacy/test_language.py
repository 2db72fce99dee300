"""A person's language: chosen on the site, told by single sign-on, or the default; it is
remembered, the site speaks it after every sign-in, and the e-mails and certificates the
person receives are written in it.

The nynorsk and English texts checked here are the certificate texts LUP ships per language
(`lup.certification.contents`) and strings that already have their translations; the
`<html lang>` and the certificates' language codes prove which language a page or a PDF is in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation

from certificates.models import Certificate, CertificateTemplate
from lup import certification, services
from lup.innovation import services as innovation_services
from lup.innovation.models import PhaseChange, ProjectPhase
from lup.languages import language_of, languages_of, remembered_language, site_language
from lup.models import Participant, PersonProfile, UnitEnrolment
from lup.reporting.services import run_scheduled_export, schedule_export
from lup.sso.providers import LANGUAGE_STATE_KEY, carry_sign_in_language, sign_in_language
from tests.factories import BenefitFactory, UserFactory
from tests.lup.curriculum import Setup, build_curriculum
from tests.oidc_provider.launcher import ProviderUser, RunningProvider, start_provider
from tests.roles import World, build_world
from tests.smtp import Received
from tests.sso.flow import (
    callback_url,
    is_signed_in,
    keys_anywhere,
    make_person,
    make_social_app,
    prove_work_email,
    sso_sign_in,
)
from tests.tools import requires_tools

pytestmark = pytest.mark.django_db

Source = PersonProfile.LanguageSource
PASSWORD = "Et-langt-passord-for-LUP-2026"
HTML_LANG = re.compile(r'<html lang="([^"]+)"')
needs_poppler = requires_tools("pdftotext", install="poppler-utils")


def remember(user: Any, language: str, source: str = Source.SITE) -> None:
    services.remember_language(user=user, language=language, source=source)


def stored(user: Any) -> tuple[str, str] | None:
    profile = PersonProfile.objects.filter(user=user).first()
    return (profile.language, profile.language_source) if profile else None


def page_language(client: Client, path: str = "/") -> str:
    response = client.get(path, follow=True)
    found = HTML_LANG.search(response.content.decode())
    assert found, response.content[:500]
    return found.group(1)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as one line of words (pdftotext from poppler)."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


# The language of a locale, and of a person


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("nb", "nb"),
        ("nb-NO", "nb"),
        ("nb_NO", "nb"),
        ("no", "nb"),
        ("NO", "nb"),
        ("nn", "nn"),
        ("nn-NO", "nn"),
        ("en", "en"),
        ("en-GB", "en"),
        ("en-US", "en"),
        ("se", None),  # Northern Sami: ID-porten offers it, the site does not
        ("sv-SE", None),
        ("", None),
        (None, None),
        (42, None),
        ("x" * 100, None),
    ],
)
def test_a_locale_maps_to_a_site_language_or_to_none(locale: Any, language: str | None) -> None:
    assert site_language(locale) == language


def test_nobody_and_people_without_a_language_get_the_default() -> None:
    person = UserFactory.create()

    assert language_of(None) == settings.LANGUAGE_CODE == "nb"
    assert language_of(AnonymousUser()) == "nb"
    assert language_of(person) == "nb"
    assert remembered_language(person) is None


def test_a_stored_language_the_site_no_longer_offers_counts_as_none() -> None:
    person = UserFactory.create()
    PersonProfile.objects.create(user=person, language="de", language_source=Source.SITE)

    assert remembered_language(person) is None
    assert language_of(person) == "nb"
    assert languages_of([person.pk]) == {person.pk: "nb"}


def test_many_peoples_languages_are_read_in_one_query(django_assert_num_queries: Any) -> None:
    nina, erik, kari = (UserFactory.create() for _ in range(3))
    remember(nina, "nn")
    remember(erik, "en")

    with django_assert_num_queries(1):
        languages = languages_of([nina.pk, erik.pk, kari.pk])

    assert languages == {nina.pk: "nn", erik.pk: "en", kari.pk: "nb"}
    with django_assert_num_queries(0):
        assert languages_of([]) == {}


def test_only_a_site_language_is_remembered() -> None:
    person = UserFactory.create()

    for bad in ("se", "nb-NO", "", "xx"):
        with pytest.raises(ValidationError):
            remember(person, bad)
    with pytest.raises(ValidationError):
        services.remember_language(user=person, language="nn", source="guess")

    assert stored(person) is None


def test_single_sign_on_never_overrides_a_choice_made_on_the_site() -> None:
    person = UserFactory.create()

    assert services.remember_language(user=person, language="nn", source=Source.SINGLE_SIGN_ON)
    assert services.remember_language(user=person, language="en", source=Source.SINGLE_SIGN_ON)
    assert stored(person) == ("en", Source.SINGLE_SIGN_ON)
    assert services.remember_language(user=person, language="nn", source=Source.SITE)
    assert not services.remember_language(user=person, language="en", source=Source.SINGLE_SIGN_ON)
    assert stored(person) == ("nn", Source.SITE)
    # An administrator's setting outranks single sign-on too; the person's own choice wins.
    assert services.remember_language(user=person, language="en", source=Source.ADMINISTRATOR)
    assert not services.remember_language(user=person, language="nn", source=Source.SINGLE_SIGN_ON)
    assert services.remember_language(user=person, language="nb", source=Source.SITE)
    assert stored(person) == ("nb", Source.SITE)


def test_remembering_the_same_language_again_writes_nothing() -> None:
    person = UserFactory.create()
    remember(person, "nn")
    before = PersonProfile.objects.get(user=person).updated_at

    # The row is read under its lock (a savepoint around it), never written.
    with CaptureQueriesContext(connection) as queries:
        assert not services.remember_language(user=person, language="nn", source=Source.SITE)

    assert not [query for query in queries if query["sql"].lstrip().upper().startswith("UPDATE")]
    assert PersonProfile.objects.get(user=person).updated_at == before
    assert language_of(person) == "nn"


# Chosen on the site


def switch(client: Client, language: str) -> Any:
    return client.post("/i18n/setlang/", {"language": language, "next": "/"})


def test_switching_language_while_signed_in_remembers_it(client: Client) -> None:
    person = UserFactory.create()
    client.force_login(person)

    response = switch(client, "nn")

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"
    assert stored(person) == ("nn", Source.SITE)
    assert page_language(client) == "nn"
    switch(client, "en")
    assert stored(person) == ("en", Source.SITE)


def test_an_anonymous_visitors_switch_only_sets_the_cookie(client: Client) -> None:
    response = switch(client, "nn")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"
    assert page_language(client) == "nn"
    assert not PersonProfile.objects.exists()


def test_switching_to_a_language_the_site_lacks_changes_nothing(client: Client) -> None:
    person = UserFactory.create()
    client.force_login(person)
    remember(person, "nn")

    response = switch(client, "se")

    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert stored(person) == ("nn", Source.SITE)


def password_person(email: str) -> Any:
    person = get_user_model().objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=person, email=email, verified=True, primary=True)
    return person


def sign_in_with_password(client: Client, email: str) -> Any:
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response
    return response


def test_after_sign_in_the_site_speaks_the_remembered_language_on_any_device() -> None:
    person = password_person("nina@example.no")
    laptop, phone = Client(), Client()
    sign_in_with_password(laptop, person.email)
    assert page_language(laptop) == "nb"  # nothing remembered yet: the default
    switch(laptop, "nn")

    signed_in = sign_in_with_password(phone, person.email)

    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"
    assert page_language(phone) == "nn"


def test_sign_in_leaves_the_language_of_someone_who_has_none(client: Client) -> None:
    person = password_person("kari@example.no")
    switch(client, "en")  # chosen before signing in, on this device only

    signed_in = sign_in_with_password(client, person.email)

    assert settings.LANGUAGE_COOKIE_NAME not in signed_in.cookies
    assert page_language(client) == "en"
    assert stored(person) is None


def test_signed_in_pages_pay_no_query_for_the_language(client: Client, settings: Any) -> None:
    person = UserFactory.create()
    remember(person, "nn")
    client.force_login(person)
    client.get("/")  # warm up
    with CaptureQueriesContext(connection) as with_it:
        client.get("/")
    settings.MIDDLEWARE = [
        name for name in settings.MIDDLEWARE if name != "lup.middleware.PersonLanguageMiddleware"
    ]
    with CaptureQueriesContext(connection) as without_it:
        client.get("/")

    assert len(with_it) == len(without_it)
    assert not [query for query in with_it if "lup_personprofile" in query["sql"]]


# Told by single sign-on: ID-porten's `locale`, exactly as ID-porten sends it

NINA = ProviderUser("nina", "nina-passord", "nina.nynorsk@example.no", locale="nn")
ERIK = ProviderUser("erik", "erik-passord", "erik.english@example.no", locale="en")
SAMI = ProviderUser("sami", "sami-passord", "sami.samisk@example.no", locale="se")
BOKMAL = ProviderUser("bokmal", "bokmal-passord", "bo.kmal@example.no", locale="nb")


@pytest.fixture(scope="module")
def language_provider() -> Iterator[RunningProvider]:
    with start_provider(
        redirect_uris=[callback_url("idporten")], users=[NINA, ERIK, SAMI, BOKMAL]
    ) as provider:
        yield provider


@pytest.fixture
def idporten(language_provider: RunningProvider) -> RunningProvider:
    make_social_app(language_provider)
    return language_provider


def first_sso_sign_in(client: Client, provider: RunningProvider, person: ProviderUser) -> Any:
    """A first ID-porten sign-in: the work e-mail proved by code, then signed in."""
    response = prove_work_email(
        client, sso_sign_in(client, provider, person.username), person.email
    )
    assert response.status_code == 302, response
    assert is_signed_in(client)
    return response


def test_a_new_persons_locale_becomes_their_language(
    client: Client, idporten: RunningProvider
) -> None:
    person = make_person(NINA.email)

    signed_in = first_sso_sign_in(client, idporten, NINA)

    assert stored(person) == ("nn", Source.SINGLE_SIGN_ON)
    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nn"
    assert page_language(client) == "nn"
    # Kept where the person's language is kept, and nowhere else: not in what allauth keeps
    # of the sign-in, not in the session.
    account = SocialAccount.objects.get(user=person)
    assert "locale" not in keys_anywhere(account.extra_data)
    assert "pid" not in keys_anywhere(account.extra_data)
    assert LANGUAGE_STATE_KEY not in json.dumps(dict(client.session))


def test_a_returning_persons_locale_fills_in_a_language_nobody_chose(
    client: Client, idporten: RunningProvider
) -> None:
    person = make_person(ERIK.email)
    first_sso_sign_in(client, idporten, ERIK)
    PersonProfile.objects.filter(user=person).delete()
    client.logout()

    response = sso_sign_in(client, idporten, ERIK.username)  # linked: straight through

    assert response.status_code == 302
    assert is_signed_in(client)
    assert stored(person) == ("en", Source.SINGLE_SIGN_ON)
    assert page_language(client) == "en"
    assert "locale" not in keys_anywhere(SocialAccount.objects.get(user=person).extra_data)


def test_a_locale_does_not_override_a_language_chosen_on_the_site(
    client: Client, idporten: RunningProvider
) -> None:
    person = make_person(NINA.email)
    remember(person, "en")

    signed_in = first_sso_sign_in(client, idporten, NINA)

    assert stored(person) == ("en", Source.SITE)
    assert signed_in.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert page_language(client) == "en"


def test_a_locale_the_site_does_not_offer_stores_nothing(
    client: Client, idporten: RunningProvider
) -> None:
    person = make_person(SAMI.email)

    signed_in = first_sso_sign_in(client, idporten, SAMI)

    assert stored(person) is None
    assert settings.LANGUAGE_COOKIE_NAME not in signed_in.cookies
    assert page_language(client) == "nb"
    assert "locale" not in keys_anywhere(SocialAccount.objects.get(user=person).extra_data)


def test_entra_ids_preferred_language_counts_as_single_sign_on() -> None:
    app = SocialApp.objects.create(provider="microsoft", name="Entra ID", client_id="app-id")
    provider = app.get_provider(RequestFactory().get("/"))
    account = SocialAccount(
        provider="microsoft", uid="oid", extra_data={"preferredLanguage": "nn-NO"}
    )
    sociallogin = SocialLogin(
        user=get_user_model()(email="kari@example.no"), account=account, provider=provider
    )
    sociallogin.state = {}

    carry_sign_in_language(sociallogin)

    assert sign_in_language(sociallogin) == "nn"
    assert sign_in_language(SocialLogin.deserialize(sociallogin.serialize())) == "nn"
    account.extra_data = {"preferredLanguage": "se-NO"}
    sociallogin.state = {}
    carry_sign_in_language(sociallogin)
    assert sign_in_language(sociallogin) is None


# The code e-mail of a first sign-in


def test_the_sign_in_code_reaches_a_person_in_their_language(
    client: Client, idporten: RunningProvider
) -> None:
    nina = make_person(NINA.email)
    remember(nina, "nn")  # say an administrator's import, or an earlier choice on the site

    first_sso_sign_in(client, idporten, NINA)

    [code_mail] = mail.outbox
    assert code_mail.to == [NINA.email]
    assert code_mail.subject == "Koden din for å kople til ID-porten"  # nynorsk


def test_without_a_language_the_code_comes_in_the_language_of_the_page(
    idporten: RunningProvider,
) -> None:
    make_person(BOKMAL.email)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    first_sso_sign_in(client, idporten, BOKMAL)

    [code_mail] = mail.outbox
    assert code_mail.subject == "Your code for linking ID-porten"


# Certificates: the PDF and its e-mail in the recipient's language


@pytest.fixture
def team() -> Setup:
    """A unit whose manager reads nynorsk and whose enthusiast reads English."""
    setup = build_curriculum(team_size=1)
    remember(setup.manager, "nn")
    remember(setup.enthusiasts[0], "en")
    return setup


def stamp_completed(setup: Setup) -> None:
    """Completed without the after-commit hook (as imports or the demo do)."""
    done = {"status": "completed", "completed_at": dt.datetime(2027, 1, 29, 12, tzinfo=dt.UTC)}
    Participant.objects.filter(enrolment=setup.enrolment).update(**done)
    UnitEnrolment.objects.filter(pk=setup.enrolment.pk).update(**done)


def certificate_of(user: Any, kind: str = "participant") -> Certificate:
    return Certificate.objects.get(recipient=user, source_key__startswith=f"lup.{kind}:")


def test_each_recipient_gets_the_certificate_and_its_email_in_their_language(
    team: Setup, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    stamp_completed(team)
    manager, enthusiast = team.manager, team.enthusiasts[0]

    with django_capture_on_commit_callbacks(execute=True):
        certification.issue_cohort_certificates(cohort=team.cohort)

    nynorsk = certificate_of(manager)
    assert (nynorsk.language, nynorsk.title) == ("nn", "Kursbevis")
    assert "har gjennomført" in nynorsk.body
    assert "som ein del av teamet ved" in nynorsk.body
    unit = certificate_of(manager, "unit")  # the unit's goes to its manager
    assert (unit.language, unit.title) == ("nn", "Einingsbevis")
    english = certificate_of(enthusiast)
    assert (english.language, english.title) == ("en", "Certificate")
    assert "has completed" in english.body
    assert "as part of the team at" in english.body

    by_recipient: dict[str, list[Any]] = {}
    for message in mailoutbox:
        by_recipient.setdefault(message.to[0], []).append(message)
    programme = team.cohort.programme.name
    for message in by_recipient[manager.email]:
        assert "Gratulerer!" in message.body
        assert "ligg ved som PDF-fil" in message.body
    [to_enthusiast] = by_recipient[enthusiast.email]
    assert to_enthusiast.subject == f"Your Certificate: {programme}"
    assert "Congratulations! Your certificate for" in to_enthusiast.body


@needs_poppler
def test_the_pdf_is_written_in_the_recipients_language(team: Setup, tmp_path: Path) -> None:
    stamp_completed(team)

    certification.issue_cohort_certificates(cohort=team.cohort, notify=False)

    nynorsk = pdf_text(certificate_of(team.manager).pdf_bytes(), tmp_path)
    assert "Kursbevis" in nynorsk
    assert "som ein del av teamet ved" in nynorsk
    assert "Tildelt" in nynorsk
    assert "Utferda" in nynorsk
    assert "Utstedt" not in nynorsk  # bokmål's word for it
    english = pdf_text(certificate_of(team.enthusiasts[0]).pdf_bytes(), tmp_path)
    assert "Certificate" in english
    assert "has completed" in english
    assert "Awarded to" in english
    assert "Issued" in english
    assert "Check that it is genuine at" in english
    assert "Tildelt" not in english
    assert b"/Lang (en)" in certificate_of(team.enthusiasts[0]).pdf_bytes()


def test_people_without_a_language_get_the_bokmal_certificate(
    team: Setup, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    PersonProfile.objects.all().delete()
    stamp_completed(team)

    with django_capture_on_commit_callbacks(execute=True):
        certification.issue_cohort_certificates(cohort=team.cohort)

    assert set(Certificate.objects.values_list("language", flat=True)) == {"nb"}
    assert set(CertificateTemplate.objects.values_list("key", flat=True)) == {
        "lup-participant",
        "lup-unit",
    }
    assert all("ligger vedlagt som PDF-fil" in message.body for message in mailoutbox)


def test_a_language_template_takes_the_organisations_design_and_keeps_its_own_text(
    team: Setup,
) -> None:
    bokmal = certification.template_for(certification.PARTICIPANT_TEMPLATE_KEY)
    bokmal.title = "Deltakerbevis"
    bokmal.primary_colour = "#123456"
    bokmal.issuer = "Bærum kommune, HR"
    bokmal.save()
    bokmal.signatories.create(position=1, name="Ola Nordmann", title="Kommunedirektør")
    stamp_completed(team)

    certification.issue_cohort_certificates(cohort=team.cohort, notify=False)

    nynorsk = CertificateTemplate.objects.get(key="lup-participant-nn")
    assert (nynorsk.language, nynorsk.title) == ("nn", "Kursbevis")
    assert (nynorsk.primary_colour, nynorsk.issuer) == ("#123456", "Bærum kommune, HR")
    assert list(nynorsk.signatories.values_list("name", "title")) == [
        ("Ola Nordmann", "Kommunedirektør")
    ]
    bokmal.refresh_from_db()
    assert (bokmal.language, bokmal.title) == ("nb", "Deltakerbevis")  # untouched
    assert certificate_of(team.manager).issuer == "Bærum kommune, HR"


def test_issued_certificates_never_change_with_a_new_language(team: Setup) -> None:
    PersonProfile.objects.all().delete()
    stamp_completed(team)
    certification.issue_cohort_certificates(cohort=team.cohort, notify=False)
    before = {row.pk: (row.language, row.sha256) for row in Certificate.objects.all()}

    remember(team.manager, "en")
    summary = certification.issue_cohort_certificates(cohort=team.cohort, notify=False)

    assert (summary.issued, summary.existing) == (0, 3)
    after = {row.pk: (row.language, row.sha256) for row in Certificate.objects.all()}
    assert after == before
    assert {language for language, _sha in after.values()} == {"nb"}


def team_of_size(size: int, language: str | None) -> Setup:
    setup = build_curriculum(team_size=size - 1)
    if language is not None:
        for person in (setup.manager, *setup.enthusiasts):
            remember(person, language)
    stamp_completed(setup)
    return setup


def queries_to_issue(setup: Setup) -> list[dict[str, Any]]:
    with CaptureQueriesContext(connection) as queries:
        summary = certification.issue_cohort_certificates(cohort=setup.cohort, notify=False)
    assert summary.issued == summary.total
    return list(queries)


def test_bulk_issuing_in_the_recipients_languages_takes_no_extra_query() -> None:
    # Every template exists already (made by a first batch), as on a running site.
    for language in (None, "nn", "en"):
        queries_to_issue(team_of_size(1, language))

    plain = {size: len(queries_to_issue(team_of_size(size, None))) for size in (2, 5)}
    mixed = {}
    for size in (2, 5):
        setup = team_of_size(size, "nn")
        remember(setup.enthusiasts[0], "en")  # two languages in the batch, besides bokmål
        setup_queries = queries_to_issue(setup)
        mixed[size] = len(setup_queries)
        # The languages come with the people (a join), never one query per person.
        assert not [query for query in setup_queries if 'FROM "lup_personprofile"' in query["sql"]]

    # Each further person costs what it cost before languages; the batch pays at most a
    # template lookup per language.
    assert mixed[5] - mixed[2] == plain[5] - plain[2]
    assert mixed[2] <= plain[2] + 2


# The benefit reminders and the scheduled HR exports

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def world() -> World:
    return build_world()


def test_the_benefit_reminder_reaches_the_manager_in_their_language(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.LUP_BENEFIT_REMINDER_MONTHS = (6,)
    PhaseChange.objects.filter(project=world.project).update(entered_on=dt.date(2024, 1, 1))
    pilot = dt.date.today() - dt.timedelta(days=200)
    innovation_services.change_phase(
        project=world.project,
        phase=ProjectPhase.objects.get(programme=world.programme, starts_pilot=True),
        entered_on=pilot,
        changed_by=None,
    )
    BenefitFactory.create(project=world.project, baseline_on=pilot - dt.timedelta(days=10))
    remember(world.people["manager"], "nn")
    remember(world.people["enthusiast"], "en")

    with django_capture_on_commit_callbacks(execute=True):
        assert innovation_services.send_benefit_reminders() == 1  # one per project and date

    # The manager, who owns the benefits, is told; the enthusiast is not.
    [message] = mail.outbox
    assert message.to == ["manager@example.no"]
    assert world.project.title in message.subject
    due_on = innovation_services.add_months(pilot, 6)
    with translation.override("nn"):
        nynorsk_day = formats.date_format(due_on, "DATE_FORMAT")
    with translation.override("en"):
        english_day = formats.date_format(due_on, "DATE_FORMAT")
    assert nynorsk_day != english_day
    assert nynorsk_day in message.body


def test_a_scheduled_export_reaches_each_recipient_in_their_language(world: World) -> None:
    organisation = world.programme.organisation
    organisation.export_email_domains = "example.no"
    organisation.save()
    remember(world.people["manager"], "en")  # an address of a person with a language
    scheduled = schedule_export(
        organisation=organisation,
        name="Månedsrapport",
        preset_key="successfactors",
        export_format="csv",
        frequency="monthly",
        delivery="email",
        # The other address belongs to no one: it gets the owner's language (the default).
        recipients="lonn@example.no\nManager@Example.no",
        next_run_on=TODAY,
        created_by=world.people["hr"],
    )

    run_scheduled_export(schedule=scheduled, today=TODAY)

    by_recipient = {tuple(message.to): message for message in mail.outbox}
    assert set(by_recipient) == {("lonn@example.no",), ("Manager@Example.no",)}
    assert by_recipient[("Manager@Example.no",)].subject == "Completion report: Månedsrapport"
    assert "It contains personal data" in by_recipient[("Manager@Example.no",)].body
    assert by_recipient[("lonn@example.no",)].subject == "Rapport over fullføring: Månedsrapport"
    assert all(message.attachments for message in mail.outbox)


def test_a_scheduled_export_follows_its_owners_language(world: World) -> None:
    organisation = world.programme.organisation
    organisation.export_email_domains = "example.no"
    organisation.save()
    remember(world.people["hr"], "nn")
    scheduled = schedule_export(
        organisation=organisation,
        name="Månedsrapport",
        preset_key="successfactors",
        export_format="csv",
        frequency="monthly",
        delivery="email",
        recipients="lonn@example.no",
        next_run_on=TODAY,
        created_by=world.people["hr"],
    )

    run_scheduled_export(schedule=scheduled, today=TODAY)

    [message] = mail.outbox
    assert "Han inneheld personopplysningar" in message.body  # nynorsk


def test_the_certificate_mail_crosses_a_real_smtp_server_in_nynorsk(
    team: Setup, django_capture_on_commit_callbacks: Any, smtp_server: Received
) -> None:
    """Over SMTP, as in production: the server receives the nynorsk mail with its PDF."""
    stamp_completed(team)

    with django_capture_on_commit_callbacks(execute=True):
        certification.issue_cohort_certificates(cohort=team.cohort)

    to_manager = smtp_server.to(team.manager.email)
    assert to_manager, "the manager's certificates never reached the SMTP server"
    for message in to_manager:
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        assert "ligg ved som PDF-fil" in body.get_content()
        [attachment] = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content().startswith(b"%PDF")
    [to_enthusiast] = smtp_server.to(team.enthusiasts[0].email)
    assert to_enthusiast["Subject"].startswith("Your Certificate:")


def test_a_password_reset_mail_is_written_in_the_persons_language(
    client: Client, smtp_server: Received
) -> None:
    """The page that asks is bokmål; the person chose English, so the mail is English."""
    person = UserFactory.create(email="nora.lie@example.no")
    remember(person, "en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"

    client.post("/accounts/password/reset/", {"email": person.email})

    [message] = smtp_server.to(person.email)
    assert "Password Reset" in message["Subject"]
