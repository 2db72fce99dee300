"""A withdrawn completion that had a certificate asks the programme's administrators whether
to revoke it or keep it; the audit log says what was decided (and by whom), and a
completion earned again before anyone decided settles the question."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from certificates.api import revoke_certificate
from certificates.models import Certificate
from courses import services as course_services
from lup import certification, scoping, services
from lup.audit import describe
from lup.models import AuditEvent, CertificateReview, OrganisationMembership, Participant
from lup.roles import ADMINISTRATORS_GROUP, FACILITATORS_GROUP, HR_GROUP, ensure_role_groups
from tests.factories import OrganisationFactory, UserFactory
from tests.lup.curriculum import Setup, build_curriculum
from tests.roles import with_two_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

Decision = CertificateReview.Decision


@dataclass
class Certified:
    setup: Setup
    enthusiast: Any
    facilitator: Any
    people: dict[str, Any]

    @property
    def programme(self) -> Any:
        return self.setup.cohort.programme

    def participant(self, user: Any) -> Participant:
        return self.setup.enrolment.participants.get(user=user)

    def participant_certificate(self, user: Any) -> Certificate:
        public_id = self.participant(user).public_id
        return Certificate.objects.get(source_key=f"lup.participant:{public_id}")

    @property
    def unit_certificate(self) -> Certificate:
        return Certificate.objects.get(source_key=f"lup.unit:{self.setup.enrolment.public_id}")


def _person(email: str, group: Any, organisation: Any) -> Any:
    person = with_two_factor(UserFactory(email=email))
    person.groups.add(group)
    OrganisationMembership.objects.create(organisation=organisation, user=person)
    return person


@pytest.fixture
def certified(django_capture_on_commit_callbacks) -> Certified:
    """A team of a manager and one enthusiast that has completed (both participants and the
    unit hold certificates), with every role around it."""
    groups = ensure_role_groups()
    setup = build_curriculum(team_size=1)
    organisation = setup.cohort.programme.organisation
    facilitator = UserFactory(email="fasilitator@example.no")
    facilitator.groups.add(groups[FACILITATORS_GROUP])
    setup.cohort.facilitators.add(facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        submission = course_services.submit_assignment(
            user=setup.manager, assignment=setup.assignment, text="Brukerreisen vår"
        )
        course_services.review_submission(submission=submission, reviewer=facilitator, approve=True)
        for person in (setup.manager, *setup.enthusiasts):
            course_services.mark_done(user=person, activity=setup.page)
            services.record_attendance(
                gathering=setup.gathering,
                participant=setup.enrolment.participants.get(user=person),
                recorded_by=facilitator,
                method="facilitator",
            )
    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == "completed"
    assert Certificate.objects.count() == 3
    people = {
        "administrator": _person("admin@example.no", groups[ADMINISTRATORS_GROUP], organisation),
        "hr": _person("hr@example.no", groups[HR_GROUP], organisation),
        "other_administrator": _person(
            "admin@asker.example.no", groups[ADMINISTRATORS_GROUP], OrganisationFactory()
        ),
        "facilitator": facilitator,
        "manager": setup.manager,
    }
    return Certified(setup, setup.enthusiasts[0], facilitator, people)


def withdraw_page(certified: Certified, *, by: Any = None) -> None:
    """The enthusiast's content page is undone: their completion, and the unit's, go."""
    course_services.withdraw_completion(
        user=certified.enthusiast,
        activity=certified.setup.page,
        withdrawn_by=by or certified.people["administrator"],
    )


def open_reviews() -> list[CertificateReview]:
    return list(CertificateReview.objects.filter(decided_at__isnull=True).order_by("pk"))


# Opening -----------------------------------------------------------------------------------


def test_withdrawing_an_activity_opens_a_review_for_the_person_and_the_unit(certified):
    withdraw_page(certified)

    reviews = open_reviews()
    assert {review.certificate for review in reviews} == {
        certified.participant_certificate(certified.enthusiast),
        certified.unit_certificate,
    }
    assert {review.programme for review in reviews} == {certified.programme}
    person = next(r for r in reviews if r.certificate.source_key.startswith("lup.participant"))
    assert certification.withdrawal_reason_text(person.reason) == (
        "The activity “Hva er innovasjon?” was undone"
    )
    unit = next(r for r in reviews if r.certificate.source_key.startswith("lup.unit"))
    assert certification.withdrawal_reason_text(unit.reason) == (
        "The completion rule no longer holds"
    )
    # Nothing is decided for the administrator: every certificate is still valid.
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()
    # The manager still holds their completion: their certificate is not in question.
    assert not CertificateReview.objects.filter(
        certificate=certified.participant_certificate(certified.setup.manager)
    ).exists()


def test_a_unit_whose_completion_stays_gets_no_review(certified):
    # A second enthusiast who also completed keeps the unit over its rule.
    setup = certified.setup
    second = UserFactory()
    services.add_participant(enrolment=setup.enrolment, user=second, role="enthusiast")
    participant = setup.enrolment.participants.get(user=second)
    Participant.objects.filter(pk=participant.pk).update(
        status="completed", completed_at="2027-01-31T12:00Z"
    )

    withdraw_page(certified)

    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == "completed"
    assert [review.certificate for review in open_reviews()] == [
        certified.participant_certificate(certified.enthusiast)
    ]


def test_without_a_valid_certificate_there_is_nothing_to_review(certified):
    # The person's certificate is already revoked; the unit's was never issued.
    revoke_certificate(
        certificate=certified.participant_certificate(certified.enthusiast),
        reason="Feil",
        revoked_by=None,
    )
    certified.unit_certificate.delete()

    withdraw_page(certified)

    assert CertificateReview.objects.count() == 0


def test_a_completion_taken_back_before_its_certificate_was_issued_gets_no_review():
    setup = build_curriculum(team_size=1)
    participant = setup.enrolment.participants.get(user=setup.enthusiasts[0])
    Participant.objects.filter(pk=participant.pk).update(
        status="completed", completed_at="2027-01-31T12:00Z"
    )

    assert certification.open_review_if_certified(participant=participant, reason="x") is None
    assert CertificateReview.objects.count() == 0


def test_one_open_review_per_certificate_however_often_it_is_asked(certified):
    withdraw_page(certified)
    participant = certified.participant(certified.enthusiast)
    [first] = [
        r for r in open_reviews() if r.certificate.source_key.endswith(str(participant.public_id))
    ]

    again = certification.open_review_if_certified(participant=participant, reason="other")

    assert again == first
    assert again.reason == first.reason  # the first withdrawal's reason stays
    assert len(open_reviews()) == 2
    # The database refuses a second open review, whoever writes it.
    with pytest.raises(IntegrityError), transaction.atomic():
        CertificateReview.objects.create(
            certificate=first.certificate, programme=first.programme, reason="x"
        )


def test_a_unit_whose_project_approval_is_withdrawn_is_asked_about_with_that_reason(certified):
    from lup.models import CompletionRule, UnitEnrolment

    CompletionRule.objects.filter(programme=certified.programme).update(
        require_project_approval=True
    )
    enrolment = UnitEnrolment.objects.get(pk=certified.setup.enrolment.pk)

    assert services.withdraw_unit_completion_for_project(
        enrolment=enrolment, withdrawn_by=certified.people["administrator"]
    )

    [review] = open_reviews()
    assert review.certificate == certified.unit_certificate
    assert review.reason == "project approval withdrawn"
    assert certification.withdrawal_reason_text(review.reason) == (
        "The innovation project's approval was withdrawn"
    )


# Deciding ----------------------------------------------------------------------------------


def person_review(certified: Certified) -> CertificateReview:
    certificate = certified.participant_certificate(certified.enthusiast)
    return CertificateReview.objects.get(certificate=certificate, decided_at__isnull=True)


def test_revoking_on_a_review_revokes_the_certificate_and_the_audit_says_so(certified):
    withdraw_page(certified)
    review = person_review(certified)
    administrator = certified.people["administrator"]

    certification.decide_review(
        review=review,
        decision=Decision.REVOKED,
        decided_by=administrator,
        reason_text="Registrert ved en feil",
    )

    certificate = certified.participant_certificate(certified.enthusiast)
    assert certificate.is_revoked
    review.refresh_from_db()
    assert (review.decision, review.decided_by) == (Decision.REVOKED, administrator)
    assert review.decided_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_REVOKED)
    assert event.actor == administrator
    assert event.subject == certified.enthusiast
    assert event.details["code"] == certificate.display_code
    assert event.details["reason"] == (
        f"Revoked on review {review.pk} after the completion was withdrawn "
        "(The activity “Hva er innovasjon?” was undone). Registrert ved en feil"
    )
    assert certificate.revocation_reason == event.details["reason"]
    # The other review (the unit's) is still open, its certificate still valid.
    assert [r.certificate for r in open_reviews()] == [certified.unit_certificate]
    assert not certified.unit_certificate.is_revoked


def test_keeping_leaves_the_certificate_valid_and_the_audit_says_so(certified):
    withdraw_page(certified)
    review = person_review(certified)
    administrator = certified.people["administrator"]

    certification.decide_review(
        review=review, decision=Decision.KEPT, decided_by=administrator, reason_text="Fullført"
    )

    certificate = certified.participant_certificate(certified.enthusiast)
    assert not certificate.is_revoked
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_REVOKED).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_KEPT)
    assert event.actor == administrator
    assert event.subject == certified.enthusiast
    assert event.details["code"] == certificate.display_code
    assert event.details["achievement"] == certificate.achievement
    assert event.details["organisation_id"] == certified.programme.organisation_id
    assert describe(event) == [
        f"Certificate {certificate.display_code}: {certificate.achievement}",
        "Kept valid by decision after its completion was withdrawn",
        "Note: Fullført",
    ]
    # The organisation's administrators read it in their log; another organisation's not.
    assert scoping.audit_events_for(administrator).filter(pk=event.pk).exists()
    other = certified.people["other_administrator"]
    assert not scoping.audit_events_for(other).filter(pk=event.pk).exists()


@pytest.mark.parametrize("first", [Decision.REVOKED, Decision.KEPT])
def test_a_review_is_decided_once(certified, first):
    withdraw_page(certified)
    review = person_review(certified)
    administrator = certified.people["administrator"]
    certification.decide_review(review=review, decision=first, decided_by=administrator)
    events = AuditEvent.objects.count()

    for decision in (Decision.REVOKED, Decision.KEPT):
        with pytest.raises(ValidationError, match="already been decided"):
            certification.decide_review(review=review, decision=decision, decided_by=administrator)

    review.refresh_from_db()
    assert review.decision == first
    assert AuditEvent.objects.count() == events
    assert certified.participant_certificate(certified.enthusiast).is_revoked == (
        first == Decision.REVOKED
    )


@pytest.mark.parametrize("role", ["other_administrator", "hr", "facilitator", "manager"])
def test_only_the_programmes_administrators_decide(certified, role):
    withdraw_page(certified)
    review = person_review(certified)

    with pytest.raises(PermissionDenied):
        certification.decide_review(
            review=review, decision=Decision.REVOKED, decided_by=certified.people[role]
        )

    review.refresh_from_db()
    assert review.decided_at is None
    assert not certified.participant_certificate(certified.enthusiast).is_revoked


@pytest.mark.parametrize("decision", ["", "delete", "REVOKED", None])
def test_an_unknown_decision_changes_nothing(certified, decision):
    withdraw_page(certified)
    review = person_review(certified)

    with pytest.raises(ValidationError):
        certification.decide_review(
            review=review, decision=decision, decided_by=certified.people["administrator"]
        )

    review.refresh_from_db()
    assert review.decided_at is None


def test_revoking_the_certificate_elsewhere_closes_its_review(certified):
    withdraw_page(certified)
    review = person_review(certified)
    administrator = certified.people["administrator"]

    revoke_certificate(certificate=review.certificate, reason="I admin", revoked_by=administrator)

    review.refresh_from_db()
    assert (review.decision, review.decided_by) == (Decision.REVOKED, administrator)


# Earned again ------------------------------------------------------------------------------


def test_earning_the_completion_again_closes_the_open_reviews(certified):
    withdraw_page(certified)
    assert len(open_reviews()) == 2

    course_services.mark_done(user=certified.enthusiast, activity=certified.setup.page)

    assert open_reviews() == []
    closed = list(CertificateReview.objects.order_by("pk"))
    assert [(r.decision, r.decided_by) for r in closed] == [(Decision.KEPT, None)] * 2
    events = AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_KEPT)
    assert events.count() == 2
    assert all(event.details["earned_again"] for event in events)
    assert "Its completion was earned again before anyone decided: it stays valid" in describe(
        events.first()
    )
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()


def test_a_decided_review_is_not_reopened_or_changed_by_earning_again(certified):
    withdraw_page(certified)
    review = person_review(certified)
    administrator = certified.people["administrator"]
    certification.decide_review(review=review, decision=Decision.REVOKED, decided_by=administrator)

    course_services.mark_done(user=certified.enthusiast, activity=certified.setup.page)

    review.refresh_from_db()
    assert (review.decision, review.decided_by) == (Decision.REVOKED, administrator)
    assert certified.participant_certificate(certified.enthusiast).is_revoked


def test_a_second_withdrawal_after_earning_again_asks_again(certified):
    withdraw_page(certified)
    course_services.mark_done(user=certified.enthusiast, activity=certified.setup.page)

    withdraw_page(certified)

    assert len(open_reviews()) == 2
    assert CertificateReview.objects.count() == 4


# Pages -------------------------------------------------------------------------------------


def reviews_url(certified: Certified) -> str:
    return reverse("lup:certificate-reviews", kwargs={"slug": certified.programme.slug})


def decide_url(certified: Certified, review: CertificateReview) -> str:
    return reverse(
        "lup:certificate-review-decide",
        kwargs={"slug": certified.programme.slug, "pk": review.pk},
    )


def test_the_page_lists_what_to_decide(client, certified):
    withdraw_page(certified)
    client.force_login(certified.people["administrator"])

    response = client.get(reviews_url(certified))

    assert response.status_code == 200
    text = response.content.decode()
    unit = certified.setup.enrolment.unit.name
    assert certified.participant_certificate(certified.enthusiast).display_code in text
    assert certified.unit_certificate.display_code in text
    assert certified.enthusiast.get_full_name() in text
    assert f"The unit {unit}" in text
    assert "The activity “Hva er innovasjon?” was undone" in text
    assert text.count("Revoke certificate") == 2
    assert text.count("Keep certificate") == 2
    assert "csrfmiddlewaretoken" in text


def test_the_page_runs_the_same_queries_however_many_reviews(client, certified):
    client.force_login(certified.people["administrator"])
    url = reviews_url(certified)
    withdraw_page(certified)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    # One more review (of the manager's certificate).
    CertificateReview.objects.create(
        certificate=certified.participant_certificate(certified.setup.manager),
        programme=certified.programme,
        reason="attendance removed",
    )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()

    assert page.count("Revoke certificate") == 3
    assert len(many.captured_queries) == len(few.captured_queries)


def test_revoking_on_the_page(client, certified):
    withdraw_page(certified)
    review = person_review(certified)
    client.force_login(certified.people["administrator"])

    response = client.post(decide_url(certified, review), {"decision": "revoked", "note": "Feil"})

    assert response.status_code == 302
    assert response["Location"] == reviews_url(certified)
    assert certified.participant_certificate(certified.enthusiast).is_revoked
    page = client.get(reviews_url(certified)).content.decode()
    assert "The certificate is revoked." in page
    assert certified.participant_certificate(certified.enthusiast).display_code not in page


def test_keeping_on_the_page_then_deciding_again_says_why_not(client, certified):
    withdraw_page(certified)
    review = person_review(certified)
    client.force_login(certified.people["administrator"])

    client.post(decide_url(certified, review), {"decision": "kept"})
    again = client.post(decide_url(certified, review), {"decision": "revoked"}, follow=True)

    assert again.status_code == 200
    assert "This certificate has already been decided: kept." in again.content.decode()
    assert not certified.participant_certificate(certified.enthusiast).is_revoked


@pytest.mark.parametrize(
    "body", [{}, {"decision": "delete"}, {"decision": "kept", "note": "x" * 2001}]
)
def test_bad_input_on_the_page_changes_nothing(client, certified, body):
    withdraw_page(certified)
    review = person_review(certified)
    client.force_login(certified.people["administrator"])

    response = client.post(decide_url(certified, review), body, follow=True)

    assert response.status_code == 200
    assert response.context["messages"]
    review.refresh_from_db()
    assert review.decided_at is None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("other_administrator", 404),
        ("hr", 403),
        ("facilitator", 403),
        ("manager", 403),
    ],
)
def test_others_neither_see_nor_decide_on_the_page(client, certified, role, status):
    withdraw_page(certified)
    review = person_review(certified)
    client.force_login(certified.people[role])

    assert client.get(reviews_url(certified)).status_code == status
    assert client.post(decide_url(certified, review), {"decision": "revoked"}).status_code == status

    review.refresh_from_db()
    assert review.decided_at is None


def test_the_page_asks_anonymous_visitors_to_sign_in_and_refuses_get_on_decide(client, certified):
    withdraw_page(certified)
    review = person_review(certified)

    assert client.get(reviews_url(certified)).status_code == 302
    assert client.post(decide_url(certified, review), {"decision": "kept"}).status_code == 302
    client.force_login(certified.people["administrator"])
    assert client.get(decide_url(certified, review)).status_code == 405
    review.refresh_from_db()
    assert review.decided_at is None


def test_a_review_of_another_programme_is_not_found_under_this_one(client, certified):
    withdraw_page(certified)
    review = person_review(certified)
    administrator = certified.people["administrator"]
    other = build_curriculum(team_size=1).cohort.programme
    OrganisationMembership.objects.create(organisation=other.organisation, user=administrator)
    client.force_login(administrator)

    url = reverse("lup:certificate-review-decide", kwargs={"slug": other.slug, "pk": review.pk})
    assert client.post(url, {"decision": "revoked"}).status_code == 404


# The dashboard -----------------------------------------------------------------------------


def dashboard(client, certified) -> str:
    response = client.get(reverse("lup:dashboard", kwargs={"slug": certified.programme.slug}))
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_links_to_the_reviews_for_those_who_decide(client, certified):
    client.force_login(certified.people["administrator"])
    assert "certificate-reviews-alert" not in dashboard(client, certified)

    withdraw_page(certified)
    text = dashboard(client, certified)

    assert "2 certificates to review after a withdrawn completion" in text
    assert f'href="{reviews_url(certified)}"' in text
    certification.decide_review(
        review=person_review(certified),
        decision=Decision.KEPT,
        decided_by=certified.people["administrator"],
    )
    assert "1 certificate to review after a withdrawn completion" in dashboard(client, certified)


def test_hr_sees_the_dashboard_without_the_link(client, certified):
    withdraw_page(certified)
    client.force_login(certified.people["hr"])

    text = dashboard(client, certified)

    assert "certificate-reviews-alert" not in text
    assert reviews_url(certified) not in text


def test_the_dashboard_counts_the_reviews_in_one_query(client, certified):
    withdraw_page(certified)
    client.force_login(certified.people["administrator"])
    url = reverse("lup:dashboard", kwargs={"slug": certified.programme.slug})

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200

    counting = [q for q in queries.captured_queries if "lup_certificatereview" in q["sql"]]
    assert len(counting) == 1


# The API -----------------------------------------------------------------------------------

API = "/api/v1/certificate-reviews/"


def api_decide(client, review_id: Any, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{review_id}/decide/", body, content_type="application/json")


def test_the_api_lists_the_open_reviews_in_scope(client, certified):
    withdraw_page(certified)
    client.force_login(certified.people["administrator"])

    rows = client.get(API).json()["results"]

    certificate = certified.participant_certificate(certified.enthusiast)
    assert {row["kind"] for row in rows} == {"participant", "unit"}
    person = next(row for row in rows if row["kind"] == "participant")
    assert person["certificate"] == str(certificate.public_id)
    assert person["code"] == certificate.display_code
    assert person["programme"] == str(certified.programme.public_id)
    assert person["withdrawal_reason"] == "The activity “Hva er innovasjon?” was undone"
    assert person["decision"] == ""


@pytest.mark.parametrize("role", ["other_administrator", "hr", "facilitator", "manager"])
def test_the_api_lists_nothing_for_others_and_their_decisions_are_not_found(
    client, certified, role
):
    withdraw_page(certified)
    review = person_review(certified)
    client.force_login(certified.people[role])

    assert client.get(API).json()["results"] == []
    assert api_decide(client, review.pk, {"decision": "revoked"}).status_code == 404

    review.refresh_from_db()
    assert review.decided_at is None


def test_deciding_through_the_api(client, certified):
    withdraw_page(certified)
    review = person_review(certified)
    client.force_login(certified.people["administrator"])

    response = api_decide(client, review.pk, {"decision": "revoked", "reason": "Feil"})
    again = api_decide(client, review.pk, {"decision": "kept"})

    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "revoked"
    assert response.json()["decided_at"]
    assert certified.participant_certificate(certified.enthusiast).is_revoked
    assert again.status_code == 400
    assert "already been decided" in again.json()["non_field_errors"][0]
    assert [row["kind"] for row in client.get(API).json()["results"]] == ["unit"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"decision": "delete"},
        {"decision": ["kept"]},
        {"decision": "kept", "reason": "x" * 2001},
    ],
)
def test_bad_input_to_the_api_is_400_and_changes_nothing(client, certified, body):
    withdraw_page(certified)
    review = person_review(certified)
    client.force_login(certified.people["administrator"])

    assert api_decide(client, review.pk, body).status_code == 400
    review.refresh_from_db()
    assert review.decided_at is None


@pytest.mark.parametrize("review_id", ["abc", "999999", "1.5", str(2**70)])
def test_an_id_that_is_no_review_in_scope_is_404(client, certified, review_id):
    client.force_login(certified.people["administrator"])

    assert api_decide(client, review_id, {"decision": "kept"}).status_code == 404


def test_a_read_token_may_not_decide(client, certified):
    import datetime as dt

    from django.utils import timezone

    from lup.api.tokens import create_api_token

    withdraw_page(certified)
    review = person_review(certified)
    administrator = certified.people["administrator"]
    _token, secret = create_api_token(
        name="Les",
        organisation=certified.programme.organisation,
        scope="read",
        expires_at=timezone.now() + dt.timedelta(days=1),
        created_by=administrator,
    )

    response = client.post(
        f"{API}{review.pk}/decide/",
        {"decision": "revoked"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert response.status_code == 403
    review.refresh_from_db()
    assert review.decided_at is None


# Revoking a certificate by its code (issued in error), without the admin -----------------


def revoke_url(certified: Certified) -> str:
    return reverse("lup:certificate-revoke", kwargs={"slug": certified.programme.slug})


def test_an_administrator_finds_a_certificate_by_its_code_and_revokes_it(
    client, certified, django_assert_max_num_queries
):
    certificate = certified.participant_certificate(certified.enthusiast)
    client.force_login(certified.people["administrator"])

    with django_assert_max_num_queries(14):
        found = client.get(revoke_url(certified), {"code": certificate.display_code.lower()})
    html = found.content.decode()
    assert found.status_code == 200
    assert certificate.recipient_name in html
    assert certified.setup.enrolment.unit.name in html
    assert 'id="certificate-revoke-form"' in html

    revoked = client.post(
        revoke_url(certified), {"code": certificate.display_code, "reason": "Utstedt ved en feil"}
    )

    assert revoked.status_code == 302
    certificate.refresh_from_db()
    assert certificate.is_revoked
    assert certificate.revocation_reason == "Utstedt ved en feil"
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_REVOKED)
    assert event.details["reason"] == "Utstedt ved en feil"
    after = client.get(revoked["Location"]).content.decode()
    assert "is revoked" in after
    assert 'id="certificate-revoke-form"' not in after
    # The public verification page says revoked and keeps the reason to itself.
    public = client.get(reverse("certificates-verify:certificate", args=[certificate.code]))
    assert "Utstedt ved en feil" not in public.content.decode()


@pytest.mark.parametrize(
    ("reason", "error"),
    [("", "Say why the certificate is revoked."), ("x" * 2001, "at most 2000 characters")],
)
def test_revoking_without_a_fitting_reason_changes_nothing(client, certified, reason, error):
    certificate = certified.unit_certificate
    client.force_login(certified.people["administrator"])

    page = client.post(revoke_url(certified), {"code": certificate.display_code, "reason": reason})

    assert page.status_code == 200
    assert error in page.content.decode()
    assert 'aria-invalid="true"' in page.content.decode()
    certificate.refresh_from_db()
    assert not certificate.is_revoked
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CERTIFICATE_REVOKED).exists()


@pytest.mark.parametrize("code", ["NOPE-NOPE", "'; drop table --", "x" * 500, "ÆØÅ-1234"])
def test_an_unknown_or_hostile_code_is_explained(client, certified, code):
    client.force_login(certified.people["administrator"])

    page = client.get(revoke_url(certified), {"code": code})
    posted = client.post(revoke_url(certified), {"code": code, "reason": "Feil"})

    for response in (page, posted):
        assert response.status_code == 200
        assert "No certificate of this programme has that code." in response.content.decode()
    assert not Certificate.objects.filter(revoked_at__isnull=False).exists()


def test_another_programmes_certificate_is_as_unknown_as_none(client, certified):
    """A programme of another municipality with its own administrator: Bærum's code is
    unknown on Asker's page, and revoking it there changes nothing."""
    other = build_curriculum(team_size=1)
    other_admin = _person(
        "admin@other.example.no",
        ensure_role_groups()[ADMINISTRATORS_GROUP],
        other.cohort.programme.organisation,
    )
    certificate = certified.unit_certificate
    client.force_login(other_admin)
    url = reverse("lup:certificate-revoke", kwargs={"slug": other.cohort.programme.slug})

    page = client.post(url, {"code": certificate.display_code, "reason": "Kapret"})

    assert "No certificate of this programme has that code." in page.content.decode()
    certificate.refresh_from_db()
    assert not certificate.is_revoked


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_administrator", 404), ("hr", 403), ("facilitator", 403), ("manager", 403)],
)
def test_only_the_programmes_administrators_revoke(client, certified, role, status):
    certificate = certified.unit_certificate
    client.force_login(certified.people[role])

    assert client.get(revoke_url(certified)).status_code == status
    posted = client.post(revoke_url(certified), {"code": certificate.code, "reason": "Feil"})

    assert posted.status_code == status
    certificate.refresh_from_db()
    assert not certificate.is_revoked
