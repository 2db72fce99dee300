"""The project workspace's pages, included in `lup.urls` (so their names are `lup:...`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("teams/<int:pk>/project/start/", views.project_start, name="project-start"),
    path("projects/<int:pk>/", views.project_detail, name="project-detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project-edit"),
    path("projects/<int:pk>/phase/", views.project_phase, name="project-phase"),
    path("projects/<int:pk>/submit/", views.project_submit, name="project-submit"),
    path("projects/<int:pk>/review/", views.project_review, name="project-review"),
    path("projects/<int:pk>/canvas/", views.project_canvas, name="project-canvas"),
    path("projects/<int:pk>/canvas/history/", views.canvas_history, name="canvas-history"),
    path(
        "projects/<int:pk>/canvas/versions/<int:number>/",
        views.canvas_version,
        name="canvas-version",
    ),
    path("projects/<int:pk>/benefits/new/", views.benefit_create, name="benefit-create"),
    path("benefits/<int:pk>/", views.benefit_detail, name="benefit-detail"),
    path("benefits/<int:pk>/edit/", views.benefit_edit, name="benefit-edit"),
    path("benefits/<int:pk>/update/", views.benefit_update, name="benefit-update"),
    path("programmes/<slug:slug>/benefits/", views.programme_benefits, name="programme-benefits"),
]
