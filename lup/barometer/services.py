"""Writes of the innovation barometer: question set versions, opening rounds, answering
them, and reminding the teams of open rounds they have not answered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from ..models import Cohort, Participant, Programme, UnitEnrolment
from ..notifications.models import Notification
from ..notifications.services import notify, settle
from .models import BarometerQuestionSet, BarometerResponse, BarometerRound, BarometerSettings
from .questions import INNOVATIVE_KEY, clean_answers, default_schema, validate_schema

Moment = BarometerRound.Moment

# The moments' labels untranslated, for notifications written later in each person's language.
MOMENT_TEXT: dict[str, str] = {
    Moment.START: N_("At the start"),
    Moment.END: N_("At the end"),
    Moment.FOLLOW_UP: N_("Follow-up"),
}

# How long each round stays open around its moment (days): the start survey from a week
# before the cohort starts, the end survey from two weeks before it ends; each for six
# weeks after, the follow-up for two months.
START_OPENS_BEFORE, START_OPEN_FOR = 7, 42
END_OPENS_BEFORE, END_OPEN_FOR = 14, 42
FOLLOW_UP_OPEN_FOR = 60

# Enrolments that no longer answer: the unit left, or its place moved to a later cohort
# (whose enrolment answers instead).
NOT_ANSWERING = (UnitEnrolment.Status.WITHDRAWN, UnitEnrolment.Status.MOVED)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return min(
        dt.date(year, month, 1) + dt.timedelta(days=day.day - 1), following - dt.timedelta(days=1)
    )


def settings_for(programme: Programme) -> BarometerSettings:
    """The programme's barometer settings (unsaved defaults when it has none)."""
    # A query by the model, not the reverse accessor, so the type is the same whether or
    # not mypy's cache has seen the reverse relation.
    found = BarometerSettings.objects.filter(programme=programme).first()
    return found if found is not None else BarometerSettings(programme=programme)


def save_settings(
    *, programme: Programme, follow_up_months: int, reference_share: Any, reference_source: str
) -> BarometerSettings:
    """Store the programme's follow-up interval and national reference figure. A reference
    share needs its source, so the results never show a figure nobody can trace."""
    current = settings_for(programme)
    current.follow_up_months = follow_up_months
    current.reference_share = reference_share
    current.reference_source = reference_source.strip()
    if current.reference_share is not None and not current.reference_source:
        raise ValidationError({"reference_source": _("Say where the national figure is from.")})
    current.full_clean()
    current.save()
    return current


def current_question_set(programme: Programme) -> BarometerQuestionSet:
    """The programme's current (highest) question set version; the default set becomes
    version 1 the first time it is needed."""
    latest = BarometerQuestionSet.objects.filter(programme=programme).order_by("-version").first()
    if latest is not None:
        return latest
    try:
        with transaction.atomic():
            return BarometerQuestionSet.objects.create(
                programme=programme, version=1, schema=default_schema()
            )
    except IntegrityError:  # made at the same moment by another request
        return BarometerQuestionSet.objects.get(programme=programme, version=1)


@transaction.atomic
def publish_question_set(*, programme: Programme, schema: Any) -> BarometerQuestionSet:
    """Make `schema` the programme's current question set, as a new version. Answers given
    to earlier versions keep theirs; a round being answered on an older version is refused
    (the team reloads the page and answers the new one)."""
    validate_schema(schema)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    latest = current_question_set(programme)
    return BarometerQuestionSet.objects.create(
        programme=programme, version=latest.version + 1, schema=schema
    )


# Said when an edit was made from a version that is no longer the current one.
STALE_EDIT = N_(
    "Someone else published a change to the questions (version %(version)s) after you "
    "opened the page. Nothing is saved: the page now shows their version, make your "
    "changes again."
)


@transaction.atomic
def revise_question_set(
    *, programme: Programme, based_on: int, schema: Any
) -> BarometerQuestionSet | None:
    """Publish `schema`, an administrator's edit of version `based_on`, as the next version;
    None when it asks the same as the current version (no version is made). Refused, with
    nothing stored (ValidationError): another edit published since `based_on` was read
    (code "stale": publishing would silently undo it), a question key that an earlier
    version used for another type of question (the results read answers of every version
    by key), and anything `validate_schema` refuses."""
    # Under the programme's row lock, as publish_question_set takes it: two administrators
    # saving at once are serialised, and the second finds the first's version.
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    current = current_question_set(programme)
    if current.version != based_on:
        raise ValidationError(_(STALE_EDIT) % {"version": current.version}, code="stale")
    if schema == current.schema:
        return None
    validate_schema(schema)
    kinds: dict[str, str] = {}
    for earlier in BarometerQuestionSet.objects.filter(programme=programme).values_list(
        "schema", flat=True
    ):
        for question in earlier.get("questions", []):
            kinds.setdefault(question["key"], question["type"])
    for question in schema["questions"]:
        if kinds.get(question["key"], question["type"]) != question["type"]:
            raise ValidationError(
                _("The question “%(key)s” was another type of question before.")
                % {"key": question["key"]}
            )
    return publish_question_set(programme=programme, schema=schema)


def round_window(cohort: Cohort, moment: str, follow_up_months: int) -> tuple[dt.date, dt.date]:
    """The first and last day (inclusive) a cohort's round at `moment` is open."""
    if moment == Moment.START:
        opens = cohort.starts_on - dt.timedelta(days=START_OPENS_BEFORE)
        return opens, cohort.starts_on + dt.timedelta(days=START_OPEN_FOR)
    if moment == Moment.END:
        opens = cohort.ends_on - dt.timedelta(days=END_OPENS_BEFORE)
        return opens, cohort.ends_on + dt.timedelta(days=END_OPEN_FOR)
    if moment == Moment.FOLLOW_UP:
        opens = add_months(cohort.ends_on, follow_up_months)
        return opens, opens + dt.timedelta(days=FOLLOW_UP_OPEN_FOR)
    raise ValidationError(_("Unknown barometer moment."))


def open_round(
    *, enrolment: UnitEnrolment, moment: str, today: dt.date | None = None
) -> BarometerRound:
    """The enrolment's round at `moment`, made if it does not exist yet. Refused
    (ValidationError) outside the round's dates or for a unit that left."""
    today = today or timezone.localdate()
    if moment not in Moment.values:
        raise ValidationError(_("Unknown barometer moment."))
    existing = BarometerRound.objects.filter(enrolment=enrolment, moment=moment).first()
    if existing is not None:
        return existing
    if enrolment.status in NOT_ANSWERING:
        raise ValidationError(_("This unit no longer takes part in the cohort."))
    cohort = enrolment.cohort
    opens, closes = round_window(cohort, moment, settings_for(cohort.programme).follow_up_months)
    if not opens <= today <= closes:
        raise ValidationError(
            _("This survey is open from %(opens)s to %(closes)s.")
            % {"opens": opens.isoformat(), "closes": closes.isoformat()}
        )
    made, _created = BarometerRound.objects.get_or_create(
        enrolment=enrolment, moment=moment, defaults={"opens_on": opens, "closes_on": closes}
    )
    return made


def open_due_rounds(today: dt.date | None = None) -> int:
    """Open every round whose dates include today, for every unit still taking part;
    how many were opened. Idempotent: the reminders run calls it each day."""
    today = today or timezone.localdate()
    # Far enough back for the longest follow-up a programme may set (60 months).
    horizon = add_months(today, -61) - dt.timedelta(days=FOLLOW_UP_OPEN_FOR)
    cohorts = Cohort.objects.filter(
        ends_on__gte=horizon, starts_on__lte=today + dt.timedelta(days=START_OPENS_BEFORE)
    ).select_related("programme__barometer_settings")
    due: dict[int, list[tuple[str, dt.date, dt.date]]] = {}
    for cohort in cohorts:
        months = settings_for(cohort.programme).follow_up_months
        for moment in Moment.values:
            opens, closes = round_window(cohort, moment, months)
            if opens <= today <= closes:
                due.setdefault(cohort.pk, []).append((moment, opens, closes))
    if not due:
        return 0
    enrolments = UnitEnrolment.objects.filter(cohort_id__in=list(due)).exclude(
        status__in=NOT_ANSWERING
    )
    existing = set(
        BarometerRound.objects.filter(enrolment__in=enrolments).values_list(
            "enrolment_id", "moment"
        )
    )
    new = [
        BarometerRound(enrolment_id=enrolment_id, moment=moment, opens_on=opens, closes_on=closes)
        for enrolment_id, cohort_id in enrolments.values_list("pk", "cohort_id")
        for moment, opens, closes in due[cohort_id]
        if (enrolment_id, moment) not in existing
    ]
    BarometerRound.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def is_team_member(user: Any, enrolment: UnitEnrolment) -> bool:
    """Whether `user` is on the unit's team now (its manager or an enthusiast)."""
    return bool(
        user.is_authenticated
        and Participant.objects.current().filter(enrolment=enrolment, user=user).exists()
    )


@transaction.atomic
def answer_round(
    *,
    round: BarometerRound,
    user: Any,
    version: int,
    answers: dict[str, Any],
    today: dt.date | None = None,
) -> BarometerResponse:
    """Store the unit's answers in an open round, given by a member of its team. While the
    round is open the team may correct them (the response is replaced, on the current
    version). Refused, with nothing stored (ValidationError): someone not on the team, a
    round not open, a question set version that is no longer current, answers that do not
    fit the questions (out of range, unknown options)."""
    today = today or timezone.localdate()
    locked = (
        BarometerRound.objects.select_for_update()
        .select_related("enrolment__cohort__programme")
        .get(pk=round.pk)
    )
    if not is_team_member(user, locked.enrolment):
        raise ValidationError(_("Only the unit's team can answer its barometer."))
    if not locked.is_open(today):
        raise ValidationError(
            _("This survey is closed: it was open from %(opens)s to %(closes)s.")
            % {"opens": locked.opens_on.isoformat(), "closes": locked.closes_on.isoformat()}
        )
    question_set = current_question_set(locked.enrolment.cohort.programme)
    if version != question_set.version:
        raise ValidationError(
            _(
                "The questions have changed since you opened the page. Your answers are "
                "not saved: open the survey again and answer the new questions."
            )
        )
    cleaned = clean_answers(question_set.schema, answers)
    response, _created = BarometerResponse.objects.update_or_create(
        round=locked,
        defaults={
            "question_set": question_set,
            "answers": cleaned,
            "innovative": cleaned[INNOVATIVE_KEY],
            "answered_by": user,
            "answered_at": timezone.now(),
        },
    )
    settle(about=round_about(locked))
    return response


def round_about(round: BarometerRound) -> str:
    """What a reminder of the round is about (`settle` stops it once answered)."""
    return f"barometer-round:{round.pk}"


def remind_open_rounds(today: dt.date | None = None) -> int:
    """Remind the current team members of each open round not yet answered: once per round
    and person (the notification key). Returns how many people were told. A fixed number
    of queries per round with someone to tell."""
    today = today or timezone.localdate()
    rounds = (
        BarometerRound.objects.filter(opens_on__lte=today, closes_on__gte=today)
        .exclude(enrolment__status__in=NOT_ANSWERING)
        .filter(~Exists(BarometerResponse.objects.filter(round=OuterRef("pk"))))
        .select_related("enrolment__unit")
    )
    told = 0
    for open_round_ in rounds:
        key = f"barometer:{open_round_.pk}"
        members = [
            participant.user
            for participant in Participant.objects.current()
            .filter(enrolment_id=open_round_.enrolment_id)
            .exclude(user__lup_notifications__key=key)
            .select_related("user")
        ]
        if not members:
            continue
        notify(
            recipients=members,
            kind=Notification.Kind.BAROMETER_DUE,
            key=key,
            about=round_about(open_round_),
            url=reverse("lup:team-barometer", args=[open_round_.enrolment_id]),
            context={
                "unit": open_round_.enrolment.unit.name,
                # The English label: the writer translates it for each recipient.
                "moment": MOMENT_TEXT[open_round_.moment],
                "closes_on": open_round_.closes_on.isoformat(),
            },
        )
        told += len(members)
    return told
