from django.urls import include, path

urlpatterns = [
    path("learning/certificates/", include("certificates.urls")),
    path("verify/", include("certificates.verify_urls")),
    path("credentials/", include("certificates.credentials.urls")),
]
