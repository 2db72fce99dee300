from django.urls import path

from . import views

app_name = "lup"

urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/<slug:slug>/", views.dashboard, name="dashboard"),
    path("programmes/<slug:slug>/figures.csv", views.dashboard_csv, name="dashboard-csv"),
]
