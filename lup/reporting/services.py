"""Writes of the completion reports: audit of exports, presets, schedules and their runs.

Auditing an export: every export (browser, command, scheduled, API) is one audit event
with who, which report, preset and format, the filters and the number of rows. A
streamed CSV only knows its row count when the stream ends, so it is recorded then
(from the stream's `finally`): `complete` is false when the download was cut off. XLSX
exports, the command and scheduled exports record after the file is written.

Stopping a schedule: a scheduled export runs on its owner's authority and sends
personal data, so every run first checks the owner and the destination
(`safeguards`); when one fails the schedule is stopped (a state, not a delete), nothing
is sent or written, and a `SCHEDULE_STOPPED` audit event says why.
`review_schedule_owners` stops them as soon as a role changes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..audit import record_event
from ..languages import language_of, remembered_language
from ..models import AuditEvent, Organisation
from .columns import Preset, find_preset, validate_column_keys
from .exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ReportExport,
    export_filename,
    write_csv_file,
    write_xlsx,
)
from .folders import clean_folder_name
from .forms import CompletionFilterForm
from .models import ExportFormat, ExportPreset, ReportKind, ScheduledExport
from .safeguards import (
    StopReason,
    check_recipients,
    configured_export_storage,
    owner_problem,
    refused_domains,
    resolve_export_folder,
    split_recipients,
)
from .selectors import CompletionFilters, SystemScope, report_rows

REPORT_EXPORTED = AuditEvent.Action.REPORT_EXPORTED
SCHEDULE_STOPPED = AuditEvent.Action.SCHEDULE_STOPPED


class ExportChannel:
    BROWSER = "browser"
    COMMAND = "command"
    SCHEDULED = "scheduled"
    API = "api"


def record_export(
    *,
    actor: Any,
    report: str,
    preset: Preset,
    export_format: str,
    filters: CompletionFilters,
    row_count: int,
    channel: str,
    complete: bool = True,
    request: HttpRequest | None = None,
    label: str = "",
) -> AuditEvent:
    """Write the audit event of one export (who, what, which filter, how many rows)."""
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # the system (command, schedule)
    return record_event(
        action=REPORT_EXPORTED,
        actor=actor,
        request=request,
        subject_label=label or f"{report}:{preset.key}",
        report=report,
        preset=preset.key,
        format=export_format,
        filters=filters.describe(),
        rows=row_count,
        complete=complete,
        channel=channel,
    )


# Presets


@transaction.atomic
def save_preset(
    *,
    organisation: Organisation,
    key: str,
    name: str,
    report: str,
    columns: list[str],
    created_by: Any = None,
    preset: ExportPreset | None = None,
) -> ExportPreset:
    """Create or update a saved preset; the columns must be known columns of the report."""
    preset = preset or ExportPreset(created_by=created_by)
    preset.organisation = organisation
    preset.key = key
    preset.name = name
    preset.report = report
    preset.columns = validate_column_keys(report, columns)
    preset.full_clean()
    preset.save()
    return preset


# Scheduled exports


def export_folder(folder: str) -> Path:
    """The absolute folder under LUP_EXPORT_ROOT (created); refuses anything outside it,
    symlinks followed."""
    return resolve_export_folder(folder, create=True)


def next_run_after(day: dt.date, frequency: str) -> dt.date:
    """The next run date: a week later, or the same day next month (the last day if shorter)."""
    if frequency == ScheduledExport.Frequency.WEEKLY:
        return day + dt.timedelta(days=7)
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@transaction.atomic
def schedule_export(
    *,
    organisation: Organisation,
    name: str,
    preset_key: str,
    export_format: str,
    frequency: str,
    delivery: str,
    recipients: str = "",
    folder: str = "",
    filters: dict[str, str] | None = None,
    next_run_on: dt.date | None = None,
    active: bool = True,
    created_by: Any = None,
    schedule: ScheduledExport | None = None,
) -> ScheduledExport:
    """Create or update a scheduled export of one of the organisation's presets.

    Whoever saves it (`created_by`) becomes its owner, and must be allowed to export the
    organisation's reports: the schedule runs on their access from now on. Saving it
    active clears a previous stop. A folder must stay inside the export root (symlinks
    followed). E-mail recipients are checked against the organisation's export domains
    by the form and again at every run (`run_scheduled_export`).
    """
    if find_preset(preset_key, organisations=[organisation]) is None:
        raise ValidationError({"preset_key": _("There is no preset with this key.")})
    if created_by is not None and owner_problem(created_by, organisation.pk) is not None:
        raise ValidationError(
            _("You may not schedule exports of %(organisation)s."),
            params={"organisation": organisation.name},
        )
    schedule = schedule or ScheduledExport()
    if created_by is not None:
        schedule.created_by = created_by
    schedule.organisation = organisation
    schedule.name = name
    schedule.preset_key = preset_key
    schedule.format = export_format
    schedule.frequency = frequency
    schedule.delivery = delivery
    schedule.recipients = recipients if delivery == ScheduledExport.Delivery.EMAIL else ""
    schedule.folder = ""
    if delivery == ScheduledExport.Delivery.FOLDER:
        try:
            resolve_export_folder(folder)
        except ValidationError as error:
            raise ValidationError({"folder": error.messages}) from error
        schedule.folder = clean_folder_name(folder)
    schedule.filters = filters or {}
    schedule.next_run_on = next_run_on or timezone.localdate()
    schedule.active = active
    if active:
        schedule.stopped_at = None
        schedule.stopped_reason = ""
    schedule.full_clean()
    schedule.save()
    return schedule


def due_schedules(today: dt.date | None = None) -> Any:
    """Active schedules whose next run is today or overdue."""
    today = today or timezone.localdate()
    return ScheduledExport.objects.filter(active=True, next_run_on__lte=today).order_by("pk")


def scheduled_filters(schedule: ScheduledExport, report: str) -> CompletionFilters:
    """The schedule's saved filters, validated again (within its organisation) now."""
    form = CompletionFilterForm(
        dict(schedule.filters or {}),
        user=SystemScope(),
        report=report,
        organisation=schedule.organisation,
    )
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(message) for message in messages)}"
            for name, messages in form.errors.items()
        )
        raise ValidationError(_("The schedule's filters are no longer valid: %s") % problems)
    return form.filters()


def stop_schedule(*, schedule: ScheduledExport, reason: str, **details: Any) -> ScheduledExport:
    """Stop a scheduled export (`active` false, with when and why; never a delete) and
    audit it with the reason and `details`. Locks the schedule; one already stopped is
    left as it is (and not audited twice)."""
    with transaction.atomic():
        locked = (
            # Lock the schedule's row only: PostgreSQL cannot lock the nullable side of the
            # outer join to its (possibly deleted) owner.
            ScheduledExport.objects.select_for_update(of=("self",))
            .select_related("organisation", "created_by")
            .get(pk=schedule.pk)
        )
        if not locked.active:
            return locked
        locked.active = False
        locked.stopped_at = timezone.now()
        locked.stopped_reason = reason
        locked.save(update_fields=["active", "stopped_at", "stopped_reason"])
        record_event(
            action=SCHEDULE_STOPPED,
            subject=locked.created_by,  # the owner (their labels are scrubbed if anonymised)
            subject_label=locked.name if locked.created_by is None else "",
            schedule=locked.pk,
            schedule_name=locked.name,
            organisation=locked.organisation.name,
            # Filed under the organisation: its administrators read it after the owner left.
            organisation_id=locked.organisation_id,
            reason=reason,
            explanation=str(StopReason(reason).label),
            **details,
        )
    return locked


def review_schedule_owners(*, owner: Any = None) -> list[ScheduledExport]:
    """Stop, at once, the active schedules whose owner may no longer run them; return those
    stopped. With `owner`, only theirs (call it when a person's groups, active flag or
    organisation memberships change); without, every active schedule (when a group's
    permissions change, or an account is deleted and its schedules lose their owner)."""
    active = ScheduledExport.objects.filter(active=True).select_related("organisation")
    if owner is not None:
        active = active.filter(created_by_id=owner.pk)
    schedules = list(active)
    # Fresh users: the permissions cached on an instance predate the change being handled.
    users = get_user_model().objects.in_bulk(
        {schedule.created_by_id for schedule in schedules if schedule.created_by_id}
    )
    stopped = []
    for schedule in schedules:
        reason = owner_problem(users.get(schedule.created_by_id), schedule.organisation_id)
        if reason is not None:
            stopped.append(stop_schedule(schedule=schedule, reason=reason))
    return stopped


def _destination_problem(schedule: ScheduledExport) -> dict[str, Any] | None:
    """Audit details of why the schedule's destination is not allowed now, or None."""
    if schedule.delivery == ScheduledExport.Delivery.EMAIL:
        addresses = split_recipients(schedule.recipients)
        try:
            check_recipients(schedule.organisation, addresses)
        except ValidationError as error:
            return {
                "destination": "email",
                "problem": error.code,
                "refused_domains": refused_domains(schedule.organisation, addresses),
            }
        return None
    try:
        resolve_export_folder(schedule.folder)
    except ValidationError as error:
        return {"destination": "folder", "problem": error.code, "folder": schedule.folder}
    return None


def run_scheduled_export(
    *, schedule: ScheduledExport, today: dt.date | None = None
) -> ScheduledExport:
    """Generate a scheduled export, deliver it (mail or folder), audit it, plan the next run.

    The rows are the schedule's organisation's (the programmes it runs): the same scope
    its HR staff have. It runs on its owner's authority: first the owner (active, with the
    export permission, working for the organisation) and the destination (recipients in
    the organisation's export domains, a folder inside the export root) are checked
    again; if either fails the schedule is stopped and audited, and nothing is generated
    or sent. The returned schedule's `active` says which happened.
    """
    today = today or timezone.localdate()
    # Fresh from the database: a role removed since the schedule was loaded must count.
    owner_id = schedule.created_by_id
    owner = get_user_model().objects.filter(pk=owner_id).first() if owner_id else None
    reason = owner_problem(owner, schedule.organisation_id)
    if reason is not None:
        return stop_schedule(schedule=schedule, reason=reason)
    problem = _destination_problem(schedule)
    if problem is not None:
        return stop_schedule(
            schedule=schedule, reason=StopReason.DESTINATION_NOT_ALLOWED, **problem
        )
    preset = find_preset(schedule.preset_key, organisations=[schedule.organisation])
    if preset is None:
        raise ValidationError(
            _("The preset “%(key)s” no longer exists."), params={"key": schedule.preset_key}
        )
    filters = scheduled_filters(schedule, preset.report)
    export = ReportExport(report_rows(preset.report, SystemScope(), filters), preset)
    extension = "xlsx" if schedule.format == ExportFormat.XLSX else "csv"
    filename = export_filename(preset.report, preset, extension, today)
    with tempfile.TemporaryFile() as target:
        if schedule.format == ExportFormat.XLSX:
            write_xlsx(export, target, sheet_name=str(ReportKind(preset.report).label))
        else:
            write_csv_file(export, target)
        target.seek(0)
        if schedule.delivery == ScheduledExport.Delivery.EMAIL:
            _mail(schedule, filename, target.read(), extension, owner)
        else:
            try:
                _deliver_to_folder(schedule.folder, filename, target)
            except ValidationError as error:
                # A symlink swapped in since the check above: refused, and stopped.
                return stop_schedule(
                    schedule=schedule,
                    reason=StopReason.DESTINATION_NOT_ALLOWED,
                    destination="folder",
                    problem=error.code,
                    folder=schedule.folder,
                )
    record_export(
        actor=owner,
        report=preset.report,
        preset=preset,
        export_format=schedule.format,
        filters=filters,
        row_count=export.row_count,
        channel=ExportChannel.SCHEDULED,
        label=schedule.name,
    )
    schedule.last_run_at = timezone.now()
    schedule.last_row_count = export.row_count
    next_run = schedule.next_run_on
    while next_run <= today:
        next_run = next_run_after(next_run, schedule.frequency)
    schedule.next_run_on = next_run
    schedule.save(update_fields=["last_run_at", "last_row_count", "next_run_on"])
    return schedule


def _deliver_to_folder(folder: str, filename: str, source: Any) -> None:
    """Put the file in the schedule's folder: a key under the export storage's prefix when
    object storage is configured (every app server and worker sees it), else a file under
    LUP_EXPORT_ROOT, written so that no symlink can redirect it."""
    storage = configured_export_storage()
    if storage is not None:
        storage.save(f"{clean_folder_name(folder)}/{filename}", File(source, name=filename))
    else:
        _write_file(export_folder(folder) / filename, source)


def _write_file(destination: Path, source: Any) -> None:
    # O_NOFOLLOW: a symlink planted where the file goes must not redirect it outside the root.
    if destination.is_symlink():
        raise ValidationError(
            _("The folder must be inside the export storage."), code="symlinked_file"
        )
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(destination, flags, 0o666)
    except OSError as error:
        if error.errno != errno.ELOOP:
            raise  # a full disk or a permission: an operational error, retried next time
        raise ValidationError(
            _("The folder must be inside the export storage."), code="symlinked_file"
        ) from error
    with os.fdopen(descriptor, "wb") as out:
        shutil.copyfileobj(source, out)


def _mail(
    schedule: ScheduledExport, filename: str, content: bytes, extension: str, owner: Any
) -> None:
    # Checked again just before sending (the caller checked too): never mail outside.
    recipients = check_recipients(schedule.organisation, split_recipients(schedule.recipients))
    content_type = XLSX_CONTENT_TYPE if extension == "xlsx" else CSV_CONTENT_TYPE
    for language, addresses in _by_language(recipients, owner).items():
        with translation.override(language):
            subject = _("Completion report: %(name)s") % {"name": schedule.name}
            body = _(
                "The scheduled completion report “%(name)s” is attached (%(filename)s).\n\n"
                "It contains personal data: store it where only those who need it can read it."
            ) % {"name": schedule.name, "filename": filename}
        message = EmailMessage(subject=subject, body=body, to=addresses)
        message.attach(filename, content, content_type)
        message.send()


def _by_language(addresses: list[str], owner: Any) -> dict[str, list[str]]:
    """The addresses grouped by the language each reader gets: an address of a person with a
    remembered language gets theirs; any other address the schedule owner's (one query)."""
    if not addresses:
        return {}
    same = Q()
    for address in addresses:
        same |= Q(email__iexact=address)
    people = get_user_model().objects.filter(same).select_related("lup_profile").order_by("pk")
    languages: dict[str, str] = {}
    for person in people:
        language = remembered_language(person)
        if language is not None:
            languages.setdefault(person.email.lower(), language)
    fallback = language_of(owner)
    grouped: dict[str, list[str]] = {}
    for address in addresses:
        grouped.setdefault(languages.get(address.lower(), fallback), []).append(address)
    return grouped
