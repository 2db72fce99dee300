"""Course pages for learners, and the review of an answer. Included at /courses/ by the site."""

from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("<slug:slug>/", views.course_detail, name="course-detail"),
    path("activities/<uuid:activity_id>/", views.activity_detail, name="activity-detail"),
    path("activities/<uuid:activity_id>/done/", views.mark_done, name="activity-done"),
    path("submissions/<uuid:submission_id>/file/", views.submission_file, name="submission-file"),
    path(
        "submissions/<uuid:submission_id>/review/",
        views.submission_review,
        name="submission-review",
    ),
]
