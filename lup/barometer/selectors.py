"""Reads of the innovation barometer: a team's rounds, a unit's before and after, and the
programme's results by programme, cohort and sector. Groups with fewer than
`MIN_ANSWERS` answers are never shown (their figures are left out, not only hidden), so
no unit's answers can be read out of a small group."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Programme, UnitEnrolment
from .models import BarometerQuestionSet, BarometerResponse, BarometerRound, BarometerSettings
from .questions import question_map
from .services import NOT_ANSWERING, round_window, settings_for

MIN_ANSWERS = 5
Moment = BarometerRound.Moment
RATED = ("enablers", "barriers")


@dataclass(frozen=True)
class TeamRound:
    """One moment of a unit's barometer as its team sees it."""

    moment: str
    label: str
    opens_on: dt.date
    closes_on: dt.date
    state: str  # "upcoming", "open", "answered", "closed"
    round: BarometerRound | None
    response: BarometerResponse | None


def team_rounds(enrolment: UnitEnrolment, today: dt.date | None = None) -> list[TeamRound]:
    """The unit's three rounds with their dates and whether each is answered. One query
    (with the enrolment's cohort and programme settings already loaded: two more)."""
    today = today or timezone.localdate()
    months = settings_for(enrolment.cohort.programme).follow_up_months
    existing = {
        made.moment: made
        for made in BarometerRound.objects.filter(enrolment=enrolment).select_related(
            "response__answered_by", "response__question_set"
        )
    }
    rounds = []
    for moment in Moment:
        made = existing.get(moment.value)
        if made is not None:
            opens, closes = made.opens_on, made.closes_on
        else:
            opens, closes = round_window(enrolment.cohort, moment.value, months)
        response = getattr(made, "response", None) if made is not None else None
        if response is not None:
            state = "answered"
        elif opens <= today <= closes and enrolment.status not in NOT_ANSWERING:
            state = "open"
        elif today < opens:
            state = "upcoming"
        else:
            state = "closed"
        rounds.append(
            TeamRound(moment.value, str(moment.label), opens, closes, state, made, response)
        )
    return rounds


@dataclass
class ComparisonRow:
    """One figure of a unit's barometer at each moment (None: not answered)."""

    label: str
    values: list[Any]


def unit_before_after(
    enrolment: UnitEnrolment, question_set: BarometerQuestionSet
) -> list[ComparisonRow]:
    """The unit's answers side by side, start → end → follow-up: whether it innovated, how
    many innovations, and each enabler and barrier rating (labels from `question_set`)."""
    responses = {
        response.round.moment: response
        for response in BarometerResponse.objects.filter(round__enrolment=enrolment)
        .select_related("round")
        .only("answers", "innovative", "round__moment")
    }
    ordered = [responses.get(moment) for moment in Moment.values]
    questions = question_map(question_set.schema)
    rows = [
        ComparisonRow(
            _("Introduced innovations"),
            [None if r is None else (_("Yes") if r.innovative else _("No")) for r in ordered],
        ),
        ComparisonRow(
            _("Number of innovations"),
            [None if r is None else r.answers.get("how_many") for r in ordered],
        ),
    ]
    for key in RATED:
        question = questions.get(key)
        if question is None:
            continue
        prefix = _("Helped") if key == "enablers" else _("Held back")
        for item in question["items"]:
            rows.append(
                ComparisonRow(
                    f"{prefix}: {_(item['text'])}",
                    [
                        None if r is None else r.answers.get(key, {}).get(item["key"])
                        for r in ordered
                    ],
                )
            )
    return rows


@dataclass
class MomentFigures:
    """A group's figures at one moment. `shown` is False under MIN_ANSWERS: then only
    that there are too few answers is said (not even how many)."""

    answers: int
    shown: bool
    innovative_share: float | None = None
    means: dict[str, dict[str, float]] = field(default_factory=dict)


@dataclass
class GroupResult:
    """One programme, cohort or sector: its figures at each moment, and the change in the
    share of innovative units from the start to the latest moment shown after it."""

    name: str
    moments: dict[str, MomentFigures]
    change: float | None
    # The moment the change runs to: the follow-up if shown, else the end (None: neither).
    latest_moment: str | None = None


@dataclass
class ProgrammeResults:
    programme: GroupResult
    cohorts: list[GroupResult]
    sectors: list[GroupResult]
    items: dict[str, list[tuple[str, str]]]  # rated question → [(item key, label)]
    reference_share: Decimal | None
    reference_source: str


def _figures(rows: list[dict[str, Any]], items: dict[str, list[tuple[str, str]]]) -> MomentFigures:
    count = len(rows)
    if count < MIN_ANSWERS:
        return MomentFigures(answers=count, shown=False)
    means: dict[str, dict[str, float]] = {}
    for key, question_items in items.items():
        means[key] = {}
        for item, _label in question_items:
            ratings = [
                row["answers"].get(key, {}).get(item)
                for row in rows
                if isinstance(row["answers"].get(key), dict)
            ]
            given = [rating for rating in ratings if isinstance(rating, int)]
            # Each mean needs enough ratings too: an item few rated would give them away.
            if len(given) >= MIN_ANSWERS:
                means[key][item] = round(sum(given) / len(given), 1)
    share = sum(1 for row in rows if row["innovative"]) / count
    return MomentFigures(answers=count, shown=True, innovative_share=share, means=means)


def _group(
    name: str, rows: Iterable[dict[str, Any]], items: dict[str, list[tuple[str, str]]]
) -> GroupResult:
    by_moment: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_moment[row["round__moment"]].append(row)
    moments = {moment: _figures(by_moment.get(moment, []), items) for moment in Moment.values}
    before = moments[Moment.START]
    latest = next(
        (moment for moment in (Moment.FOLLOW_UP, Moment.END) if moments[moment].shown), None
    )
    change = None
    if before.shown and latest is not None:
        change = (moments[latest].innovative_share or 0) - (before.innovative_share or 0)
    return GroupResult(name=name, moments=moments, change=change, latest_moment=latest)


def rated_items(question_set: BarometerQuestionSet) -> dict[str, list[tuple[str, str]]]:
    questions = question_map(question_set.schema)
    return {
        key: [(item["key"], _(item["text"])) for item in questions[key]["items"]]
        for key in RATED
        if key in questions and questions[key]["type"] == "ratings"
    }


def response_rows(
    programme: Programme, answered_until: dt.date | None = None
) -> list[dict[str, Any]]:
    """Every response of the programme with its moment, cohort and sector (only those
    answered by the end of `answered_until`, when given): one query."""
    responses = BarometerResponse.objects.filter(round__enrolment__cohort__programme=programme)
    if answered_until is not None:
        responses = responses.filter(answered_at__date__lte=answered_until)
    rows = responses.order_by(
        "round__enrolment__cohort__starts_on", "round__enrolment_id", "round__moment"
    ).values(
        "answers",
        "innovative",
        "answered_at",
        "question_set__version",
        "round__moment",
        "round__enrolment_id",
        "round__enrolment__unit_id",
        "round__enrolment__cohort_id",
        "round__enrolment__cohort__name",
        "round__enrolment__unit__sector_id",
        "round__enrolment__unit__sector__name",
    )
    return [dict(row) for row in rows]


def programme_results(
    programme: Programme,
    question_set: BarometerQuestionSet,
    answered_until: dt.date | None = None,
) -> ProgrammeResults:
    """The programme's barometer results, whole and by cohort and by sector; with
    `answered_until`, as they stood at the end of that day (later answers left out). Two
    queries however many units answered (the responses, the settings; the question set is
    given)."""
    rows = response_rows(programme, answered_until)
    items = rated_items(question_set)
    cohorts: dict[int, list[dict[str, Any]]] = defaultdict(list)
    sectors: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    names: dict[Any, str] = {}
    for row in rows:
        cohorts[row["round__enrolment__cohort_id"]].append(row)
        names["c", row["round__enrolment__cohort_id"]] = row["round__enrolment__cohort__name"]
        sectors[row["round__enrolment__unit__sector_id"]].append(row)
        names["s", row["round__enrolment__unit__sector_id"]] = row[
            "round__enrolment__unit__sector__name"
        ] or _("No sector")
    try:
        reference = BarometerSettings.objects.get(programme=programme)
        reference_share, reference_source = reference.reference_share, reference.reference_source
    except BarometerSettings.DoesNotExist:
        reference_share, reference_source = None, ""
    return ProgrammeResults(
        programme=_group(programme.name, rows, items),
        cohorts=[_group(names["c", pk], group, items) for pk, group in cohorts.items()],
        sectors=sorted(
            (_group(names["s", pk], group, items) for pk, group in sectors.items()),
            key=lambda result: result.name,
        ),
        items=items,
        reference_share=reference_share,
        reference_source=reference_source,
    )


def factor_tables(results: ProgrammeResults) -> list[dict[str, Any]]:
    """The programme's mean enabler and barrier ratings at each moment, as table rows:
    each cell a mean, None (too few rated that factor) or hidden (too few answers)."""
    captions = {"enablers": _("What helped"), "barriers": _("What held back")}
    tables = []
    for key, items in results.items.items():
        rows = []
        for item, label in items:
            cells = []
            for moment in Moment.values:
                figures = results.programme.moments[moment]
                cells.append(
                    {
                        "hidden": not figures.shown,
                        "mean": figures.means.get(key, {}).get(item),
                    }
                )
            rows.append({"label": label, "cells": cells})
        tables.append({"key": key, "caption": captions[key], "rows": rows})
    return tables
