"""A certificate issued and an application accepted become notifications, listed in the
product; their people are e-mailed once, through a real SMTP server (aiosmtpd), by the
certificate's own e-mail with the PDF and by intake's decision and invitation, never a
second time by the notification unless they ask for it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext

from certificates.models import Certificate
from lup import certification
from lup.intake import services as intake_services
from lup.models import Participant
from lup.notifications.models import Delivery, Notification
from lup.notifications.services import choose_delivery
from tests.lup.curriculum import build_curriculum
from tests.lup.test_certification import complete_everything
from tests.lup.test_intake import Intake
from tests.smtp import Received

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


# A certificate issued ---------------------------------------------------------------------


def test_a_certificate_is_listed_for_its_holder_without_a_second_email(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    setup = build_curriculum(team_size=1)
    [enthusiast] = setup.enthusiasts
    complete_everything(setup, django_capture_on_commit_callbacks)

    certificates = Certificate.objects.all()
    assert certificates.count() == 3  # two people and the unit (to its manager)
    told = Notification.objects.filter(kind=Kind.CERTIFICATE_ISSUED)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [setup.manager.pk, setup.manager.pk, enthusiast.pk]
    )
    for notification in told:
        assert notification.delivery == Delivery.OFF
        assert notification.emailed_at is None
        assert notification.url.endswith("/certificates/")
        assert notification.context == {
            "programme": setup.cohort.programme.name,
            "organisation": setup.cohort.programme.organisation.name,
        }
    # Only the certificates' own e-mails, each with its PDF: one per certificate.
    assert sorted(r[0] for r, _m in smtp_server.messages) == sorted(
        [setup.manager.email, setup.manager.email, enthusiast.email]
    )
    assert all(
        [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]
        for _r, message in smtp_server.messages
    )


def test_a_certificate_issued_again_is_not_told_again_and_who_asks_gets_an_email(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    setup = build_curriculum(team_size=1)
    [enthusiast] = setup.enthusiasts
    choose_delivery(user=enthusiast, kind=Kind.CERTIFICATE_ISSUED, delivery=Delivery.NOW)
    complete_everything(setup, django_capture_on_commit_callbacks)
    participant = Participant.objects.get(user=enthusiast)
    with django_capture_on_commit_callbacks(execute=True):
        certification.issue_participant_certificate(participant=participant)

    assert (
        Notification.objects.filter(recipient=enthusiast, kind=Kind.CERTIFICATE_ISSUED).count() == 1
    )
    # The certificate's own e-mail, and the notification they asked for: once each.
    subjects = sorted(message["Subject"] for message in smtp_server.to(enthusiast.email))
    with translation.override("nb"):  # the site's language: they chose none
        asked = gettext("Your certificate for %(programme)s") % {
            "programme": setup.cohort.programme.name
        }
    assert len(subjects) == 2
    assert asked in subjects


# An application accepted ------------------------------------------------------------------


def test_an_accepted_application_is_listed_for_its_team_without_a_second_email(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    world = Intake()
    call = world.open()
    with django_capture_on_commit_callbacks(execute=True):
        application = world.apply(
            call, world.school_units[0], enthusiasts=["a@baerum.kommune.no", "b@baerum.kommune.no"]
        )
    before = len(smtp_server.messages)

    with django_capture_on_commit_callbacks(execute=True):
        intake_services.accept_application(application=application, by=world.administrator)

    told = Notification.objects.filter(kind=Kind.APPLICATION_ACCEPTED)
    assert sorted(told.values_list("recipient__email", flat=True)) == [
        "a@baerum.kommune.no",
        "b@baerum.kommune.no",
        "leder@baerum.kommune.no",
    ]
    for notification in told:
        assert notification.url.endswith("/me/programme/")
        assert notification.context == {
            "programme": world.programme.name,
            "cohort": "LUP 5",
            "unit": "Skole 0",
            "organisation": "Bærum kommune",
        }
        assert notification.delivery == Delivery.OFF
    # Each is e-mailed once: the decision to the manager, the invitation to the others.
    reached = sorted(r[0] for r, _m in smtp_server.messages[before:])
    assert reached == ["a@baerum.kommune.no", "b@baerum.kommune.no", "leder@baerum.kommune.no"]
    # Nobody else, and no other municipality, hears of it.
    assert not Notification.objects.exclude(kind=Kind.APPLICATION_ACCEPTED).exists()
    assert not Notification.objects.filter(recipient=world.asker_person).exists()
    assert not Notification.objects.filter(recipient=world.administrator).exists()


def test_a_manager_who_asks_is_emailed_the_acceptance(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    world = Intake()
    choose_delivery(user=world.manager, kind=Kind.APPLICATION_ACCEPTED, delivery=Delivery.NOW)
    call = world.open()
    application = world.apply(call, world.school_units[0], enthusiasts=[])

    with django_capture_on_commit_callbacks(execute=True):
        intake_services.accept_application(application=application, by=world.administrator)

    subjects = [message["Subject"] for message in smtp_server.to("leder@baerum.kommune.no")]
    assert "Skole 0 is accepted into LUP 5" in subjects  # the manager reads English
    assert len(subjects) == 2  # intake's decision, and the notification asked for


def test_a_refused_or_other_decision_tells_nothing(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    world = Intake()
    call = world.open(capacity=1)
    first = world.apply(call, world.school_units[0], enthusiasts=[])
    second = world.apply(call, world.school_units[1], enthusiasts=[])
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.accept_application(application=first, by=world.administrator)
    told = Notification.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        intake_services.accept_application(application=second, by=world.administrator)
    second.refresh_from_db()
    assert second.status == "pending"  # the call is full: nothing accepted, nobody told
    with django_capture_on_commit_callbacks(execute=True):
        intake_services.wait_list_application(application=second, by=world.administrator)

    assert Notification.objects.count() == told == 1
