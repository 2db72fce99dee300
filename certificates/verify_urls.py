"""Public verification pages, mounted by the site at "verify/"."""

from django.urls import path

from . import views

app_name = "certificates-verify"
urlpatterns = [
    path("", views.verify_form, name="form"),
    path("<str:code>.json", views.verify_certificate_json, name="json"),
    path("<str:code>/", views.verify_certificate, name="certificate"),
]
