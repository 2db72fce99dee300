from django.urls import path

from . import learning_views, views

app_name = "lup"

urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/<slug:slug>/", views.dashboard, name="dashboard"),
    path("programmes/<slug:slug>/figures.csv", views.dashboard_csv, name="dashboard-csv"),
    path("cohorts/", views.cohort_list, name="cohort-list"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort-detail"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("me/data/", views.my_data, name="my-data"),
    path("me/data.json", views.my_data_json, name="my-data-json"),
    path("people/<int:pk>/anonymise/", views.anonymise_person, name="anonymise-person"),
    path("audit/", views.audit_log, name="audit-log"),
    path("me/programme/", learning_views.my_programme, name="my-programme"),
]

# Running a cohort: progress grid, attendance and QR check-in (lup.cohort_views).
from . import cohort_views  # noqa: E402

urlpatterns += [
    path("cohorts/<int:pk>/progress/", cohort_views.cohort_grid, name="cohort-grid"),
    path(
        "gatherings/<int:pk>/attendance/",
        cohort_views.gathering_attendance,
        name="gathering-attendance",
    ),
    path("gatherings/<int:pk>/qr/", cohort_views.gathering_qr, name="gathering-qr"),
    path("gatherings/<int:pk>/check-in/<str:code>/", cohort_views.check_in, name="check-in"),
]
