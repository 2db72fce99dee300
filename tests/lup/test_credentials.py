"""LUP's certificates as Open Badges credentials: each organisation is its own issuer with
its own keys, one shared achievement per programme and kind with no personal text, and the
commands that give organisations keys and existing certificates their credentials."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from certificates.models import Certificate, Credential, Issuer, SigningKey
from lup import certification
from lup.models import Participant
from tests.factories import OrganisationFactory, ParticipantFactory, ProgrammeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


def completed_participant(organisation, **user):
    programme = ProgrammeFactory(organisation=organisation)
    participant = ParticipantFactory(
        enrolment__cohort__programme=programme, user__first_name="Kari", **user
    )
    Participant.objects.filter(pk=participant.pk).update(
        status="completed", completed_at="2026-06-01T12:00Z"
    )
    return participant


def issued(participant):
    certificate = certification.issue_participant_certificate(participant=participant, notify=False)
    return Credential.objects.select_related("issuer", "achievement", "signing_key").get(
        certificate=certificate
    )


def test_each_organisation_issues_with_its_own_issuer_and_keys():
    baerum = OrganisationFactory(name="Bærum kommune", slug="baerum")
    asker = OrganisationFactory(name="Asker kommune", slug="asker")

    ours = issued(completed_participant(baerum))
    theirs = issued(completed_participant(asker))

    assert (ours.issuer.slug, ours.issuer.name) == ("baerum", "Bærum kommune")
    assert (theirs.issuer.slug, theirs.issuer.name) == ("asker", "Asker kommune")
    assert ours.signing_key.issuer == ours.issuer
    assert theirs.signing_key.issuer == theirs.issuer
    assert ours.signing_key.public_jwk != theirs.signing_key.public_jwk


def test_everyone_completing_a_programme_shares_one_achievement_without_personal_text():
    organisation = OrganisationFactory(slug="baerum")
    first = completed_participant(organisation, user__last_name="Nordmann")
    second = ParticipantFactory(
        enrolment__cohort__programme=first.enrolment.cohort.programme,
        user__first_name="Ola",
        user__last_name="Hansen",
    )
    Participant.objects.filter(pk=second.pk).update(
        status="completed", completed_at="2026-06-01T12:00Z"
    )

    one, other = issued(first), issued(second)

    programme = first.enrolment.cohort.programme
    assert one.achievement == other.achievement
    assert one.achievement.key == f"{programme.slug}-participant"
    text = f"{one.achievement.name} {one.achievement.description} {one.achievement.criteria}"
    for name in ("Kari", "Nordmann", "Ola", "Hansen"):
        assert name not in text


def test_the_keys_command_gives_every_organisation_a_key_once():
    OrganisationFactory(slug="baerum")
    OrganisationFactory(slug="asker")

    call_command("credential_keys", "generate", verbosity=0)
    call_command("credential_keys", "generate", verbosity=0)

    assert set(Issuer.objects.values_list("slug", flat=True)) >= {"baerum", "asker"}
    assert SigningKey.objects.filter(issuer__slug="baerum").count() == 1
    assert SigningKey.objects.active().filter(issuer__slug="asker").count() == 1


def test_existing_certificates_get_their_credential_and_keep_their_pdf():
    participant = completed_participant(OrganisationFactory(slug="baerum"))
    certificate = issued(participant).certificate
    Credential.objects.all().delete()  # as before credentials existed
    before = Certificate.objects.get(pk=certificate.pk)

    call_command("issue_credentials", verbosity=0)
    call_command("issue_credentials", verbosity=0)  # again: nothing more

    after = Certificate.objects.get(pk=certificate.pk)
    assert Credential.objects.filter(certificate=certificate).count() == 1
    assert after.pdf_bytes() == before.pdf_bytes()
    assert after.sha256 == before.sha256
    assert after.code == before.code


def test_the_status_list_takes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    organisation = OrganisationFactory(slug="baerum")
    credentials = [issued(completed_participant(organisation)) for _ in range(3)]
    url = f"/credentials/issuers/baerum/status/{credentials[0].status_index // 131072}"
    client.get(url)
    with django_assert_max_num_queries(4) as few:
        client.get(url)
    for _ in range(5):
        issued(completed_participant(organisation))

    with django_assert_max_num_queries(len(few)):
        response = client.get(url)

    assert response.status_code == 200
