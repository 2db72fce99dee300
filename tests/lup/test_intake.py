"""Intake: the office opens a call for a coming cohort, units apply with the team they
propose (or their sector's leader nominates them), the office accepts up to the capacity,
wait-lists or declines, and everyone involved is told. Accepting enrols the unit and its
team with the team services; nobody else can decide, and nothing changes on bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from lup.intake import selectors, services
from lup.intake.models import Application, Call
from lup.models import AuditEvent, OrganisationMembership, Participant, UnitEnrolment
from lup.roles import ADMINISTRATORS_GROUP, ensure_role_groups
from lup.services.people import remember_language
from tests.factories import (
    CohortFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SectorFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)
from tests.roles import with_two_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


class Intake:
    """Bærum's programme with a coming cohort, two sectors of units, its administrator, a
    unit manager and a sector leader; Asker with its own administrator."""

    def __init__(self) -> None:
        groups = ensure_role_groups()
        today = timezone.localdate()
        self.baerum = OrganisationFactory(name="Bærum kommune")
        self.asker = OrganisationFactory(name="Asker kommune")
        self.programme = ProgrammeFactory(organisation=self.baerum, slug="lup")
        self.schools = SectorFactory(organisation=self.baerum, name="Skole")
        self.care = SectorFactory(organisation=self.baerum, name="Helse og omsorg")
        self.programme.population_sectors.set([self.schools, self.care])
        self.running = CohortFactory(
            programme=self.programme,
            name="LUP 4",
            starts_on=today - dt.timedelta(days=60),
            ends_on=today + dt.timedelta(days=90),
        )
        self.coming = CohortFactory(
            programme=self.programme,
            name="LUP 5",
            starts_on=today + dt.timedelta(days=40),
            ends_on=today + dt.timedelta(days=220),
        )
        self.school_units = [
            ServiceUnitFactory(organisation=self.baerum, sector=self.schools, name=f"Skole {i}")
            for i in range(3)
        ]
        self.care_units = [
            ServiceUnitFactory(organisation=self.baerum, sector=self.care, name=f"Omsorg {i}")
            for i in range(2)
        ]
        self.administrator = with_two_factor(self.member(self.baerum, "admin@baerum.kommune.no"))
        self.administrator.groups.add(groups[ADMINISTRATORS_GROUP])
        self.other_administrator = with_two_factor(
            self.member(self.asker, "admin@asker.kommune.no")
        )
        self.other_administrator.groups.add(groups[ADMINISTRATORS_GROUP])
        self.manager = self.member(self.baerum, "leder@baerum.kommune.no")
        # E-mails go out in each person's own language: the tests read them in English.
        remember_language(user=self.manager, language="en", source="site")
        self.leader = self.member(self.baerum, "kommunalsjef@baerum.kommune.no")
        self.schools.leaders.add(self.leader)
        self.asker_person = self.member(self.asker, "leder@asker.kommune.no")

    @staticmethod
    def member(organisation, email):
        user = UserFactory(email=email)
        OrganisationMembership.objects.create(organisation=organisation, user=user)
        return user

    def open(self, **changes) -> Call:
        fields = {
            "cohort": self.coming,
            "capacity": 2,
            "deadline": timezone.localdate() + dt.timedelta(days=10),
            "opened_by": self.administrator,
        }
        return services.open_call(**{**fields, **changes})

    def apply(self, call, unit, *, by=None, enthusiasts=("ildsjel@baerum.kommune.no",), **kw):
        return services.apply_to_call(
            call=call,
            unit=unit,
            sent_by=by or self.manager,
            motivation="Vi vil korte ned ventetiden på SFO-plass.",
            enthusiasts=enthusiasts,
            **kw,
        )


@pytest.fixture
def world():
    return Intake()


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


# Opening a call ---------------------------------------------------------------------------


def test_the_office_opens_a_call_and_it_is_audited(world):
    call = world.open(sectors=[world.schools])

    assert call.cohort == world.coming
    assert list(selectors.eligible_units(call)) == world.school_units
    event = AuditEvent.objects.get(action=AuditEvent.Action.CALL_CHANGED)
    assert event.actor == world.administrator
    assert event.details["cohort"] == "LUP 5"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"capacity": 0}, "capacity"),
        ({"deadline": "after start"}, "deadline"),
        ({"deadline": "past"}, "deadline"),
        ({"sectors": "other organisation"}, "sectors"),
    ],
)
def test_a_call_with_bad_fields_is_refused_and_nothing_is_saved(world, changes, field):
    today = timezone.localdate()
    values = dict(changes)
    if values.get("deadline") == "after start":
        values["deadline"] = world.coming.starts_on + dt.timedelta(days=1)
    if values.get("deadline") == "past":
        values["deadline"] = today - dt.timedelta(days=1)
    if values.get("sectors") == "other organisation":
        values["sectors"] = [SectorFactory(organisation=world.asker)]

    with pytest.raises(ValidationError) as refused:
        world.open(**values)

    assert field in refused.value.message_dict
    assert not Call.objects.exists()


def test_a_cohort_has_one_call(world):
    world.open()
    with pytest.raises(ValidationError):
        world.open()
    assert Call.objects.count() == 1


# Applying ---------------------------------------------------------------------------------


def test_a_manager_applies_and_gets_a_receipt(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    call = world.open()

    with django_capture_on_commit_callbacks(execute=True):
        application = world.apply(call, world.school_units[0])

    assert application.kind == Application.Kind.APPLIED
    assert application.status == Application.Status.PENDING
    assert application.manager_email == "leder@baerum.kommune.no"
    assert application.enthusiast_emails == ["ildsjel@baerum.kommune.no"]
    assert [m.to for m in mailoutbox] == [["leder@baerum.kommune.no"]]
    assert "Skole 0" in mailoutbox[0].subject


def test_the_sector_leader_nominates_a_unit_and_its_manager_is_told(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    call = world.open()

    with django_capture_on_commit_callbacks(execute=True):
        application = world.apply(
            call, world.school_units[1], by=world.leader, manager_email="rektor@baerum.kommune.no"
        )

    assert application.kind == Application.Kind.NOMINATED
    assert sorted(m.to[0] for m in mailoutbox) == [
        "kommunalsjef@baerum.kommune.no",
        "rektor@baerum.kommune.no",
    ]


def test_only_the_sectors_leader_may_nominate_for_another_manager(world):
    call = world.open()
    with pytest.raises(ValidationError) as refused:
        world.apply(call, world.care_units[0], by=world.leader, manager_email="x@baerum.kommune.no")
    assert "manager_email" in refused.value.message_dict
    with pytest.raises(ValidationError):
        world.apply(call, world.school_units[0], manager_email="someone@baerum.kommune.no")
    assert not Application.objects.exists()


def test_refusals_when_applying(world):
    call = world.open(sectors=[world.care])
    # a unit the call does not invite
    with pytest.raises(ValidationError, match="not invited"):
        world.apply(call, world.school_units[0])
    # a unit already taking part in the programme
    UnitEnrolmentFactory(cohort=world.running, unit=world.care_units[0])
    with pytest.raises(ValidationError, match="already enrolled"):
        world.apply(call, world.care_units[0])
    # someone of another municipality
    with pytest.raises(ValidationError, match="Only people of"):
        world.apply(call, world.care_units[1], by=world.asker_person)
    # another municipality's account proposed as an enthusiast
    with pytest.raises(ValidationError, match="belongs to another organisation"):
        world.apply(call, world.care_units[1], enthusiasts=["leder@asker.kommune.no"])
    # ...however the account's address is written
    world.member(world.asker, "Rektor@Asker.kommune.no")
    with pytest.raises(ValidationError, match="belongs to another organisation"):
        world.apply(call, world.care_units[1], enthusiasts=["rektor@asker.kommune.no"])
    # not an address, the manager as an enthusiast, too many enthusiasts
    with pytest.raises(ValidationError, match="not an e-mail"):
        world.apply(call, world.care_units[1], enthusiasts=["<script>alert(1)</script>"])
    with pytest.raises(ValidationError, match="list only the enthusiasts"):
        world.apply(call, world.care_units[1], enthusiasts=["LEDER@baerum.kommune.no"])
    with pytest.raises(ValidationError, match="at most 12"):
        world.apply(
            call,
            world.care_units[1],
            enthusiasts=[f"ildsjel{i}@baerum.kommune.no" for i in range(13)],
        )
    assert not Application.objects.exists()


def test_a_unit_applies_once_per_call_unless_it_withdrew(world):
    call = world.open()
    first = world.apply(call, world.school_units[0])
    with pytest.raises(ValidationError, match="already applied"):
        world.apply(call, world.school_units[0])

    services.withdraw_application(application=first, by=world.manager)
    again = world.apply(call, world.school_units[0])

    assert again.status == Application.Status.PENDING


def test_no_application_after_the_deadline(world):
    call = world.open()
    Call.objects.filter(pk=call.pk).update(deadline=timezone.localdate() - dt.timedelta(days=1))
    call.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        world.apply(call, world.school_units[0])


# Deciding ---------------------------------------------------------------------------------


def test_accepting_enrols_the_unit_with_its_team_and_tells_everyone(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    call = world.open()
    application = world.apply(
        call, world.school_units[0], enthusiasts=["a@baerum.kommune.no", "b@baerum.kommune.no"]
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.accept_application(
            application=application, by=world.administrator, note="Velkommen!"
        )

    application.refresh_from_db()
    enrolment = UnitEnrolment.objects.get(cohort=world.coming, unit=world.school_units[0])
    assert application.status == Application.Status.ACCEPTED
    assert application.enrolment == enrolment
    team = dict(Participant.objects.filter(enrolment=enrolment).values_list("user__email", "role"))
    assert team == {
        "leder@baerum.kommune.no": "manager",
        "a@baerum.kommune.no": "enthusiast",
        "b@baerum.kommune.no": "enthusiast",
    }
    recipients = sorted(m.to[0] for m in mailoutbox)
    assert recipients == [
        "a@baerum.kommune.no",
        "b@baerum.kommune.no",
        "leder@baerum.kommune.no",
    ]
    decision = next(m for m in mailoutbox if m.to == ["leder@baerum.kommune.no"])
    assert "Velkommen!" in decision.body
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.APPLICATION_DECIDED, details__decision="accepted"
    ).exists()


def test_the_capacity_holds_and_the_rest_wait_in_order(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    call = world.open(capacity=1)
    first = world.apply(call, world.school_units[0], enthusiasts=[])
    second = world.apply(call, world.school_units[1], enthusiasts=[])
    third = world.apply(call, world.school_units[2], enthusiasts=[])
    services.accept_application(application=first, by=world.administrator)

    with pytest.raises(ValidationError, match="places are taken"):
        services.accept_application(application=second, by=world.administrator)
    assert not UnitEnrolment.objects.filter(unit=world.school_units[1]).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.wait_list_application(application=third, by=world.administrator)
        services.wait_list_application(application=second, by=world.administrator)
    second.refresh_from_db()
    third.refresh_from_db()
    positions = selectors.waiting_positions([second, third])
    assert positions == {second.pk: 1, third.pk: 2}  # by when they applied
    assert "number 2 on the waiting list" in mailoutbox[-2].body

    # A place frees up: the office gives the call one more and takes the next.
    services.change_call(
        call=call, capacity=2, deadline=call.deadline, changed_by=world.administrator
    )
    services.accept_application(application=second, by=world.administrator)
    assert Application.objects.filter(status="accepted").count() == 2


def test_units_put_in_the_cohort_another_way_take_places_too(world):
    """A unit enrolled by the CSV import or the API holds a place like an accepted one."""
    call = world.open(capacity=1)
    UnitEnrolmentFactory(cohort=world.coming, unit=world.care_units[0])
    application = world.apply(call, world.school_units[0])

    with pytest.raises(ValidationError, match="places are taken"):
        services.accept_application(application=application, by=world.administrator)


def test_a_unit_manager_on_a_team_may_apply_for_another_unit_of_the_organisation(world):
    """A person with no role but a place on one of the organisation's teams works there."""
    manager = UserFactory(email="rektor@baerum.kommune.no")
    from tests.factories import ParticipantFactory

    ParticipantFactory(
        enrolment=UnitEnrolmentFactory(cohort=world.running, unit=world.care_units[1]),
        user=manager,
        role=Participant.Role.MANAGER,
    )
    call = world.open()
    application = world.apply(call, world.school_units[0], by=manager)
    assert application.applied_by == manager


def test_a_call_never_has_fewer_places_than_accepted(world):
    call = world.open(capacity=2)
    for unit in world.school_units[:2]:
        services.accept_application(
            application=world.apply(call, unit, enthusiasts=[]), by=world.administrator
        )
    with pytest.raises(ValidationError, match="already have a place"):
        services.change_call(
            call=call, capacity=1, deadline=call.deadline, changed_by=world.administrator
        )
    call.refresh_from_db()
    assert call.capacity == 2


def test_declining_needs_a_reason_and_tells_the_unit(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    call = world.open()
    application = world.apply(call, world.school_units[0])
    with pytest.raises(ValidationError):
        services.decline_application(application=application, by=world.administrator, note=" ")
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING

    with django_capture_on_commit_callbacks(execute=True):
        services.decline_application(
            application=application, by=world.administrator, note="Søk gjerne neste runde."
        )
    assert "Søk gjerne neste runde." in mailoutbox[-1].body
    with pytest.raises(ValidationError, match="already declined"):
        services.accept_application(application=application, by=world.administrator)


def test_a_failed_acceptance_keeps_nothing(world):
    """The manager's account became another municipality's after applying: accepting is
    refused as a whole (no enrolment, no half a team)."""
    call = world.open()
    application = world.apply(call, world.school_units[0])
    OrganisationMembership.objects.create(organisation=world.asker, user=world.manager)

    with pytest.raises(ValidationError, match="another organisation"):
        services.accept_application(application=application, by=world.administrator)

    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert not UnitEnrolment.objects.filter(unit=world.school_units[0]).exists()


# Candidates -------------------------------------------------------------------------------


def test_candidates_are_the_units_that_never_took_part_by_sector(world, django_assert_num_queries):
    UnitEnrolmentFactory(cohort=world.running, unit=world.school_units[0])
    withdrawn = UnitEnrolmentFactory(cohort=world.running, unit=world.care_units[0])
    UnitEnrolment.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    call = world.open()
    world.apply(call, world.school_units[1])

    with django_assert_num_queries(2):
        groups = selectors.candidates_by_sector(world.programme)

    by_sector = {str(group.sector): [unit.name for unit in group.units] for group in groups}
    assert by_sector == {
        "Skole": ["Skole 1", "Skole 2"],
        "Helse og omsorg": ["Omsorg 0", "Omsorg 1"],
    }
    assert {str(g.sector): g.applied for g in groups} == {"Skole": 1, "Helse og omsorg": 0}


# Pages ------------------------------------------------------------------------------------


def test_the_office_opens_a_call_in_the_browser_form(client, world):
    client.force_login(world.administrator)
    overview = client.get(reverse("lup:intake", kwargs={"slug": "lup"}))
    assert overview.status_code == 200
    assert "Open a call for LUP 5" in overview.content.decode()

    response = client.post(
        reverse("lup:call-open", kwargs={"slug": "lup"}),
        {
            "cohort": world.coming.pk,
            "capacity": "3",
            "deadline": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
            "sectors": [world.schools.pk],
            "message": "Velkommen til LUP 5.",
        },
    )

    call = Call.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("lup:call-detail", kwargs={"pk": call.pk})
    assert call.capacity == 3
    assert list(call.sectors.all()) == [world.schools]


def test_a_bad_call_form_says_why_and_saves_nothing(client, world):
    client.force_login(world.administrator)
    response = client.post(
        reverse("lup:call-open", kwargs={"slug": "lup"}),
        {
            "cohort": world.coming.pk,
            "capacity": "-4",
            "deadline": "31.02.2027",
            "sectors": [SectorFactory(organisation=world.asker).pk],
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "ds-validation-message" in html
    assert not Call.objects.exists()


def test_a_manager_applies_in_the_browser_form_and_follows_it(client, world):
    call = world.open()
    client.force_login(world.manager)
    home = client.get(reverse("lup:home")).content.decode()
    assert reverse("lup:call-detail", kwargs={"pk": call.pk}) in home

    page = client.get(reverse("lup:call-apply", kwargs={"pk": call.pk}))
    assert page.status_code == 200
    response = client.post(
        reverse("lup:call-apply", kwargs={"pk": call.pk}),
        {
            "unit": world.school_units[0].pk,
            "manager_email": "leder@baerum.kommune.no",
            "enthusiasts": "a@baerum.kommune.no\nb@baerum.kommune.no, c@baerum.kommune.no",
            "motivation": "Færre avbrudd i undervisningen.",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.enthusiast_emails == [
        "a@baerum.kommune.no",
        "b@baerum.kommune.no",
        "c@baerum.kommune.no",
    ]
    mine = client.get(reverse("lup:my-applications")).content.decode()
    assert "Skole 0" in mine
    assert "Waiting for a decision" in mine

    # The office's page shows the application; the manager's does not show the decisions.
    detail = client.get(reverse("lup:call-detail", kwargs={"pk": call.pk})).content.decode()
    assert "application-list" not in detail
    assert (
        client.post(
            reverse("lup:application-decide", kwargs={"pk": application.pk}), {"decision": "accept"}
        ).status_code
        == 403
    )
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING

    client.post(reverse("lup:application-withdraw", kwargs={"pk": application.pk}))
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_the_office_decides_on_the_call_page(client, world, django_assert_max_num_queries):
    call = world.open(capacity=1)
    first = world.apply(call, world.school_units[0])
    second = world.apply(call, world.school_units[1], enthusiasts=[])
    client.force_login(world.administrator)

    with django_assert_max_num_queries(16):
        page = client.get(reverse("lup:call-detail", kwargs={"pk": call.pk}))
    html = page.content.decode()
    assert f'id="application-{first.pk}"' in html
    assert "Earlier in the programme: never" in html

    client.post(reverse("lup:application-decide", kwargs={"pk": first.pk}), {"decision": "accept"})
    response = client.post(
        reverse("lup:application-decide", kwargs={"pk": second.pk}), {"decision": "accept"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "accepted"
    assert second.status == "pending"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("places are taken" in m for m in messages)


def test_the_call_page_costs_the_same_with_more_applications(
    client, world, django_assert_num_queries
):
    call = world.open(capacity=5)
    world.apply(call, world.school_units[0])
    client.force_login(world.administrator)
    url = reverse("lup:call-detail", kwargs={"pk": call.pk})
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for unit in [*world.school_units[1:], *world.care_units]:
        world.apply(call, unit, enthusiasts=[])
    UnitEnrolmentFactory(cohort=world.running, unit=ServiceUnitFactory(organisation=world.baerum))
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.parametrize("who", ["other_administrator", "manager", "leader"])
def test_nobody_but_the_office_sees_intake_or_opens_calls(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("lup:intake", kwargs={"slug": "lup"})).status_code in (403, 404)
    response = client.post(
        reverse("lup:call-open", kwargs={"slug": "lup"}),
        {"cohort": world.coming.pk, "capacity": "3", "deadline": "2099-01-01"},
    )
    assert response.status_code in (403, 404)
    assert not Call.objects.exists()


def test_another_municipality_cannot_see_apply_or_decide(client, world):
    call = world.open()
    application = world.apply(call, world.school_units[0])
    for person in (world.other_administrator, world.asker_person):
        client.force_login(person)
        assert client.get(reverse("lup:call-detail", kwargs={"pk": call.pk})).status_code == 404
        assert (
            client.post(
                reverse("lup:call-apply", kwargs={"pk": call.pk}),
                {
                    "unit": world.school_units[1].pk,
                    "manager_email": person.email,
                    "motivation": "x",
                },
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("lup:application-decide", kwargs={"pk": application.pk}),
                {"decision": "decline", "note": "nei"},
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("lup:application-withdraw", kwargs={"pk": application.pk})
            ).status_code
            == 404
        )
    application.refresh_from_db()
    assert application.status == Application.Status.PENDING
    assert Application.objects.count() == 1


# Sector leaders ---------------------------------------------------------------------------


def test_the_office_names_a_sector_leader_who_may_then_nominate(client, world):
    client.force_login(world.administrator)
    url = reverse("lup:sector-leader-add", kwargs={"slug": "lup", "sector_pk": world.care.pk})

    response = client.post(url, {"email": "Omsorgssjef@baerum.kommune.no"})

    assert response.status_code == 302
    assert response.url.endswith("#sector-leaders")
    leader = world.care.leaders.get()
    assert leader.email == "omsorgssjef@baerum.kommune.no"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ROLE_CHANGED, subject=leader, details__change="added"
    ).exists()
    OrganisationMembership.objects.create(organisation=world.baerum, user=leader)
    call = world.open()
    nomination = world.apply(
        call, world.care_units[0], by=leader, manager_email="leder.omsorg@baerum.kommune.no"
    )
    assert nomination.kind == Application.Kind.NOMINATED

    client.post(
        reverse(
            "lup:sector-leader-remove",
            kwargs={"slug": "lup", "sector_pk": world.care.pk, "user_pk": leader.pk},
        )
    )
    assert not world.care.leaders.exists()


def test_another_municipalitys_account_never_leads_a_sector_here(client, world):
    client.force_login(world.administrator)
    url = reverse("lup:sector-leader-add", kwargs={"slug": "lup", "sector_pk": world.care.pk})
    client.post(url, {"email": "leder@asker.kommune.no"})
    client.post(url, {"email": "not an address"})
    assert not world.care.leaders.exists()


def test_only_the_office_names_sector_leaders(client, world):
    url = reverse("lup:sector-leader-add", kwargs={"slug": "lup", "sector_pk": world.care.pk})
    for person in (world.other_administrator, world.manager, world.leader):
        client.force_login(person)
        assert client.post(url, {"email": person.email}).status_code in (403, 404)
    assert not world.care.leaders.exists()
