"""Course pages for learners, and the review of an answer. Included at /courses/ by the site."""

from django.urls import path

from . import authoring_views, h5p_player, h5p_views, views

app_name = "courses"

urlpatterns = [
    path("<slug:slug>/", views.course_detail, name="course-detail"),
    # The curriculum editor (courses/authoring_views.py), for those the adapter lets edit.
    path("<slug:slug>/edit/", authoring_views.course_edit, name="course-edit"),
    path("<slug:slug>/edit/details/", authoring_views.course_details, name="course-details"),
    path("<slug:slug>/edit/images/new/", authoring_views.course_image_add, name="course-image-add"),
    path(
        "<slug:slug>/edit/images/<int:image_id>/delete/",
        authoring_views.course_image_delete,
        name="course-image-delete",
    ),
    path("<slug:slug>/edit/modules/new/", authoring_views.module_create, name="module-create"),
    path(
        "<slug:slug>/edit/modules/<int:module_id>/",
        authoring_views.module_edit,
        name="module-edit",
    ),
    path(
        "<slug:slug>/edit/modules/<int:module_id>/delete/",
        authoring_views.module_delete,
        name="module-delete",
    ),
    path(
        "<slug:slug>/edit/modules/<int:module_id>/move/",
        authoring_views.module_move,
        name="module-move",
    ),
    path(
        "<slug:slug>/edit/modules/<int:module_id>/new/<str:kind>/",
        authoring_views.activity_create,
        name="activity-create",
    ),
    path(
        "<slug:slug>/edit/activities/<uuid:activity_id>/",
        authoring_views.activity_edit,
        name="activity-edit",
    ),
    path(
        "<slug:slug>/edit/activities/<uuid:activity_id>/delete/",
        authoring_views.activity_delete,
        name="activity-delete",
    ),
    path(
        "<slug:slug>/edit/activities/<uuid:activity_id>/move/",
        authoring_views.activity_move,
        name="activity-move",
    ),
    path("activities/<uuid:activity_id>/", views.activity_detail, name="activity-detail"),
    path("activities/<uuid:activity_id>/done/", views.mark_done, name="activity-done"),
    path("submissions/<uuid:submission_id>/file/", views.submission_file, name="submission-file"),
    path(
        "submissions/<uuid:submission_id>/review/",
        views.submission_review,
        name="submission-review",
    ),
    # The H5P player (courses/h5p_player.py): one attempt's frame page, its package's files,
    # saved state and statements, all reached with the attempt's play token; and the
    # installed libraries, shared by all content.
    path("play/<str:token>/", h5p_player.h5p_frame, name="h5p-frame"),
    path("play/<str:token>/state/", h5p_player.h5p_state, name="h5p-state"),
    path("play/<str:token>/xapi/", h5p_player.h5p_xapi, name="h5p-xapi"),
    path("play/<str:token>/h5p.json", h5p_player.h5p_package_json, name="h5p-package"),
    path(
        "play/<str:token>/content/<path:path>",
        h5p_player.h5p_content_file,
        name="h5p-content-file",
    ),
    path("h5p/libraries/<path:path>", h5p_player.h5p_library_file, name="h5p-library-file"),
    # H5P packages (courses/h5p_views.py): upload, and a package's page to attach it.
    path("h5p/upload/", h5p_views.h5p_upload, name="h5p-upload"),
    path("h5p/packages/<uuid:package_id>/", h5p_views.h5p_package, name="h5p-package-detail"),
]
