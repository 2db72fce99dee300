"""Downloads of the reports: a preset's columns as a streamed CSV or an XLSX file, each
download recorded in the audit log."""

from __future__ import annotations

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _

from .. import columns as report_columns
from ..exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ReportExport,
    export_filename,
    stream_csv,
    xlsx_temporary_file,
)
from ..forms import CompletionFilterForm, ExportOptionsForm
from ..models import ExportFormat, ReportKind
from ..selectors import CompletionFilters, report_rows
from ..services import ExportChannel, record_export
from .base import for_exporters


def _export(request: HttpRequest, report: str) -> HttpResponseBase:
    filter_form = CompletionFilterForm(request.GET, user=request.user, report=report)
    options = request.GET.copy()  # no preset or format: the report's default preset as CSV
    options.setdefault("preset", report_columns.default_preset(report).key)
    options.setdefault("format", ExportFormat.CSV)
    options_form = ExportOptionsForm(options, user=request.user, report=report)
    if not (filter_form.is_valid() and options_form.is_valid()):
        errors = {**filter_form.errors, **options_form.errors}
        text = "\n".join(
            f"{name}: {' '.join(str(message) for message in messages_)}"
            for name, messages_ in errors.items()
        )
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    chosen = options_form.cleaned_data
    preset = report_columns.find_preset(chosen["preset"], user=request.user)
    if preset is None or preset.report != report:  # the choices came from the same list
        return HttpResponse(_("Unknown preset."), status=400, content_type="text/plain")
    filters: CompletionFilters = filter_form.filters()
    export = ReportExport(report_rows(report, request.user, filters), preset)
    user = request.user

    def audit(row_count: int, complete: bool, export_format: str = ExportFormat.CSV) -> None:
        record_export(
            actor=user,
            report=report,
            preset=preset,
            export_format=export_format,
            filters=filters,
            row_count=row_count,
            channel=ExportChannel.BROWSER,
            complete=complete,
            request=request,
        )

    if chosen["format"] == ExportFormat.XLSX:
        file = xlsx_temporary_file(export, sheet_name=str(ReportKind(report).label))
        audit(export.row_count, True, ExportFormat.XLSX)
        return FileResponse(
            file,
            as_attachment=True,
            filename=export_filename(report, preset, "xlsx"),
            content_type=XLSX_CONTENT_TYPE,
        )
    response = StreamingHttpResponse(
        stream_csv(export, delimiter=chosen["delimiter"], on_finish=audit),
        content_type=CSV_CONTENT_TYPE,
    )
    filename = export_filename(report, preset, "csv")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Accel-Buffering"] = "no"  # let a reverse proxy pass the stream on at once
    return response


@for_exporters()
def participant_export(request: HttpRequest) -> HttpResponseBase:
    """Download the participant report (CSV streamed, or XLSX) with a preset's columns."""
    return _export(request, ReportKind.PARTICIPANTS)


@for_exporters()
def unit_export(request: HttpRequest) -> HttpResponseBase:
    """Download the unit report (CSV streamed, or XLSX) with a preset's columns."""
    return _export(request, ReportKind.UNITS)
