"""Writes of the completion reports: audit of exports, presets, schedules and their runs.

Auditing an export: every export (browser, command, scheduled, API) is one audit event
with who, which report, preset and format, the filters and the number of rows. A
streamed CSV only knows its row count when the stream ends, so it is recorded then
(from the stream's `finally`): `complete` is false when the download was cut off. XLSX
exports, the command and scheduled exports record after the file is written.
"""

from __future__ import annotations

import calendar
import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import app_settings
from ..audit import record_event
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
from .selectors import CompletionFilters, SystemScope, report_rows

REPORT_EXPORTED = AuditEvent.Action.REPORT_EXPORTED


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
    """The absolute folder under LUP_EXPORT_ROOT (created); refuses anything outside it."""
    root = Path(app_settings.EXPORT_ROOT()).resolve()
    target = (root / clean_folder_name(folder)).resolve()
    if not target.is_relative_to(root):
        raise ValidationError(_("The folder must be inside the export storage."))
    target.mkdir(parents=True, exist_ok=True)
    return target


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
    """Create or update a scheduled export of one of the organisation's presets."""
    if find_preset(preset_key, organisations=[organisation]) is None:
        raise ValidationError({"preset_key": _("There is no preset with this key.")})
    schedule = schedule or ScheduledExport(created_by=created_by)
    schedule.organisation = organisation
    schedule.name = name
    schedule.preset_key = preset_key
    schedule.format = export_format
    schedule.frequency = frequency
    schedule.delivery = delivery
    schedule.recipients = recipients if delivery == ScheduledExport.Delivery.EMAIL else ""
    is_folder = delivery == ScheduledExport.Delivery.FOLDER
    schedule.folder = clean_folder_name(folder) if is_folder else ""
    schedule.filters = filters or {}
    schedule.next_run_on = next_run_on or timezone.localdate()
    schedule.active = active
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


def run_scheduled_export(
    *, schedule: ScheduledExport, today: dt.date | None = None
) -> ScheduledExport:
    """Generate a scheduled export, deliver it (mail or folder), audit it, plan the next run.

    The rows are the schedule's organisation's (the programmes it runs): the same scope
    its HR staff have, whoever created the schedule.
    """
    today = today or timezone.localdate()
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
            _mail(schedule, filename, target.read(), extension)
        else:
            destination = export_folder(schedule.folder) / filename
            with destination.open("wb") as out:
                shutil.copyfileobj(target, out)
    record_export(
        actor=schedule.created_by,
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


def _mail(schedule: ScheduledExport, filename: str, content: bytes, extension: str) -> None:
    recipients = [line.strip() for line in schedule.recipients.splitlines() if line.strip()]
    message = EmailMessage(
        subject=_("Completion report: %(name)s") % {"name": schedule.name},
        body=_(
            "The scheduled completion report “%(name)s” is attached (%(filename)s).\n\n"
            "It contains personal data: store it where only those who need it can read it."
        )
        % {"name": schedule.name, "filename": filename},
        to=recipients,
    )
    content_type = XLSX_CONTENT_TYPE if extension == "xlsx" else CSV_CONTENT_TYPE
    message.attach(filename, content, content_type)
    message.send()
