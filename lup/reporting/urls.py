"""URLs of HR's completion reports, added to the `lup` namespace by `lup.urls`."""

from django.urls import path

from . import views

urlpatterns = [
    path("reports/completions/", views.participant_report, name="report-participants"),
    path(
        "reports/completions/export/",
        views.participant_export,
        name="report-participants-export",
    ),
    path("reports/units/", views.unit_report, name="report-units"),
    path("reports/units/export/", views.unit_export, name="report-units-export"),
    path("reports/presets/", views.preset_list, name="report-presets"),
    path("reports/presets/new/", views.preset_create, name="report-preset-create"),
    path("reports/presets/<int:pk>/", views.preset_edit, name="report-preset-edit"),
    path("reports/presets/<int:pk>/delete/", views.preset_delete, name="report-preset-delete"),
    path("reports/schedules/", views.schedule_list, name="report-schedules"),
    path("reports/schedules/new/", views.schedule_create, name="report-schedule-create"),
    path("reports/schedules/<int:pk>/", views.schedule_edit, name="report-schedule-edit"),
    path(
        "reports/schedules/<int:pk>/delete/",
        views.schedule_delete,
        name="report-schedule-delete",
    ),
]
