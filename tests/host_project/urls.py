from django.urls import include, path

urlpatterns = [
    path("learning/", include("lup.urls")),
    path("learning/courses/", include("courses.urls")),
    path("learning/certificates/", include("certificates.urls")),
    path("verify/", include("certificates.verify_urls")),
    path("credentials/", include("certificates.credentials.urls")),
]
