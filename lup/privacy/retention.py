"""Deleting personal data that has outlived its retention period (`purge_personal_data`).

The register (`register.REGISTER`) says which rows each retained category covers and the
date its period runs from; each organisation sets its periods (`periods.periods_for_many`,
defaults `LUP_RETENTION_MONTHS`). Run nightly by `purge_tasks.purge_personal_data` and by
`manage.py purge_personal_data` (`--dry-run` counts without deleting).

Whose period applies: a row is about the person its entry's first `person` lookup names,
and belongs to that person's organisation: the organisation of the units they are or were
on a team of, else of their membership (where they work), else of the cohorts they
facilitate. People belong to one organisation; should someone be tied to several, the
longest of their periods applies, so nothing goes before every organisation's time.

What goes when:

- Learning records (activity completions, H5P scores and saved state, course enrolments,
  attendance) of a person who took part go only when every cohort they were in has ended
  and been closed more than the period ago (and more than `LUP_RECONCILE_RECENT_DAYS`
  ago, so the completion check never re-checks a unit without its records); attendance
  also needs its own gathering's cohort to have ended that long ago. A person in a
  running or later cohort keeps everything. A cohort that has ended but is not closed
  keeps its people's records, because closing it still decides from them whether each
  unit completed: the report counts those people (`waiting_for_closing`).
- xAPI statements go by when they were received, uploaded files by when they were
  handed in: the file is deleted from its storage and the submission stays without it
  (`courses.api.remove_submission_files`).
- People who never took part: rows of a person with an organisation but no team (an
  administrator who tried a course) run from the row's own date (`OWN_DATES`) with the
  organisation's period. Rows of a person with no organisation at all run from the
  row's own date with the installation's defaults; a row without a date of its own (an
  H5P attempt never scored) is kept.
- Installation-wide: audit events older than `LUP_AUDIT_RETENTION_DAYS`, and people's
  archives of their own data `LUP_PERSONAL_EXPORT_DAYS` after they were finished.

Never touched: participations and unit enrolments (the dashboard and HR's reports count
the stamped enrolments, not the learning records), certificates (verification keeps
answering, "revoked" included), innovation projects, submissions themselves.

Work goes in batches of `BATCH_SIZE` ids (a select, then a delete), each its own short
transaction, so a large purge neither holds a long transaction nor loads every row. One
`PERSONAL_DATA_PURGED` audit event per organisation with counts only (no ids, no names of
people), filed under the organisation (`organisation_id`) so its administrators read it,
and one for the installation-wide work; an organisation from which nothing was removed
gets none, and a dry run records nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from courses import api as courses_api

from .. import app_settings
from ..audit import record_event
from ..models import AuditEvent, Cohort, Organisation, OrganisationMembership, Participant
from ..notifications.models import Notification
from .categories import RetainedCategory
from .models import PersonalDataExport
from .periods import audit_retention_days, default_periods, periods_for_many
from .register import LAST_COHORT_END, PersonalData, entries
from .storage import archive_storage

# Ids per select and delete.
BATCH_SIZE = 1000

# The date of its own that a learning record dated by the person's last cohort has, for
# people who were never in a cohort. A record not listed here has none: such people keep it.
OWN_DATES: dict[str, str] = {
    "courses.Enrolment": "starts_on",
    "courses.ActivityCompletion": "completed_at",
    "courses.H5PContentUserData": "updated_at",
    "courses.H5PAttempt": "last_statement_at",
}

# Counts that are not rows deleted from a model of the register.
SUBMISSION_FILES = "courses.Submission.file"
AUDIT_EVENTS = "lup.AuditEvent"
PERSONAL_EXPORTS = "lup.PersonalDataExport"
NOTIFICATIONS = "lup.Notification"


# Report ------------------------------------------------------------------------------------


@dataclass
class OrganisationPurge:
    """What went (or would go) of one organisation's people; `organisation_id` None: people
    with no organisation, under the installation's defaults."""

    organisation_id: int | None
    name: str
    periods: dict[str, int]
    removed: dict[str, int] = field(default_factory=dict)
    # People whose learning records are past the period, kept because one of their cohorts
    # has ended but is not closed yet.
    waiting_for_closing: int = 0

    def add(self, key: str, count: int) -> None:
        if count:
            self.removed[key] = self.removed.get(key, 0) + count

    @property
    def total(self) -> int:
        return sum(self.removed.values())


@dataclass
class PurgeReport:
    """The outcome of one purge: counts per organisation and model, and the
    installation-wide counts (audit events, own-data archives)."""

    now: dt.datetime
    dry_run: bool
    organisations: list[OrganisationPurge]
    installation: dict[str, int] = field(default_factory=dict)
    audit_cutoff: dt.datetime | None = None
    archive_cutoff: dt.datetime | None = None
    notification_cutoff: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(part.total for part in self.organisations) + sum(self.installation.values())

    def as_dict(self) -> dict[str, Any]:
        """Counts only, for a task's result and the logs."""
        return {
            "dry_run": self.dry_run,
            "organisations": {
                str(part.organisation_id or "none"): dict(part.removed)
                for part in self.organisations
                if part.removed
            },
            "installation": dict(self.installation),
        }


# Dates -------------------------------------------------------------------------------------


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same local time `months` calendar months earlier (the 31st becomes the month's
    last day)."""
    local = timezone.localtime(moment)
    year, month_index = divmod(local.year * 12 + local.month - 1 - months, 12)
    month = month_index + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day)


def _before(model: type[models.Model], lookup: str, cutoff: dt.datetime) -> Q:
    """`lookup < cutoff`, comparing a date field with the cutoff's local day."""
    target = _field_at(model, lookup)
    if isinstance(target, models.DateTimeField):
        return Q(**{f"{lookup}__lt": cutoff})
    return Q(**{f"{lookup}__lt": timezone.localdate(cutoff)})


def _field_at(model: type[models.Model], lookup: str) -> models.Field[Any, Any]:
    current: Any = model
    found: Any = None
    for part in lookup.split("__"):
        found = current._meta.get_field(part)
        if found.is_relation:
            current = found.related_model
    return found


# Whose rows are whose ------------------------------------------------------------------------


@dataclass
class _Person:
    participations: set[int] = field(default_factory=set)  # organisations of their units
    memberships: set[int] = field(default_factory=set)
    facilitation: set[int] = field(default_factory=set)
    last_end: dt.date | None = None  # the latest end (or closing) of their cohorts
    cohort_open: bool = False  # one of their cohorts has ended but is not closed, or runs

    @property
    def organisations(self) -> set[int]:
        return self.participations or self.memberships or self.facilitation


def _people() -> dict[int, _Person]:
    """Every person with a tie to an organisation: three queries, streamed."""
    people: dict[int, _Person] = defaultdict(_Person)
    rows = Participant.objects.values_list(
        "user_id",
        "enrolment__unit__organisation_id",
        "enrolment__cohort__ends_on",
        "enrolment__cohort__closed_at",
    )
    for user_id, organisation_id, ends_on, closed_at in rows.iterator(chunk_size=BATCH_SIZE):
        person = people[user_id]
        person.participations.add(organisation_id)
        end = max(ends_on, timezone.localdate(closed_at)) if closed_at else ends_on
        person.last_end = end if person.last_end is None else max(person.last_end, end)
        person.cohort_open |= closed_at is None
    for user_id, organisation_id in OrganisationMembership.objects.values_list(
        "user_id", "organisation_id"
    ).iterator(chunk_size=BATCH_SIZE):
        people[user_id].memberships.add(organisation_id)
    for user_id, organisation_id in Cohort.facilitators.through.objects.values_list(
        "user_id", "cohort__programme__organisation_id"
    ).iterator(chunk_size=BATCH_SIZE):
        people[user_id].facilitation.add(organisation_id)
    return people


def _tied(lookup: str) -> Q:
    """Rows about a person with any tie to an organisation (evaluated when deleting)."""
    return (
        Q(**{f"{lookup}__in": Participant.objects.values("user_id")})
        | Q(**{f"{lookup}__in": OrganisationMembership.objects.values("user_id")})
        | Q(**{f"{lookup}__in": Cohort.facilitators.through.objects.values("user_id")})
    )


def _still_needed(lookup: str, gate: dt.date) -> Q:
    """Rows about a person who is in a cohort that has not ended and been closed before
    `gate`, checked again when deleting (someone may have joined a cohort since)."""
    cohorts = Cohort.objects.filter(
        Q(ends_on__gte=gate)
        | Q(closed_at__isnull=True)
        | Q(closed_at__gte=timezone.make_aware(dt.datetime.combine(gate, dt.time())))
    )
    return Q(
        **{
            f"{lookup}__in": Participant.objects.filter(enrolment__cohort__in=cohorts).values(
                "user_id"
            )
        }
    )


# Deleting in batches -------------------------------------------------------------------------


def _chunks(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _delete(queryset: QuerySet[Any], *, dry_run: bool, batch_size: int) -> int:
    """Delete the queryset's rows a batch of ids at a time; returns how many (a count when
    `dry_run`)."""
    queryset = queryset.order_by()
    if dry_run:
        return queryset.count()
    model = queryset.model
    deleted = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return deleted
        with transaction.atomic():
            _total, per_model = model._base_manager.filter(pk__in=ids).delete()
        deleted += per_model.get(model._meta.label, 0)
        if len(ids) < batch_size:
            return deleted


def _remove_files(queryset: QuerySet[Any], *, dry_run: bool, batch_size: int) -> int:
    """Remove the files of the queryset's submissions (the rows stay), a batch at a time."""
    queryset = queryset.exclude(file="").order_by()
    if dry_run:
        return queryset.count()
    removed = 0
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:batch_size])
        if not ids:
            return removed
        removed += courses_api.remove_submission_files(submission_ids=ids)
        if len(ids) < batch_size:
            return removed


# How each retained model's rows go: deleted, or (uploaded files) their files removed.
_FILE_REMOVERS: dict[str, Callable[..., int]] = {"courses.Submission": _remove_files}


def _remover(entry: PersonalData) -> tuple[Callable[..., int], str]:
    """How the entry's rows go, and the key they are counted under."""
    if entry.files:
        remover = _FILE_REMOVERS.get(entry.model)
        if remover is None:
            raise ImproperlyConfigured(
                f"{entry.model} keeps files under a retention period, but the purge has no "
                "way to remove them: add one to lup.privacy.retention._FILE_REMOVERS."
            )
        return remover, f"{entry.model}.{entry.files[0]}"
    return _delete, entry.model


def retained_entries() -> list[PersonalData]:
    """The register's entries that a retention period deletes (installed apps only)."""
    return [entry for entry in entries() if entry.retention is not None]


# The purge -----------------------------------------------------------------------------------


def purge_personal_data(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> PurgeReport:
    """Delete what has outlived its retention period (see the module's description), and
    audit it per organisation with counts only. `dry_run` counts what would go, deletes
    nothing and records nothing. Safe to run again at any time: a second run finds nothing
    left to delete."""
    now = now or timezone.now()
    people = _people()
    organisations = list(Organisation.objects.order_by("name").only("pk", "name"))
    periods: dict[int | None, dict[str, int]] = {None: default_periods()}
    for organisation_id, months in periods_for_many(organisations).items():
        periods[organisation_id] = months
    parts: dict[int | None, OrganisationPurge] = {
        organisation.pk: OrganisationPurge(
            organisation.pk, organisation.name, periods[organisation.pk]
        )
        for organisation in organisations
    }
    parts[None] = OrganisationPurge(None, "", periods[None])
    gate_limit = timezone.localdate(now) - dt.timedelta(days=app_settings.RECONCILE_RECENT_DAYS())

    for category in RetainedCategory:
        cutoffs = {
            organisation_id: months_before(now, months[category.value])
            for organisation_id, months in periods.items()
        }
        # Each person under one organisation: the one with the longest period of theirs.
        groups: dict[tuple[int, bool], list[int]] = defaultdict(list)
        for user_id, person in people.items():
            theirs = person.organisations
            if not theirs:
                continue
            chosen = min(theirs, key=lambda pk: (cutoffs[pk], pk))
            groups[(chosen, person.last_end is not None)].append(user_id)
        category_entries = [entry for entry in retained_entries() if entry.retention == category]
        for entry in category_entries:
            remover, key = _remover(entry)
            model = entry.model_class()
            manager = model._base_manager
            lookup = entry.person[0]
            own_date = (
                OWN_DATES.get(entry.model)
                if entry.retention_from == LAST_COHORT_END
                else entry.retention_from
            )
            for (organisation_id, took_part), user_ids in sorted(groups.items()):
                cutoff = cutoffs[organisation_id]
                part = parts[organisation_id]
                if took_part and category == RetainedCategory.LEARNING_RECORDS:
                    gate = min(timezone.localdate(cutoff), gate_limit)
                    eligible = [
                        user_id
                        for user_id in user_ids
                        if (last_end := people[user_id].last_end) is not None and last_end < gate
                    ]
                    if entry is category_entries[0]:
                        part.waiting_for_closing += sum(
                            1 for user_id in eligible if people[user_id].cohort_open
                        )
                    eligible = [user_id for user_id in eligible if not people[user_id].cohort_open]
                    condition = ~_still_needed(lookup, gate)
                    if entry.retention_from != LAST_COHORT_END:
                        condition &= _before(model, entry.retention_from, cutoff)
                elif own_date:
                    eligible = user_ids
                    condition = _before(model, own_date, cutoff)
                else:
                    continue  # no date of its own to run from: kept
                for chunk in _chunks(eligible, batch_size):
                    queryset = manager.filter(condition, **{f"{lookup}__in": chunk})
                    part.add(key, remover(queryset, dry_run=dry_run, batch_size=batch_size))
            if own_date:
                # People with no organisation: the installation's defaults, from the row's
                # own date.
                queryset = manager.filter(_before(model, own_date, cutoffs[None])).exclude(
                    _tied(lookup)
                )
                parts[None].add(key, remover(queryset, dry_run=dry_run, batch_size=batch_size))

    report = PurgeReport(now=now, dry_run=dry_run, organisations=list(parts.values()))
    report.audit_cutoff, audit_count = purge_audit_events(
        now=now, dry_run=dry_run, batch_size=batch_size
    )
    report.archive_cutoff, archive_count = purge_expired_archives(
        now=now, dry_run=dry_run, batch_size=batch_size
    )
    report.notification_cutoff, notification_count = purge_old_notifications(
        now=now, dry_run=dry_run, batch_size=batch_size
    )
    for key, count in (
        (AUDIT_EVENTS, audit_count),
        (PERSONAL_EXPORTS, archive_count),
        (NOTIFICATIONS, notification_count),
    ):
        if count:
            report.installation[key] = count
    if not dry_run:
        _record(report)
    return report


def purge_audit_events(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> tuple[dt.datetime, int]:
    """Delete audit events older than `LUP_AUDIT_RETENTION_DAYS`, in batches: the cutoff and
    how many (none are recorded here; `purge_personal_data` audits the count)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=audit_retention_days())
    old = AuditEvent.objects.filter(at__lt=cutoff)
    return cutoff, _delete(old, dry_run=dry_run, batch_size=batch_size)


def purge_old_notifications(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> tuple[dt.datetime, int]:
    """Delete notifications made more than `LUP_NOTIFICATION_RETENTION_DAYS` ago, read or
    not, in batches: the cutoff and how many. The "once per event" key goes with them; by
    then no event is told again (reminders look only days back)."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=app_settings.NOTIFICATION_RETENTION_DAYS())
    old = Notification.objects.filter(created_at__lt=cutoff)
    return cutoff, _delete(old, dry_run=dry_run, batch_size=batch_size)


def purge_expired_archives(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> tuple[dt.datetime, int]:
    """Delete people's archives of their own data (file and row) finished more than
    `LUP_PERSONAL_EXPORT_DAYS` ago, ready or failed: the cutoff and how many. Each file goes
    before its row, so a failure leaves a row to retry, never a file nothing refers to."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=app_settings.PERSONAL_EXPORT_DAYS())
    expired = PersonalDataExport.objects.filter(
        status__in=[PersonalDataExport.Status.READY, PersonalDataExport.Status.FAILED],
        finished_at__lt=cutoff,
    ).order_by()
    if dry_run:
        return cutoff, expired.count()
    storage = archive_storage()
    deleted = 0
    while True:
        batch = list(expired.values_list("pk", "archive_name")[:batch_size])
        if not batch:
            return cutoff, deleted
        for _pk, name in batch:
            if name:
                storage.delete(name)
        ids = [pk for pk, _name in batch]
        with transaction.atomic():
            deleted += PersonalDataExport.objects.filter(pk__in=ids).delete()[0]
        if len(batch) < batch_size:
            return cutoff, deleted


def _record(report: PurgeReport) -> None:
    """One audit event per organisation from which something went, counts only; one for
    the installation (people without an organisation, audit events, archives)."""
    for part in report.organisations:
        if part.organisation_id is None or not part.removed:
            continue
        record_event(
            action=AuditEvent.Action.PERSONAL_DATA_PURGED,
            organisation_id=part.organisation_id,
            organisation=part.name,
            removed=dict(sorted(part.removed.items())),
            periods=part.periods,
        )
    installation = dict(report.installation)
    without = next(part for part in report.organisations if part.organisation_id is None)
    for key, count in without.removed.items():
        installation[key] = installation.get(key, 0) + count
    if installation:
        record_event(
            action=AuditEvent.Action.PERSONAL_DATA_PURGED,
            removed=dict(sorted(installation.items())),
            periods=without.periods,
            audit_days=audit_retention_days(),
            archive_days=app_settings.PERSONAL_EXPORT_DAYS(),
            notification_days=app_settings.NOTIFICATION_RETENTION_DAYS(),
        )
