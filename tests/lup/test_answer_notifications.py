"""Answers to assignments told as notifications, through a real SMTP server (aiosmtpd).

An answer handed in waits for the cohort's facilitators (in their daily digest by default,
linking to the review page); its review settles that, so nobody is asked to review what is
done. A returned answer is e-mailed at once to whoever it is from (the learner, and for
team work everyone on the team now), an approved one in their digest, each once, in their
own language. Facilitators of another cohort, another municipality's people, those who
left the team, inactive accounts and accounts without an address hear nothing.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from courses import services as course_services
from courses.models import Submission
from courses.signals import submission_reviewed, submission_submitted
from lup.models import Participant
from lup.notifications import services as notification_services
from lup.notifications.digest import send_daily_digests
from lup.notifications.models import Delivery, Notification
from lup.services import remember_language
from tests.factories import CohortFactory, UserFactory
from tests.lup.curriculum import build_curriculum
from tests.smtp import Received

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


@pytest.fixture
def setup():
    """A cohort's team of three (one reads English) with its facilitator; a facilitator of
    another cohort of the same programme; another municipality's cohort, team and
    facilitator with an answer of its own."""
    setup = build_curriculum(team_size=2)
    setup.facilitator = UserFactory(email="fasilitator@example.no")
    setup.cohort.facilitators.add(setup.facilitator)
    setup.neighbour = UserFactory(email="nabokull@example.no")
    CohortFactory(programme=setup.cohort.programme).facilitators.add(setup.neighbour)
    remember_language(user=setup.enthusiasts[0], language="en", source="site")
    other = build_curriculum(team_size=1)
    other.facilitator = UserFactory(email="asker-fasilitator@example.no")
    other.cohort.facilitators.add(other.facilitator)
    setup.other = other
    return setup


def team(setup) -> list:
    return [setup.manager, *setup.enthusiasts]


def outsiders(setup) -> list:
    other = setup.other
    return [setup.neighbour, other.facilitator, other.manager, *other.enthusiasts]


def submit(setup, captured, by=None) -> Submission:
    with captured(execute=True):
        return course_services.submit_assignment(
            user=by or setup.manager, assignment=setup.assignment, text="Brukerreisen vår"
        )


def review(setup, captured, submission, *, approve: bool) -> Submission:
    with captured(execute=True):
        return course_services.review_submission(
            submission=submission,
            reviewer=setup.facilitator,
            approve=approve,
            feedback="" if approve else "Ta med nattevaktene.",
        )


def written_in(language: str, text: str, **values) -> str:
    with translation.override(language):
        return gettext(text) % values


@pytest.fixture
def languages(monkeypatch) -> dict[str, list[str]]:
    """The language each notification e-mail was written in, by recipient."""
    seen: dict[str, list[str]] = {}
    original = notification_services.written

    def spy(notification):
        seen.setdefault(notification.recipient.email, []).append(translation.get_language())
        return original(notification)

    monkeypatch.setattr(notification_services, "written", spy)
    return seen


def test_a_returned_answer_reaches_each_team_member_once_in_their_language(
    setup, smtp_server: Received, django_capture_on_commit_callbacks, languages
):
    submission = review(
        setup,
        django_capture_on_commit_callbacks,
        submit(setup, django_capture_on_commit_callbacks),
        approve=False,
    )

    assert submission.status == Submission.Status.RETURNED
    for person in team(setup):
        [message] = smtp_server.to(person.email)
        language = "en" if person == setup.enthusiasts[0] else "nb"
        assert languages[person.email] == [language]
        assert message["Subject"] == written_in(
            language, "Answer returned: %(activity)s", activity="Brukerreise"
        )
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["List-Unsubscribe"]  # a kind the person may turn off
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert f"/courses/activities/{setup.assignment.activity.public_id}/" in text
        assert message["From"].addresses[0].display_name == setup.cohort.programme.organisation.name
    english = smtp_server.to(setup.enthusiasts[0].email)[0]
    assert english["Subject"] == "Answer returned: Brukerreise"
    # The facilitator gets the waiting answer in the digest (nothing at once); the reviewer
    # is not told of their own review; nobody outside the cohort hears a thing.
    assert smtp_server.to(setup.facilitator.email) == []
    assert not Notification.objects.filter(
        recipient=setup.facilitator, kind=Kind.ANSWER_RETURNED
    ).exists()
    for outsider in outsiders(setup):
        assert smtp_server.to(outsider.email) == [], outsider.email
        assert not Notification.objects.filter(recipient=outsider).exists(), outsider.email


def test_an_approved_answer_reaches_each_team_member_once_in_their_digest(
    setup, smtp_server: Received, django_capture_on_commit_callbacks
):
    review(
        setup,
        django_capture_on_commit_callbacks,
        submit(setup, django_capture_on_commit_callbacks),
        approve=True,
    )

    assert smtp_server.messages == []  # approvals wait for the digest by default
    approved = Notification.objects.filter(kind=Kind.ANSWER_APPROVED)
    assert sorted(approved.values_list("recipient__email", flat=True)) == sorted(
        person.email for person in team(setup)
    )
    assert set(approved.values_list("delivery", flat=True)) == {Delivery.DAILY}

    assert send_daily_digests() == len(team(setup))
    assert send_daily_digests() == 0  # a second run sends nothing again
    for person in team(setup):
        [digest] = smtp_server.to(person.email)
        text = digest.get_body(preferencelist=("plain",)).get_content()
        language = "en" if person == setup.enthusiasts[0] else "nb"
        assert written_in(language, "Answer approved: %(activity)s", activity="Brukerreise") in text
        assert f"/courses/activities/{setup.assignment.activity.public_id}/" in text
    english = smtp_server.to(setup.enthusiasts[0].email)[0]
    assert "Answer approved: Brukerreise" in english.get_body(("plain",)).get_content()
    # The answer is reviewed: the facilitator's digest does not ask for it any more.
    assert smtp_server.to(setup.facilitator.email) == []
    for outsider in outsiders(setup):
        assert smtp_server.to(outsider.email) == [], outsider.email


def test_a_waiting_answer_is_in_the_facilitators_digest_with_the_review_link(
    setup, smtp_server: Received, django_capture_on_commit_callbacks
):
    submission = submit(setup, django_capture_on_commit_callbacks)

    [waiting] = Notification.objects.filter(kind=Kind.ANSWER_SUBMITTED)
    assert waiting.recipient == setup.facilitator
    assert waiting.delivery == Delivery.DAILY
    assert waiting.context == {
        "activity": "Brukerreise",
        "team": setup.enrolment.unit.name,
        "organisation": setup.cohort.programme.organisation.name,
    }
    assert smtp_server.messages == []

    assert send_daily_digests() == 1
    [digest] = smtp_server.to(setup.facilitator.email)
    text = digest.get_body(preferencelist=("plain",)).get_content()
    assert f"/courses/submissions/{submission.public_id}/review/" in text
    assert setup.enrolment.unit.name in text
    # The other municipality's facilitator and the other cohort's hear nothing of it.
    assert [recipients for recipients, _message in smtp_server.messages] == [
        [setup.facilitator.email]
    ]


def test_a_reviewed_answer_settles_the_facilitators_waiting_notification(
    setup, smtp_server: Received, django_capture_on_commit_callbacks
):
    submission = submit(setup, django_capture_on_commit_callbacks)
    # The other municipality's answer waits too: its review is not settled by ours.
    other = setup.other
    other_submission = submit(other, django_capture_on_commit_callbacks)

    review(setup, django_capture_on_commit_callbacks, submission, approve=False)

    mine = Notification.objects.get(kind=Kind.ANSWER_SUBMITTED, recipient=setup.facilitator)
    assert mine.settled_at is not None
    assert mine.emailed_at is None  # still listed in the product, never e-mailed
    theirs = Notification.objects.get(kind=Kind.ANSWER_SUBMITTED, recipient=other.facilitator)
    assert theirs.settled_at is None
    send_daily_digests()
    assert smtp_server.to(setup.facilitator.email) == []
    [digest] = smtp_server.to(other.facilitator.email)
    assert (
        f"/courses/submissions/{other_submission.public_id}/review/"
        in digest.get_body(("plain",)).get_content()
    )


def test_the_same_event_twice_is_told_once_and_a_new_attempt_again(
    setup, smtp_server: Received, django_capture_on_commit_callbacks
):
    submission = submit(setup, django_capture_on_commit_callbacks)
    returned = review(setup, django_capture_on_commit_callbacks, submission, approve=False)
    notifications = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        # The same hand-in and review told again (a retried request, a second worker).
        submission_submitted.send(sender=Submission, submission=submission)
        submission_reviewed.send(sender=Submission, submission=returned, reviewer=setup.facilitator)

    assert Notification.objects.count() == notifications
    assert len(smtp_server.to(setup.manager.email)) == 1

    # The team answers again and it is returned again: a new review, told again.
    second = submit(setup, django_capture_on_commit_callbacks, by=setup.enthusiasts[1])
    review(setup, django_capture_on_commit_callbacks, second, approve=False)

    for person in team(setup):
        assert len(smtp_server.to(person.email)) == 2, person.email
    waiting = Notification.objects.filter(kind=Kind.ANSWER_SUBMITTED, recipient=setup.facilitator)
    assert waiting.count() == 2
    assert all(n.settled_at is not None for n in waiting)


def test_inactive_addressless_and_departed_people_hear_nothing(
    setup, smtp_server: Received, django_capture_on_commit_callbacks
):
    inactive, addressless = setup.enthusiasts
    submission = submit(setup, django_capture_on_commit_callbacks)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    addressless.email = ""
    addressless.save(update_fields=["email"])
    departed = UserFactory(email="sluttet@example.no")
    Participant.objects.create(
        enrolment=setup.enrolment,
        user=departed,
        role=Participant.Role.ENTHUSIAST,
        status=Participant.Status.WITHDRAWN,
    )
    setup.facilitator.is_active = False
    setup.facilitator.save(update_fields=["is_active"])
    other_facilitator = UserFactory(email="fasilitator2@example.no")
    setup.cohort.facilitators.add(other_facilitator)

    review(setup, django_capture_on_commit_callbacks, submission, approve=False)

    told = Notification.objects.filter(kind=Kind.ANSWER_RETURNED)
    assert list(told.values_list("recipient", flat=True)) == [setup.manager.pk]
    assert [recipients for recipients, _message in smtp_server.messages] == [[setup.manager.email]]


def test_an_answer_of_ones_own_tells_only_its_author(
    smtp_server: Received, django_capture_on_commit_callbacks
):
    setup = build_curriculum(team_size=2, team_assignment=False)
    setup.facilitator = UserFactory(email="fasilitator@example.no")
    setup.cohort.facilitators.add(setup.facilitator)
    author = setup.enthusiasts[0]
    submission = submit(setup, django_capture_on_commit_callbacks, by=author)
    review(setup, django_capture_on_commit_callbacks, submission, approve=False)

    assert [recipients for recipients, _message in smtp_server.messages] == [[author.email]]
    [waiting] = Notification.objects.filter(kind=Kind.ANSWER_SUBMITTED)
    assert waiting.recipient == setup.facilitator
    assert waiting.context["team"] == setup.enrolment.unit.name  # the unit, never a name
