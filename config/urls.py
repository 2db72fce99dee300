from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from . import views

# Staff sign in through allauth like everyone else, so two-factor authentication and the
# lockout apply: the admin's own password form is never served.
admin.site.login = views.admin_sign_in  # type: ignore[method-assign]

# A database or Redis that does not answer is 503 with Retry-After, everything else 500.
handler500 = "config.error_views.server_error"

urlpatterns = [
    path("livez", views.livez, name="livez"),
    path("readyz", views.readyz, name="readyz"),
    path("healthz", views.readyz, name="healthz"),
    path(
        "tilgjengelighet/",
        TemplateView.as_view(template_name="accessibility_statement.html"),
        name="accessibility-statement",
    ),
    path("personvern/", views.privacy_statement, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("lup.api.urls")),
    path("courses/", include("courses.urls")),
    path("certificates/", include("certificates.urls")),
    path("verify/", include("certificates.verify_urls")),
    path("credentials/", include("certificates.credentials.urls")),
    path("", include("lup.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
