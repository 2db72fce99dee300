"""The holder's pages: their list, the PDF and the Open Badges credential.

Public verification lives in `certificates.verify_urls` (mount it at "verify/": the
address is printed on every certificate, so it should be short).
"""

from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.my_certificates, name="my-certificates"),
    path("<uuid:certificate_id>/pdf", views.certificate_pdf, name="certificate-pdf"),
    path("<uuid:certificate_id>/badge.json", views.certificate_badge, name="certificate-badge"),
]
