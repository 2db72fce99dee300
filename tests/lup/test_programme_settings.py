"""The programme's settings in the product's own pages (lup.setup): target, population and
completion rule with a preview before saving; the organisation's API tokens; the
certificate templates with their PDF preview. Only the organisation's administrators (and
superusers) get there; nothing changes for anyone else, or for bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.models import CertificateTemplate
from courses.models import Activity, ActivityCompletion, Course, Module
from lup.models import (
    Attendance,
    AuditEvent,
    CompletionCheck,
    CompletionRule,
    Gathering,
    Participant,
    Programme,
    Sector,
    UnitEnrolment,
)
from lup.reporting.models import ApiToken
from lup.setup import selectors, services
from lup.setup.selectors import RuleCandidate
from tests.factories import ParticipantFactory, ServiceUnitFactory, UnitEnrolmentFactory
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def world():
    """Bærum's programme with a curriculum of two modules (one required activity each), a
    running cohort A and this rule: every module, one enthusiast, no attendance.

    U1 (manager and enthusiast: all done, one gathering each) has completed. U2 (a manager
    alone, all done) is enrolled: it meets the rule only without an enthusiast. Asker runs
    its own programme, with its own course."""
    world = build_world()
    today = timezone.localdate()
    world.cohort_a.starts_on = today - dt.timedelta(days=60)
    world.cohort_a.ends_on = today + dt.timedelta(days=60)
    world.cohort_a.save()
    course = Course.objects.create(title="LUP", slug="lup-kurs")
    theory = Module.objects.create(course=course, position=1, title="Teori")
    practice = Module.objects.create(course=course, position=2, title="Praksis")
    activities = [
        Activity.objects.create(module=theory, position=1, title="Innovasjon", kind="page"),
        Activity.objects.create(module=practice, position=1, title="Brukerreise", kind="page"),
    ]
    world.programme.course = course
    world.programme.save()
    CompletionRule.objects.create(programme=world.programme, min_enthusiasts=1, min_attendance=0)
    gathering = Gathering.objects.create(
        cohort=world.cohort_a,
        kind=Gathering.Kind.OPENING,
        title="Åpning",
        starts_at=timezone.now() - dt.timedelta(days=30),
        ends_at=timezone.now() - dt.timedelta(days=30) + dt.timedelta(hours=5),
    )
    u1 = list(Participant.objects.filter(enrolment=world.team_u1))
    u2 = list(Participant.objects.filter(enrolment=world.team_u2))
    for member in u1 + u2:
        for activity in activities:
            ActivityCompletion.objects.create(
                user=member.user, activity=activity, source="marked_done"
            )
    for member in u1:
        Attendance.objects.create(gathering=gathering, participant=member, method="facilitator")
    Participant.objects.filter(pk__in=[m.pk for m in u1]).update(
        status=Participant.Status.COMPLETED, completed_at=timezone.now()
    )
    UnitEnrolment.objects.filter(pk=world.team_u1.pk).update(
        status=UnitEnrolment.Status.COMPLETED, completed_at=timezone.now()
    )
    other_course = Course.objects.create(title="Asker", slug="asker-kurs")
    world.other_module = Module.objects.create(course=other_course, position=1, title="Annet")
    world.other_programme.course = other_course
    world.other_programme.save()
    world.modules = [theory, practice]
    world.sector = Sector.objects.create(organisation=world.programme.organisation, name="Skole")
    world.other_sector = Sector.objects.create(
        organisation=world.other_programme.organisation, name="Helse"
    )
    return world


def settings_url(world) -> str:
    return reverse("lup:programme-settings", kwargs={"slug": world.programme.slug})


def form_data(world, **changes) -> dict:
    data = {
        "target_units": "10",
        "deadline": "2026-12-31",
        "population_size_override": "",
        "learning_hours": "",
        "min_enthusiasts": "1",
        "min_attendance": "0",
        "due_reminder_days": "7,0",
        "review_reminder_days": "5",
    }
    data.update({key: value for key, value in changes.items() if value is not None})
    return data


def candidate(**changes) -> RuleCandidate:
    values = {
        "required_modules": frozenset(),
        "min_enthusiasts": 1,
        "min_attendance": 0,
        "require_project_approval": False,
    }
    values.update(changes)
    return RuleCandidate(**values)


def snapshot(world) -> tuple:
    """What a change would touch: the programme, its rule, checks, statuses, the log."""
    programme = Programme.objects.get(pk=world.programme.pk)
    rule = CompletionRule.objects.get(programme=programme)
    return (
        programme.target_units,
        programme.deadline,
        programme.learning_hours,
        programme.due_reminder_days,
        programme.review_reminder_days,
        sorted(programme.population_sectors.values_list("pk", flat=True)),
        rule.min_enthusiasts,
        rule.min_attendance,
        rule.require_project_approval,
        sorted(rule.required_modules.values_list("pk", flat=True)),
        CompletionCheck.objects.count(),
        sorted(UnitEnrolment.objects.values_list("pk", "status")),
        sorted(Participant.objects.values_list("pk", "status")),
        AuditEvent.objects.exclude(action=AuditEvent.Action.LOGIN).count(),
    )


# The preview ----------------------------------------------------------------------------------


def test_the_preview_counts_a_rule_that_completes_more(world):
    preview = selectors.preview_rule_change(world.programme, candidate(min_enthusiasts=0))

    assert preview.units_checked == 2  # U1 and U2 in the running cohort
    assert preview.completed_now == 1
    assert preview.meet_current_rule == 1
    assert preview.meet_changed_rule == 2
    assert preview.newly_completed == 1  # U2
    assert preview.completed_not_meeting == 0


def test_the_preview_counts_a_rule_that_completes_fewer(world):
    attendance = selectors.preview_rule_change(world.programme, candidate(min_attendance=2))
    enthusiasts = selectors.preview_rule_change(world.programme, candidate(min_enthusiasts=2))

    assert (attendance.meet_current_rule, attendance.meet_changed_rule) == (1, 0)
    # U1's members have completed and stay so: the check after saving keeps the unit.
    assert attendance.newly_completed == 0
    assert attendance.completed_not_meeting == 0
    assert (enthusiasts.meet_changed_rule, enthusiasts.completed_not_meeting) == (0, 1)


def test_the_preview_counts_required_modules_and_project_approval(world):
    # U2's manager undoes the practice module: with only the theory module required, U2
    # (without an enthusiast) still does not meet; with min 0 enthusiasts it does.
    manager = Participant.objects.get(enrolment=world.team_u2)
    ActivityCompletion.objects.filter(user=manager.user, activity__module=world.modules[1]).delete()
    theory_only = frozenset({world.modules[0].pk})

    assert (
        selectors.preview_rule_change(
            world.programme, candidate(min_enthusiasts=0)
        ).meet_changed_rule
        == 1
    )
    assert (
        selectors.preview_rule_change(
            world.programme, candidate(min_enthusiasts=0, required_modules=theory_only)
        ).meet_changed_rule
        == 2
    )
    assert (
        selectors.preview_rule_change(
            world.programme, candidate(require_project_approval=True)
        ).meet_changed_rule
        == 0
    )  # U1's project is not approved


def test_the_preview_takes_a_fixed_number_of_queries(world):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.preview_rule_change(
                world.programme, candidate(min_attendance=1, require_project_approval=True)
            )
        return len(captured)

    few = queries()
    for _ in range(5):
        team = UnitEnrolmentFactory(
            cohort=world.cohort_a,
            unit=ServiceUnitFactory(organisation=world.programme.organisation),
        )
        ParticipantFactory(enrolment=team, role=Participant.Role.MANAGER)
        ParticipantFactory(enrolment=team)

    assert queries() == few
    assert few <= 10


def test_previewing_on_the_page_changes_nothing_and_shows_the_counts(client, world):
    before = snapshot(world)
    client.force_login(world.people["administrator"])

    response = client.post(settings_url(world), form_data(world, min_enthusiasts="0", preview="1"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="rule-preview"' in html
    assert "<strong>2</strong> of 2 units would meet the changed rule, against 1" in html
    assert "Saving would complete 1 more unit at once." in html
    assert snapshot(world) == before


# Saving ---------------------------------------------------------------------------------------


def test_saving_applies_audits_and_rechecks_without_taking_completions_back(
    client, world, django_capture_on_commit_callbacks
):
    admin = world.people["administrator"]
    client.force_login(admin)
    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            settings_url(world),
            form_data(
                world,
                min_enthusiasts="0",
                min_attendance="1",
                learning_hours="12.5",
                target_units="25",
                save="1",
            ),
        )

    assert response.status_code == 302
    rule = CompletionRule.objects.get(programme=world.programme)
    assert (rule.min_enthusiasts, rule.min_attendance) == (0, 1)
    programme = Programme.objects.get(pk=world.programme.pk)
    assert (programme.target_units, programme.learning_hours) == (25, Decimal("12.5"))
    changes: dict = {}
    for event in AuditEvent.objects.filter(
        action=AuditEvent.Action.PROGRAMME_CHANGED, pk__gt=last_event
    ):
        assert event.actor == admin
        assert event.details["organisation_id"] == world.programme.organisation_id
        changes.update(event.details["changes"])
    assert changes["min_attendance"] == {"before": 0, "after": 1}
    assert changes["min_enthusiasts"] == {"before": 1, "after": 0}
    assert changes["target_units"] == {"before": 10, "after": 25}
    assert changes["learning_hours"] == {"before": None, "after": "12.5"}
    check = CompletionCheck.objects.get(programme=world.programme)
    assert check.reason == CompletionCheck.Reason.RULE_CHANGED
    assert check.requested_by == admin
    assert check.finished_at is not None
    # U2's manager attended nothing: U2 does not meet min_attendance 1. U1 stays completed.
    assert UnitEnrolment.objects.get(pk=world.team_u1.pk).status == "completed"
    assert UnitEnrolment.objects.get(pk=world.team_u2.pk).status == "enrolled"


def test_a_looser_rule_completes_units_and_a_stricter_one_never_uncompletes(
    world, django_capture_on_commit_callbacks
):
    wanted = services.ProgrammeSettings(
        target_units=10,
        deadline=dt.date(2026, 12, 31),
        population_sectors=frozenset(),
        population_size_override=None,
        learning_hours=None,
        rule=candidate(min_enthusiasts=0),
    )
    with django_capture_on_commit_callbacks(execute=True):
        change = services.change_programme_settings(
            programme=world.programme, actor=world.people["administrator"], wanted=wanted
        )
    assert change.rule_changed
    assert change.fields == ("min_enthusiasts",)
    assert UnitEnrolment.objects.get(pk=world.team_u2.pk).status == "completed"

    stricter = services.ProgrammeSettings(
        **{**wanted.__dict__, "rule": candidate(min_enthusiasts=3)}
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.change_programme_settings(
            programme=world.programme, actor=world.people["administrator"], wanted=stricter
        )

    assert set(
        UnitEnrolment.objects.filter(cohort=world.cohort_a).values_list("status", flat=True)
    ) == {"completed"}
    assert CompletionCheck.objects.filter(programme=world.programme).count() == 2


def test_saving_nothing_new_records_nothing(client, world):
    before = snapshot(world)
    client.force_login(world.people["administrator"])

    response = client.post(settings_url(world), form_data(world, save="1"), follow=True)

    assert "Nothing changed." in response.content.decode()
    assert snapshot(world) == before


def test_the_reminder_settings_are_saved_tidied_and_audited(client, world):
    client.force_login(world.people["administrator"])
    page = client.get(settings_url(world)).content.decode()
    assert 'id="reminder-settings"' in page
    assert 'value="7,0"' in page

    response = client.post(
        settings_url(world),
        form_data(world, due_reminder_days=" 3, 14 ,0", review_reminder_days="10", save="1"),
    )

    assert response.status_code == 302
    programme = Programme.objects.get(pk=world.programme.pk)
    assert (programme.due_reminder_days, programme.review_reminder_days) == ("14,3,0", 10)
    event = AuditEvent.objects.filter(action=AuditEvent.Action.PROGRAMME_CHANGED).latest("pk")
    assert event.details["changes"] == {
        "due_reminder_days": {"before": "7,0", "after": "14,3,0"},
        "review_reminder_days": {"before": 5, "after": 10},
    }

    # Empty: no due-date reminders.
    client.post(settings_url(world), form_data(world, due_reminder_days="", save="1"))
    assert Programme.objects.get(pk=world.programme.pk).due_reminder_days == ""


def test_a_bad_reminder_setting_says_what_to_write(client, world):
    client.force_login(world.people["administrator"])

    response = client.post(settings_url(world), form_data(world, due_reminder_days="7,x", save="1"))
    assert "Write whole numbers of days separated by commas" in response.content.decode()
    response = client.post(settings_url(world), form_data(world, due_reminder_days="99", save="1"))
    assert "each from 0 to 60 days before" in response.content.decode()


def test_sectors_and_modules_are_set(client, world):
    client.force_login(world.people["administrator"])

    response = client.post(
        settings_url(world),
        {
            **form_data(world, save="1"),
            "population_sectors": [world.sector.pk],
            "required_modules": [world.modules[0].pk],
        },
    )

    assert response.status_code == 302
    programme = Programme.objects.get(pk=world.programme.pk)
    assert list(programme.population_sectors.all()) == [world.sector]
    assert list(programme.completion_rule.required_modules.all()) == [world.modules[0]]


# Refusals ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("enthusiast", 403),
        ("manager", 403),
        ("facilitator", 403),
        ("hr", 403),
        ("other_administrator", 404),
    ],
)
def test_others_can_neither_see_nor_change_the_settings(client, world, role, status):
    before = snapshot(world)
    client.force_login(world.people[role])

    assert client.get(settings_url(world)).status_code == status
    response = client.post(settings_url(world), form_data(world, min_enthusiasts="0", save="1"))

    assert response.status_code == status
    assert snapshot(world) == before


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(settings_url(world))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target_units": "-5"}, "target_units"),
        ({"target_units": "0"}, "target_units"),
        ({"target_units": "many"}, "target_units"),
        ({"min_attendance": "-1"}, "min_attendance"),
        ({"min_enthusiasts": "-2"}, "min_enthusiasts"),
        ({"min_enthusiasts": "100000"}, "min_enthusiasts"),
        ({"deadline": "2024-01-01"}, "deadline"),
        ({"deadline": "31.12.2026x"}, "deadline"),
        ({"learning_hours": "-3"}, "learning_hours"),
        ({"population_size_override": "0"}, "population_size_override"),
        ({"due_reminder_days": "7,x"}, "due_reminder_days"),
        ({"due_reminder_days": "99"}, "due_reminder_days"),
        ({"due_reminder_days": "-1"}, "due_reminder_days"),
        ({"due_reminder_days": "14,7,3,0"}, "due_reminder_days"),
        ({"review_reminder_days": "0"}, "review_reminder_days"),
        ({"review_reminder_days": "61"}, "review_reminder_days"),
        ({"review_reminder_days": ""}, "review_reminder_days"),
    ],
)
def test_bad_numbers_are_refused_with_a_field_error(client, world, changes, field):
    before = snapshot(world)
    client.force_login(world.people["administrator"])

    for button in ("save", "preview"):
        response = client.post(settings_url(world), form_data(world, **changes, **{button: "1"}))

        assert response.status_code == 200
        assert response.context["form"].errors[field]
        assert 'id="form-errors"' in response.content.decode()
        assert response.context["preview"] is None
    assert snapshot(world) == before


def test_another_courses_module_and_another_organisations_sector_are_refused(client, world):
    before = snapshot(world)
    client.force_login(world.people["administrator"])

    response = client.post(
        settings_url(world),
        {
            **form_data(world, save="1"),
            "required_modules": [world.other_module.pk],
            "population_sectors": [world.other_sector.pk],
        },
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "required_modules" in errors
    assert "population_sectors" in errors
    assert snapshot(world) == before


def test_the_service_refuses_what_the_form_would_not_send(world):
    before = snapshot(world)
    wanted = services.ProgrammeSettings(
        target_units=0,
        deadline=dt.date(2020, 1, 1),
        population_sectors=frozenset({world.other_sector.pk}),
        population_size_override=-1,
        learning_hours=Decimal("-1"),
        rule=candidate(
            min_enthusiasts=-1,
            min_attendance=-1,
            required_modules=frozenset({world.other_module.pk}),
        ),
        due_reminder_days="7,x",
        review_reminder_days=0,
    )

    with pytest.raises(ValidationError) as refused:
        services.change_programme_settings(
            programme=world.programme, actor=world.people["administrator"], wanted=wanted
        )

    assert set(refused.value.message_dict) == {
        "target_units",
        "deadline",
        "population_sectors",
        "population_size_override",
        "learning_hours",
        "min_enthusiasts",
        "min_attendance",
        "required_modules",
        "due_reminder_days",
        "review_reminder_days",
    }
    assert snapshot(world) == before


def test_the_dashboard_links_the_settings_for_administrators_only(client, world):
    url = reverse("lup:dashboard", kwargs={"slug": world.programme.slug})
    client.force_login(world.people["administrator"])
    assert settings_url(world) in client.get(url).content.decode()
    client.force_login(world.people["hr"])
    assert settings_url(world) not in client.get(url).content.decode()


# API tokens ------------------------------------------------------------------------------------


def tokens_url(world, organisation=None) -> str:
    organisation = organisation or world.programme.organisation
    return reverse("lup:api-tokens", kwargs={"slug": organisation.slug})


def test_the_administrator_creates_a_token_and_sees_its_secret_once(client, world):
    admin = world.people["administrator"]
    client.force_login(admin)
    expires = (timezone.localdate() + dt.timedelta(days=90)).isoformat()

    response = client.post(
        tokens_url(world), {"name": "Visma HR", "scope": "reports", "expires_on": expires}
    )

    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("lup_")
    assert secret in response.content.decode()
    token = ApiToken.objects.get(name="Visma HR")
    assert token.organisation == world.programme.organisation
    assert token.scope == "reports"
    assert token.created_by == admin
    assert secret not in token.secret_hash
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.API_TOKEN_CREATED, subject_label=str(token)
    )
    assert event.actor == admin
    listing = client.get(tokens_url(world)).content.decode()
    assert "Visma HR" in listing
    assert secret not in listing
    assert f"Integrasjon {world.other_programme.organisation.slug}" not in listing


def test_the_administrator_revokes_a_token(client, world):
    admin = world.people["administrator"]
    token, _secret = world.tokens["administrator"]
    client.force_login(admin)
    url = reverse(
        "lup:api-token-revoke", kwargs={"slug": world.programme.organisation.slug, "pk": token.pk}
    )

    response = client.post(url)

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED, actor=admin).count()
        == 1
    )
    client.post(url)  # twice does nothing more
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_REVOKED).count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"scope": "superuser"}, "scope"),
        ({"expires_on": "2020-01-01"}, "expires_on"),
        ({"expires_on": "2099-01-01"}, "expires_on"),
        ({"expires_on": "soon"}, "expires_on"),
    ],
)
def test_a_bad_token_form_creates_nothing(client, world, changes, field):
    client.force_login(world.people["administrator"])
    data = {
        "name": "Intranett",
        "scope": "read",
        "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        **changes,
    }
    count = ApiToken.objects.count()

    response = client.post(tokens_url(world), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert ApiToken.objects.count() == count


@pytest.mark.parametrize(
    ("role", "status"),
    [("enthusiast", 403), ("facilitator", 403), ("hr", 403), ("other_administrator", 404)],
)
def test_others_cannot_list_create_or_revoke_baerums_tokens(client, world, role, status):
    token, _secret = world.tokens["administrator"]
    client.force_login(world.people[role])
    revoke = reverse(
        "lup:api-token-revoke", kwargs={"slug": world.programme.organisation.slug, "pk": token.pk}
    )
    count = ApiToken.objects.count()

    assert client.get(tokens_url(world)).status_code == status
    assert client.post(tokens_url(world), {"name": "x", "scope": "write"}).status_code == status
    assert client.post(revoke).status_code == status

    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == count


def test_a_token_of_another_organisation_is_not_found_through_ones_own(client, world):
    asker_token, _secret = world.tokens["other_administrator"]
    client.force_login(world.people["administrator"])

    response = client.post(
        reverse(
            "lup:api-token-revoke",
            kwargs={"slug": world.programme.organisation.slug, "pk": asker_token.pk},
        )
    )

    assert response.status_code == 404
    asker_token.refresh_from_db()
    assert asker_token.revoked_at is None


def test_the_token_list_takes_a_fixed_number_of_queries(client, world, django_assert_num_queries):
    client.force_login(world.people["administrator"])
    client.get(tokens_url(world))  # warm the session and permission caches
    with CaptureQueriesContext(connection) as few:
        client.get(tokens_url(world))
    for number in range(4):
        world.tokens[f"extra{number}"] = services_token(world, f"System {number}")

    with django_assert_num_queries(len(few)):
        client.get(tokens_url(world))


def services_token(world, name):
    from lup.api.tokens import create_api_token

    return create_api_token(
        name=name,
        organisation=world.programme.organisation,
        scope="read",
        expires_at=timezone.now() + dt.timedelta(days=5),
        created_by=world.people["administrator"],
    )


# Certificate templates -------------------------------------------------------------------------


def template_url(world, key="lup-participant", *, preview=False) -> str:
    name = "lup:certificate-template-preview" if preview else "lup:certificate-template-edit"
    return reverse(name, kwargs={"slug": world.programme.slug, "key": key})


def template_data(**changes) -> dict:
    data = {
        "name": "LUP – kursbevis",
        "title": "Kursbevis",
        "body": "{recipient_name} har gjennomført {programme}.",
        "issuer": "",
        "primary_colour": "#1E2B3C",
        "accent_colour": "#0062BA",
        "orientation": "landscape",
    }
    data.update(changes)
    return data


def test_administrators_list_and_preview_templates_without_changing_them(client, world):
    client.force_login(world.people["administrator"])
    listing = client.get(
        reverse("lup:certificate-templates", kwargs={"slug": world.programme.slug})
    )
    assert listing.status_code == 200
    assert template_url(world, "lup-unit-en") in listing.content.decode()
    assert client.get(template_url(world)).status_code == 200
    template = CertificateTemplate.objects.get(key="lup-participant")
    count = AuditEvent.objects.count()

    response = client.post(template_url(world, preview=True), template_data(title="Prøvebevis"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    template.refresh_from_db()
    assert template.title == "Kursbevis"
    assert template.version == 1
    assert AuditEvent.objects.count() == count


def test_a_shared_template_is_saved_by_a_superuser_only(client, world):
    """Asker runs a programme here too: Bærum's administrator may not change what Asker's
    certificates say."""
    client.force_login(world.people["administrator"])
    client.get(template_url(world))  # created from LUP's default text
    assert client.post(template_url(world), template_data(title="Endret")).status_code == 403
    assert CertificateTemplate.objects.get(key="lup-participant").title == "Kursbevis"

    superuser = world.people["superuser"]
    client.force_login(superuser)
    response = client.post(template_url(world), template_data(title="Kursbevis LUP"))

    assert response.status_code == 302
    template = CertificateTemplate.objects.get(key="lup-participant")
    assert (template.title, template.version) == ("Kursbevis LUP", 2)
    event = AuditEvent.objects.get(action=AuditEvent.Action.TEMPLATE_CHANGED)
    assert event.actor == superuser
    assert event.details["template"] == "lup-participant"
    assert event.details["version"] == 2


def test_the_only_organisation_administrator_saves_a_template(client, world):
    Programme.objects.filter(pk=world.other_programme.pk).update(
        organisation=world.programme.organisation
    )
    admin = world.people["administrator"]
    client.force_login(admin)

    response = client.post(
        template_url(world, "lup-unit"), template_data(body="{unit_name} er ferdig.")
    )

    assert response.status_code == 302
    assert CertificateTemplate.objects.get(key="lup-unit").body == "{unit_name} er ferdig."
    assert AuditEvent.objects.get(action=AuditEvent.Action.TEMPLATE_CHANGED).actor == admin


def test_a_bad_template_is_refused_and_nothing_changes(client, world):
    client.force_login(world.people["superuser"])
    client.get(template_url(world))

    response = client.post(
        template_url(world), template_data(body="Hei {password}", primary_colour="red")
    )
    preview = client.post(template_url(world, preview=True), template_data(title="{a.b}"))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "body" in errors
    assert "primary_colour" in errors
    assert preview.status_code == 400
    template = CertificateTemplate.objects.get(key="lup-participant")
    assert template.version == 1
    assert "{password}" not in template.body
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.TEMPLATE_CHANGED).exists()


def test_only_lups_templates_are_reachable(client, world):
    CertificateTemplate.objects.create(key="someone-else", name="x", title="x", body="x")
    client.force_login(world.people["superuser"])

    assert client.get(template_url(world, "someone-else")).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("enthusiast", 403), ("facilitator", 403), ("hr", 403), ("other_administrator", 404)],
)
def test_others_cannot_see_preview_or_change_templates(client, world, role, status):
    client.force_login(world.people[role])

    assert client.get(template_url(world)).status_code == status
    assert client.post(template_url(world), template_data(title="X")).status_code == status
    assert client.post(template_url(world, preview=True), template_data()).status_code == status
    assert not CertificateTemplate.objects.filter(title="X").exists()
