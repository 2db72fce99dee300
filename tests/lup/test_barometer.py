"""The innovation barometer: answering (and refusing bad answers), results that never show a
small group, a unit's before and after, fixed query counts, the pseudonymous CSV, pages
and reminders."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from lup.barometer import selectors, services
from lup.barometer.models import BarometerResponse, BarometerRound
from lup.barometer.questions import default_schema
from lup.models import Participant
from lup.notifications.models import Notification
from tests.concurrency import on_postgresql, race
from tests.factories import (
    CohortFactory,
    ParticipantFactory,
    ProgrammeFactory,
    SectorFactory,
    ServiceUnitFactory,
    UnitEnrolmentFactory,
    UserFactory,
)
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    """The refusals are matched by their English wording (the site writes bokmål first)."""
    with translation.override("en"):
        yield


START = dt.date(2025, 8, 1)  # CohortFactory's start
END = dt.date(2026, 1, 31)  # and end

GOOD = {
    "introduced": "yes",
    "how_many": "3",
    "kinds": ["service", "process"],
    "origin": "adopted",
    "spread": "no",
    "involved": ["employees", "users"],
    "enablers": {"leadership": "5", "culture": "4", "time": "", "competence": "3", "users": "6"},
    "barriers": {"no_time": "6", "no_money": "2"},
    "gains": ["quality", "time"],
}


def team(cohort: Any = None, **unit: Any) -> tuple[Any, Any]:
    """An enrolment with its manager."""
    enrolment = UnitEnrolmentFactory(
        **({"cohort": cohort} if cohort is not None else {}),
        **({"unit": ServiceUnitFactory(**unit)} if unit else {}),
    )
    manager = ParticipantFactory(enrolment=enrolment, role=Participant.Role.MANAGER).user
    return enrolment, manager


def answer(enrolment: Any, user: Any, moment: str = "start", **changes: Any) -> Any:
    day = START if moment == "start" else END
    round_ = services.open_round(enrolment=enrolment, moment=moment, today=day)
    return services.answer_round(
        round=round_, user=user, version=1, answers={**GOOD, **changes}, today=day
    )


# Answering ---------------------------------------------------------------------------------


def test_a_team_member_answers_and_the_answers_are_normalised() -> None:
    enrolment, manager = team()
    response = answer(enrolment, manager)
    assert response.innovative is True
    assert response.answers["how_many"] == 3
    assert response.answers["enablers"] == {
        "leadership": 5,
        "culture": 4,
        "competence": 3,
        "users": 6,
    }
    assert response.answers["spread"] is False
    assert response.question_set.version == 1
    assert response.answered_by == manager


@pytest.mark.parametrize(
    "changes",
    [
        {"enablers": {"leadership": "7"}},
        {"enablers": {"leadership": "0"}},
        {"barriers": {"no_time": "six"}},
        {"barriers": {"made_up": "3"}},
        {"kinds": ["service", "telepathy"]},
        {"origin": "stolen"},
        {"how_many": "-1"},
        {"how_many": "100000"},
        {"introduced": "maybe"},
        {"introduced": ""},
        {"unknown_question": "x"},
        # Shapes a JSON client can send that no form would: refused, never a crash.
        {"origin": ["own", "others"]},
        {"origin": {"own": True}},
        {"kinds": {"service": True}},
        {"kinds": [["service"]]},
        {"introduced": ["yes"]},
        {"how_many": [1]},
        {"enablers": {"leadership": ["3"]}},
    ],
)
def test_answers_that_do_not_fit_are_refused_and_nothing_is_stored(changes: Any) -> None:
    enrolment, manager = team()
    with pytest.raises(ValidationError) as refused:
        answer(enrolment, manager, **changes)
    assert set(refused.value.message_dict) == set(changes)
    assert not BarometerResponse.objects.exists()


def test_an_answer_for_a_version_no_longer_current_is_refused() -> None:
    enrolment, manager = team()
    round_ = services.open_round(enrolment=enrolment, moment="start", today=START)
    services.publish_question_set(programme=enrolment.cohort.programme, schema=default_schema())
    with pytest.raises(ValidationError, match="questions have changed"):
        services.answer_round(round=round_, user=manager, version=1, answers=GOOD, today=START)
    assert not BarometerResponse.objects.exists()
    response = services.answer_round(
        round=round_, user=manager, version=2, answers=GOOD, today=START
    )
    assert response.question_set.version == 2


def test_a_closed_round_and_a_round_not_yet_open_are_refused() -> None:
    enrolment, manager = team()
    round_ = services.open_round(enrolment=enrolment, moment="start", today=START)
    with pytest.raises(ValidationError, match="closed"):
        services.answer_round(
            round=round_,
            user=manager,
            version=1,
            answers=GOOD,
            today=round_.closes_on + dt.timedelta(days=1),
        )
    with pytest.raises(ValidationError, match="open from"):
        services.open_round(enrolment=enrolment, moment="follow_up", today=END)
    assert not BarometerResponse.objects.exists()


def test_another_units_team_and_another_municipality_cannot_answer() -> None:
    enrolment, _manager = team()
    neighbour, neighbour_manager = team(cohort=enrolment.cohort)
    _elsewhere, stranger = team()  # another programme, another organisation
    round_ = services.open_round(enrolment=enrolment, moment="start", today=START)
    for outsider in (neighbour_manager, stranger, UserFactory()):
        with pytest.raises(ValidationError, match="Only the unit's team"):
            services.answer_round(round=round_, user=outsider, version=1, answers=GOOD, today=START)
    assert not BarometerResponse.objects.exists()
    assert neighbour.pk != enrolment.pk


def test_a_withdrawn_member_cannot_answer() -> None:
    enrolment, _manager = team()
    leaver = ParticipantFactory(enrolment=enrolment, status=Participant.Status.WITHDRAWN).user
    round_ = services.open_round(enrolment=enrolment, moment="start", today=START)
    with pytest.raises(ValidationError):
        services.answer_round(round=round_, user=leaver, version=1, answers=GOOD, today=START)


def test_one_response_per_enrolment_and_moment_answering_again_replaces_it() -> None:
    enrolment, manager = team()
    answer(enrolment, manager)
    answer(enrolment, manager, introduced="no")
    assert BarometerResponse.objects.get().innovative is False
    assert BarometerRound.objects.count() == 1


def test_a_question_set_without_the_innovation_question_is_refused() -> None:
    programme = ProgrammeFactory()
    schema = default_schema()
    schema["questions"] = schema["questions"][1:]
    with pytest.raises(ValidationError):
        services.publish_question_set(programme=programme, schema=schema)
    with pytest.raises(ValidationError):
        services.publish_question_set(programme=programme, schema={"questions": "x"})


# Results -----------------------------------------------------------------------------------


def test_a_unit_sees_its_before_and_after() -> None:
    enrolment, manager = team()
    answer(enrolment, manager, introduced="no", how_many="", enablers={"leadership": "2"})
    answer(enrolment, manager, "end", how_many="4", enablers={"leadership": "5"})
    question_set = services.current_question_set(enrolment.cohort.programme)
    with translation.override("en"):
        comparison = selectors.unit_before_after(enrolment, question_set)
    rows = {row.label: row.values for row in comparison}
    assert rows["Introduced innovations"] == ["No", "Yes", None]
    assert rows["Number of innovations"] == [None, 4, None]
    assert rows["Helped: Support from leaders"] == [2, 5, None]


def cohort_with_answers(units: int, innovative_at_end: int) -> Any:
    cohort = CohortFactory()
    sector = SectorFactory(organisation=cohort.programme.organisation)
    for index in range(units):
        enrolment, manager = team(
            cohort=cohort, organisation=cohort.programme.organisation, sector=sector
        )
        answer(enrolment, manager, introduced="no")
        answer(enrolment, manager, "end", introduced="yes" if index < innovative_at_end else "no")
    return cohort


def test_groups_under_five_answers_are_never_shown() -> None:
    cohort = cohort_with_answers(4, innovative_at_end=4)
    programme = cohort.programme
    results = selectors.programme_results(programme, services.current_question_set(programme))
    for group in (results.programme, *results.cohorts, *results.sectors):
        for figures in group.moments.values():
            assert not figures.shown
            assert figures.innovative_share is None
            assert figures.means == {}
        assert group.change is None


def test_results_show_the_share_and_its_change_from_five_answers() -> None:
    cohort = cohort_with_answers(5, innovative_at_end=4)
    programme = cohort.programme
    services.save_settings(
        programme=programme,
        follow_up_months=12,
        reference_share="0.75",
        reference_source="KS Innovasjonsbarometer 2020",
    )
    results = selectors.programme_results(programme, services.current_question_set(programme))
    start, end = results.programme.moments["start"], results.programme.moments["end"]
    assert (start.shown, start.answers, start.innovative_share) == (True, 5, 0.0)
    assert (end.answers, end.innovative_share) == (5, 0.8)
    assert results.programme.change == pytest.approx(0.8)
    assert end.means["enablers"]["leadership"] == 5.0
    # Only 5 rated "time": blank in GOOD, so no mean (too few ratings of it).
    assert "time" not in end.means["enablers"]
    assert str(results.reference_share) == "0.750"


def test_a_reference_figure_needs_its_source() -> None:
    programme = ProgrammeFactory()
    with pytest.raises(ValidationError):
        services.save_settings(
            programme=programme, follow_up_months=12, reference_share="0.75", reference_source=""
        )


def test_results_take_a_fixed_number_of_queries(django_assert_num_queries: Any) -> None:
    one = cohort_with_answers(1, innovative_at_end=1).programme
    many_cohort = cohort_with_answers(6, innovative_at_end=3)
    many = many_cohort.programme
    cohort_with_answers_in(many, 6)
    counts = []
    for programme in (one, many):
        question_set = services.current_question_set(programme)
        with django_assert_num_queries(2) as captured:
            selectors.programme_results(programme, question_set)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]


def cohort_with_answers_in(programme: Any, units: int) -> None:
    cohort = CohortFactory(programme=programme)
    for _index in range(units):
        enrolment, manager = team(cohort=cohort, organisation=programme.organisation)
        answer(enrolment, manager)


# Pages -------------------------------------------------------------------------------------


@pytest.fixture
def world() -> Any:
    return build_world()


def test_the_team_answers_on_its_page(client: Any, world: Any) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    team_u1 = world.team_u1
    team_u1.cohort.starts_on = dt.date.today()
    team_u1.cohort.ends_on = dt.date.today() + dt.timedelta(days=200)
    team_u1.cohort.save()
    client.force_login(world.people["enthusiast"])
    page = client.get(reverse("lup:team-barometer", args=[team_u1.pk]))
    assert page.status_code == 200
    assert page["Cache-Control"] == "private, no-store"
    assert b'id="answer-start"' in page.content
    url = reverse("lup:team-barometer-answer", args=[team_u1.pk, "start"])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"version": "1", "introduced": "yes", "enablers.leadership": "9"})
    assert bad.status_code == 400
    assert b'id="q-enablers-error"' in bad.content
    assert not BarometerResponse.objects.exists()
    stale = client.post(url, {"version": "0", "introduced": "yes"})
    assert stale.status_code == 400
    assert not BarometerResponse.objects.exists()
    good = client.post(
        url,
        {"version": "1", "introduced": "yes", "kinds": ["service"], "enablers.culture": "4"},
    )
    assert good.status_code == 302
    saved = BarometerResponse.objects.get()
    assert saved.answers == {"introduced": True, "kinds": ["service"], "enablers": {"culture": 4}}
    # Another team of the same cohort may not answer for U1; another municipality sees nothing.
    client.force_login(world.people["other_manager"])
    assert client.post(url, {"version": "1", "introduced": "no"}).status_code in (403, 404)
    client.force_login(world.people["asker_manager"])
    assert client.get(reverse("lup:team-barometer", args=[team_u1.pk])).status_code == 404
    assert BarometerResponse.objects.get().innovative is True


def test_results_page_and_csv_for_administrators_and_hr_only(client: Any, world: Any) -> None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    cohort = world.cohort_a
    for index in range(5):
        enrolment, manager = team(cohort=cohort, organisation=world.programme.organisation)
        manager.first_name, manager.last_name = "Secret", f"Person{index}"
        manager.save()
        answer(enrolment, manager)
    url = reverse("lup:barometer-results", args=[world.programme.slug])
    export = reverse("lup:barometer-export", args=[world.programme.slug])
    for role in ("hr", "administrator"):
        client.force_login(world.people[role])
        page = client.get(url)
        assert page.status_code == 200
        assert b'id="barometer-chart"' in page.content
        assert b"<rect" in page.content
        assert b'id="barometer-cohorts"' in page.content
    body = client.get(export).content.decode()
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["unit", "cohort", "sector", "moment"]
    assert len(rows) == 6
    for forbidden in ["Secret", "Person", "@", world.team_u1.unit.name, cohort.name, "Enhet"]:
        assert forbidden not in body
    assert len({row[0] for row in rows[1:]}) == 5
    # Teams find no programme page at all (like the dashboard); a facilitator neither.
    client.force_login(world.people["manager"])
    assert client.get(url).status_code == 404
    assert client.get(export).status_code == 404
    client.force_login(world.people["other_administrator"])
    assert client.get(url).status_code == 404
    assert client.get(export).status_code == 404


# Reminders ---------------------------------------------------------------------------------


def test_open_rounds_remind_each_team_member_once() -> None:
    enrolment, manager = team()
    enthusiast = ParticipantFactory(enrolment=enrolment).user
    ParticipantFactory(enrolment=enrolment, status=Participant.Status.WITHDRAWN)
    assert services.open_due_rounds(START) == 1
    assert services.open_due_rounds(START) == 0
    # Not e-mailed yet (the e-mail goes after the commit): answering stops the e-mails.
    assert services.remind_open_rounds(START) == 2
    assert services.remind_open_rounds(START + dt.timedelta(days=1)) == 0
    told = Notification.objects.filter(kind=Notification.Kind.BAROMETER_DUE)
    assert {note.recipient for note in told} == {manager, enthusiast}
    answer(enrolment, manager)
    assert told.filter(settled_at__isnull=False).count() == 2
    # Answered: no further reminder when the next round opens either (that is a new round).
    assert services.remind_open_rounds(START + dt.timedelta(days=2)) == 0


def test_the_daily_reminders_run_opens_rounds_and_reminds() -> None:
    from lup.reminders.services import send_reminders

    enrolment, manager = team()
    sent = send_reminders(today=START)
    assert sent.barometer == 1
    assert BarometerRound.objects.get().enrolment == enrolment
    assert Notification.objects.get(kind=Notification.Kind.BAROMETER_DUE).recipient == manager
    assert send_reminders(today=START).barometer == 0


# Races (PostgreSQL) ------------------------------------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_team_members_answering_at_once_leave_one_round_and_one_response() -> None:
    """The manager and an enthusiast send the start survey at the same moment: the round is
    made once (its unique constraint, get_or_create) and the response once (the round's row
    lock): the later answer replaces the earlier, it never adds a second."""
    enrolment, manager = team()
    enthusiast = ParticipantFactory(enrolment=enrolment).user
    barrier = threading.Barrier(2, timeout=30)
    people = iter([manager, enthusiast])
    lock = threading.Lock()

    def answer_once() -> None:
        with lock:
            person = next(people)
        barrier.wait()
        answer(enrolment, person)

    assert race(answer_once) == []
    assert BarometerRound.objects.filter(enrolment=enrolment).count() == 1
    assert BarometerResponse.objects.filter(round__enrolment=enrolment).count() == 1
