"""The barometer's pages (lup.barometer.views), in the `lup` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("teams/<int:pk>/barometer/", views.team_barometer, name="team-barometer"),
    path(
        "teams/<int:pk>/barometer/<slug:moment>/",
        views.team_barometer_answer,
        name="team-barometer-answer",
    ),
    path("programmes/<slug:slug>/barometer/", views.barometer_results, name="barometer-results"),
    path(
        "programmes/<slug:slug>/barometer/settings/",
        views.barometer_settings,
        name="barometer-settings",
    ),
    path(
        "programmes/<slug:slug>/barometer/questions/",
        views.barometer_questions,
        name="barometer-questions",
    ),
    path(
        "programmes/<slug:slug>/barometer/questions/<int:version>/",
        views.barometer_question_version,
        name="barometer-question-version",
    ),
    path(
        "programmes/<slug:slug>/barometer/export.csv",
        views.barometer_export,
        name="barometer-export",
    ),
]
