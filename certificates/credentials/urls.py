"""Public Open Badges 3.0 addresses, mounted by the site at "credentials/".

Every credential's identifiers point here (under CERTIFICATES_SITE_URL), so these paths
never change once credentials are issued.
"""

from django.urls import path

from . import views

app_name = "certificates-credentials"
urlpatterns = [
    path("<uuid:certificate_id>", views.credential, name="credential"),
    path("<uuid:certificate_id>.jwt", views.credential_signed, name="credential-signed"),
    path("issuers/<slug:slug>", views.issuer_profile, name="issuer"),
    path("issuers/<slug:slug>/jwks.json", views.key_set, name="jwks"),
    path("issuers/<slug:slug>/keys/<str:kid>", views.key, name="key"),
    path("issuers/<slug:slug>/status/<int:number>", views.status_list, name="status-list"),
    path("issuers/<slug:slug>/achievements/<slug:key>", views.achievement, name="achievement"),
    path(
        "issuers/<slug:slug>/achievements/<slug:key>/about",
        views.achievement_page,
        name="achievement-page",
    ),
    path(
        "issuers/<slug:slug>/achievements/<slug:key>/image.svg",
        views.achievement_image,
        name="achievement-image",
    ),
]
