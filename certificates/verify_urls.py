"""Public verification pages, mounted by the site at "verify/"."""

from django.urls import path

from . import views

app_name = "certificates-verify"
urlpatterns = [
    path("", views.verify_form, name="form"),
    # Before "<code>.json", which would otherwise take it.
    path("credential.json", views.verify_credential_json, name="credential-json"),
    path("<str:code>.json", views.verify_certificate_json, name="json"),
    path("<str:code>/", views.verify_certificate, name="certificate"),
]
