"""The programme office's pages, included in `lup.urls` (so their names are `lup:office-...`)."""

from django.urls import path

from . import imports_views, people_views, views

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
    # People and roles (lup.office.people_views): the list with "Add a person", and one
    # person's roles changed or taken away (POST only).
    path("organisations/<slug:slug>/people/", people_views.people, name="office-people"),
    path(
        "organisations/<slug:slug>/people/<int:user_id>/",
        people_views.person_roles,
        name="office-person-roles",
    ),
    # CSV imports (lup.office.imports_views): the page, and its example file.
    path(
        "organisations/<slug:slug>/units/import/",
        imports_views.unit_import,
        name="office-unit-import",
    ),
    path(
        "organisations/<slug:slug>/units/import/enheter.csv",
        imports_views.unit_import_template,
        name="office-unit-import-template",
    ),
    path(
        "programmes/<slug:slug>/participants/import/",
        imports_views.participant_import,
        name="office-participant-import",
    ),
    path(
        "programmes/<slug:slug>/participants/import/deltakere.csv",
        imports_views.participant_import_template,
        name="office-participant-import-template",
    ),
]
