"""The demo's innovation barometer: every started cohort's teams answered at the start,
finished cohorts' at the end and at the follow-up once it opened; the answers fit the
question set, show an improvement, and the results page shows the programme's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.urls import reverse

from lup.barometer import selectors, services
from lup.barometer.models import BarometerResponse, BarometerRound, BarometerSettings
from lup.barometer.questions import INNOVATIVE_KEY, clean_answers
from lup.demo.logins import ADMINISTRATOR
from lup.demo.seed import seed_demo
from lup.models import Participant, Programme, UnitEnrolment

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)
# With TODAY, Bærum's cohorts: LUP 1 to 4 finished (the follow-up of LUP 1 and 2 has been
# open), LUP 5 running, LUP 6 coming.
FOLLOWED_UP = {"LUP 1", "LUP 2"}
FINISHED = {"LUP 1", "LUP 2", "LUP 3", "LUP 4"}


def counts() -> tuple[int, int]:
    return BarometerRound.objects.count(), BarometerResponse.objects.count()


def answered(programme: Programme, moment: str) -> set[int]:
    return set(
        BarometerResponse.objects.filter(
            round__enrolment__cohort__programme=programme, round__moment=moment
        ).values_list("round__enrolment_id", flat=True)
    )


def test_teams_answered_before_and_after_validly_and_seeding_again_adds_nothing() -> None:
    seed_demo(today=TODAY)
    first = counts()
    answers = dict(BarometerResponse.objects.values_list("round_id", "answers"))
    seed_demo(today=TODAY)

    assert counts() == first
    assert dict(BarometerResponse.objects.values_list("round_id", "answers")) == answers
    programme = Programme.objects.get(slug="lup")
    enrolments = UnitEnrolment.objects.filter(cohort__programme=programme).select_related("cohort")
    started = {e.pk for e in enrolments if e.cohort.starts_on <= TODAY}
    stayed = {
        e.pk
        for e in enrolments
        if e.cohort.name in FINISHED and e.status != UnitEnrolment.Status.WITHDRAWN
    }
    followed_up = {e.pk for e in enrolments if e.pk in stayed and e.cohort.name in FOLLOWED_UP}
    assert answered(programme, "start") == started
    assert answered(programme, "end") == stayed
    # A year on, most teams answered; every one of them had its round.
    assert answered(programme, "follow_up") <= followed_up
    assert len(answered(programme, "follow_up")) >= 0.75 * len(followed_up)
    rounds = BarometerRound.objects.filter(enrolment__cohort__programme=programme)
    assert set(rounds.filter(moment="follow_up").values_list("enrolment_id", flat=True)) == (
        followed_up
    )
    settings = BarometerSettings.objects.get(programme=programme)
    assert settings.reference_share == pytest.approx(0.75)
    assert "KS" in settings.reference_source

    # The answers fit the question set and their rounds, given by the unit's manager.
    managers = dict(
        Participant.objects.filter(role=Participant.Role.MANAGER).values_list(
            "enrolment_id", "user_id"
        )
    )
    responses = BarometerResponse.objects.select_related("round", "question_set")
    assert responses.count() >= 200
    for response in responses:
        schema = response.question_set.schema
        assert clean_answers(schema, response.answers) == response.answers
        assert response.innovative is response.answers[INNOVATIVE_KEY]
        day = response.answered_at.date()
        assert response.round.opens_on <= day <= min(response.round.closes_on, TODAY)
        assert response.answered_by_id == managers[response.round.enrolment_id]
    # Varied: many different sets of answers, some units innovative and some not.
    assert len({str(r.answers) for r in responses}) >= 0.9 * responses.count()
    assert BarometerResponse.objects.values("innovative").annotate(n=Count("pk")).count() == 2

    results = selectors.programme_results(programme, services.current_question_set(programme))
    start, end = results.programme.moments["start"], results.programme.moments["end"]
    follow_up = results.programme.moments["follow_up"]
    assert start.shown
    assert end.shown
    assert follow_up.shown
    # After the programme, more units have put something new to use, and the enablers
    # (above all knowledge of innovation methods) are rated higher.
    assert start.innovative_share is not None
    assert end.innovative_share is not None
    assert start.innovative_share + 0.1 < end.innovative_share
    assert results.programme.change is not None
    assert results.programme.change > 0.1
    enablers_before, enablers_after = start.means["enablers"], end.means["enablers"]
    assert sum(enablers_after.values()) > sum(enablers_before.values())
    assert enablers_after["competence"] > enablers_before["competence"]
    assert end.means["barriers"]["risk"] < start.means["barriers"]["risk"]


def test_the_results_page_shows_the_demo_programmes_figures(client: Any) -> None:
    seed_demo(today=TODAY)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(get_user_model().objects.get(email=ADMINISTRATOR))

    page = client.get(reverse("lup:barometer-results", args=["lup"]))

    assert page.status_code == 200
    results = page.context["results"]
    for moment in ("start", "end", "follow_up"):
        figures = results.programme.moments[moment]
        assert figures.shown
        assert figures.answers >= selectors.MIN_ANSWERS
    assert len([c for c in results.cohorts if c.moments["end"].shown]) == len(FINISHED)
    assert b'id="barometer-chart"' in page.content
    assert b"KS Innovasjonsbarometeret 2020" in page.content
    export = client.get(reverse("lup:barometer-export", args=["lup"]))
    assert export.status_code == 200
    assert (
        len(export.content.decode().splitlines())
        == 1
        + BarometerResponse.objects.filter(round__enrolment__cohort__programme__slug="lup").count()
    )
