"""The settings pages' addresses, included in lup/urls.py (namespace `lup`)."""

from __future__ import annotations

from django.urls import path

from . import views

setup_urlpatterns = [
    path("programmes/<slug:slug>/settings/", views.programme_settings, name="programme-settings"),
    path(
        "programmes/<slug:slug>/certificate-templates/",
        views.certificate_templates,
        name="certificate-templates",
    ),
    path(
        "programmes/<slug:slug>/certificate-templates/<slug:key>/",
        views.certificate_template_edit,
        name="certificate-template-edit",
    ),
    path(
        "programmes/<slug:slug>/certificate-templates/<slug:key>/preview/",
        views.certificate_template_preview,
        name="certificate-template-preview",
    ),
    path(
        "programmes/<slug:slug>/certificate-templates/<slug:key>/signatories/new/",
        views.certificate_signatory_add,
        name="certificate-signatory-add",
    ),
    path(
        "programmes/<slug:slug>/certificate-templates/<slug:key>/signatories/<int:pk>/",
        views.certificate_signatory_edit,
        name="certificate-signatory-edit",
    ),
    path(
        "programmes/<slug:slug>/certificate-templates/<slug:key>/signatories/<int:pk>/move/",
        views.certificate_signatory_move,
        name="certificate-signatory-move",
    ),
    path(
        "programmes/<slug:slug>/certificate-templates/<slug:key>/signatories/<int:pk>/delete/",
        views.certificate_signatory_delete,
        name="certificate-signatory-delete",
    ),
    path("organisations/<slug:slug>/api-tokens/", views.api_tokens, name="api-tokens"),
    path(
        "organisations/<slug:slug>/api-tokens/<int:pk>/revoke/",
        views.api_token_revoke,
        name="api-token-revoke",
    ),
]
