"""The daily reminders: a module's due date near for those who have not done it, a
gathering's attendance not recorded, answers waiting long for review.

Each reminder is a notification (lup.notifications) with a key that names the thing and
the occasion, so a second run the same day (a redelivered task, a run by hand) tells
nobody twice, and one run at a time across workers (`lup.locks.exclusive`). A run that
was missed catches up within a short grace period, and never reminds of what is past.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from courses.api import Activity, ActivityCompletion, ModuleOutline, module_finished, module_outline

from .. import app_settings
from ..barometer import services as barometer
from ..locks import exclusive
from ..models import Attendance, Cohort, Gathering, Participant, UnitEnrolment
from ..models.programmes import reminder_days
from ..notifications.models import Notification
from ..notifications.services import notify, settle
from ..progress import answers_waiting

Kind = Notification.Kind

# A due-date reminder whose day was missed (a worker down, beat stopped) still goes this
# many days later, while the due date is still ahead or today; never for a due date past.
DUE_GRACE_DAYS = 2
# Facilitators are reminded of a gathering whose attendance nobody recorded the morning
# after it ended, and for this many days after, should the runs be missed; older ones are
# left to the facilitators' own page.
ATTENDANCE_GRACE_DAYS = 3
# A cohort the office has not closed yet is still reminded of for this long after its end:
# teams finish late work and facilitators review it then.
RECENTLY_ENDED_DAYS = 30


@dataclass(frozen=True)
class RemindersSent:
    """How many people each kind of reminder told in a run (new notifications)."""

    due: int = 0
    attendance: int = 0
    reviews: int = 0
    barometer: int = 0

    @property
    def total(self) -> int:
        return self.due + self.attendance + self.reviews + self.barometer


def send_reminders(*, today: dt.date | None = None) -> RemindersSent:
    """Make the day's reminders (due dates, attendance not recorded, answers waiting for
    review) as notifications, each once per person and thing. One run at a time across
    workers: a second run waits for the first, then finds everything told."""
    today = today or timezone.localdate()
    with exclusive("lup.reminders"):
        return RemindersSent(
            due=remind_due_dates(today),
            attendance=remind_missing_attendance(today),
            reviews=remind_reviews_waiting(today),
            barometer=remind_barometer(today),
        )


def remind_barometer(today: dt.date) -> int:
    """Open the innovation barometer's rounds due today, then remind each team member of an
    open round their unit has not answered (once per round and person; lup.barometer)."""
    barometer.open_due_rounds(today)
    return barometer.remind_open_rounds(today)


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _open_cohorts(today: dt.date) -> Any:
    """Cohorts that have started, are not closed, and did not end long ago."""
    return Cohort.objects.filter(
        closed_at__isnull=True,
        starts_on__lte=today,
        ends_on__gte=today - dt.timedelta(days=RECENTLY_ENDED_DAYS),
    ).select_related("programme__organisation")


def _notify_new(*, recipients: Iterable[Any], key: str, **notification: Any) -> int:
    """Notify those of `recipients` (active, with an address) who do not have `key` yet;
    how many that was. One query when everyone has it, four otherwise."""
    people = {person.pk: person for person in recipients if person.is_active and person.email}
    if not people:
        return 0
    told = set(
        Notification.objects.filter(key=key, recipient_id__in=list(people)).values_list(
            "recipient_id", flat=True
        )
    )
    new = [person for pk, person in people.items() if pk not in told]
    if new:
        notify(recipients=new, key=key, **notification)
    return len(new)


# Due dates ----------------------------------------------------------------------------------


def days_before_to_remind(due_on: dt.date, days: list[int], today: dt.date) -> int | None:
    """Which of the programme's reminders (days before `due_on`) is due `today`: one whose
    day is today or up to DUE_GRACE_DAYS ago, and never after the due date. When two are
    (a missed run), the later one, so a person gets one reminder a day."""
    if today > due_on:
        return None
    matching = [
        before
        for before in days
        if due_on - dt.timedelta(days=before)
        <= today
        <= due_on - dt.timedelta(days=before) + dt.timedelta(days=DUE_GRACE_DAYS)
    ]
    return min(matching) if matching else None


def due_about(module_id: int) -> str:
    """What a due-date reminder is about (with its recipient: that person's module), so
    it is settled when they finish it."""
    return f"due:module:{module_id}"


@dataclass(frozen=True)
class _Curriculum:
    outline: list[ModuleOutline]
    # module id -> its required activities (id, title), in order
    required: dict[int, list[tuple[int, str]]]


def _curriculum(course_id: int) -> _Curriculum:
    """The course's modules and their required activities (two queries)."""
    required: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, module_id, title in (
        Activity.objects.filter(module__course_id=course_id, required=True)
        .order_by("module_id", "position", "pk")
        .values_list("pk", "module_id", "title")
    ):
        required[module_id].append((pk, title))
    return _Curriculum(outline=module_outline(course_id), required=dict(required))


def remind_due_dates(today: dt.date) -> int:
    """Tell each current team member of an enrolled unit in an open cohort who has not
    finished a module (its required activities) that its due date is near, on the days the
    programme chose (`Programme.due_reminder_days`); nobody who has finished it. Each
    reminder lists what the person still has to do, and is settled when they finish.

    Queries: one for the cohorts, two per curriculum, and for a cohort with a reminder due
    two (its members, their completions) and at most four per module reminded, whatever
    the number of people."""
    cohorts = list(
        _open_cohorts(today)
        .filter(programme__course__isnull=False)
        .exclude(programme__due_reminder_days="")
        .order_by("starts_on", "pk")
    )
    curricula: dict[int, _Curriculum] = {}
    told = 0
    for cohort in cohorts:
        programme = cohort.programme
        days = reminder_days(programme.due_reminder_days)
        course_id = programme.course_id
        if course_id not in curricula:
            curricula[course_id] = _curriculum(course_id)
        curriculum = curricula[course_id]
        due = []
        for outline in curriculum.outline:
            due_on = outline.due_on(cohort.starts_on)
            if due_on is None or not outline.required:
                continue
            before = days_before_to_remind(due_on, days, today)
            if before is not None:
                due.append((outline, due_on, before))
        if due:
            told += _remind_cohort(cohort, curriculum, due)
    return told


def _remind_cohort(
    cohort: Cohort,
    curriculum: _Curriculum,
    due: list[tuple[ModuleOutline, dt.date, int]],
) -> int:
    members = [
        participant.user
        for participant in Participant.objects.current()
        .filter(enrolment__cohort_id=cohort.pk, enrolment__status=UnitEnrolment.Status.ENROLLED)
        .select_related("user")
        .order_by("pk")
    ]
    if not members:
        return 0
    module_ids = [outline.module.pk for outline, _due_on, _before in due]
    done = set(
        ActivityCompletion.objects.filter(
            user_id__in=[member.pk for member in members],
            activity__module_id__in=module_ids,
            activity__required=True,
        ).values_list("user_id", "activity_id")
    )
    url = app_settings.SITE_URL() + reverse("lup:my-programme")
    organisation = cohort.programme.organisation.name
    told = 0
    for outline, due_on, before in due:
        module = outline.module
        required = curriculum.required.get(module.pk, [])
        recipients = []
        contexts: dict[int, dict[str, Any]] = {}
        for member in members:
            finished = sum(1 for pk, _title in required if (member.pk, pk) in done)
            if module_finished(done=finished, required=outline.required):
                continue
            recipients.append(member)
            contexts[member.pk] = {
                "module": module.title,
                "due_on": due_on.isoformat(),
                "days_before": before,
                "activities": [title for pk, title in required if (member.pk, pk) not in done],
                "organisation": organisation,
            }
        told += _notify_new(
            recipients=recipients,
            kind=Kind.DUE_SOON,
            key=f"due:{cohort.pk}:{module.pk}:{due_on.isoformat()}:{before}",
            about=due_about(module.pk),
            context={},
            contexts=contexts,
            url=url,
        )
    return told


def settle_finished_module(*, user: Any, activity: Any) -> int:
    """The person finished an activity: if that finished its module (every required
    activity of it), their due-date reminders for the module still waiting to be e-mailed
    (a daily digest) are no longer sent. One query when nothing waits, three when it does.
    Returns how many were settled."""
    about = due_about(activity.module_id)
    waiting = Notification.objects.filter(
        about=about, recipient_id=user.pk, emailed_at__isnull=True, settled_at__isnull=True
    )
    if not waiting.exists():
        return 0
    required = Activity.objects.filter(module_id=activity.module_id, required=True)
    done = ActivityCompletion.objects.filter(user_id=user.pk, activity__in=required).count()
    if not module_finished(done=done, required=required.count()):
        return 0
    return settle(about=about, recipient_ids=[user.pk])


# Attendance ---------------------------------------------------------------------------------


def remind_missing_attendance(today: dt.date) -> int:
    """Tell a cohort's facilitators of each gathering that ended before today (and less
    than ATTENDANCE_GRACE_DAYS ago) with nobody's attendance recorded, in a cohort not
    closed and with someone on a team; once per gathering. Two queries, and at most four
    per gathering reminded."""
    start = _start_of(today)
    on_a_team = (
        Participant.objects.current()
        .filter(enrolment__cohort_id=OuterRef("cohort_id"))
        .exclude(enrolment__status=UnitEnrolment.Status.WITHDRAWN)
    )
    gatherings = (
        Gathering.objects.filter(
            ends_at__lt=start,
            ends_at__gte=start - dt.timedelta(days=ATTENDANCE_GRACE_DAYS),
            cohort__closed_at__isnull=True,
        )
        .filter(Exists(on_a_team))
        .exclude(Exists(Attendance.objects.filter(gathering_id=OuterRef("pk"))))
        .select_related("cohort__programme__organisation")
        .prefetch_related("cohort__facilitators")
        .order_by("ends_at", "pk")
    )
    told = 0
    for gathering in gatherings:
        cohort = gathering.cohort
        told += _notify_new(
            recipients=cohort.facilitators.all(),
            kind=Kind.ATTENDANCE_MISSING,
            key=f"attendance:{gathering.pk}",
            about=f"attendance:{gathering.pk}",
            context={
                "title": gathering.title,
                "cohort": cohort.name,
                "starts_at": gathering.starts_at.isoformat(),
                "ends_at": gathering.ends_at.isoformat(),
                "place": gathering.place,
                "organisation": cohort.programme.organisation.name,
            },
            url=app_settings.SITE_URL() + reverse("lup:gathering-attendance", args=[gathering.pk]),
        )
    return told


# Reviews ------------------------------------------------------------------------------------


def remind_reviews_waiting(today: dt.date) -> int:
    """Tell an open cohort's facilitators how many answers have waited for review longer
    than the programme's `review_reminder_days`: at most once in each stretch of that many
    days per cohort and facilitator (not every day: a reminder that nags is one people
    learn to ignore), and only while some have. Two queries, one more per cohort, and at
    most four per cohort reminded."""
    cohorts = (
        _open_cohorts(today)
        .filter(programme__course__isnull=False, facilitators__isnull=False)
        .distinct()
        .prefetch_related("facilitators")
        .order_by("starts_on", "pk")
    )
    start = _start_of(today)
    told = 0
    for cohort in cohorts:
        programme = cohort.programme
        waited = programme.review_reminder_days
        people = Participant.objects.filter(enrolment__cohort_id=cohort.pk)
        count = (
            answers_waiting(programme.course_id, people)
            .filter(submitted_at__lt=start - dt.timedelta(days=waited))
            .count()
        )
        if not count:
            continue
        told += _notify_new(
            recipients=cohort.facilitators.all(),
            kind=Kind.REVIEWS_WAITING,
            # The same key for `waited` days in a row: one reminder per stretch.
            key=f"reviews:{cohort.pk}:{waited}:{today.toordinal() // waited}",
            about=f"reviews:{cohort.pk}",
            context={
                "count": count,
                "days": waited,
                "cohort": cohort.name,
                "organisation": programme.organisation.name,
            },
            url=app_settings.SITE_URL()
            + reverse("lup:cohort-grid", args=[cohort.pk])
            + "#review-heading",
        )
    return told
