"""LUP's certificates: completing participants and units get them, once, by e-mail; the
right people see them; facilitators issue a cohort's missing ones; revoking is audited."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from certificates import services as certificate_services
from certificates.models import Certificate, CertificateTemplate
from courses import services as course_services
from lup import certification, services
from lup.models import AuditEvent, OrganisationMembership, Participant
from tests.conftest import administrator_permissions
from tests.factories import UserFactory
from tests.lup.curriculum import build_curriculum

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


@pytest.fixture
def setup():
    return build_curriculum(team_size=1)


def complete_everything(setup, django_capture_on_commit_callbacks):
    """The team does every required activity: the participants, then the unit, complete."""
    facilitator = UserFactory(email="fasilitator@example.no")
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
    return facilitator


def test_completing_issues_personal_and_unit_certificates_and_mails_them(
    setup, django_capture_on_commit_callbacks, mailoutbox
):
    complete_everything(setup, django_capture_on_commit_callbacks)

    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == "completed"
    manager = setup.enrolment.participants.get(user=setup.manager)
    personal = Certificate.objects.get(source_key=f"lup.participant:{manager.public_id}")
    assert personal.recipient == setup.manager
    assert personal.title == "Kursbevis"
    assert setup.enrolment.unit.name in personal.body
    assert setup.cohort.name in personal.body
    unit = Certificate.objects.get(source_key=f"lup.unit:{setup.enrolment.public_id}")
    assert unit.recipient == setup.manager
    assert unit.recipient_name == setup.enrolment.unit.name
    assert setup.manager.get_full_name() in unit.body  # the team is named
    assert Certificate.objects.count() == 3  # two people and the unit
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [setup.manager.email, setup.manager.email, setup.enthusiasts[0].email]
    )
    assert all(message.attachments for message in mailoutbox)


def test_default_templates_are_created_in_bokmal_once(setup, django_capture_on_commit_callbacks):
    complete_everything(setup, django_capture_on_commit_callbacks)

    keys = set(CertificateTemplate.objects.values_list("key", flat=True))
    assert keys == {"lup-participant", "lup-unit"}
    assert CertificateTemplate.objects.get(key="lup-unit").title == "Enhetsbevis"


def test_an_uncompleted_participant_gets_nothing(setup):
    participant = setup.enrolment.participants.get(user=setup.manager)

    assert certification.issue_participant_certificate(participant=participant) is None
    assert certification.issue_unit_certificate(enrolment=setup.enrolment) is None
    assert not Certificate.objects.exists()


def stamp_completed(setup):
    """Completed without the after-commit hook (as imports or the demo do)."""
    for participant in setup.enrolment.participants.all():
        Participant.objects.filter(pk=participant.pk).update(
            status="completed", completed_at="2027-01-31T12:00Z"
        )
    type(setup.enrolment).objects.filter(pk=setup.enrolment.pk).update(
        status="completed", completed_at="2027-01-31T12:00Z"
    )


def test_bulk_issue_for_a_cohort_is_idempotent(setup, mailoutbox):
    stamp_completed(setup)

    first = certification.issue_cohort_certificates(cohort=setup.cohort, notify=False)
    second = certification.issue_cohort_certificates(cohort=setup.cohort, notify=False)

    assert (first.issued, first.total) == (3, 3)
    assert (second.issued, second.existing) == (0, 3)
    assert Certificate.objects.count() == 3
    assert mailoutbox == []


def test_the_management_command_issues_a_named_cohort(setup, capsys):
    stamp_completed(setup)

    call_command("issue_certificates", "--cohort", setup.cohort.name, "--no-email")

    assert "3 issued" in capsys.readouterr().out
    assert Certificate.objects.count() == 3


def test_the_participant_sees_and_downloads_theirs_on_their_page(setup, client):
    stamp_completed(setup)
    certification.issue_cohort_certificates(cohort=setup.cohort, notify=False)
    client.force_login(setup.enthusiasts[0])

    text = client.get("/me/programme/").content.decode()
    mine = Certificate.objects.get(recipient=setup.enthusiasts[0])

    assert "Your certificates" in text
    assert f"/certificates/{mine.public_id}/pdf" in text
    assert client.get(f"/certificates/{mine.public_id}/pdf").status_code == 200


def test_the_manager_sees_the_units_certificate_on_the_team_page(setup, client):
    stamp_completed(setup)
    certification.issue_cohort_certificates(cohort=setup.cohort, notify=False)
    unit = certification.unit_certificate(setup.enrolment)
    client.force_login(setup.manager)

    text = client.get(f"/teams/{setup.enrolment.pk}/").content.decode()

    assert "The unit&#x27;s certificate" in text or "The unit's certificate" in text
    assert f"/certificates/{unit.public_id}/pdf" in text
    assert client.get(f"/certificates/{unit.public_id}/pdf").status_code == 200


def test_who_may_download_which_certificate(setup):
    stamp_completed(setup)
    certification.issue_cohort_certificates(cohort=setup.cohort, notify=False)
    enthusiast = setup.enthusiasts[0]
    theirs = Certificate.objects.get(recipient=enthusiast)
    unit = certification.unit_certificate(setup.enrolment)
    adapter = certification.LupCertificatesAdapter()
    facilitator = UserFactory()
    setup.cohort.facilitators.add(facilitator)
    own_admin = UserFactory()
    own_admin.user_permissions.add(*administrator_permissions())
    OrganisationMembership.objects.create(
        organisation=setup.cohort.programme.organisation, user=own_admin
    )
    other_admin = UserFactory()
    other_admin.user_permissions.add(*administrator_permissions())

    assert adapter.can_view(enthusiast, theirs)
    assert adapter.can_view(setup.manager, theirs)  # their unit's manager
    assert adapter.can_view(facilitator, theirs)
    assert adapter.can_view(own_admin, theirs)
    assert not adapter.can_view(other_admin, theirs)
    assert not adapter.can_view(UserFactory(), theirs)
    assert adapter.can_view(enthusiast, unit)  # a team member sees the unit's certificate
    managers_own = Certificate.objects.get(
        recipient=setup.manager, source_key__contains="participant"
    )
    assert not adapter.can_view(enthusiast, managers_own)
    visible = adapter.visible_certificates(other_admin, Certificate.objects.all())
    assert not visible.exists()
    assert adapter.visible_certificates(own_admin, Certificate.objects.all()).count() == 3


def test_revoking_writes_the_audit_log(setup):
    stamp_completed(setup)
    certification.issue_cohort_certificates(cohort=setup.cohort, notify=False)
    certificate = Certificate.objects.get(recipient=setup.enthusiasts[0])
    admin = UserFactory(email="admin@example.no")

    certificate_services.revoke_certificate(
        certificate=certificate, reason="Completed by mistake", revoked_by=admin
    )

    event = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_REVOKED)
    assert event.actor == admin
    assert event.subject == setup.enthusiasts[0]
    assert event.details["reason"] == "Completed by mistake"


def test_a_facilitator_issues_the_missing_certificates_of_their_cohort(setup, client):
    stamp_completed(setup)
    facilitator = UserFactory()
    setup.cohort.facilitators.add(facilitator)
    client.force_login(facilitator)
    url = f"/cohorts/{setup.cohort.pk}/certificates/"

    before = client.get(url).content.decode()
    response = client.post(url, follow=True)
    progress = client.get(f"{url}progress.json").json()

    assert '0</strong> of <span id="certificates-total">3</span>' in before
    assert "3 certificates issued." in response.content.decode()
    assert progress == {"issued": 3, "total": 3, "percent": 100}
    assert f'href="{url}"' in client.get(f"/cohorts/{setup.cohort.pk}/").content.decode()


def test_participants_may_not_bulk_issue(setup, client):
    client.force_login(setup.manager)

    assert client.post(f"/cohorts/{setup.cohort.pk}/certificates/").status_code == 403
    assert not Certificate.objects.exists()


def test_a_failing_renderer_never_undoes_a_completion(
    setup, django_capture_on_commit_callbacks, settings
):
    settings.CERTIFICATES_ADAPTER = "tests.lup.test_certification.BrokenAdapter"

    complete_everything(setup, django_capture_on_commit_callbacks)

    setup.enrolment.refresh_from_db()
    assert setup.enrolment.status == "completed"
    assert not Certificate.objects.exists()


class BrokenAdapter(certification.LupCertificatesAdapter):
    def render_pdf(self, document):
        raise RuntimeError("the printer is on fire")
