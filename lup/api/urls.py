"""The REST API, version 1 (mounted at /api/v1/), with its OpenAPI schema and documentation."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import (
    announcements,
    anonymisation,
    barometer,
    certificate_reviews,
    certificates,
    cohort_close,
    completion_checks,
    completions,
    gatherings,
    innovation,
    me,
    notifications,
    organisations,
    participants,
    personal_data,
    processing_records,
    programmes,
    reports,
    retention,
)

app_name = "lup-api"

API_DOCS_POLICY = {"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"]}


class OwnEndpoints(EndpointEnumerator):
    """Only this API's views: a host project's URLs may hold APIs of its own (Wagtail's),
    which are not ours to describe."""

    def should_include_endpoint(self, path: str, callback: object) -> bool:
        view = getattr(callback, "cls", None)
        return (
            view is not None
            and view.__module__.startswith(f"{__package__}.")
            and bool(super().should_include_endpoint(path, callback))
        )


class OwnSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = OwnEndpoints


# drf-spectacular's own views, left out of the schema (`schema = None`) by DRF itself: the
# schema they would have is built on DRF's DEFAULT_SCHEMA_CLASS, which a host need not set.
class SchemaView(SpectacularAPIView):
    schema = None


class SwaggerView(SpectacularSwaggerView):
    schema = None


class RedocView(SpectacularRedocView):
    schema = None


router = SimpleRouter()
router.register("organisations", organisations.OrganisationViewSet, basename="organisation")
router.register("sectors", organisations.SectorViewSet, basename="sector")
router.register("programmes", programmes.ProgrammeViewSet, basename="programme")
router.register("cohorts", programmes.CohortViewSet, basename="cohort")
router.register("units", organisations.ServiceUnitViewSet, basename="unit")
router.register("participants", participants.ParticipantViewSet, basename="participant")
router.register("gatherings", gatherings.GatheringViewSet, basename="gathering")
router.register("announcements", announcements.AnnouncementViewSet, basename="announcement")
router.register("completions", completions.CompletionViewSet, basename="completion")
router.register("projects", innovation.ProjectViewSet, basename="project")
router.register("benefits", innovation.BenefitViewSet, basename="benefit")
router.register("certificates", certificates.CertificateViewSet, basename="certificate")
router.register(
    "certificate-reviews",
    certificate_reviews.CertificateReviewViewSet,
    basename="certificate-review",
)
router.register(
    "reports/participants", reports.ParticipantReportViewSet, basename="report-participants"
)
router.register("reports/units", reports.UnitReportViewSet, basename="report-units")

urlpatterns = [
    path("me/", me.me, name="me"),
    path("me/notifications/", notifications.MyNotifications.as_view(), name="notifications"),
    path(
        "me/notifications/read/",
        notifications.MarkNotificationsRead.as_view(),
        name="notifications-read",
    ),
    path("me/personal-data/", personal_data.personal_data, name="personal-data"),
    path(
        "me/personal-data/archives/",
        personal_data.personal_data_archives,
        name="personal-data-archives",
    ),
    path(
        "me/personal-data/archives/<str:id>/",
        personal_data.personal_data_archive,
        name="personal-data-archive",
    ),
    path(
        "me/personal-data/archives/<str:id>/download/",
        personal_data.personal_data_archive_download,
        name="personal-data-archive-download",
    ),
    path(
        "programmes/<str:id>/completion-checks/",
        completion_checks.ProgrammeCompletionChecks.as_view(),
        name="programme-completion-checks",
    ),
    path("cohorts/<str:id>/close/", cohort_close.cohort_close, name="cohort-close"),
    # The innovation barometer (lup.barometer): a team is its unit's enrolment in a cohort.
    path("teams/<str:id>/barometer/", barometer.team_barometer, name="team-barometer"),
    path(
        "teams/<str:id>/barometer/<str:moment>/",
        barometer.team_barometer_answer,
        name="team-barometer-answer",
    ),
    path(
        "programmes/<str:id>/barometer/",
        barometer.programme_barometer,
        name="programme-barometer",
    ),
    path(
        "people/<str:id>/anonymisation/",
        anonymisation.person_anonymisation,
        name="person-anonymisation",
    ),
    path(
        "organisations/<str:id>/retention/",
        retention.OrganisationRetention.as_view(),
        name="organisation-retention",
    ),
    path(
        "organisations/<str:id>/processing-records/",
        processing_records.OrganisationProcessingRecords.as_view(),
        name="organisation-processing-records",
    ),
    path(
        "certificates/verify/<str:code>/",
        certificates.verify_certificate,
        name="certificate-verify",
    ),
    path(
        "credentials/verify/",
        certificates.verify_credential,
        name="credential-verify",
    ),
    path("schema/", SchemaView.as_view(generator_class=OwnSchemaGenerator), name="schema"),
    # The documentation's viewers write inline styles (Swagger UI's React, Redoc's styled
    # components) and Redoc runs a web worker: allowed on these two pages only, which hold
    # no personal data. Their scripts still come from this site only.
    path(
        "docs/",
        csp_update(API_DOCS_POLICY)(SwaggerView.as_view(url_name="lup-api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        csp_update(API_DOCS_POLICY)(
            RedocView.as_view(url_name="lup-api:schema", template_name="lup/api/redoc.html")
        ),
        name="redoc",
    ),
    *router.urls,
]
