"""The demo data: believable, idempotent, and with logins that work."""

import datetime as dt

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from certificates.models import Certificate
from lup.demo.seed import DEMO_LOGINS, DEMO_PASSWORD
from lup.models import Cohort, Organisation, Participant, Programme, ServiceUnit, UnitEnrolment
from lup.selectors import programme_target_progress

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        ServiceUnit.objects.count(),
        Cohort.objects.count(),
        UnitEnrolment.objects.count(),
        Participant.objects.count(),
        UnitEnrolment.objects.filter(status="completed").count(),
    )


def test_seed_demo_builds_a_municipality_and_is_idempotent(capsys):
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")

    assert counts() == first
    baerum = Organisation.objects.get(slug="baerum")
    assert baerum.units.count() == 200
    assert baerum.sectors.count() == 7
    assert 900 <= Participant.objects.count() <= 1300
    assert "admin@baerum.kommune.no" in capsys.readouterr().out


def test_demo_cohorts_are_past_current_and_future_with_a_trend():
    call_command("seed_demo")
    programme = Programme.objects.get(slug="lup")

    progress = programme_target_progress(programme)

    phases = [row.phase for row in progress.by_cohort]
    assert phases == ["past", "past", "past", "past", "current", "future"]
    assert 60 <= progress.completed < progress.target == 120
    assert progress.population == 196  # four closed units are out of scope
    assert len({point.completed for point in progress.series}) >= 4  # completions come in steps
    assert progress.guest_units_completed >= 1


def test_every_team_still_taking_part_has_exactly_one_manager():
    call_command("seed_demo")

    teams = UnitEnrolment.objects.exclude(status="withdrawn").prefetch_related("participants")
    for enrolment in teams:
        managers = [
            p
            for p in enrolment.participants.all()
            if p.role == "manager" and p.status != "withdrawn"
        ]
        assert len(managers) == 1, enrolment


@pytest.mark.parametrize("email", [login.email for login in DEMO_LOGINS])
def test_demo_logins_sign_in_with_the_documented_password(email):
    call_command("seed_demo")

    assert authenticate(username=email, password=DEMO_PASSWORD) is not None


def test_no_demo_login_needs_the_django_admin(client):
    """The programme is run in the product's pages: no demo person is staff, and the
    admin sends even the programme administrator to sign in (it is for superusers)."""
    from django.contrib.auth import get_user_model

    from lup.demo.logins import ADMINISTRATOR

    call_command("seed_demo")

    emails = [login.email for login in DEMO_LOGINS]
    assert not get_user_model().objects.filter(email__in=emails, is_staff=True).exists()
    client.force_login(get_user_model().objects.get(email=ADMINISTRATOR))
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/lup/programme/").status_code == 302


def test_scale_multiplies_the_organisations(monkeypatch):
    # Certificates for the first organisation only (ten by default): the second has none.
    monkeypatch.setattr("lup.demo.seed.CERTIFIED_ORGANISATIONS", 1)
    call_command("seed_demo", scale=3)

    assert Programme.objects.count() == 3
    assert ServiceUnit.objects.filter(organisation__slug="asker").count() == 200
    completed = Participant.objects.filter(status=Participant.Status.COMPLETED)
    assert completed.filter(enrolment__cohort__programme__organisation__slug="asker").exists()
    held_in = "recipient__lup_participations__enrolment__cohort__programme__organisation__slug"
    assert Certificate.objects.filter(**{held_in: "baerum"}).exists()
    assert not Certificate.objects.filter(**{held_in: "asker"}).exists()


@pytest.mark.parametrize("scale", [0, -1, 357])
def test_a_scale_outside_the_country_is_a_clear_error(scale):
    with pytest.raises(CommandError, match="between 1 and 356"):
        call_command("seed_demo", scale=scale)


def test_demo_has_innovation_projects_shared_reused_and_awarded():
    from lup.innovation.models import InnovationProject, Nomination, ProjectReuse

    call_command("seed_demo")

    baerum_projects = InnovationProject.objects.filter(enrolment__cohort__programme__slug="lup")
    assert baerum_projects.count() == UnitEnrolment.objects.count()  # every team, guests too
    assert baerum_projects.filter(published_at__isnull=False).count() >= 20
    assert InnovationProject.objects.filter(enrolment__isnull=True).exists()  # imported
    assert ProjectReuse.objects.exists()
    assert Nomination.objects.filter(is_winner=True).exists()
    # Reads like a real municipality: no sentence repeated over and over (issue 20).
    reasons = list(Nomination.objects.values_list("reason", flat=True))
    assert len(set(reasons)) >= min(len(reasons), 5)
    notes = list(ProjectReuse.objects.values_list("note", flat=True))
    assert len(set(notes)) >= min(len(notes), 4)
    titles = list(baerum_projects.values_list("title", flat=True))
    assert len(set(titles)) >= len(titles) * 0.8


def test_demo_teams_hand_in_their_own_answers():
    from courses.models import Submission
    from lup.intake.models import Application, Call

    call_command("seed_demo")

    for assignment_id in Submission.objects.values_list("assignment_id", flat=True).distinct():
        texts = list(
            Submission.objects.filter(assignment_id=assignment_id).values_list("text", flat=True)
        )
        assert len(set(texts)) >= len(texts) * 0.6, texts[:5]
    # The coming cohort's open call, with applications each in their own words.
    call = Call.objects.get(cohort__programme__slug="lup")
    motivations = list(Application.objects.filter(call=call).values_list("motivation", flat=True))
    assert len(motivations) == len(set(motivations)) == 3
