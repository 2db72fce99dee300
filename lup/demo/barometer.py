"""The demo's innovation barometer: every team's answers at its cohort's start, end and
follow-up, and the national figure the results are compared with.

`seed_barometer(programme, index=..., today=...)` gives each unit enrolment of a started
cohort its start survey; units still taking part in a finished cohort also answered at its
end, and at the follow-up once that survey has opened (most of them: a year on, a few
teams never got round to it, and their round stays unanswered). Units that withdrew
answered only at the start.

The answers are drawn per unit from its own random stream, so every run plans the same
data. Each unit has a "drive" (how much room and appetite for innovation it has) that
colours all its answers; after the programme, on average, more units have put something
new to use, the enablers (above all knowledge of innovation methods) are rated a little
higher and the fear of failing a little lower. Every answer is checked and normalised by
the barometer's own `clean_answers` against the programme's question set, so the demo
holds only answers the survey could have stored. Rows are written with `bulk_create`.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from ..barometer.models import (
    BarometerQuestionSet,
    BarometerResponse,
    BarometerRound,
    BarometerSettings,
)
from ..barometer.questions import INNOVATIVE_KEY, clean_answers, question_map
from ..barometer.services import current_question_set, round_window
from ..models import Participant, Programme, UnitEnrolment
from .common import BATCH, at, rng

Moment = BarometerRound.Moment

FOLLOW_UP_MONTHS = 12
# An illustrative national figure for the demo, after KS' Innovasjonsbarometer 2020, where
# about three of four units had introduced an innovation in the last two years. The
# source says so: it is the demo's, not a figure to quote.
REFERENCE_SHARE = Decimal("0.75")
REFERENCE_SOURCE = "KS Innovasjonsbarometeret 2020 (3 av 4 enheter), illustrerende tall i demoen"
FOLLOW_UP_ANSWERED = 0.88  # the share of teams that answer a year after their cohort

# Each rated factor's mean at the start, and how much it moves by the end of the programme
# (the follow-up keeps most of it). The programme teaches methods and user insight, and
# makes trying things safer; time and money stay scarce.
ENABLERS = {
    "leadership": (3.7, 0.5),
    "culture": (3.3, 0.7),
    "time": (2.5, 0.3),
    "competence": (2.6, 1.4),
    "users": (3.0, 0.9),
}
BARRIERS = {
    "no_time": (4.7, -0.1),
    "no_money": (3.9, 0.0),
    "rules": (3.0, -0.2),
    "risk": (3.5, -0.8),
    "technology": (3.2, -0.3),
}
# How far along the programme each moment is (0 at the start, 1 at its end), for whether
# the unit has innovated (a year on, more projects are in use) and for its ratings (a
# year on, some of the lift has worn off).
INNOVATION_PROGRESS = {Moment.START: 0.0, Moment.END: 1.0, Moment.FOLLOW_UP: 1.15}
RATING_PROGRESS = {Moment.START: 0.0, Moment.END: 1.0, Moment.FOLLOW_UP: 0.8}


def seed_barometer(programme: Programme, *, index: int, today: dt.date) -> int:
    """The programme's barometer settings and its teams' answers up to `today` (the
    `index`-th demo organisation's); returns how many responses were created. Idempotent:
    rounds already there are left as they are."""
    settings, _created = BarometerSettings.objects.get_or_create(
        programme=programme,
        defaults={
            "follow_up_months": FOLLOW_UP_MONTHS,
            "reference_share": REFERENCE_SHARE,
            "reference_source": REFERENCE_SOURCE,
        },
    )
    # The answers belong to the first version (the default questions, which the plan below
    # answers), even if an administrator has published another since.
    question_set = BarometerQuestionSet.objects.filter(programme=programme).order_by(
        "version"
    ).first() or current_question_set(programme)
    enrolments = list(
        UnitEnrolment.objects.filter(cohort__programme=programme, cohort__starts_on__lte=today)
        .exclude(status=UnitEnrolment.Status.MOVED)
        .select_related("unit", "cohort")
        .order_by("cohort__starts_on", "unit__code")
    )
    # The manager answers on the unit's behalf (every demo team has one).
    managers = dict(
        Participant.objects.filter(
            enrolment__cohort__programme=programme, role=Participant.Role.MANAGER
        ).values_list("enrolment_id", "user_id")
    )
    existing = set(
        BarometerRound.objects.filter(enrolment__cohort__programme=programme).values_list(
            "enrolment_id", "moment"
        )
    )
    # Each round with its answers and when they were given (None: never answered).
    planned: list[tuple[BarometerRound, tuple[dt.datetime, dict[str, Any]] | None]] = []
    for enrolment in enrolments:
        drive = rng(index, "barometer", enrolment.cohort.name, enrolment.unit.code).gauss(0, 0.7)
        for moment in _moments(enrolment, today):
            if (enrolment.pk, moment) in existing:
                continue
            opens, closes = round_window(enrolment.cohort, moment, settings.follow_up_months)
            if opens > today:
                continue
            moment_rng = rng(index, "barometer", enrolment.cohort.name, enrolment.unit.code, moment)
            day = opens + dt.timedelta(days=moment_rng.randint(0, (closes - opens).days * 2 // 3))
            # A few teams never answer the follow-up: their round stays unanswered.
            never = moment == Moment.FOLLOW_UP and moment_rng.random() > FOLLOW_UP_ANSWERED
            if not never and day > today:
                continue  # not answered yet (the round is open): the daily run opens it
            given = None
            if not never:
                given = (
                    at(day, moment_rng.randint(8, 20), moment_rng.randint(0, 59)),
                    _answers(enrolment, moment, drive=drive, moment_rng=moment_rng),
                )
            made = BarometerRound(
                enrolment=enrolment,
                moment=moment,
                opens_on=opens,
                closes_on=closes,
                created_at=at(opens, 6),
            )
            planned.append((made, given))
    BarometerRound.objects.bulk_create([made for made, _given in planned], batch_size=BATCH)
    questions = question_map(question_set.schema)
    responses = []
    for made, given in planned:
        if given is None:
            continue
        answered_at, raw = given
        # The survey's own check: the demo stores only what a team could have answered.
        cleaned = clean_answers(
            question_set.schema, {key: value for key, value in raw.items() if key in questions}
        )
        responses.append(
            BarometerResponse(
                round=made,
                question_set=question_set,
                answers=cleaned,
                innovative=cleaned[INNOVATIVE_KEY],
                answered_by_id=managers.get(made.enrolment_id),
                answered_at=answered_at,
            )
        )
    BarometerResponse.objects.bulk_create(responses, batch_size=BATCH)
    return len(responses)


def _moments(enrolment: UnitEnrolment, today: dt.date) -> list[str]:
    """The moments the unit answered: all three for a unit that stayed to its cohort's
    end, only the start for one that withdrew."""
    if enrolment.status == UnitEnrolment.Status.WITHDRAWN:
        return [Moment.START]
    if enrolment.cohort.ends_on >= today:
        return [Moment.START]
    return [Moment.START, Moment.END, Moment.FOLLOW_UP]


def _chance(probability: float) -> float:
    return min(0.97, max(0.03, probability))


def _rating(moment_rng: random.Random, mean: float) -> int:
    return min(6, max(1, round(moment_rng.gauss(mean, 0.9))))


def _answers(
    enrolment: UnitEnrolment, moment: str, *, drive: float, moment_rng: random.Random
) -> dict[str, Any]:
    """A unit's answers at `moment`, as the survey's form would post them."""
    progress = INNOVATION_PROGRESS[Moment(moment)]
    completed = enrolment.status == UnitEnrolment.Status.COMPLETED
    # More than half the units had put something new to use before; after the programme,
    # nearly every unit that completed it (its project is piloted or in use).
    innovative_chance = 0.56 + 0.15 * drive + (0.24 if completed else 0.06) * progress
    innovative = moment_rng.random() < _chance(innovative_chance)
    raw: dict[str, Any] = {INNOVATIVE_KEY: "yes" if innovative else "no"}
    if innovative:
        raw["how_many"] = str(max(1, round(moment_rng.gauss(2 + 1.5 * progress + drive, 1.3))))
        raw["kinds"] = _some(
            moment_rng,
            {
                "service": 0.55 + 0.1 * progress,
                "process": 0.5 + 0.2 * progress,
                "organisation": 0.25,
                "communication": 0.3,
            },
        )
        # "Steal and share": after the programme, more ideas are taken from others.
        raw["origin"] = moment_rng.choices(
            ["own", "adopted", "together"],
            weights=[0.5 - 0.15 * progress, 0.3 + 0.15 * progress, 0.2],
        )[0]
        raw["spread"] = "yes" if moment_rng.random() < 0.25 + 0.3 * progress else "no"
        raw["gains"] = _some(
            moment_rng,
            {"quality": 0.7, "time": 0.45, "money": 0.15, "environment": 0.35, "other": 0.1},
        )
    elif moment_rng.random() < 0.6:
        raw["how_many"] = "0"
    raw["involved"] = _some(
        moment_rng,
        {
            "employees": 0.9,
            "users": 0.4 + 0.25 * progress,
            "other_units": 0.2 + 0.2 * progress,
            "partners": 0.1 + 0.1 * progress,
        },
    )
    progress = RATING_PROGRESS[Moment(moment)]
    raw["enablers"] = {
        item: ""
        if moment_rng.random() < 0.04
        else str(_rating(moment_rng, mean + gain * progress + drive))
        for item, (mean, gain) in ENABLERS.items()
    }
    raw["barriers"] = {
        item: ""
        if moment_rng.random() < 0.04
        else str(_rating(moment_rng, mean + change * progress - drive / 2))
        for item, (mean, change) in BARRIERS.items()
    }
    return raw


def _some(moment_rng: random.Random, chances: dict[str, float]) -> list[str]:
    """The options drawn, each with its chance; at least the likeliest one."""
    chosen = [option for option, chance in chances.items() if moment_rng.random() < chance]
    return chosen or [max(chances, key=lambda option: chances[option])]
