"""When a benefit's follow-up measurements are due, and reminding the teams whose are due.

The clock starts when a project enters the phase that starts the pilot; follow-ups are due
LUP_BENEFIT_REMINDER_MONTHS after it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Min
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ... import app_settings
from ...languages import languages_of
from ...locks import exclusive
from ...models import Participant, UnitEnrolment
from ..models import Benefit, BenefitReminder, PhaseChange

# A follow-up measured up to this many days before its due date counts for that date:
# teams measure when it suits their routines, not on the exact day.
MEASUREMENT_SLACK_DAYS = 30


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


@transaction.atomic
def send_benefit_reminders(*, today: dt.date | None = None) -> int:
    """E-mail each team whose benefit follow-ups are due and not yet measured; once per
    benefit and due date (BenefitReminder), each member in their own language
    (`lup.languages`). Returns the number of e-mails sent: one per project and language.
    One run at a time across workers (`lup.locks.exclusive`)."""
    today = today or timezone.localdate()
    # Two runs at once (two workers, two beat schedulers) would both find the same
    # reminders due and both mail them: the second waits, then finds them sent.
    with exclusive("lup.innovation.benefit-reminders"):
        return _send_due_reminders(today)


def _send_due_reminders(today: dt.date) -> int:
    benefits = list(
        Benefit.objects.filter(
            project__enrolment__isnull=False,
            project__phase_changes__phase__starts_pilot=True,
        )
        .exclude(project__enrolment__status=UnitEnrolment.Status.WITHDRAWN)
        .select_related("project")
        .prefetch_related("measurements", "reminders")
        .distinct()
    )
    starts = _pilot_starts({benefit.project_id for benefit in benefits})
    due_by_project: dict[int, list[tuple[Benefit, dt.date]]] = defaultdict(list)
    for benefit in benefits:
        sent = {reminder.due_on for reminder in benefit.reminders.all()}
        measured = [measurement.measured_on for measurement in benefit.measurements.all()]
        for due_on in due_dates(starts.get(benefit.project_id)):
            if due_on > today or due_on in sent:
                continue
            if next_due_date([due_on], measured) is None:
                continue  # already measured for this date
            due_by_project[benefit.project_id].append((benefit, due_on))
    if not due_by_project:
        return 0
    # Each team member reads the reminder in their own language: one e-mail per project and
    # language, to the members who read that language.
    members = list(
        Participant.objects.current()
        .filter(enrolment__project__in=list(due_by_project))
        .exclude(user__email="")
        .filter(user__is_active=True)
        .values_list("enrolment__project", "user_id", "user__email")
    )
    languages = languages_of(user_id for _project, user_id, _email in members)
    recipients: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for project_id, user_id, email in members:
        recipients[project_id][languages[user_id]].add(email)
    messages = []
    for project_id, due in due_by_project.items():
        BenefitReminder.objects.bulk_create(
            [BenefitReminder(benefit=benefit, due_on=due_on) for benefit, due_on in due],
            ignore_conflicts=True,
        )
        project = due[0][0].project
        for language, addresses in sorted(recipients[project_id].items()):
            with translation.override(language):
                messages.append(_reminder(project.title, due, sorted(addresses)))
    # Mail only once the reminders are stored, so a rollback never leaves sent-but-unrecorded.
    transaction.on_commit(lambda: send_mass_mail(tuple(messages), fail_silently=False))
    return len(messages)


def _reminder(
    title: str, due: list[tuple[Benefit, dt.date]], addresses: list[str]
) -> tuple[str, str, str, list[str]]:
    """One reminder e-mail (subject, body, sender, recipients), in the active language."""
    lines = [
        _("It is time to measure the benefits of “%(title)s”:") % {"title": title},
        "",
        *[
            f"– {benefit.description} ({formats.date_format(due_on, 'SHORT_DATE_FORMAT')})"
            for benefit, due_on in due
        ],
        "",
        _("Record the measurements on the project page."),
    ]
    return (
        _("Benefit follow-up due: %(title)s") % {"title": title},
        "\n".join(lines),
        settings.DEFAULT_FROM_EMAIL,
        addresses,
    )
