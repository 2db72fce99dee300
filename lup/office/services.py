"""The programme office's writes: cohorts, their facilitators and gatherings, and moving a
unit between running cohorts.

Each service checks everything first and raises ValidationError (every reason it finds,
nothing changed), then writes in one transaction and records an audit event
(`COHORT_CHANGED`, `GATHERING_CHANGED`, `UNIT_MOVED`). Who may call them is the views'
question (`lup.permissions.can_plan_cohorts`); what they attach is checked here: a
facilitator must be one of the programme's organisation's people and tied to no other
organisation (`lup.permissions.belongs_elsewhere`), an activity must be an attendance
activity of the programme's own curriculum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.api import Activity

from ..audit import record_event
from ..models import Attendance, AuditEvent, Cohort, Gathering, Programme, UnitEnrolment
from ..permissions import belongs_elsewhere
from ..services import move_enrolled_unit
from ..signals import gathering_changed
from .selectors import people_of

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NAME_MAX_LENGTH = Cohort._meta.get_field("name").max_length or 80
TITLE_MAX_LENGTH = Gathering._meta.get_field("title").max_length or 200
PLACE_MAX_LENGTH = Gathering._meta.get_field("place").max_length or 200
AGENDA_MAX_LENGTH = 5000


# Cohorts ---------------------------------------------------------------------------------


def _person_label(person: Any) -> str:
    return str(person.get_full_name() or person.email)


def _facilitator_errors(
    programme: Programme, facilitators: list[Any], keep: Iterable[int] = ()
) -> list[str]:
    """Why some of `facilitators` cannot facilitate the programme's cohorts (`keep`: the
    cohort's facilitators already, who may stay)."""
    kept = set(keep)
    new = [person for person in facilitators if person.pk not in kept]
    if not new:
        return []
    organisation_id = programme.organisation_id
    ours = set(
        people_of(organisation_id)
        .filter(pk__in=[person.pk for person in new if person.pk])
        .values_list("pk", flat=True)
    )
    errors = []
    for person in new:
        if person.pk not in ours or belongs_elsewhere(person, {organisation_id}):
            errors.append(
                _(
                    "%(person)s is not one of %(organisation)s's people and cannot facilitate "
                    "its cohorts."
                )
                % {"person": _person_label(person), "organisation": programme.organisation.name}
            )
    return errors


def _cohort_errors(
    *,
    programme: Programme,
    name: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    cohort: Cohort | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Give the cohort a name.")]
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = [
            _("The name can be at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}
        ]
    else:
        taken = Cohort.objects.filter(programme=programme, name__iexact=name)
        if cohort is not None:
            taken = taken.exclude(pk=cohort.pk)
        if taken.exists():
            errors["name"] = [
                _("%(programme)s already has a cohort called %(name)s.")
                % {"programme": programme.short_name or programme.name, "name": name}
            ]
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = [_("Give the day the cohort starts.")]
    if not isinstance(ends_on, dt.date):
        errors["ends_on"] = [_("Give the day the cohort ends.")]
    elif isinstance(starts_on, dt.date) and ends_on <= starts_on:
        errors["ends_on"] = [_("The cohort must end after the day it starts.")]
    return errors


def _raise(errors: dict[str, list[str]], general: list[str] | None = None) -> None:
    if general:
        errors = {**errors, "__all__": [*errors.get("__all__", []), *general]}
    if errors:
        raise ValidationError(errors)


def _cohort_details(cohort: Cohort, facilitators: list[Any]) -> dict[str, Any]:
    return {
        "cohort": cohort.name,
        "programme": cohort.programme.name,
        "starts_on": cohort.starts_on.isoformat(),
        "ends_on": cohort.ends_on.isoformat(),
        "facilitators": sorted(_person_label(person) for person in facilitators),
        "organisation_id": cohort.programme.organisation_id,
    }


@transaction.atomic
def create_cohort(
    *,
    programme: Programme,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    facilitators: Iterable[Any] = (),
    by: User | None,
) -> Cohort:
    """Start a new cohort of `programme` with its name, first and last day, and the
    facilitators who run it (the organisation's own people only). Refuses a missing or
    taken name and an end not after the start. Audited: `COHORT_CHANGED`."""
    name = (name or "").strip()
    people = list(dict.fromkeys(facilitators))
    errors = _cohort_errors(programme=programme, name=name, starts_on=starts_on, ends_on=ends_on)
    _raise(errors, _facilitator_errors(programme, people))
    cohort = Cohort(programme=programme, name=name, starts_on=starts_on, ends_on=ends_on)
    cohort.full_clean()
    cohort.save()
    cohort.facilitators.set(people)
    record_event(
        action=AuditEvent.Action.COHORT_CHANGED,
        actor=by,
        subject_label=cohort.name,
        change="created",
        **_cohort_details(cohort, people),
    )
    return cohort


@transaction.atomic
def update_cohort(
    *,
    cohort: Cohort,
    name: str,
    starts_on: dt.date,
    ends_on: dt.date,
    facilitators: Iterable[Any],
    by: User | None,
) -> Cohort:
    """Change an open cohort's name, days and facilitators (new facilitators: the
    organisation's own people only; those it has may stay). Refuses a closed cohort, a
    missing or taken name and an end not after the start. Audited: `COHORT_CHANGED`, with
    what was before."""
    locked = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("programme__organisation")
        .get(pk=cohort.pk)
    )
    if locked.is_closed:
        raise ValidationError(
            _("%(cohort)s is closed and can no longer be changed.") % {"cohort": locked.name}
        )
    name = (name or "").strip()
    people = list(dict.fromkeys(facilitators))
    before_people = list(locked.facilitators.all())
    errors = _cohort_errors(
        programme=locked.programme,
        name=name,
        starts_on=starts_on,
        ends_on=ends_on,
        cohort=locked,
    )
    _raise(
        errors,
        _facilitator_errors(locked.programme, people, keep=[p.pk for p in before_people]),
    )
    before = _cohort_details(locked, before_people)
    locked.name, locked.starts_on, locked.ends_on = name, starts_on, ends_on
    locked.full_clean()
    locked.save(update_fields=["name", "starts_on", "ends_on"])
    locked.facilitators.set(people)
    after = _cohort_details(locked, people)
    record_event(
        action=AuditEvent.Action.COHORT_CHANGED,
        actor=by,
        subject_label=locked.name,
        change="changed",
        **after,
        before={key: value for key, value in before.items() if after.get(key) != value},
    )
    cohort.name, cohort.starts_on, cohort.ends_on = name, starts_on, ends_on
    return locked


# Gatherings ------------------------------------------------------------------------------


def attendance_activities(programme: Programme) -> Any:
    """The programme's curriculum's attendance activities (what a gathering may complete)."""
    if programme.course_id is None:
        return Activity.objects.none()
    return Activity.objects.filter(
        module__course_id=programme.course_id, kind=Activity.Kind.ATTENDANCE
    ).order_by("module__position", "position")


def _gathering_errors(
    *,
    cohort: Cohort,
    title: str,
    kind: str,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    place: str,
    agenda: str,
    activity: Any,
    gathering: Gathering | None = None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the gathering a title.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [
            _("The title can be at most %(count)d characters.") % {"count": TITLE_MAX_LENGTH}
        ]
    if kind not in Gathering.Kind.values:
        errors["kind"] = [_("Choose what kind of gathering it is.")]
    elif kind in (Gathering.Kind.OPENING, Gathering.Kind.CLOSING):
        other = cohort.gatherings.filter(kind=kind)
        if gathering is not None:
            other = other.exclude(pk=gathering.pk)
        first = other.first()
        if first is not None:
            errors["kind"] = [
                _("%(cohort)s already has its %(kind)s: %(title)s.")
                % {
                    "cohort": cohort.name,
                    "kind": Gathering.Kind(kind).label.lower(),
                    "title": first.title,
                }
            ]
    if not isinstance(starts_at, dt.datetime):
        errors["starts_at"] = [_("Give the time the gathering starts.")]
    if not isinstance(ends_at, dt.datetime):
        errors["ends_at"] = [_("Give the time the gathering ends.")]
    elif isinstance(starts_at, dt.datetime) and ends_at <= starts_at:
        errors["ends_at"] = [_("The gathering must end after it starts.")]
    if len(place) > PLACE_MAX_LENGTH:
        errors["place"] = [
            _("The place can be at most %(count)d characters.") % {"count": PLACE_MAX_LENGTH}
        ]
    if len(agenda) > AGENDA_MAX_LENGTH:
        errors["agenda"] = [
            _("The agenda can be at most %(count)d characters.") % {"count": AGENDA_MAX_LENGTH}
        ]
    if activity is not None and not (
        attendance_activities(cohort.programme).filter(pk=activity.pk).exists()
    ):
        errors["activity"] = [
            _("Choose an attendance activity of the programme's curriculum, or none.")
        ]
    return errors


def _locked_open_cohort(cohort_pk: int) -> Cohort:
    cohort = (
        Cohort.objects.select_for_update(of=("self",))
        .select_related("programme__organisation")
        .get(pk=cohort_pk)
    )
    if cohort.is_closed:
        raise ValidationError(
            _("%(cohort)s is closed: its gatherings can no longer be planned or changed.")
            % {"cohort": cohort.name}
        )
    return cohort


def _gathering_details(gathering: Gathering, cohort: Cohort) -> dict[str, Any]:
    return {
        "gathering": gathering.title,
        "cohort": cohort.name,
        "kind": gathering.kind,
        "starts_at": gathering.starts_at.isoformat(),
        "ends_at": gathering.ends_at.isoformat(),
        "place": gathering.place,
        "organisation_id": cohort.programme.organisation_id,
    }


@transaction.atomic
def plan_gathering(
    *,
    cohort: Cohort,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    agenda: str = "",
    activity: Any = None,
    by: User | None,
) -> Gathering:
    """Plan a gathering of an open cohort: its title, kind (one opening and one closing per
    cohort), start and end, place and agenda, and optionally the attendance activity of the
    programme's curriculum that attending completes. Audited: `GATHERING_CHANGED`."""
    locked = _locked_open_cohort(cohort.pk)
    title, place, agenda = (title or "").strip(), (place or "").strip(), (agenda or "").strip()
    _raise(
        _gathering_errors(
            cohort=locked,
            title=title,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            place=place,
            agenda=agenda,
            activity=activity,
        )
    )
    gathering = Gathering(
        cohort=locked,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
        activity=activity,
    )
    gathering.full_clean()
    gathering.save()
    record_event(
        action=AuditEvent.Action.GATHERING_CHANGED,
        actor=by,
        subject_label=gathering.title,
        change="planned",
        **_gathering_details(gathering, locked),
    )
    gathering_changed.send(sender=Gathering, gathering=gathering, change="planned", by=by)
    return gathering


def _has_attendance(gathering: Gathering) -> int:
    return Attendance.objects.filter(gathering_id=gathering.pk).count()


@transaction.atomic
def update_gathering(
    *,
    gathering: Gathering,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    agenda: str = "",
    activity: Any = None,
    by: User | None,
) -> Gathering:
    """Change a gathering of an open cohort (as `plan_gathering` checks it). Its attendance
    activity cannot change once attendance is recorded: the completions it gave stand on
    it. Audited: `GATHERING_CHANGED`, with what was before. When what a calendar shows
    changed, its `calendar_sequence` rises and `gathering_changed` tells the cohort."""
    locked_cohort = _locked_open_cohort(gathering.cohort_id)
    locked = Gathering.objects.select_for_update(of=("self",)).get(pk=gathering.pk)
    title, place, agenda = (title or "").strip(), (place or "").strip(), (agenda or "").strip()
    errors = _gathering_errors(
        cohort=locked_cohort,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        agenda=agenda,
        activity=activity,
        gathering=locked,
    )
    activity_pk = activity.pk if activity is not None else None
    if activity_pk != locked.activity_id and _has_attendance(locked):
        errors.setdefault("activity", []).append(
            _(
                "Attendance is recorded at this gathering, so the activity it completes cannot "
                "change."
            )
        )
    now = timezone.now()
    if isinstance(starts_at, dt.datetime) and starts_at < now <= locked.starts_at:
        # A coming gathering moved into the past would send calendars an event nobody can
        # attend. (Correcting the record of one already held stays possible.)
        errors.setdefault("starts_at", []).append(
            _("A gathering cannot be moved to a time that has passed. Choose a later time.")
        )
    _raise(errors)
    before = _gathering_details(locked, locked_cohort)
    shown_before = (locked.title, locked.starts_at, locked.ends_at, locked.place, locked.agenda)
    locked.title, locked.kind, locked.place, locked.agenda = title, kind, place, agenda
    locked.starts_at, locked.ends_at, locked.activity = starts_at, ends_at, activity
    calendar_changed = (title, starts_at, ends_at, place, agenda) != shown_before
    if calendar_changed:
        # Calendars holding the event replace it (lup.calendar: same UID, higher SEQUENCE).
        locked.calendar_sequence += 1
    locked.full_clean()
    locked.save()
    after = _gathering_details(locked, locked_cohort)
    record_event(
        action=AuditEvent.Action.GATHERING_CHANGED,
        actor=by,
        subject_label=locked.title,
        change="changed",
        **after,
        before={key: value for key, value in before.items() if after.get(key) != value},
    )
    if calendar_changed:
        gathering_changed.send(sender=Gathering, gathering=locked, change="changed", by=by)
    return locked


def cancelling_refusal(gathering: Gathering) -> str | None:
    """Why a gathering cannot be cancelled (attendance recorded, its cohort closed), or None."""
    if gathering.cohort.is_closed:
        return _("%(cohort)s is closed: its gatherings can no longer be cancelled.") % {
            "cohort": gathering.cohort.name
        }
    present = _has_attendance(gathering)
    if present:
        return _(
            "%(title)s cannot be cancelled: attendance is recorded for %(count)d people, and "
            "it counts towards their completion. Change its time or place instead."
        ) % {"title": gathering.title, "count": present}
    return None


@transaction.atomic
def cancel_gathering(*, gathering: Gathering, by: User | None) -> None:
    """Cancel (delete) a gathering of an open cohort that has no attendance recorded:
    attendance counts towards completions, so such a gathering stays (change it instead).
    Audited: `GATHERING_CHANGED`."""
    locked_cohort = _locked_open_cohort(gathering.cohort_id)
    locked = Gathering.objects.select_for_update(of=("self",)).get(pk=gathering.pk)
    locked.cohort = locked_cohort
    refusal = cancelling_refusal(locked)
    if refusal:
        raise ValidationError(refusal)
    details = _gathering_details(locked, locked_cohort)
    # Before the row goes: the receivers build the cancellation from it.
    gathering_changed.send(sender=Gathering, gathering=locked, change="cancelled", by=by)
    locked.delete()
    record_event(
        action=AuditEvent.Action.GATHERING_CHANGED,
        actor=by,
        subject_label=details["gathering"],
        change="cancelled",
        **details,
    )


# Moving a unit ---------------------------------------------------------------------------


def move_unit(*, enrolment: UnitEnrolment, to_cohort: Cohort, by: User | None) -> UnitEnrolment:
    """Move a unit still enrolled in an open cohort to another open cohort of the same
    programme now, with its work: the old enrolment becomes `MOVED` (`moved_to` the new
    one), which takes over the team with their attendance and the innovation project and is
    checked against the rule at once. Refuses a target that is not open, another
    programme's, the same cohort or already has the unit, and a unit no longer enrolled.
    The move is closing's (`lup.services.move_enrolled_unit`, under its locks). Audited:
    `UNIT_MOVED`."""
    return move_enrolled_unit(enrolment=enrolment, to_cohort=to_cohort, moved_by=by)
