"""HR's completion reports in the browser: tables, downloads, saved presets and schedules.

Everyone here needs `lup.export_completions` (HR and programme administrators); saving
presets and schedules needs the model's add/change/delete permission as well. Rows,
presets and schedules come from the user's scope: anything else is a 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..permissions import member_organisations
from . import columns as report_columns
from .exports import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ReportExport,
    export_filename,
    stream_csv,
    xlsx_temporary_file,
)
from .forms import (
    CompletionFilterForm,
    ExportOptionsForm,
    ExportPresetForm,
    ScheduledExportForm,
)
from .models import ExportFormat, ExportPreset, ReportKind, ScheduledExport
from .selectors import CompletionFilters, report_rows, value_batches
from .services import ExportChannel, record_export, save_preset, schedule_export

EXPORT_PERMISSION = "lup.export_completions"
PAGE_SIZE = 50
FILTER_NAMES = ("programme", "cohort", "sector", "unit", "status", "completed_from", "completed_to")


def _filter_query(request: HttpRequest, **extra: Any) -> str:
    """The current filters (and sort), as a query string for links."""
    params = {name: request.GET[name] for name in (*FILTER_NAMES, "sort") if request.GET.get(name)}
    params.update({key: value for key, value in extra.items() if value})
    return urlencode(params)


def _sorted(
    rows: QuerySet[Any], columns: dict[str, report_columns.Column], sort: str
) -> tuple[QuerySet[Any], str]:
    key = sort.removeprefix("-")
    column = columns.get(key)
    if column is None or column.sort is None:
        return rows, ""
    descending = sort.startswith("-")
    return rows.order_by(f"{'-' if descending else ''}{column.sort}", "pk"), sort


def _report_page(request: HttpRequest, report: str) -> HttpResponse:
    filter_form = CompletionFilterForm(request.GET, user=request.user, report=report)
    options_form = ExportOptionsForm(user=request.user, report=report)
    preset = report_columns.default_preset(report)
    columns = preset.resolve()
    page = None
    table: list[list[Any]] = []
    sort = ""
    status = 200
    if filter_form.is_valid():
        rows, sort = _sorted(
            report_rows(report, request.user, filter_form.filters()),
            report_columns.columns_for(report),
            request.GET.get("sort", ""),
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        page_rows: Any = page.object_list  # a sliced queryset
        positions, batches = value_batches(
            page_rows,
            report_columns.fields_of(columns),
            report=report,
            with_certificates=any(column.certificates for column in columns),
            batch_size=PAGE_SIZE,
        )
        getters = [column.bind(positions) for column in columns]
        kinds = [column.kind for column in columns]
        for batch in batches:
            table.extend(
                [(get(row), kind) for get, kind in zip(getters, kinds, strict=True)]
                for row in batch
            )
    else:
        status = 400
    headers = [
        {
            "column": column,
            "sort": column.sort is not None,
            "ascending": sort == column.key,
            "descending": sort == f"-{column.key}",
            "query": _filter_query(
                request, sort=f"-{column.key}" if sort == column.key else column.key
            ),
        }
        for column in columns
    ]
    return render(
        request,
        "lup/reporting/report.html",
        {
            "report": report,
            "report_label": ReportKind(report).label,
            "filter_form": filter_form,
            "options_form": options_form,
            "headers": headers,
            "table": table,
            "page": page,
            "filter_query": _filter_query(request),
            "can_save_presets": request.user.has_perm("lup.add_exportpreset"),
        },
        status=status,
    )


@require_GET
@login_required
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def participant_report(request: HttpRequest) -> HttpResponse:
    """The completion report, one row per participant: filter, sort, page, download."""
    return _report_page(request, ReportKind.PARTICIPANTS)


@require_GET
@login_required
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def unit_report(request: HttpRequest) -> HttpResponse:
    """The completion report, one row per unit enrolment."""
    return _report_page(request, ReportKind.UNITS)


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


@require_GET
@login_required
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def participant_export(request: HttpRequest) -> HttpResponseBase:
    """Download the participant report (CSV streamed, or XLSX) with a preset's columns."""
    return _export(request, ReportKind.PARTICIPANTS)


@require_GET
@login_required
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def unit_export(request: HttpRequest) -> HttpResponseBase:
    """Download the unit report (CSV streamed, or XLSX) with a preset's columns."""
    return _export(request, ReportKind.UNITS)


# Presets


def _presets(request: HttpRequest) -> QuerySet[ExportPreset]:
    presets: QuerySet[ExportPreset] = report_columns.saved_presets_for(request.user)
    return presets


@require_GET
@login_required
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def preset_list(request: HttpRequest) -> HttpResponse:
    """Built-in presets and those saved for the user's organisations, with every column."""
    return render(
        request,
        "lup/reporting/preset_list.html",
        {
            "built_in": report_columns.BUILT_IN_PRESETS,
            "saved": list(_presets(request)),
            "column_sets": [
                (ReportKind(report).label, list(report_columns.columns_for(report).values()))
                for report in ReportKind.values
            ],
            "can_add": request.user.has_perm("lup.add_exportpreset"),
            "can_change": request.user.has_perm("lup.change_exportpreset"),
            "can_delete": request.user.has_perm("lup.delete_exportpreset"),
        },
    )


def _edit_preset(request: HttpRequest, preset: ExportPreset | None) -> HttpResponse:
    form = ExportPresetForm(request.POST or None, instance=preset, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            save_preset(
                organisation=data["organisation"],
                key=data["key"],
                name=data["name"],
                report=data["report"],
                columns=data["columns"],
                created_by=request.user,
                preset=preset,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The preset was saved."))
            return redirect("lup:report-presets")
    return render(
        request,
        "lup/reporting/preset_form.html",
        {
            "form": form,
            "preset": preset,
            "column_sets": [
                (ReportKind(report).label, list(report_columns.columns_for(report).values()))
                for report in ReportKind.values
            ],
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required([EXPORT_PERMISSION, "lup.add_exportpreset"], raise_exception=True)
def preset_create(request: HttpRequest) -> HttpResponse:
    """Save a new preset: a name, a key, the report and its columns in order."""
    return _edit_preset(request, None)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required([EXPORT_PERMISSION, "lup.change_exportpreset"], raise_exception=True)
def preset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a saved preset."""
    return _edit_preset(request, get_object_or_404(_presets(request), pk=pk))


@require_http_methods(["GET", "POST"])
@login_required
@permission_required([EXPORT_PERMISSION, "lup.delete_exportpreset"], raise_exception=True)
def preset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a saved preset (schedules using it stop until changed)."""
    preset = get_object_or_404(_presets(request), pk=pk)
    schedules = ScheduledExport.objects.filter(
        organisation_id=preset.organisation_id, preset_key=preset.key
    )
    if request.method == "POST":
        preset.delete()
        messages.success(request, _("The preset was deleted."))
        return redirect("lup:report-presets")
    return render(
        request,
        "lup/reporting/confirm_delete.html",
        {
            "object": preset,
            "title": _("Delete the preset “%(name)s”?") % {"name": preset.name},
            "warning": _("Scheduled exports using it will stop until they get another preset.")
            if schedules.exists()
            else "",
            "cancel_url": "lup:report-presets",
        },
    )


# Scheduled exports


def _schedules(request: HttpRequest) -> QuerySet[ScheduledExport]:
    user: Any = request.user
    schedules = ScheduledExport.objects.select_related("organisation").order_by(
        "organisation__name", "name"
    )
    if user.is_superuser:
        return schedules
    return schedules.filter(organisation__in=member_organisations(user))


@require_GET
@login_required
@permission_required(EXPORT_PERMISSION, raise_exception=True)
def schedule_list(request: HttpRequest) -> HttpResponse:
    """Scheduled exports of the user's organisations: what, how often, where, last run."""
    presets = {(p.organisation_id, p.key): p for p in report_columns.all_presets(user=request.user)}
    schedules = [
        (
            schedule,
            presets.get((schedule.organisation_id, schedule.preset_key))
            or presets.get((None, schedule.preset_key)),
        )
        for schedule in _schedules(request)
    ]
    return render(
        request,
        "lup/reporting/schedule_list.html",
        {
            "schedules": schedules,
            "can_add": request.user.has_perm("lup.add_scheduledexport"),
            "can_change": request.user.has_perm("lup.change_scheduledexport"),
            "can_delete": request.user.has_perm("lup.delete_scheduledexport"),
        },
    )


def _edit_schedule(request: HttpRequest, schedule: ScheduledExport | None) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial = {"next_run_on": timezone.localdate()} if schedule is None else None
    form = ScheduledExportForm(data, instance=schedule, user=request.user, initial=initial)
    filter_form = CompletionFilterForm(
        data,
        user=request.user,
        report=None,
        prefix="filter",
        initial=schedule.filters if schedule is not None else None,
    )
    if request.method == "POST" and form.is_valid() and filter_form.is_valid():
        cleaned = form.cleaned_data
        preset = report_columns.find_preset(
            cleaned["preset_key"], organisations=[cleaned["organisation"]]
        )
        checked = CompletionFilterForm(
            filter_form.serialised(),
            user=request.user,
            report=preset.report if preset else None,
            organisation=cleaned["organisation"],
        )
        if not checked.is_valid():
            for name, errors in checked.errors.items():
                filter_form.add_error(name if name in filter_form.fields else None, errors)
        else:
            try:
                schedule_export(
                    organisation=cleaned["organisation"],
                    name=cleaned["name"],
                    preset_key=cleaned["preset_key"],
                    export_format=cleaned["format"],
                    frequency=cleaned["frequency"],
                    delivery=cleaned["delivery"],
                    recipients=cleaned["recipients"],
                    folder=cleaned["folder"],
                    filters=checked.serialised(),
                    next_run_on=cleaned["next_run_on"],
                    active=cleaned["active"],
                    created_by=request.user,
                    schedule=schedule,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The scheduled export was saved."))
                return redirect("lup:report-schedules")
    return render(
        request,
        "lup/reporting/schedule_form.html",
        {"form": form, "filter_form": filter_form, "schedule": schedule},
    )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required([EXPORT_PERMISSION, "lup.add_scheduledexport"], raise_exception=True)
def schedule_create(request: HttpRequest) -> HttpResponse:
    """Schedule a preset weekly or monthly, delivered by e-mail or to a folder."""
    return _edit_schedule(request, None)


@require_http_methods(["GET", "POST"])
@login_required
@permission_required([EXPORT_PERMISSION, "lup.change_scheduledexport"], raise_exception=True)
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a scheduled export."""
    return _edit_schedule(request, get_object_or_404(_schedules(request), pk=pk))


@require_http_methods(["GET", "POST"])
@login_required
@permission_required([EXPORT_PERMISSION, "lup.delete_scheduledexport"], raise_exception=True)
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a scheduled export."""
    schedule = get_object_or_404(_schedules(request), pk=pk)
    if request.method == "POST":
        schedule.delete()
        messages.success(request, _("The scheduled export was deleted."))
        return redirect("lup:report-schedules")
    return render(
        request,
        "lup/reporting/confirm_delete.html",
        {
            "object": schedule,
            "title": _("Delete the scheduled export “%(name)s”?") % {"name": schedule.name},
            "warning": "",
            "cancel_url": "lup:report-schedules",
        },
    )
