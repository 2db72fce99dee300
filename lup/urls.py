from django.apps import apps
from django.urls import include, path

from . import learning_views, views

app_name = "lup"

urlpatterns = [
    path("", views.home, name="home"),
    path("programmes/<slug:slug>/", views.dashboard, name="dashboard"),
    path("programmes/<slug:slug>/figures.csv", views.dashboard_csv, name="dashboard-csv"),
    path("cohorts/", views.cohort_list, name="cohort-list"),
    path("cohorts/<int:pk>/", views.cohort_detail, name="cohort-detail"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    # The unit's manager runs the team (lup.services.team_members).
    path("teams/<int:pk>/members/", views.team_invite, name="team-invite"),
    path(
        "teams/<int:pk>/members/<int:participant_pk>/remove/",
        views.team_member_remove,
        name="team-member-remove",
    ),
    path(
        "teams/<int:pk>/members/<int:participant_pk>/replace/",
        views.team_member_replace,
        name="team-member-replace",
    ),
    path("teams/<int:pk>/manager/", views.team_handover, name="team-handover"),
    path("people/<int:pk>/anonymise/", views.anonymise_person, name="anonymise-person"),
    path("audit/", views.audit_log, name="audit-log"),
    path("me/programme/", learning_views.my_programme, name="my-programme"),
]

# Running a cohort: progress grid, closing, attendance and QR check-in (lup.cohort_views).
from . import cohort_views  # noqa: E402

urlpatterns += [
    path("cohorts/<int:pk>/progress/", cohort_views.cohort_grid, name="cohort-grid"),
    path("cohorts/<int:pk>/close/", cohort_views.cohort_close, name="cohort-close"),
    path(
        "gatherings/<int:pk>/attendance/",
        cohort_views.gathering_attendance,
        name="gathering-attendance",
    ),
    path("gatherings/<int:pk>/qr/", cohort_views.gathering_qr, name="gathering-qr"),
    path("gatherings/<int:pk>/check-in/<str:code>/", cohort_views.check_in, name="check-in"),
]

# Sharing: the catalogue ("stjæl og del"), publishing, reuse, exchange and the innovation prize
# (lup.innovation.catalogue_views, lup.innovation.prize_views).
from .innovation import catalogue_views, prize_views  # noqa: E402

urlpatterns += [
    path("catalogue/", catalogue_views.catalogue_search, name="catalogue"),
    path("catalogue/import/", catalogue_views.catalogue_import, name="catalogue-import"),
    path(
        "catalogue/<uuid:public_id>/", catalogue_views.catalogue_project, name="catalogue-project"
    ),
    path(
        "catalogue/<uuid:public_id>/print/",
        catalogue_views.catalogue_print,
        name="catalogue-print",
    ),
    path(
        "catalogue/<uuid:public_id>/export.json",
        catalogue_views.catalogue_export_json,
        name="catalogue-export-json",
    ),
    path(
        "catalogue/<uuid:public_id>/reuse/", catalogue_views.catalogue_reuse, name="catalogue-reuse"
    ),
    path(
        "catalogue/reuses/<int:pk>/remove/",
        catalogue_views.catalogue_unreuse,
        name="catalogue-unreuse",
    ),
    path("projects/<int:pk>/publish/", catalogue_views.project_publish, name="project-publish"),
    path("projects/<int:pk>/withdraw/", catalogue_views.project_withdraw, name="project-withdraw"),
    path("prize/nominate/<uuid:public_id>/", prize_views.prize_nominate, name="prize-nominate"),
    path("prize/jury/", prize_views.prize_jury, name="prize-jury"),
    path("prize/nominations/<int:pk>/score/", prize_views.prize_score, name="prize-score"),
    path("prize/nominations/<int:pk>/winner/", prize_views.prize_winner, name="prize-winner"),
]

# The innovation project workspace: project, canvas, benefits, reviews (lup.innovation).
urlpatterns += [path("", include("lup.innovation.urls"))]  # type: ignore[list-item]

# The innovation barometer: the team's survey, the programme's results (lup.barometer).
urlpatterns += [path("", include("lup.barometer.urls"))]  # type: ignore[list-item]

# The programme office: cohorts, facilitators, gatherings, moving a unit (lup.office).
urlpatterns += [path("", include("lup.office.urls"))]  # type: ignore[list-item]

# Intake: calls for applications, applications and nominations, the office's decisions
# (lup.intake).
urlpatterns += [path("", include("lup.intake.urls"))]  # type: ignore[list-item]

# HR's completion reports: tables, CSV/XLSX exports, presets and schedules (lup.reporting).
from .reporting import urls as reporting_urls  # noqa: E402

urlpatterns += reporting_urls.urlpatterns

# Certificates of a cohort: bulk issue and its progress (lup.certification_views).
from . import certification_views  # noqa: E402

urlpatterns += [
    path(
        "cohorts/<int:pk>/certificates/",
        certification_views.cohort_certificates,
        name="cohort-certificates",
    ),
    path(
        "cohorts/<int:pk>/certificates/progress.json",
        certification_views.cohort_certificates_progress,
        name="cohort-certificates-progress",
    ),
    # Certificates whose completion was withdrawn: revoke or keep (administrators).
    path(
        "programmes/<slug:slug>/certificates/reviews/",
        certification_views.certificate_reviews,
        name="certificate-reviews",
    ),
    path(
        "programmes/<slug:slug>/certificates/reviews/<int:pk>/decide/",
        certification_views.decide_certificate_review,
        name="certificate-review-decide",
    ),
    path(
        "programmes/<slug:slug>/certificates/revoke/",
        certification_views.certificate_revoke,
        name="certificate-revoke",
    ),
]

# Checking a programme's completions against its rule on request (lup.completion_check_views).
from . import completion_check_views  # noqa: E402

urlpatterns += [
    path(
        "programmes/<slug:slug>/completion-check/",
        completion_check_views.check_completions,
        name="check-completions",
    ),
]

# Each organisation's privacy statement and its records of processing activities
# (lup.privacy.statement_views; the site's own /personvern/ is `privacy` in config/urls.py).
from .privacy.statement_views import statement_urlpatterns  # noqa: E402

urlpatterns += statement_urlpatterns

# Each organisation's retention periods, set by its administrators (lup.privacy).
from .privacy.retention_views import retention_urlpatterns  # noqa: E402

urlpatterns += retention_urlpatterns

# Calendars: a gathering's calendar file and each person's calendar feed (lup.calendar).
from .calendar.views import calendar_urlpatterns  # noqa: E402

urlpatterns += calendar_urlpatterns

# Notifications: one-click unsubscribe from an optional kind of e-mail (lup.notifications).
from .notifications.unsubscribe_views import notification_public_urlpatterns  # noqa: E402

urlpatterns += notification_public_urlpatterns

# A person's notifications, their e-mail choices, and the office's e-mail previews
# (lup.notifications.views).
from .notifications.views import notification_urlpatterns  # noqa: E402

urlpatterns += notification_urlpatterns

# Announcements to a cohort, a team or all units of a programme, and their history
# (lup.announcements).
from .announcements.views import announcement_urlpatterns  # noqa: E402

urlpatterns += announcement_urlpatterns

# What each organisation says of itself as data controller, set by its administrators.
from .privacy.details_views import details_urlpatterns  # noqa: E402

urlpatterns += details_urlpatterns

# The programme's settings and completion rule, the organisation's API tokens and the
# certificate templates, for their administrators (lup.setup).
from .setup.urls import setup_urlpatterns  # noqa: E402

urlpatterns += setup_urlpatterns

# The programme's own report for a period, as a page and an A4 PDF (lup.programme_report).
from .programme_report import views as programme_report_views  # noqa: E402

urlpatterns += [
    path(
        "programmes/<slug:slug>/report/",
        programme_report_views.programme_report,
        name="programme-report",
    ),
    path(
        "programmes/<slug:slug>/report.pdf",
        programme_report_views.programme_report_pdf,
        name="programme-report-pdf",
    ),
]

# A person's own data: the page, its JSON download and archives with their files
# (lup.privacy.export_views).
from .privacy.export_views import own_data_urlpatterns  # noqa: E402

urlpatterns += own_data_urlpatterns

if apps.is_installed("allauth.socialaccount"):
    # A first ID-porten or Ansattporten sign-in proves the work e-mail once (lup.sso). Only
    # with allauth's social accounts: a host project may install lup without them.
    from .sso import views as sso_views

    urlpatterns += [
        path("sign-in/link/", sso_views.link_email, name="sso-link"),
        path("sign-in/link/code/", sso_views.link_code, name="sso-link-code"),
    ]
