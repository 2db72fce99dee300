"""The programme office's pages, included in `lup.urls` (so their names are `lup:office-...`)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "programmes/<slug:slug>/cohorts/new/",
        views.cohort_create,
        name="office-cohort-create",
    ),
    path("cohorts/<int:pk>/edit/", views.cohort_edit, name="office-cohort-edit"),
    path(
        "cohorts/<int:pk>/gatherings/new/",
        views.gathering_create,
        name="office-gathering-create",
    ),
    path("gatherings/<int:pk>/edit/", views.gathering_edit, name="office-gathering-edit"),
    path("gatherings/<int:pk>/cancel/", views.gathering_cancel, name="office-gathering-cancel"),
    path("teams/<int:pk>/move/", views.unit_move, name="office-unit-move"),
]
