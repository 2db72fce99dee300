"""Presets pages: the built-in presets and those saved for the user's organisations, and
saving, changing and deleting HR's own."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import columns as report_columns
from ..forms import ExportPresetForm
from ..models import ExportPreset, ScheduledExport
from ..services import save_preset
from .base import FORM_METHODS, column_sets, confirm_delete, for_exporters, model_permissions


def _presets(request: HttpRequest) -> QuerySet[ExportPreset]:
    presets: QuerySet[ExportPreset] = report_columns.saved_presets_for(request.user)
    return presets


@for_exporters()
def preset_list(request: HttpRequest) -> HttpResponse:
    """Built-in presets and those saved for the user's organisations, with every column."""
    return render(
        request,
        "lup/reporting/preset_list.html",
        {
            "built_in": report_columns.BUILT_IN_PRESETS,
            "saved": list(_presets(request)),
            "column_sets": column_sets(),
            **model_permissions(request.user, "exportpreset"),
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
        {"form": form, "preset": preset, "column_sets": column_sets()},
    )


@for_exporters("lup.add_exportpreset", methods=FORM_METHODS)
def preset_create(request: HttpRequest) -> HttpResponse:
    """Save a new preset: a name, a key, the report and its columns in order."""
    return _edit_preset(request, None)


@for_exporters("lup.change_exportpreset", methods=FORM_METHODS)
def preset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a saved preset."""
    return _edit_preset(request, get_object_or_404(_presets(request), pk=pk))


@for_exporters("lup.delete_exportpreset", methods=FORM_METHODS)
def preset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then delete a saved preset (schedules using it stop until changed)."""
    preset = get_object_or_404(_presets(request), pk=pk)

    def warning() -> str:
        schedules = ScheduledExport.objects.filter(
            organisation_id=preset.organisation_id, preset_key=preset.key
        )
        if not schedules.exists():
            return ""
        return _("Scheduled exports using it will stop until they get another preset.")

    return confirm_delete(
        request,
        preset,
        title=_("Delete the preset “%(name)s”?") % {"name": preset.name},
        deleted=_("The preset was deleted."),
        list_url="lup:report-presets",
        warning=warning,
    )
