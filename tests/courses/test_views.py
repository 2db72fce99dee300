"""The learner's and reviewer's pages: what they see, what one click stores, and who is
told a page does not exist."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses import services
from courses.models import Activity, ActivityCompletion, Enrolment, Submission
from lup import services as lup_services
from lup.models import Participant
from tests.courses.factories import (
    ActivityFactory,
    AssignmentFactory,
    EnrolmentFactory,
    ModuleFactory,
    RubricCriterionFactory,
)
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum

pytestmark = [pytest.mark.django_db]

PDF = b"%PDF-1.7\n% reisen\n"


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def setup():
    return build_curriculum()


@pytest.fixture
def facilitator(setup):
    person = UserFactory()
    setup.cohort.facilitators.add(person)
    return person


def stored_files(settings) -> list[Path]:
    root = Path(settings.COURSES_PRIVATE_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def activity_url(activity: Activity) -> str:
    return reverse("courses:activity-detail", args=[activity.public_id])


def done_url(activity: Activity) -> str:
    return reverse("courses:activity-done", args=[activity.public_id])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def submit(client, setup, **data):
    return client.post(activity_url(setup.assignment.activity), data, follow=True)


# Course page ----------------------------------------------------------------------------


def test_the_course_page_lists_modules_in_order_with_progress(client, setup):
    services.mark_done(user=setup.manager, activity=setup.page)
    client.force_login(setup.manager)

    response = client.get(reverse("courses:course-detail", args=[setup.page.module.course.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    modules = html[html.index('id="modules-heading"') :]
    assert modules.index("Teori") < modules.index("Praksis")
    assert "1 of 1 required activity done" in html  # Teori: the page (the link is optional)
    assert "0 of 2 required activities done" in html  # Praksis
    assert response.context["progress"].next_step.activity == setup.assignment.activity


def test_people_not_enrolled_in_the_course_find_nothing(client, setup, facilitator):
    course = setup.page.module.course
    client.force_login(facilitator)

    assert client.get(reverse("courses:course-detail", args=[course.slug])).status_code == 404
    assert client.get(activity_url(setup.page)).status_code == 404
    assert client.post(done_url(setup.page)).status_code == 404
    assert not ActivityCompletion.objects.exists()


def test_anonymous_visitors_are_asked_to_sign_in(client, setup):
    response = client.get(activity_url(setup.page))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Content pages and links ------------------------------------------------------------------


def test_marking_a_page_done_twice_records_one_completion(client, setup):
    setup.page.body = "# Hva er innovasjon?\n\nNye løsninger som skaper **verdi**."
    setup.page.save()
    client.force_login(setup.manager)

    first = client.post(done_url(setup.page), follow=True)
    second = client.post(done_url(setup.page), follow=True)

    assert ActivityCompletion.objects.filter(user=setup.manager, activity=setup.page).count() == 1
    assert first.redirect_chain == [(activity_url(setup.page), 302)]
    assert messages_of(first) == ["Marked as done."]
    assert messages_of(second) == ["You have already marked this as done."]
    html = second.content.decode()
    assert "You completed this activity on " in html
    assert ".." not in re.sub(r"<[^>]*>", "", html)  # "p.m." ends the sentence on its own
    assert "Mark as done" not in html
    assert "<strong>verdi</strong>" in html


def test_a_page_not_done_yet_offers_the_button(client, setup):
    client.force_login(setup.manager)

    response = client.get(activity_url(setup.page))

    assert response.status_code == 200
    assert "Mark as done" in response.content.decode()


def test_marking_done_is_a_post(client, setup):
    client.force_login(setup.manager)

    assert client.get(done_url(setup.page)).status_code == 405
    assert not ActivityCompletion.objects.exists()


def test_an_external_link_is_shown_and_marked_done(client, setup):
    client.force_login(setup.manager)

    page = client.get(activity_url(setup.optional))
    client.post(done_url(setup.optional))

    assert 'href="https://ks.no"' in page.content.decode()
    assert ActivityCompletion.objects.filter(user=setup.manager, activity=setup.optional).exists()


def test_activities_completed_in_other_ways_cannot_be_marked_done(client, setup):
    client.force_login(setup.manager)

    response = client.post(done_url(setup.attendance), follow=True)

    assert messages_of(response) == ["This activity is completed in another way."]
    assert not ActivityCompletion.objects.exists()


def test_h5p_activities_without_content_say_so_honestly(client):
    activity = ActivityFactory(kind=Activity.Kind.H5P, title="Quiz om innovasjon")
    learner = EnrolmentFactory(course=activity.module.course).user
    client.force_login(learner)

    page = client.get(activity_url(activity))
    client.post(done_url(activity))

    html = page.content.decode()
    assert "content is not ready yet" in html
    assert "<iframe" not in html
    assert "Mark as done" not in html
    assert not ActivityCompletion.objects.exists()


# Assignments ------------------------------------------------------------------------------


def test_the_assignment_page_shows_instructions_due_date_and_a_file_form(client, setup):
    setup.assignment.due_days_after_start = 30
    setup.assignment.save()
    client.force_login(setup.manager)

    response = client.get(activity_url(setup.assignment.activity))

    html = response.content.decode()
    assert "Lag en brukerreise." in html
    assert 'enctype="multipart/form-data"' in html
    assert response.context["state"].due_at.date() == dt.date(2026, 8, 31)  # start + 30 days
    assert "Your team, once for all its members" in html


def test_a_text_answer_is_submitted_for_the_team_and_waits(client, setup):
    client.force_login(setup.enthusiasts[0])

    response = submit(client, setup, text="Vi kartla reisen til en ny elev.")

    submission = Submission.objects.get()
    assert submission.text == "Vi kartla reisen til en ny elev."
    assert submission.status == Submission.Status.SUBMITTED
    assert set(submission.members.all()) == {setup.manager, *setup.enthusiasts}
    assert messages_of(response) == ["Your answer was submitted. It now waits for review."]
    assert response.redirect_chain == [(activity_url(setup.assignment.activity), 302)]
    html = response.content.decode()
    assert "Waiting for review" in html
    assert "Vi kartla reisen til en ny elev." in html

    # Another member of the team sees the same answer waiting, and no form.
    client.force_login(setup.manager)
    page = client.get(activity_url(setup.assignment.activity)).content.decode()
    assert "Vi kartla reisen til en ny elev." in page
    assert "Submit answer" not in page


def test_a_file_answer_is_stored_privately(client, setup, settings):
    client.force_login(setup.manager)

    submit(client, setup, file=SimpleUploadedFile("brukerreise.pdf", PDF))

    submission = Submission.objects.get()
    assert submission.file_name == "brukerreise.pdf"
    [stored] = stored_files(settings)
    assert stored.read_bytes() == PDF
    assert "brukerreise" not in stored.name  # the learner's name for the file is not used on disk


def test_a_double_submit_stores_one_answer_and_says_why(client, setup):
    client.force_login(setup.manager)

    submit(client, setup, text="Første")
    second = submit(client, setup, text="Første")

    assert Submission.objects.count() == 1
    assert second.status_code == 200
    assert "An answer is already waiting for review." in second.content.decode()


@pytest.mark.parametrize(
    ("upload", "max_bytes", "message"),
    [
        (SimpleUploadedFile("reise.exe", b"MZ\x90\x00"), None, "are not accepted"),
        (SimpleUploadedFile("reise.pdf", b"GIF89a"), None, "does not match its name"),
        (SimpleUploadedFile("reise.pdf", PDF + b"x" * 100), 50, "The file is larger than"),
    ],
    ids=["type", "content", "size"],
)
def test_a_bad_file_is_refused_next_to_the_field_and_nothing_is_stored(
    client, setup, settings, upload, max_bytes, message
):
    if max_bytes is not None:
        settings.COURSES_SUBMISSION_MAX_BYTES = max_bytes
    client.force_login(setup.manager)

    response = submit(client, setup, text="Se vedlegg", file=upload)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors["file"])
    html = response.content.decode()
    assert message in html
    assert 'aria-invalid="true"' in html
    assert not Submission.objects.exists()
    assert stored_files(settings) == []


def test_an_empty_answer_is_refused(client, setup):
    client.force_login(setup.manager)

    response = submit(client, setup, text="   ")

    assert "Write an answer or choose a file." in response.content.decode()
    assert not Submission.objects.exists()


def test_after_a_closing_deadline_nothing_is_taken(client, setup, settings):
    setup.assignment.due_days_after_start = 1  # the cohort started 1 August 2026
    setup.assignment.closes_at_due = True
    setup.assignment.save()
    client.force_login(setup.manager)

    page = client.get(activity_url(setup.assignment.activity)).content.decode()
    response = submit(client, setup, text="For sent", file=SimpleUploadedFile("r.pdf", PDF))

    closed = "The deadline has passed: this assignment no longer takes answers."
    assert closed in page
    assert "Submit answer" not in page
    assert closed in response.content.decode()
    assert not Submission.objects.exists()
    assert stored_files(settings) == []


def test_a_returned_answer_shows_feedback_and_rubric_and_takes_a_new_attempt(
    client, setup, facilitator
):
    criterion = RubricCriterionFactory(assignment=setup.assignment, title="Brukerinnsikt")
    first = services.submit_assignment(user=setup.manager, assignment=setup.assignment, text="v1")
    services.review_submission(
        submission=first,
        reviewer=facilitator,
        approve=False,
        feedback="Snakk med flere brukere.",
        rubric_levels={str(criterion.pk): "Begynnende"},
    )
    client.force_login(setup.enthusiasts[1])

    page = client.get(activity_url(setup.assignment.activity)).content.decode()
    submit(client, setup, text="v2")

    assert "Snakk med flere brukere." in page
    assert "Brukerinnsikt" in page
    assert "Begynnende" in page
    assert "Returned for revision" in page
    assert "Submit answer" in page
    assert Submission.objects.filter(attempt=2, text="v2").exists()


# Files ------------------------------------------------------------------------------------


@pytest.fixture
def file_submission(setup):
    return services.submit_assignment(
        user=setup.manager,
        assignment=setup.assignment,
        upload=SimpleUploadedFile("Brukerreise – Solbakken.pdf", PDF),
    )


def test_team_members_and_reviewers_download_the_file(client, setup, facilitator, file_submission):
    url = reverse("courses:submission-file", args=[file_submission.public_id])
    for person in (setup.manager, setup.enthusiasts[0], facilitator):
        client.force_login(person)

        response = client.get(url)

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["X-Content-Type-Options"] == "nosniff"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "Solbakken.pdf" in disposition


def test_others_are_told_the_file_does_not_exist(client, setup, file_submission):
    other_team = build_curriculum()  # another unit, in another cohort, with its own facilitator
    stranger = UserFactory()
    url = reverse("courses:submission-file", args=[file_submission.public_id])
    for person in (other_team.manager, stranger):
        client.force_login(person)

        assert client.get(url).status_code == 404
    missing = reverse("courses:submission-file", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(missing).status_code == 404


def test_a_text_only_answer_has_no_file_to_download(client, setup):
    submission = services.submit_assignment(
        user=setup.manager, assignment=setup.assignment, text="Bare tekst"
    )
    client.force_login(setup.manager)

    url = reverse("courses:submission-file", args=[submission.public_id])
    assert client.get(url).status_code == 404


# Review -----------------------------------------------------------------------------------


@pytest.fixture
def waiting(setup):
    return services.submit_assignment(
        user=setup.enthusiasts[0], assignment=setup.assignment, text="Vår brukerreise"
    )


def review_url(submission: Submission) -> str:
    return reverse("courses:submission-review", args=[submission.public_id])


def test_the_reviewer_sees_the_answer_and_the_form(client, facilitator, waiting):
    RubricCriterionFactory(assignment=waiting.assignment, title="Brukerinnsikt")
    client.force_login(facilitator)

    response = client.get(review_url(waiting))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Vår brukerreise" in html
    assert "Brukerinnsikt" in html
    assert 'type="radio"' in html
    assert "Svært godt" in html


def test_approving_completes_the_activity_for_every_team_member(
    client, setup, facilitator, waiting
):
    criterion = RubricCriterionFactory(assignment=setup.assignment)
    client.force_login(facilitator)

    response = client.post(
        review_url(waiting),
        {"decision": "approve", "feedback": "Godt jobbet!", f"criterion_{criterion.pk}": "Godt"},
        follow=True,
    )

    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.APPROVED
    assert waiting.rubric_levels == {str(criterion.pk): "Godt"}
    team = {setup.manager, *setup.enthusiasts}
    completed = ActivityCompletion.objects.filter(activity=setup.assignment.activity)
    assert {completion.user for completion in completed} == team
    assert messages_of(response) == [
        "Approved. The activity is completed for everyone the answer covers."
    ]
    # Nothing else waits, so the reviewer is back at the queue; the answer keeps the review.
    assert "Godt jobbet!" in client.get(review_url(waiting)).content.decode()


def test_returning_needs_feedback(client, facilitator, waiting):
    client.force_login(facilitator)

    refused = client.post(review_url(waiting), {"decision": "return", "feedback": " "})
    waiting.refresh_from_db()
    assert refused.status_code == 200
    assert waiting.status == Submission.Status.SUBMITTED
    assert "Tell the learners what to improve" in " ".join(
        refused.context["form"].errors["feedback"]
    )

    client.post(review_url(waiting), {"decision": "return", "feedback": "Mer innsikt, takk."})
    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.RETURNED
    assert waiting.feedback == "Mer innsikt, takk."
    assert not ActivityCompletion.objects.exists()


def test_a_review_goes_back_to_a_safe_next_page(client, facilitator, waiting):
    client.force_login(facilitator)

    response = client.post(
        review_url(waiting), {"decision": "approve", "next": "https://evil.example/"}
    )
    assert response["Location"].startswith("/")  # this site's queue, never the other host
    assert "evil" not in response["Location"]


def test_a_reviewed_answer_is_not_reviewed_again(client, facilitator, waiting):
    client.force_login(facilitator)
    client.post(review_url(waiting), {"decision": "approve"}, follow=True)

    again = client.post(review_url(waiting), {"decision": "return", "feedback": "Nei"}, follow=True)

    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.APPROVED
    assert messages_of(again) == ["This answer has already been reviewed."]


def test_people_who_may_not_review_find_no_review_page(client, setup, waiting):
    other_team = build_curriculum()
    other_facilitator = UserFactory()
    other_team.cohort.facilitators.add(other_facilitator)
    for person in (setup.manager, setup.enthusiasts[1], other_facilitator, UserFactory()):
        client.force_login(person)

        assert client.get(review_url(waiting)).status_code == 404
        assert client.post(review_url(waiting), {"decision": "approve"}).status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == Submission.Status.SUBMITTED
    assert not ActivityCompletion.objects.exists()


# Without a programme: courses on its own ------------------------------------------------------


def test_an_individual_assignment_on_its_own(client, settings):
    assignment = AssignmentFactory(accepts_file=False)
    enrolment = EnrolmentFactory(course=assignment.activity.module.course)
    other = EnrolmentFactory(course=enrolment.course)
    client.force_login(enrolment.user)

    page = client.get(activity_url(assignment.activity)).content.decode()
    client.post(activity_url(assignment.activity), {"text": "Mitt svar"})

    assert 'type="file"' not in page
    submission = Submission.objects.get()
    assert list(submission.members.all()) == [enrolment.user]
    client.force_login(other.user)
    assert "Mitt svar" not in client.get(activity_url(assignment.activity)).content.decode()


def test_an_enrolment_in_another_course_does_not_open_this_one(client):
    activity = ActivityFactory()
    elsewhere = EnrolmentFactory()
    client.force_login(elsewhere.user)

    assert client.get(activity_url(activity)).status_code == 404
    assert Enrolment.objects.count() == 1


def test_the_page_links_to_the_previous_and_next_activity(client):
    module = ModuleFactory()
    first, second, third = (ActivityFactory(module=module) for _ in range(3))
    learner = EnrolmentFactory(course=module.course).user
    client.force_login(learner)

    html = client.get(activity_url(second)).content.decode()

    assert f'href="{activity_url(first)}"' in html
    assert f'href="{activity_url(third)}"' in html


def test_someone_who_joined_the_team_later_sees_the_answer_but_not_its_file(
    client, setup, file_submission
):
    newcomer = UserFactory()
    lup_services.add_participant(
        enrolment=setup.enrolment, user=newcomer, role=Participant.Role.ENTHUSIAST
    )
    client.force_login(newcomer)

    page = client.get(activity_url(setup.assignment.activity)).content.decode()
    file_url = reverse("courses:submission-file", args=[file_submission.public_id])

    assert "Attempt 1" in page  # the team's answer waits, so the newcomer cannot send another
    assert "Submit answer" not in page
    assert file_url not in page
    assert client.get(file_url).status_code == 404
