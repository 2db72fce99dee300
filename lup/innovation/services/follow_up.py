"""When a benefit's follow-up measurements are due, and reminding the benefits' owners of
those due.

The clock starts when a project enters the phase that starts the pilot; follow-ups are due
LUP_BENEFIT_REMINDER_MONTHS after it. A benefit's named owner (`owner_person`) is told of
it; a benefit without one goes to the unit's managers. Each is told (a BENEFIT_DUE
notification, lup.notifications) once per project and due date, with a link to where the
measurements are recorded; only while the due date is recent (BENEFIT_REMINDER_GRACE_DAYS),
never for one measured already.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone

from ... import app_settings
from ...locks import exclusive
from ...models import Participant, UnitEnrolment
from ...notifications.models import Notification
from ...notifications.services import notify
from ..models import Benefit, BenefitReminder, PhaseChange

# A follow-up measured up to this many days before its due date counts for that date:
# teams measure when it suits their routines, not on the exact day.
MEASUREMENT_SLACK_DAYS = 30
# A due date is reminded of while it is at most this many days past: a run that was missed
# (or the first run after the feature came) catches up on recent ones, and nobody is told
# of a measurement due a year and a half ago.
BENEFIT_REMINDER_GRACE_DAYS = 30


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def due_dates(pilot_started_on: dt.date | None) -> list[dt.date]:
    """When follow-up measurements are due (LUP_BENEFIT_REMINDER_MONTHS after the pilot)."""
    if pilot_started_on is None:
        return []
    return [
        add_months(pilot_started_on, months) for months in app_settings.BENEFIT_REMINDER_MONTHS()
    ]


def next_due_date(due: list[dt.date], measured: Iterable[dt.date]) -> dt.date | None:
    """The first due date not yet covered by a measurement (taken at most
    MEASUREMENT_SLACK_DAYS before it, or any time after)."""
    days = sorted(measured)
    for due_on in due:
        window = due_on - dt.timedelta(days=MEASUREMENT_SLACK_DAYS)
        if not any(day >= window for day in days):
            return due_on
    return None


def _pilot_starts(projects: Iterable[int]) -> dict[int, dt.date]:
    """The day each project first entered a phase that starts the pilot, by project id."""
    rows = (
        PhaseChange.objects.filter(project_id__in=list(projects), phase__starts_pilot=True)
        .values("project_id")
        .annotate(first=Min("entered_on"))
    )
    return {row["project_id"]: row["first"] for row in rows}


def send_benefit_reminders(*, today: dt.date | None = None) -> int:
    """Tell the owners of benefits whose follow-ups fell due (within
    BENEFIT_REMINDER_GRACE_DAYS) and are not yet measured: each named owner of their own
    benefits, the team's managers of those without a named owner; one BENEFIT_DUE
    notification per recipient, project and due date, listing the benefits, linking to where
    they are measured. Each benefit and due date once (BenefitReminder). Returns the number
    of projects and due dates reminded of. One run at a time across workers
    (`lup.locks.exclusive`)."""
    today = today or timezone.localdate()
    # Two runs at once (two workers, two beat schedulers) would both find the same
    # reminders due: the second waits, then finds them recorded.
    with exclusive("lup.innovation.benefit-reminders"):
        return _remind_due(today)


def _due_benefits(today: dt.date) -> dict[tuple[int, dt.date], list[Benefit]]:
    """The benefits due (project id, due date) -> benefits, not reminded, not measured,
    of teams not withdrawn; due today or at most BENEFIT_REMINDER_GRACE_DAYS ago."""
    oldest = today - dt.timedelta(days=BENEFIT_REMINDER_GRACE_DAYS)
    benefits = list(
        Benefit.objects.filter(
            project__enrolment__isnull=False,
            project__phase_changes__phase__starts_pilot=True,
        )
        .exclude(project__enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("project__organisation", "owner_person")
        .prefetch_related("measurements", "reminders")
        .distinct()
        .order_by("project_id", "pk")
    )
    starts = _pilot_starts({benefit.project_id for benefit in benefits})
    due: dict[tuple[int, dt.date], list[Benefit]] = defaultdict(list)
    for benefit in benefits:
        sent = {reminder.due_on for reminder in benefit.reminders.all()}
        measured = [measurement.measured_on for measurement in benefit.measurements.all()]
        for due_on in due_dates(starts.get(benefit.project_id)):
            if not oldest <= due_on <= today or due_on in sent:
                continue
            if next_due_date([due_on], measured) is None:
                continue  # already measured for this date
            due[(benefit.project_id, due_on)].append(benefit)
    return due


def _remind_due(today: dt.date) -> int:
    due = _due_benefits(today)
    if not due:
        return 0
    managers: dict[int, list[object]] = defaultdict(list)
    for project_id, manager in (
        (participant.enrolment.project.pk, participant.user)
        for participant in Participant.objects.current()
        .filter(
            role=Participant.Role.MANAGER,
            enrolment__project__in={project_id for project_id, _due_on in due},
        )
        .select_related("user", "enrolment__project")
    ):
        managers[project_id].append(manager)
    reminded = 0
    for (project_id, due_on), benefits in sorted(due.items()):
        # Named owners are told of their own benefits; the managers of the rest.
        groups: dict[int | None, list[Benefit]] = defaultdict(list)
        for benefit in benefits:
            groups[benefit.owner_person_id].append(benefit)
        told = False
        for owner_id, group in groups.items():
            if owner_id is None:
                recipients = managers.get(project_id, [])
            else:
                recipients = [group[0].owner_person]
            if not recipients:
                # Nobody leads the team now: nothing is recorded, so a manager who takes
                # over within the grace period is still told.
                continue
            _remind(project_id, due_on, group, recipients)
            told = True
        reminded += told
    return reminded


def _remind(
    project_id: int, due_on: dt.date, benefits: list[Benefit], recipients: list[object]
) -> None:
    """One BENEFIT_DUE notification to `recipients` of `benefits` due on `due_on`, and
    each benefit recorded as reminded for the date."""
    project = benefits[0].project
    if len(benefits) == 1:
        page = reverse("lup:benefit-detail", args=[benefits[0].pk])
    else:
        page = reverse("lup:project-detail", args=[project_id]) + "#benefits-heading"
    key = f"benefit:{project_id}:{due_on.isoformat()}"
    notify(
        recipients=recipients,
        kind=Notification.Kind.BENEFIT_DUE,
        key=key,
        about=key,
        context={
            "project": project.title,
            "due_on": due_on.isoformat(),
            "benefits": [benefit.description for benefit in benefits],
            "organisation": project.organisation.name,
        },
        url=app_settings.SITE_URL() + page,
    )
    BenefitReminder.objects.bulk_create(
        [BenefitReminder(benefit=benefit, due_on=due_on) for benefit in benefits],
        ignore_conflicts=True,
    )
