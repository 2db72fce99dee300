"""Intake's pages, included in `lup.urls` (so their names are `lup:...`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("programmes/<slug:slug>/intake/", views.intake_overview, name="intake"),
    path("programmes/<slug:slug>/intake/calls/new/", views.call_open, name="call-open"),
    path(
        "programmes/<slug:slug>/intake/sectors/<int:sector_pk>/leaders/",
        views.sector_leader_add,
        name="sector-leader-add",
    ),
    path(
        "programmes/<slug:slug>/intake/sectors/<int:sector_pk>/leaders/<int:user_pk>/remove/",
        views.sector_leader_remove,
        name="sector-leader-remove",
    ),
    path("calls/<int:pk>/", views.call_detail, name="call-detail"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call-edit"),
    path("calls/<int:pk>/apply/", views.call_apply, name="call-apply"),
    path("applications/<int:pk>/decide/", views.application_decide, name="application-decide"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application-withdraw",
    ),
    path("me/applications/", views.my_applications, name="my-applications"),
]
