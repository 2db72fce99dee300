"""Scheduled exports pages: those of the user's organisations, and scheduling, changing
and deleting them."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ...permissions import member_organisations
from .. import columns as report_columns
from ..forms import CompletionFilterForm, ScheduledExportForm
from ..models import ScheduledExport
from ..services import schedule_export
from .base import FORM_METHODS, confirm_delete, for_exporters, model_permissions


def _schedules(request: HttpRequest) -> QuerySet[ScheduledExport]:
    user: Any = request.user
    schedules = ScheduledExport.objects.select_related("organisation").order_by(
        "organisation__name", "name"
    )
    if user.is_superuser:
        return schedules
    return schedules.filter(organisation__in=member_organisations(user))


@for_exporters()
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
        {"schedules": schedules, **model_permissions(request.user, "scheduledexport")},
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
        # The filters again, now that the preset's report and the organisation are known.
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


@for_exporters("lup.add_scheduledexport", methods=FORM_METHODS)
def schedule_create(request: HttpRequest) -> HttpResponse:
    """Schedule a preset weekly or monthly, delivered by e-mail or to a folder."""
    return _edit_schedule(request, None)


@for_exporters("lup.change_scheduledexport", methods=FORM_METHODS)
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a scheduled export."""
    return _edit_schedule(request, get_object_or_404(_schedules(request), pk=pk))


@for_exporters("lup.delete_scheduledexport", methods=FORM_METHODS)
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a scheduled export."""
    schedule = get_object_or_404(_schedules(request), pk=pk)
    return confirm_delete(
        request,
        schedule,
        title=_("Delete the scheduled export “%(name)s”?") % {"name": schedule.name},
        deleted=_("The scheduled export was deleted."),
        list_url="lup:report-schedules",
    )
