"""The daily digest and the per-kind e-mail choices, against a real SMTP server: one e-mail a
day per person with what they chose to get that way, in their language, once; the one-click
List-Unsubscribe it carries works (RFC 8058); a fixed number of queries per batch."""

from __future__ import annotations

import datetime as dt
import smtplib
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from lup.notifications.digest import DIGEST_GRACE, digest_batch, send_daily_digests
from lup.notifications.models import Delivery, Notification, NotificationPreference
from lup.notifications.services import choose_delivery, notify
from lup.services import remember_language
from tests.factories import UserFactory
from tests.smtp import Received

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


def approved(activity: str) -> dict[str, str]:
    return {"activity": activity, "organisation": "Bærum kommune"}


def tell(people, key: str, activity: str, captured, kind: str = Kind.ANSWER_APPROVED) -> None:
    with captured(execute=True):
        notify(
            recipients=people,
            kind=kind,
            key=key,
            context=approved(activity),
            url="https://lup.example.no/courses/",
        )


def daily(*people) -> None:
    for person in people:
        choose_delivery(user=person, kind=Kind.ANSWER_APPROVED, delivery=Delivery.DAILY)


def test_a_daily_choice_waits_for_the_digest_which_sends_one_email_per_person_once(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    kari, ola = UserFactory(email="kari@example.no"), UserFactory(email="ola@example.no")
    remember_language(user=ola, language="en", source="site")
    daily(kari, ola)
    tell([kari, ola], "a:1", "Gevinstkart", django_capture_on_commit_callbacks)
    tell([kari], "a:2", "Prototyp", django_capture_on_commit_callbacks)

    assert smtp_server.messages == []  # chosen daily: nothing at once
    assert send_daily_digests() == 2

    [to_kari] = smtp_server.to("kari@example.no")
    [to_ola] = smtp_server.to("ola@example.no")
    kari_text = to_kari.get_content()
    assert to_kari["Subject"] == "2 nye varsler"
    assert "Gevinstkart" in kari_text
    assert "Prototyp" in kari_text
    assert to_ola["Subject"] == "1 new notification"
    assert "Gevinstkart" in to_ola.get_content()
    assert "Prototyp" not in to_ola.get_content()
    assert to_kari["From"].addresses[0].display_name == "Bærum kommune"
    assert to_kari["Auto-Submitted"] == "auto-generated"
    assert "/me/notifications/choices/" in kari_text  # where to change it
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()

    assert send_daily_digests() == 0  # the next day's run has nothing new
    assert len(smtp_server.messages) == 2


def test_the_digest_leaves_out_what_is_done_old_or_turned_off(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    kari = UserFactory(email="kari@example.no")
    daily(kari)
    tell([kari], "done", "Ferdig allerede", django_capture_on_commit_callbacks)
    Notification.objects.filter(key="done").update(settled_at=timezone.now())
    tell([kari], "old", "Gammel nyhet", django_capture_on_commit_callbacks)
    Notification.objects.filter(key="old").update(
        created_at=timezone.now() - DIGEST_GRACE - dt.timedelta(hours=1)
    )
    tell([kari], "fresh", "Ny nyhet", django_capture_on_commit_callbacks)

    assert send_daily_digests() == 1
    [message] = smtp_server.to("kari@example.no")
    text = message.get_content()
    assert "Ny nyhet" in text
    assert "Ferdig allerede" not in text
    assert "Gammel nyhet" not in text
    # Still listed in the product, whatever the e-mail did.
    assert Notification.objects.filter(recipient=kari).count() == 3


def test_off_sends_no_email_and_keeps_the_notification(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    kari = UserFactory(email="kari@example.no")
    choose_delivery(user=kari, kind=Kind.ANSWER_APPROVED, delivery=Delivery.OFF)
    tell([kari], "a:1", "Gevinstkart", django_capture_on_commit_callbacks)

    assert send_daily_digests() == 0
    assert smtp_server.messages == []
    assert Notification.objects.get(recipient=kari).delivery == Delivery.OFF


def test_calendar_kinds_cannot_be_turned_off_or_delayed():
    kari = UserFactory(email="kari@example.no")
    for kind in (Kind.GATHERING_PLANNED, Kind.GATHERING_CHANGED, Kind.GATHERING_CANCELLED):
        with pytest.raises(ValueError, match="cannot be chosen"):
            choose_delivery(user=kari, kind=kind, delivery=Delivery.OFF)
    with pytest.raises(ValueError, match="unknown delivery"):
        choose_delivery(user=kari, kind=Kind.ANSWER_APPROVED, delivery="hourly")
    assert not NotificationPreference.objects.exists()


def test_one_click_unsubscribe_from_the_digest_turns_off_its_kinds(
    client, smtp_server: Received, django_capture_on_commit_callbacks
):
    kari = UserFactory(email="kari@example.no")
    daily(kari)
    tell([kari], "a:1", "Gevinstkart", django_capture_on_commit_callbacks)
    send_daily_digests()
    [message] = smtp_server.to("kari@example.no")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    address = message["List-Unsubscribe"].strip().strip("<>")
    path = urlsplit(address).path

    # A mail scanner fetching the address changes nothing.
    assert client.get(path).status_code == 200
    assert dict(NotificationPreference.objects.values_list("kind", "delivery")) == {
        Kind.ANSWER_APPROVED: Delivery.DAILY
    }
    # The mail client's one-click POST (no CSRF token, no session) turns off every kind
    # that came in the digest: the chosen one, and those daily by default.
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert dict(NotificationPreference.objects.values_list("kind", "delivery")) == {
        Kind.ANSWER_APPROVED: Delivery.OFF,
        Kind.ANSWER_SUBMITTED: Delivery.OFF,
    }


def test_the_email_of_an_optional_kind_carries_its_own_unsubscribe(
    client, smtp_server: Received, django_capture_on_commit_callbacks
):
    kari = UserFactory(email="kari@example.no")
    tell(
        [kari], "r:1", "Gevinstkart", django_capture_on_commit_callbacks, kind=Kind.ANSWER_RETURNED
    )
    [message] = smtp_server.to("kari@example.no")
    path = urlsplit(message["List-Unsubscribe"].strip().strip("<>")).path
    client.post(path, {"List-Unsubscribe": "One-Click"})
    assert NotificationPreference.objects.get(user=kari, kind=Kind.ANSWER_RETURNED).delivery == (
        Delivery.OFF
    )


@pytest.mark.parametrize(
    "token",
    ["garbage", "eyJ1IjoxLCJrIjoiYW5zd2VyX2FwcHJvdmVkIn0:forged:signature", "..", "x" * 400],
)
def test_a_forged_or_garbled_unsubscribe_address_is_404_and_changes_nothing(client, token):
    UserFactory(email="kari@example.no")
    assert client.post(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert client.get(f"/notifications/unsubscribe/{token}/").status_code == 404
    assert not NotificationPreference.objects.exists()


def test_a_mail_server_failing_part_way_marks_what_went_and_the_retry_sends_the_rest(
    smtp_server: Received, django_capture_on_commit_callbacks, monkeypatch
):
    people = [UserFactory(email=f"p{n}@example.no") for n in range(3)]
    daily(*people)
    tell(people, "a:1", "Gevinstkart", django_capture_on_commit_callbacks)

    from django.core.mail.backends.smtp import EmailBackend

    real_send = EmailBackend.send_messages
    calls = {"n": 0}

    def fail_second(self, messages):
        calls["n"] += 1
        if calls["n"] == 2:
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", fail_second)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        send_daily_digests()
    assert len(smtp_server.messages) == 1
    assert Notification.objects.filter(emailed_at__isnull=False).count() == 1

    monkeypatch.setattr(EmailBackend, "send_messages", real_send)
    assert send_daily_digests() == 2
    recipients = sorted(str(address) for to, _message in smtp_server.messages for address in to)
    assert recipients == sorted(str(person.email) for person in people)  # each exactly once


@pytest.mark.parametrize("people", [2, 12])
def test_a_digest_batch_runs_the_same_queries_for_any_number_of_people(
    people, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    recipients = [UserFactory(email=f"p{n}@example.no") for n in range(people)]
    for person in recipients[::2]:
        remember_language(user=person, language="nn", source="site")
    daily(*recipients)
    for n in range(3):
        tell(recipients, f"a:{n}", f"Aktivitet {n}", django_capture_on_commit_callbacks)

    ids = [person.pk for person in recipients]
    # SAVEPOINT/RELEASE of the lock's transaction (on PostgreSQL also the advisory lock),
    # the notifications with their people and languages (locked), and the update that
    # marks them sent.
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 4):
        assert digest_batch(ids, now=timezone.now()) == people
