"""Who gets what, for every role and every URL in the project.

The URLs are discovered from the URL resolver, so a new URL without a rule here
fails `test_every_url_has_a_rule`. Outcomes are what a person notices: ok (200),
login (sent to sign in), redirect, forbidden (403), not_found (404), method (405).
Out-of-scope objects are not_found (or, in the admin, its "does not exist" redirect):
never a 403 that would confirm they exist.

Each URL is also POSTed to (an empty body) as each role: `POST_RULES` and `post_rule_for`
say what each may get, a route that starts taking POSTs without a rule fails, and no role
ever gets a server error. One world is built for the module (tests.urlmatrix.module_world);
each test's writes are rolled back. What an attacker's write with a plausible body does to
another organisation's data is tests/test_tenant_walls.py's.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.roles import ROLES
from tests.urlmatrix import (
    ADMIN_CATCH_ALL,
    ADMIN_MODEL_URL,
    ADMIN_SHORT_OBJECT_URL,
    Route,
    arguments_for,
    discover_routes,
    module_world,
    outcome,
    world_settings,
)

ANON, ENTH, MGR, FAC, HR, ADM, OTHER, SUPER = ROLES


def row(*outcomes: str) -> dict[str, str]:
    assert len(outcomes) == len(ROLES)
    return dict(zip(ROLES, outcomes, strict=True))


def every(outcome_: str) -> dict[str, str]:
    return row(*[outcome_] * len(ROLES))


PUBLIC = every("ok")
SIGNED_IN = row("login", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
API_SIGNED_IN = row("forbidden", "ok", "ok", "ok", "ok", "ok", "ok", "ok")
STAFF_PAGE = row("login", "login", "login", "login", "login", "ok", "ok", "ok")
REPORTS = row("login", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok", "ok")
REPORT_OBJECTS = row("login", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok")
SETUP = row("login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok")
OFFICE = row("login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok")
OFFICE_400 = row(
    "login", "forbidden", "forbidden", "forbidden", "forbidden", "400", "not_found", "400"
)
CURRICULUM_EDITOR = row(
    "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
)
CURRICULUM_EDITOR_REDIRECT = row(
    "login", "forbidden", "forbidden", "forbidden", "forbidden", "redirect", "not_found", "redirect"
)

# Intake's calls are the organisation's people's: its members and the people on its units'
# teams (the enthusiast and the manager) find them; the facilitator works for no organisation
# (no membership, no team) and finds none, nor any programme to run intake for.
NF3 = ("not_found",) * 3
# The enthusiast, manager, facilitator and HR: Bærum's people who may not run intake.
OWN_PEOPLE_FORBIDDEN = ("forbidden", "forbidden", "not_found", "forbidden")

# Rules for named URLs. row(...) takes the roles in the order of tests.roles.ROLES:
# anonymous, enthusiast, manager, facilitator, hr, administrator, other administrator, superuser.
RULES: dict[str, dict[str, str]] = {
    "accessibility-statement": PUBLIC,
    "privacy": PUBLIC,
    "healthz": PUBLIC,
    "livez": PUBLIC,
    "readyz": PUBLIC,
    "set_language": every("redirect"),  # a GET just goes back
    # lup
    "lup:home": row("login", "ok", "ok", "ok", "redirect", "redirect", "redirect", "ok"),
    "lup:dashboard": row(
        "login", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    "lup:dashboard-csv": row(
        "login", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    # The programme report (lup.programme_report): as the dashboard.
    "lup:programme-report": row(
        "login", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    "lup:programme-report-pdf": row(
        "login", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    "lup:cohort-list": SIGNED_IN,
    "lup:cohort-detail": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:team-detail": row("login", "not_found", "ok", "ok", "ok", "ok", "not_found", "ok"),
    # The innovation barometer (lup.barometer): the whole team answers for its unit (so the
    # enthusiast too); the organisation's administrators and HR read it, the facilitator
    # sees the team but not its barometer. The results are the administrators' and HR's.
    "lup:team-barometer": row("login", "ok", "ok", "forbidden", "ok", "ok", "not_found", "ok"),
    "lup:team-barometer-answer": row(
        "login", "ok", "ok", "forbidden", "forbidden", "forbidden", "not_found", "forbidden"
    ),
    "lup:barometer-results": row(
        "login", "not_found", "not_found", "not_found", "ok", "ok", "not_found", "ok"
    ),
    "lup:barometer-export": row(
        "login", "not_found", "not_found", "not_found", "ok", "ok", "not_found", "ok"
    ),
    "lup:barometer-settings": every("method"),
    # The barometer's questions and their versions: the administrators who change its
    # settings (HR read the results, but may not change the questions).
    "lup:barometer-questions": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:barometer-question-version": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "ok", "not_found", "ok"
    ),
    # The team's manager and the organisation's administrators change it (POST only, but the
    # replacement's form page); the enthusiast does not see the team at all.
    "lup:team-invite": every("method"),
    "lup:team-handover": every("method"),
    "lup:team-member-remove": every("method"),
    "lup:team-member-replace": row(
        "login", "not_found", "ok", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:my-data": SIGNED_IN,
    "lup:my-data-json": SIGNED_IN,
    # Own-data archives: asked for by POST; an archive is only its owner's (nobody owns the
    # made-up one, so everyone signed in gets 404).
    "lup:my-data-archive-request": every("method"),
    "lup:my-data-archive": row("login", *["not_found"] * 7),
    "lup-api:personal-data": API_SIGNED_IN,
    "lup-api:personal-data-archives": API_SIGNED_IN,
    "lup-api:personal-data-archive": row("forbidden", *["not_found"] * 7),
    "lup-api:personal-data-archive-download": row("forbidden", *["not_found"] * 7),
    # The privacy statement is public; the records of processing activities are the
    # organisation's administrators' and HR's.
    "lup:privacy-statement": PUBLIC,
    "lup:processing-records": row(
        "login", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    "lup-api:organisation-processing-records": row(
        "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    # Anonymising a person through the API: the plan (GET) and the deed (POST).
    "lup-api:person-anonymisation": row(
        "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    # Retention periods: the organisation's administrators (each their own organisation's).
    "lup:retention-periods": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok"
    ),
    "lup:organisation-details": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok"
    ),
    "lup-api:organisation-retention": row(
        "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:anonymise-person": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    # A first ID-porten sign-in's two steps: without a sign-in waiting, back to sign in.
    "lup:sso-link": every("login"),
    "lup:sso-link-code": every("login"),
    "lup:audit-log": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok"
    ),
    # courses: only enrolled learners see the curriculum (superusers included: no preview)
    "courses:course-detail": row(
        "login", "ok", "ok", "not_found", "not_found", "not_found", "not_found", "not_found"
    ),
    "courses:activity-detail": row(
        "login", "ok", "ok", "not_found", "not_found", "not_found", "not_found", "not_found"
    ),
    "courses:activity-done": every("method"),  # POST only
    # a team's file: its members and the cohort's facilitator (reviewers), no one else
    "courses:submission-file": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "courses:submission-review": row(
        "login", "not_found", "not_found", "ok", "not_found", "ok", "not_found", "ok"
    ),
    "lup:my-programme": SIGNED_IN,
    # Intake: the office (Bærum's administrators) runs it; the organisation's people see its
    # calls and apply; another organisation's people see nothing of them.
    "lup:intake": row("login", *NF3, "forbidden", "ok", "not_found", "ok"),
    "lup:call-open": row("login", *NF3, "forbidden", "ok", "not_found", "ok"),
    "lup:call-detail": row("login", "ok", "ok", "not_found", "ok", "ok", "not_found", "ok"),
    "lup:call-edit": row("login", *OWN_PEOPLE_FORBIDDEN, "ok", "not_found", "ok"),
    "lup:call-apply": row("login", "ok", "ok", "not_found", "ok", "ok", "not_found", "ok"),
    "lup:application-decide": every("method"),
    "lup:application-withdraw": every("method"),
    "lup:my-applications": SIGNED_IN,
    "lup:sector-leader-add": every("method"),  # POST only
    "lup:sector-leader-remove": every("method"),
    # H5P: the player, its package's files and saved state open with the attempt's play token
    # only, never with a session, whoever is signed in (the matrix sends no valid token);
    # results are POSTed only. Installed libraries are public code, the same for everyone.
    "courses:h5p-frame": every("forbidden"),
    "courses:h5p-state": every("forbidden"),
    "courses:h5p-xapi": every("method"),
    "courses:h5p-package": every("forbidden"),
    "courses:h5p-content-file": every("forbidden"),
    "courses:h5p-library-file": every("ok"),
    # uploading: facilitators and administrators (new libraries: administrators only)
    "courses:h5p-upload": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "ok", "ok"
    ),
    "courses:h5p-package-detail": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "ok", "ok"
    ),
    # The curriculum editor: the programme administrators of the organisation that owns the
    # course (Bærum's); another municipality's do not find it; moving is POST only.
    "courses:course-edit": CURRICULUM_EDITOR,
    "courses:course-details": CURRICULUM_EDITOR,
    "courses:course-image-add": CURRICULUM_EDITOR,
    "courses:course-image-delete": CURRICULUM_EDITOR,  # asks first
    "courses:module-create": CURRICULUM_EDITOR,
    "courses:module-edit": CURRICULUM_EDITOR,
    "courses:module-delete": CURRICULUM_EDITOR,  # asks first (here: refuses, learners' records)
    "courses:module-move": every("method"),
    "courses:activity-create": CURRICULUM_EDITOR,
    "courses:activity-edit": CURRICULUM_EDITOR,
    "courses:activity-delete": CURRICULUM_EDITOR,
    "courses:activity-move": every("method"),
    "lup:cohort-grid": row("login", "forbidden", "forbidden", "ok", "ok", "ok", "not_found", "ok"),
    "lup:gathering-attendance": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:gathering-qr": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "not_found", "ok"
    ),
    # A gathering's calendar file: whoever sees its cohort; the personal feed opens by its
    # secret alone (calendar apps never sign in); one's own calendar page.
    "lup:gathering-calendar": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:calendar-feed": every("ok"),
    "lup:my-calendar": SIGNED_IN,
    # Notifications (lup.notifications): one's own list and e-mail choices; the world's
    # notification is the enthusiast's (opening it leads to its page), nobody else finds it.
    # The one-click unsubscribe opens by its signed token alone (a made-up one here: the
    # real ones are tests/lup/test_notification_pages.py's). The e-mail previews are the
    # office's: others are refused before anything is looked up.
    "lup:my-notifications": SIGNED_IN,
    "lup:my-notification-open": row("login", "redirect", *["not_found"] * 6),
    "lup:notification-choices": SIGNED_IN,
    "lup:notifications-unsubscribe": every("not_found"),
    "lup:email-previews": SETUP,
    "lup-api:notifications": API_SIGNED_IN,
    "lup-api:notifications-read": row("forbidden", *["method"] * 7),  # POST only
    # Announcements (lup.announcements): whoever sees the cohort or the team reads what it
    # was told (as far as it was sent to them); its facilitators and the programme's office
    # write to it; the programme's announcements are its office's. The world's announcement
    # went to cohort A: its teams, its facilitator and the office read it, HR does not.
    "lup:cohort-announcements": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:cohort-announcement-write": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:team-announcements": row("login", "not_found", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:team-announcement-write": row(
        "login", "not_found", "forbidden", "ok", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:programme-announcements": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:programme-announcement-write": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:announcement-detail": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup-api:announcement-list": API_SIGNED_IN,
    "lup-api:announcement-detail": row(
        "forbidden", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"
    ),
    # with a made-up code; the real code is a key (tests/lup/test_attendance.py)
    "lup:check-in": row("login", *["not_found"] * 7),
    # certificates: a holder's list and downloads (the enthusiast's certificate: theirs, their
    # manager's, and those running or overseeing the cohort), public verification, bulk issue
    "certificates:my-certificates": SIGNED_IN,
    "certificates:certificate-pdf": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    # The old link to the credential leads to its public address.
    "certificates:certificate-badge": row(
        "login", "redirect", "redirect", "redirect", "redirect", "redirect", "not_found", "redirect"
    ),
    "certificates-verify:form": PUBLIC,
    "certificates-verify:certificate": every("not_found"),  # a made-up code
    "certificates-verify:json": every("not_found"),
    "certificates-verify:credential-json": every("method"),  # POST only
    # Open Badges: public, so a verifier anywhere can follow every identifier.
    "certificates-credentials:credential": PUBLIC,
    "certificates-credentials:credential-signed": PUBLIC,
    "certificates-credentials:issuer": PUBLIC,
    "certificates-credentials:jwks": PUBLIC,
    "certificates-credentials:key": PUBLIC,
    "certificates-credentials:status-list": PUBLIC,
    "certificates-credentials:achievement": PUBLIC,
    "certificates-credentials:achievement-page": PUBLIC,
    "certificates-credentials:achievement-image": PUBLIC,
    "lup:cohort-certificates": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:cohort-certificates-progress": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "not_found", "ok"
    ),
    # the project workspace (U1's project): its team, facilitator and administrators edit,
    # HR reads; starting one is for cohort B's unit (no project yet): its own team (not in
    # this matrix) and Bærum's administrators
    "lup:project-start": row(
        "login", "not_found", "not_found", "not_found", "not_found", "ok", "not_found", "ok"
    ),
    "lup:project-detail": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:project-edit": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:project-phase": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:project-submit": every("method"),  # POST only
    "lup:project-review": row(
        "login", "not_found", "not_found", "ok", "not_found", "ok", "not_found", "ok"
    ),
    "lup:project-canvas": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:canvas-history": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:canvas-version": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:benefit-create": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:benefit-detail": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:benefit-edit": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:benefit-update": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:programme-benefits": row(
        "login", "not_found", "not_found", "ok", "ok", "ok", "not_found", "ok"
    ),
    # HR's completion reports: HR and administrators (presets and schedules in their scope)
    "lup:report-participants": REPORTS,
    "lup:report-participants-export": REPORTS,  # the default preset, as CSV
    "lup:report-units": REPORTS,
    "lup:report-units-export": REPORTS,
    "lup:report-presets": REPORTS,
    "lup:report-preset-create": REPORTS,
    "lup:report-schedules": REPORTS,
    "lup:report-schedule-create": REPORTS,
    "lup:report-preset-edit": REPORT_OBJECTS,
    "lup:report-preset-delete": REPORT_OBJECTS,
    "lup:report-schedule-edit": REPORT_OBJECTS,
    "lup:report-schedule-delete": REPORT_OBJECTS,
    # the catalogue ("stjæl og del"), with U2's published project: anyone signed in reads it;
    # reuse is marked by people on another unit's team; only U1's manager publishes U1's
    "lup:catalogue": SIGNED_IN,
    "lup:catalogue-project": SIGNED_IN,
    "lup:catalogue-print": SIGNED_IN,
    "lup:catalogue-export-json": SIGNED_IN,
    "lup:catalogue-reuse": row("login", "ok", "ok", *["not_found"] * 5),
    "lup:catalogue-unreuse": every("method"),  # POST only
    "lup:catalogue-import": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok"
    ),
    "lup:project-publish": row("login", "not_found", "ok", *["not_found"] * 5),
    "lup:project-withdraw": every("method"),  # POST only
    # the innovation prize: facilitators, administrators and managers nominate; the jury judges
    "lup:prize-nominate": row("login", "forbidden", "ok", "ok", "forbidden", "ok", "ok", "ok"),
    "lup:prize-jury": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok"
    ),
    "lup:prize-score": every("method"),  # POST only
    "lup:prize-winner": every("method"),  # POST only
    # the REST API (session authentication: anonymous callers get 403)
    "lup-api:me": API_SIGNED_IN,
    "lup-api:programme-list": API_SIGNED_IN,
    "lup-api:programme-detail": row(
        "forbidden", "not_found", "not_found", "not_found", "ok", "ok", "not_found", "ok"
    ),
    "lup-api:programme-progress": row(
        "forbidden", "not_found", "not_found", "not_found", "ok", "ok", "not_found", "ok"
    ),
    "lup-api:cohort-list": API_SIGNED_IN,
    "lup-api:cohort-detail": row("forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup-api:unit-list": API_SIGNED_IN,
    "lup-api:unit-detail": row("forbidden", "not_found", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup-api:participant-list": API_SIGNED_IN,
    "lup-api:participant-detail": row("forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup-api:participant-progress": row(
        "forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"
    ),
    "lup-api:organisation-list": API_SIGNED_IN,
    "lup-api:organisation-detail": row(
        "forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"
    ),
    "lup-api:sector-list": API_SIGNED_IN,
    "lup-api:sector-detail": row(
        "forbidden", "not_found", "ok", "ok", "ok", "ok", "not_found", "ok"
    ),
    "lup-api:gathering-list": API_SIGNED_IN,
    "lup-api:gathering-detail": row("forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    # who was there: those who follow the cohort (recording it: those who take attendance)
    "lup-api:gathering-attendance": row(
        "forbidden", "forbidden", "forbidden", "ok", "ok", "ok", "not_found", "ok"
    ),
    "lup-api:gathering-attendance-detail": row("forbidden", *["method"] * 7),  # DELETE only
    "lup-api:completion-list": API_SIGNED_IN,  # each sees the completions in their scope
    # HR's reports: those who may export completions (Asker's administrator: Asker's rows)
    "lup-api:report-participants-list": row("forbidden", *["forbidden"] * 3, *["ok"] * 4),
    "lup-api:report-units-list": row("forbidden", *["forbidden"] * 3, *["ok"] * 4),
    # U1's project and its benefit, as on the workspace's pages
    "lup-api:project-list": API_SIGNED_IN,
    "lup-api:project-detail": row("forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup-api:benefit-list": API_SIGNED_IN,
    "lup-api:benefit-detail": row("forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup-api:benefit-measurements": row("forbidden", *["method"] * 7),  # POST only
    "lup-api:benefit-updates": row("forbidden", *["method"] * 7),  # POST only
    # Issue 22: the barometer in the API, as on its pages (a team is its unit's enrolment).
    "lup-api:team-barometer": row(
        "forbidden", "ok", "ok", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    "lup-api:team-barometer-answer": row("forbidden", *["method"] * 7),  # POST only
    "lup-api:programme-barometer": row(
        "forbidden", "not_found", "not_found", "not_found", "ok", "ok", "not_found", "ok"
    ),
    # the enthusiast's certificate, as its PDF; verification is public (a made-up code here)
    "lup-api:certificate-list": API_SIGNED_IN,
    "lup-api:certificate-detail": row("forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup-api:certificate-revoke": row("forbidden", *["method"] * 7),  # POST only
    # Issue 15: closing a cohort, certificates to review, completion checks.
    "lup:cohort-close": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    # The programme office (lup.office): the administrators of the organisation that runs
    # the programme; those without the dashboard do not find the programme, those who see
    # the cohort (its team, its facilitator, HR) may not change it; the enthusiast does not
    # see a team.
    "lup:office-cohort-create": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:office-cohort-edit": OFFICE,
    "lup:office-gathering-create": OFFICE,
    "lup:office-gathering-edit": OFFICE,
    "lup:office-gathering-cancel": OFFICE,  # asks first (here: refuses, attendance recorded)
    "lup:office-unit-move": row(
        "login", "not_found", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    # The office's CSV imports (lup.office.imports_views), and their example files: the
    # organisation's administrators. Units: the others are refused before anything is looked
    # up, another municipality's do not find Bærum; participants: as a new cohort.
    "lup:office-unit-import": SETUP,
    "lup:office-unit-import-template": SETUP,
    "lup:office-participant-import": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:office-participant-import-template": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "ok", "not_found", "ok"
    ),
    # People and roles (lup.office.people_views): the organisation's administrators; the
    # others are refused before anything is looked up, another municipality's do not find
    # Bærum. A person's roles are changed by POST only.
    "lup:office-people": SETUP,
    "lup:office-person-roles": every("method"),
    "lup:certificate-reviews": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:certificate-review-decide": every("method"),  # POST only
    "lup:certificate-revoke": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:check-completions": every("method"),  # POST only
    # The settings pages (lup.setup): the organisation's administrators; the others are
    # refused before anything is looked up, another municipality's do not find Bærum's.
    "lup:programme-settings": SETUP,
    "lup:api-tokens": SETUP,
    "lup:api-token-revoke": every("method"),  # POST only
    "lup:certificate-templates": SETUP,
    "lup:certificate-template-edit": SETUP,
    "lup:certificate-template-preview": every("method"),  # POST only
    # A template's signatories: changed by those who may change the template (here, with
    # Asker running a programme too, a superuser only); moving is POST only.
    "lup:certificate-signatory-add": row(
        "login", *["forbidden"] * 4, "forbidden", "not_found", "ok"
    ),
    "lup:certificate-signatory-edit": row(
        "login", *["forbidden"] * 4, "forbidden", "not_found", "ok"
    ),
    "lup:certificate-signatory-move": every("method"),
    "lup:certificate-signatory-delete": row(  # asks first
        "login", *["forbidden"] * 4, "forbidden", "not_found", "ok"
    ),
    "lup-api:cohort-close": row("forbidden", *["method"] * 7),  # POST only
    "lup-api:certificate-review-list": API_SIGNED_IN,
    "lup-api:certificate-review-decide": row("forbidden", *["method"] * 7),  # POST only
    "lup-api:programme-completion-checks": row(
        "forbidden", "not_found", "not_found", "not_found", "forbidden", "ok", "not_found", "ok"
    ),
    "lup-api:certificate-verify": every("not_found"),
    "lup-api:credential-verify": every("method"),  # POST only
    # the API's description is public; it holds no data
    "lup-api:schema": PUBLIC,
    "lup-api:docs": PUBLIC,
    "lup-api:redoc": PUBLIC,
    # The xAPI outbox: statements are read-only (an unknown one sends the viewer back to
    # the list) and never deleted in the admin (the retention rules delete them)
    "admin:courses_xapistatement_change": row(*["login"] * 5, "redirect", "redirect", "redirect"),
    "admin:courses_xapistatement_history": row(*["login"] * 5, "redirect", "redirect", "redirect"),
    "admin:courses_xapistatement_delete": row(
        *["login"] * 5, "forbidden", "forbidden", "forbidden"
    ),
    # API tokens are never deleted in the admin: they are revoked (a state)
    "admin:lup_apitoken_delete": row(*["login"] * 5, "forbidden", "forbidden", "forbidden"),
    # django-allauth: accounts
    "account_login": row("ok", *["redirect"] * 7),  # signed-in people are sent on
    "account_logout": row("redirect", *["ok"] * 7),  # a confirmation page; logging out is a POST
    "account_signup": row("ok", *["redirect"] * 7),  # says sign-up is closed
    "account_reset_password": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,  # says the link is invalid or expired
    "account_reset_password_from_key_done": PUBLIC,
    "account_confirm_email": PUBLIC,  # says the link is invalid or expired
    "account_email_verification_sent": PUBLIC,
    "account_inactive": PUBLIC,
    "account_change_password": SIGNED_IN,
    "account_set_password": row("login", *["redirect"] * 7),  # they already have one
    "account_email": SIGNED_IN,
    "account_reauthenticate": SIGNED_IN,
    "account_confirm_login_code": row("login", *["redirect"] * 7),  # no code was asked for
    # django-allauth: two-factor
    "mfa_index": SIGNED_IN,
    "mfa_activate_totp": row("login", *["redirect"] * 7),  # asks to re-authenticate first
    "mfa_deactivate_totp": row(
        "login",
        "not_found",
        "not_found",
        "not_found",
        "redirect",
        "redirect",
        "redirect",
        "redirect",
    ),
    "mfa_authenticate": row("login", *["redirect"] * 7),  # only during a sign-in
    "mfa_reauthenticate": row("login", "redirect", "redirect", "redirect", "ok", "ok", "ok", "ok"),
    "mfa_generate_recovery_codes": row("login", *["redirect"] * 7),
    "mfa_view_recovery_codes": row("login", *["not_found"] * 7),  # none generated in this world
    "mfa_download_recovery_codes": row("login", *["not_found"] * 7),
    # django-allauth: single sign-on (no provider is configured in this world)
    "openid_connect_login": every("not_found"),
    "openid_connect_callback": every("not_found"),
    "microsoft_login": every("not_found"),
    "microsoft_callback": every("not_found"),
    "socialaccount_connections": SIGNED_IN,
    "socialaccount_login_cancelled": PUBLIC,
    "socialaccount_login_error": every("401"),
    "socialaccount_signup": every("login"),  # only in the middle of an SSO sign-up (closed)
    # allauth's old addresses, kept as redirects to the new ones
    "accounts/social/connections/": every("redirect"),
    "accounts/social/login/cancelled/": every("redirect"),
    "accounts/social/login/error/": every("redirect"),
    "accounts/social/signup/": every("redirect"),
    # the admin's own pages
    "admin:index": STAFF_PAGE,
    "admin:jsi18n": STAFF_PAGE,
    "admin:password_change": STAFF_PAGE,
    "admin:password_change_done": STAFF_PAGE,
    "admin:app_list": row("login", "login", "login", "login", "login", "ok", "ok", "ok"),
    "admin:autocomplete": row(
        "login", "login", "login", "login", "login", "forbidden", "forbidden", "forbidden"
    ),
    "admin:view_on_site": row(
        "login", "login", "login", "login", "login", "not_found", "not_found", "not_found"
    ),
    # The admin never serves its own password form (tests/lup/test_two_factor_doors.py).
    "admin:login": row(
        "login",
        "forbidden",
        "forbidden",
        "forbidden",
        "forbidden",
        "redirect",
        "redirect",
        "redirect",
    ),
    "admin:logout": row(
        "redirect", "redirect", "redirect", "redirect", "redirect", "method", "method", "method"
    ),
}


def admin_rule(app: str, model: str, action: str) -> dict[str, str]:
    """The admin's model pages: staff only; lup's are scoped, others need permissions."""
    not_staff = ["login"] * 5
    if app == "certificates":
        return certificates_admin_rule(model, action)
    if app == "courses":
        return courses_admin_rule(model, action)
    if app != "lup":
        # Administrators have no permissions on accounts, groups or sign-in records.
        return row(*not_staff, "forbidden", "forbidden", "ok")
    if model == "courseownership":  # who owns a shared course: superusers decide
        return row(*not_staff, "forbidden", "forbidden", "ok")
    if model == "auditevent" and action in {"add", "delete"}:
        return row(*not_staff, "forbidden", "forbidden", "forbidden")  # never edited
    if action in OBJECT_ACTIONS:
        # The object is Bærum's: Asker's administrator is told it does not exist.
        return row(*not_staff, "ok", "redirect", "ok")
    return row(*not_staff, "ok", "ok", "ok")


OBJECT_ACTIONS = {"change", "delete", "history", "password_change"}


def certificates_admin_rule(model: str, action: str) -> dict[str, str]:
    """Administrators edit the shared templates, and read and revoke their organisation's
    certificates; nobody adds, changes or deletes an issued certificate."""
    not_staff = ["login"] * 5
    if action in {"preview", "add_preview"}:
        return row(*not_staff, "method", "method", "method")  # the form POSTs to it
    if model == "certificatetemplate":
        if action == "delete":
            return row(*not_staff, "forbidden", "forbidden", "ok")
        return row(*not_staff, "ok", "ok", "ok")
    if action in {"add", "delete"}:
        return row(*not_staff, "forbidden", "forbidden", "forbidden")
    if action == "changelist":
        return row(*not_staff, "ok", "ok", "ok")
    if action == "revoke":
        return row(*not_staff, "ok", "not_found", "ok")
    return row(*not_staff, "ok", "redirect", "ok")  # the read-only page and its history


COURSE_CONTENT = {"course", "module", "activity", "assignment"}


def courses_admin_rule(model: str, action: str) -> dict[str, str]:
    """Administrators author their own programmes' curriculum and follow their learners'
    answers and completions; answers and completions are never added or deleted here."""
    not_staff = ["login"] * 5
    if model in {"h5plibrary", "h5ppackage"}:
        # Shared: a library is installed once for everyone, and packages are reusable content.
        if action == "delete":  # their files would stay behind: not from the admin
            return row(*not_staff, "forbidden", "forbidden", "forbidden")
        if action == "add":  # packages are uploaded on the upload page (validated there)
            outcome_ = "redirect" if model == "h5ppackage" else "forbidden"
            return row(*not_staff, outcome_, outcome_, outcome_)
        return row(*not_staff, "ok", "ok", "ok")
    theirs = ["ok", "redirect", "ok"]  # the object is Bærum's: Asker's admin is told it is gone
    if action == "changelist":
        return row(*not_staff, "ok", "ok", "ok")
    if action == "add":
        if model in COURSE_CONTENT:
            return row(*not_staff, "ok", "ok", "ok")
        if model == "enrolment":
            return row(*not_staff, "forbidden", "forbidden", "ok")
        return row(*not_staff, "forbidden", "forbidden", "forbidden")
    if action == "delete":
        if model in COURSE_CONTENT:
            return row(*not_staff, *theirs)
        if model == "activitycompletion":  # withdrawn with the admin action instead
            return row(*not_staff, "forbidden", "forbidden", "forbidden")
        return row(*not_staff, "forbidden", "forbidden", "ok")
    return row(*not_staff, *theirs)


# django-allauth's pages by rule, so that a new allauth release's pages are covered without
# listing them (RULES above pin the pages whose exact outcome we rely on). allauth marks its
# sign-in flow's public views with Django's `login_not_required`; every other allauth page
# must send an anonymous visitor to sign in. Nobody ever gets an error or another outcome.
ALLAUTH_PUBLIC_OUTCOMES = frozenset({"ok", "redirect", "not_found", "method", "401"})
ALLAUTH_SIGNED_IN_OUTCOMES = frozenset({"ok", "redirect", "not_found", "method", "forbidden"})


def allauth_rule(route: Route) -> dict[str, str | frozenset[str]] | None:
    """The rule for an allauth page not in RULES (None: not an allauth page)."""
    from django.urls import Resolver404, resolve

    try:
        view = resolve(route.url(dict.fromkeys(route.arguments, "x"))).func
    except Resolver404:
        return None
    if not view.__module__.startswith("allauth."):
        return None
    public = getattr(view, "login_required", True) is False
    anonymous = ALLAUTH_PUBLIC_OUTCOMES if public else "login"
    return {ROLES[0]: anonymous, **dict.fromkeys(ROLES[1:], ALLAUTH_SIGNED_IN_OUTCOMES)}


def rule_for(route: Route) -> dict[str, Any] | None:
    if route.name in RULES:
        return RULES[route.name]
    if (rule := allauth_rule(route)) is not None:
        return rule
    if match := ADMIN_MODEL_URL.match(route.name):
        return admin_rule(match["app"], match["model"], match["action"])
    if ADMIN_SHORT_OBJECT_URL.match(route.name):
        # admin/<app>/<model>/<id>/ only redirects to the change page.
        return row("login", "login", "login", "login", "login", "redirect", "redirect", "redirect")
    if route.name == ADMIN_CATCH_ALL:
        return row(
            "login", "login", "login", "login", "login", "not_found", "not_found", "not_found"
        )
    return None


ROUTES = discover_routes()


def test_every_url_has_a_rule():
    missing = [route.name for route in ROUTES if rule_for(route) is None]

    assert not missing, f"add these URLs to the permission matrix: {missing}"


def test_every_rule_names_a_url():
    names = {route.name for route in ROUTES}

    assert not set(RULES) - names, f"rules for URLs that no longer exist: {set(RULES) - names}"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the whole matrix (each test's writes are rolled back)."""
    files = tmp_path_factory.mktemp("matrix")
    with django_db_blocker.unblock(), module_world(files) as built:
        built.files = files
        yield built


@pytest.fixture(autouse=True)
def private_files(settings, world):
    """The world's files (made once for the module) stay where it put them."""
    settings.COURSES_PRIVATE_ROOT = world_settings(world.files)["COURSES_PRIVATE_ROOT"]


@pytest.fixture(autouse=True)
def h5p_files_in_tmp(settings, world):
    settings.COURSES_H5P_ROOT = world_settings(world.files)["COURSES_H5P_ROOT"]


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if rule_for(r)], ids=lambda r: r.name)
def test_each_role_gets_what_the_matrix_says(client, world, route):
    expected = rule_for(route)
    assert expected is not None, f"{route.name} has no rule"
    url = route.url(arguments_for(route, world))
    logging.disable(logging.WARNING)  # 403/404 responses log warnings by design
    without_policy: list[str] = []
    cacheable: list[str] = []
    try:
        actual = {}
        for role in ROLES:
            client.logout()
            if world.people[role] is not None:
                client.force_login(world.people[role])
            response = client.get(url)
            actual[role] = outcome(response)
            if not response.has_header("Content-Security-Policy"):
                without_policy.append(role)
            if actual[role] == "ok" and role != ANON and not kept_private(route, response):
                cacheable.append(f"{role}: {response.get('Cache-Control')!r}")
            # A download holds its file open. (Not response.close(): that sends
            # request_finished, which closes the database connection mid-test.)
            streamed = getattr(response, "file_to_stream", None)
            if streamed is not None:
                streamed.close()
    finally:
        logging.disable(logging.NOTSET)

    # A rule gives each role one outcome, or (allauth_rule) the outcomes it may have.
    accepted = {
        role: actual[role] if actual[role] in wanted else wanted
        for role, wanted in expected.items()
        if isinstance(wanted, frozenset)
    }
    assert actual == {**expected, **accepted}, f"GET {url}"
    assert not without_policy, f"GET {url}: no Content-Security-Policy for {without_policy}"
    assert not cacheable, f"GET {url}: a personal page that may be stored: {cacheable}"


# POST, with an empty body, as each role (in a savepoint that is rolled back). POST_RULES give
# the outcome of every page and API route that takes a POST from anyone; the others take none
# (READ_ONLY: 405 for everyone signed in, and anonymous callers are refused before or after
# that). The admin's and allauth's pages follow their GET rule (a POST never opens more than
# GET; where a page opens, its POST answers as the form decides: `post_rule_for`).
# No role ever gets a server error.
POST_RULES: dict[str, dict[str, str]] = {
    "set_language": every("redirect"),
    "lup:my-data-archive-request": row("login", *["redirect"] * 7),
    "lup-api:personal-data-archives": row("forbidden", *["202"] * 7),
    "lup-api:person-anonymisation": row(
        "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    # An empty form sets every period back to the default (blank means the default).
    "lup:retention-periods": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "redirect", "redirect", "ok"
    ),
    "lup:gathering-calendar": every("method"),
    "lup:calendar-feed": every("method"),
    # An empty form says nothing to do: 400, and nothing is made or stopped.
    "lup:my-calendar": row("login", *["400"] * 7),
    # Notifications: an empty form marks nothing and chooses nothing (400); a made-up
    # unsubscribe token finds nobody; the API's empty body names nothing to mark (400).
    "lup:my-notifications": row("login", *["400"] * 7),
    "lup:notification-choices": row("login", *["400"] * 7),
    "lup:notifications-unsubscribe": every("not_found"),
    "lup-api:notifications-read": row("forbidden", *["400"] * 7),
    # Announcements: an empty form is a 400 for those who may write (nothing is sent); the
    # API's empty body is a 400 for everyone signed in (it names no audience).
    "lup:cohort-announcement-write": row(
        "login", "forbidden", "forbidden", "400", "forbidden", "400", "not_found", "400"
    ),
    "lup:team-announcement-write": row(
        "login", "not_found", "forbidden", "400", "forbidden", "400", "not_found", "400"
    ),
    "lup:programme-announcement-write": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "400", "not_found", "400"
    ),
    "lup-api:announcement-list": row("forbidden", *["400"] * 7),
    # An empty form lacks the certificates' policy: the page answers with the error.
    "lup:organisation-details": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok"
    ),
    "accounts/social/connections/": every("redirect"),
    "accounts/social/login/cancelled/": every("redirect"),
    "accounts/social/login/error/": every("redirect"),
    "accounts/social/signup/": every("redirect"),
    "certificates-verify:certificate": every("not_found"),  # a made-up code
    # An empty upload is refused with its error; an empty credential is reported invalid.
    "certificates-verify:form": every("422"),
    "certificates-verify:credential-json": every("ok"),
    "lup-api:credential-verify": every("400"),  # no credential given
    "lup:sso-link": every("login"),
    "lup:sso-link-code": every("login"),
    "lup:check-in": row("login", *["not_found"] * 7),  # a made-up code
    # The barometer: an empty answer is refused (400; the world's round is closed anyway);
    # empty settings keep the defaults and go back to the results (HR may not change them).
    "lup:team-barometer-answer": row(
        "login", "400", "400", "forbidden", "forbidden", "forbidden", "not_found", "forbidden"
    ),
    "lup:barometer-settings": row(
        "login",
        "not_found",
        "not_found",
        "not_found",
        "forbidden",
        "redirect",
        "not_found",
        "redirect",
    ),
    # An empty question editor form lacks the version it was made from: 400, nothing made.
    "lup:barometer-questions": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "400", "not_found", "400"
    ),
    # lup: the empty form comes back with its errors ("ok"), or the write is refused
    # An empty invitation or replacement is a form error (400); an empty hand-over and a
    # removal of the team's only enthusiast are refused with a message on the team page.
    "lup:team-invite": row(
        "login", "not_found", "400", "forbidden", "forbidden", "400", "not_found", "400"
    ),
    "lup:team-member-replace": row(
        "login", "not_found", "400", "forbidden", "forbidden", "400", "not_found", "400"
    ),
    "lup:team-member-remove": row(
        "login",
        "not_found",
        "redirect",
        "forbidden",
        "forbidden",
        "redirect",
        "not_found",
        "redirect",
    ),
    "lup:team-handover": row(
        "login",
        "not_found",
        "redirect",
        "forbidden",
        "forbidden",
        "redirect",
        "not_found",
        "redirect",
    ),
    "lup:anonymise-person": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:gathering-attendance": row(
        "login",
        "forbidden",
        "forbidden",
        "redirect",
        "forbidden",
        "redirect",
        "not_found",
        "redirect",
    ),
    "lup:cohort-certificates": row(
        "login",
        "forbidden",
        "forbidden",
        "redirect",
        "forbidden",
        "redirect",
        "not_found",
        "redirect",
    ),
    # the workspace: HR reads it, its POST is sent back to the page
    "lup:project-start": row(
        "login", "not_found", "not_found", "not_found", "not_found", "ok", "not_found", "ok"
    ),
    "lup:project-edit": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:project-phase": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:project-submit": row(
        "login",
        "redirect",
        "redirect",
        "redirect",
        "not_found",
        "redirect",
        "not_found",
        "redirect",
    ),
    "lup:project-review": row(
        "login", "not_found", "not_found", "ok", "not_found", "ok", "not_found", "ok"
    ),
    "lup:project-canvas": row("login", "ok", "ok", "ok", "redirect", "ok", "not_found", "ok"),
    "lup:benefit-create": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:benefit-detail": row("login", "ok", "ok", "ok", "redirect", "ok", "not_found", "ok"),
    "lup:benefit-edit": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    "lup:benefit-update": row("login", "ok", "ok", "ok", "not_found", "ok", "not_found", "ok"),
    # the catalogue and the prize
    "lup:catalogue-import": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "ok", "ok"
    ),
    "lup:catalogue-reuse": row("login", "ok", "ok", *["not_found"] * 5),
    "lup:catalogue-unreuse": row("login", "redirect", "redirect", *["not_found"] * 5),
    "lup:project-publish": row("login", "not_found", "ok", *["not_found"] * 5),
    "lup:project-withdraw": row("login", "not_found", "redirect", *["not_found"] * 5),
    "lup:prize-nominate": row("login", "forbidden", "ok", "ok", "forbidden", "ok", "ok", "ok"),
    "lup:prize-score": row("login", *["forbidden"] * 4, "redirect", "not_found", "redirect"),
    "lup:prize-winner": row("login", *["forbidden"] * 4, "redirect", "not_found", "redirect"),
    # HR's presets and schedules (Bærum's, for the object pages)
    "lup:report-preset-create": row("login", *["forbidden"] * 3, "ok", "ok", "ok", "ok"),
    "lup:report-preset-edit": row("login", *["forbidden"] * 3, "ok", "ok", "not_found", "ok"),
    "lup:report-preset-delete": row(
        "login", *["forbidden"] * 3, "redirect", "redirect", "not_found", "redirect"
    ),
    "lup:report-schedule-create": row("login", *["forbidden"] * 3, "ok", "ok", "ok", "ok"),
    "lup:report-schedule-edit": row("login", *["forbidden"] * 3, "ok", "ok", "not_found", "ok"),
    "lup:report-schedule-delete": row(
        "login", *["forbidden"] * 3, "redirect", "redirect", "not_found", "redirect"
    ),
    # courses: learners mark done and play H5P (400: the empty statement); reviewers review
    "courses:activity-detail": row("login", "method", "method", *["not_found"] * 5),  # a page
    "courses:activity-done": row("login", "redirect", "redirect", *["not_found"] * 5),
    "courses:h5p-state": every("forbidden"),  # no valid play token, whoever is signed in
    "courses:h5p-xapi": every("forbidden"),
    "courses:h5p-upload": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "ok", "ok"
    ),
    "courses:h5p-package-detail": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "ok", "ok"
    ),
    "courses:submission-review": row(
        "login", "not_found", "not_found", "ok", "not_found", "ok", "not_found", "ok"
    ),
    # the curriculum editor: an empty form is shown again with its errors; deleting what
    # learners have done (the world's page, done by the manager) and moving nowhere go back
    # to the outline with nothing changed
    "courses:course-details": CURRICULUM_EDITOR,
    "courses:course-image-add": CURRICULUM_EDITOR,
    "courses:course-image-delete": CURRICULUM_EDITOR_REDIRECT,  # deletes the world's image
    "courses:module-create": CURRICULUM_EDITOR,
    "courses:module-edit": CURRICULUM_EDITOR,
    "courses:module-delete": CURRICULUM_EDITOR_REDIRECT,
    "courses:module-move": CURRICULUM_EDITOR_REDIRECT,
    "courses:activity-create": CURRICULUM_EDITOR,
    "courses:activity-edit": CURRICULUM_EDITOR,
    "courses:activity-delete": CURRICULUM_EDITOR_REDIRECT,
    "courses:activity-move": CURRICULUM_EDITOR_REDIRECT,
    # the REST API: an empty body is invalid (400) where the caller may write, else refused
    "lup-api:participant-list": row("forbidden", *["400"] * 7),
    "lup-api:project-list": row("forbidden", *["400"] * 7),
    "lup-api:gathering-attendance": row(
        "forbidden", "forbidden", "forbidden", "400", "forbidden", "400", "not_found", "400"
    ),
    "lup-api:benefit-measurements": row(
        "forbidden", "400", "400", "400", "forbidden", "400", "not_found", "400"
    ),
    # Issue 22: a new benefit (its project's id missing: 400 for everyone signed in); the
    # update at the end of a phase (the benefit's named owner may too: the world names none);
    # the barometer's answer (only the unit's team; the world's rounds are closed anyway).
    "lup-api:benefit-list": row("forbidden", *["400"] * 7),
    "lup-api:benefit-updates": row(
        "forbidden", "400", "400", "400", "forbidden", "400", "not_found", "400"
    ),
    "lup-api:team-barometer-answer": row(
        "forbidden", "400", "400", "forbidden", "forbidden", "forbidden", "not_found", "forbidden"
    ),
    "lup-api:certificate-revoke": row("forbidden", *["forbidden"] * 4, "400", "not_found", "400"),
    "lup:cohort-close": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    # the programme office: an empty form comes back with its errors (400); the world's
    # opening has attendance, so cancelling it is refused (400)
    "lup:office-cohort-create": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "400", "not_found", "400"
    ),
    "lup:office-cohort-edit": OFFICE_400,
    "lup:office-gathering-create": OFFICE_400,
    "lup:office-gathering-edit": OFFICE_400,
    "lup:office-gathering-cancel": OFFICE_400,
    "lup:office-unit-move": row(
        "login", "not_found", "forbidden", "forbidden", "forbidden", "400", "not_found", "400"
    ),
    # the CSV imports: no file is a form error (400)
    "lup:office-unit-import": row("login", *["forbidden"] * 4, "400", "not_found", "400"),
    "lup:office-participant-import": row(
        "login", "not_found", "not_found", "not_found", "forbidden", "400", "not_found", "400"
    ),
    # people and roles: an empty form (no person; no action for Bærum's HR) is a 400
    "lup:office-people": row("login", *["forbidden"] * 4, "400", "not_found", "400"),
    "lup:office-person-roles": row("login", *["forbidden"] * 4, "400", "not_found", "400"),
    "lup:certificate-review-decide": row(
        "login",
        "forbidden",
        "forbidden",
        "forbidden",
        "forbidden",
        "not_found",
        "not_found",
        "not_found",
    ),
    # no code: the page answers with its search form
    "lup:certificate-revoke": row(
        "login", "forbidden", "forbidden", "forbidden", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:check-completions": row("login", *["forbidden"] * 4, "redirect", "not_found", "redirect"),
    # the settings pages: an empty form comes back with its errors (200, or 400 for the PDF
    # preview); revoking Bærum's token goes back to the list. Asker runs a programme too, so
    # only a superuser saves the shared certificate templates.
    "lup:programme-settings": SETUP,
    "lup:api-tokens": SETUP,
    "lup:api-token-revoke": row("login", *["forbidden"] * 4, "redirect", "not_found", "redirect"),
    "lup:certificate-template-edit": row(
        "login", *["forbidden"] * 4, "forbidden", "not_found", "ok"
    ),
    "lup:certificate-template-preview": row("login", *["forbidden"] * 4, "400", "not_found", "400"),
    # a signatory without a name comes back with its error; moving nowhere and removing go
    # back to the template's page
    "lup:certificate-signatory-add": row(
        "login", *["forbidden"] * 4, "forbidden", "not_found", "ok"
    ),
    "lup:certificate-signatory-edit": row(
        "login", *["forbidden"] * 4, "forbidden", "not_found", "ok"
    ),
    "lup:certificate-signatory-move": row(
        "login", *["forbidden"] * 4, "forbidden", "not_found", "redirect"
    ),
    "lup:certificate-signatory-delete": row(
        "login", *["forbidden"] * 4, "forbidden", "not_found", "redirect"
    ),
    # Intake: an empty form is a 400 for those who may send it (tests/lup/test_intake.py).
    "lup:call-open": row("login", *NF3, "forbidden", "400", "not_found", "400"),
    "lup:call-edit": row("login", *OWN_PEOPLE_FORBIDDEN, "400", "not_found", "400"),
    "lup:call-apply": row("login", "400", "400", "not_found", "400", "400", "not_found", "400"),
    "lup:application-decide": row(
        "login", *OWN_PEOPLE_FORBIDDEN, "redirect", "not_found", "redirect"
    ),
    # The office names sector leaders (an empty form: back to intake with a message); the
    # world's manager leads no sector, so removing them finds nobody.
    "lup:sector-leader-add": row("login", *NF3, "forbidden", "redirect", "not_found", "redirect"),
    "lup:sector-leader-remove": row(
        "login", *NF3, "forbidden", "not_found", "not_found", "not_found"
    ),
    # Only its sender (U1's manager) or the manager it names may withdraw an application.
    "lup:application-withdraw": row("login", "not_found", "redirect", *["not_found"] * 5),
    "lup-api:cohort-close": row(
        "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "400", "not_found", "400"
    ),
    "lup-api:certificate-review-decide": row("forbidden", *["not_found"] * 7),
    "lup-api:programme-completion-checks": row(
        "forbidden", *["not_found"] * 3, "forbidden", "202", "not_found", "202"
    ),
    # reports are read-only, and refused before that to those who may not read them
    "lup-api:report-participants-list": row("forbidden", *["forbidden"] * 3, *["method"] * 4),
    "lup-api:report-units-list": row("forbidden", *["forbidden"] * 3, *["method"] * 4),
}

# A page or API route that takes no POST: 405 for everyone signed in; anonymous callers
# may be sent to sign in (or, in the API, refused) first.
READ_ONLY = {ROLES[0]: frozenset({"method", "login", "forbidden"})} | {
    role: frozenset({"method"}) for role in ROLES[1:]
}
ANY = frozenset({"ok", "redirect", "login", "forbidden", "not_found", "method", "400", "401"})
# What a POST may answer, from the same role's GET outcome (the admin's and allauth's pages):
# the same refusal, or 405 from a page that takes no POST; on an object the role may not
# change, the admin refuses every POST (403) before it looks the object up.
POST_FROM_GET: dict[str, frozenset[str]] = {
    "login": frozenset({"login", "method"}),
    "forbidden": frozenset({"forbidden", "method"}),
    "not_found": frozenset({"not_found", "method"}),
    "redirect": frozenset({"redirect", "forbidden", "method"}),
}


def post_rule_for(route: Route) -> dict[str, frozenset[str]]:
    """The outcomes each role's empty POST may have."""
    if route.name in POST_RULES:
        return {role: frozenset({wanted}) for role, wanted in POST_RULES[route.name].items()}
    generic = (
        ADMIN_MODEL_URL.match(route.name)
        or ADMIN_SHORT_OBJECT_URL.match(route.name)
        or route.name == ADMIN_CATCH_ALL
        or route.name.startswith("admin:")
        or allauth_rule(route) is not None
    )
    if not generic:
        return READ_ONLY
    get_rule = rule_for(route)
    assert get_rule is not None
    allowed = {}
    for role, wanted in get_rule.items():
        if isinstance(wanted, frozenset):  # allauth's: signed-in, or sent to sign in
            allowed[role] = frozenset({"login"}) if wanted == frozenset({"login"}) else ANY
        else:
            allowed[role] = POST_FROM_GET.get(wanted, ANY)
    return allowed


def test_every_post_rule_names_a_url():
    names = {route.name for route in ROUTES}

    assert not set(POST_RULES) - names, f"POST rules for no URL: {set(POST_RULES) - names}"


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if rule_for(r)], ids=lambda r: r.name)
def test_each_role_posts_what_the_matrix_allows(world, route):
    from django.db import transaction
    from django.test import Client

    url = route.url(arguments_for(route, world))
    allowed = post_rule_for(route)
    actual = {}
    logging.disable(logging.CRITICAL)  # refusals and (reported) server errors log by design
    try:
        for role in ROLES:
            client = Client(raise_request_exception=False)
            if world.people[role] is not None:
                client.force_login(world.people[role])
            with transaction.atomic():
                response = client.post(url)
                transaction.set_rollback(True)
            actual[role] = outcome(response)
            streamed = getattr(response, "file_to_stream", None)
            if streamed is not None:
                streamed.close()
    finally:
        logging.disable(logging.NOTSET)

    wrong = {
        role: f"{actual[role]} (expected one of {sorted(allowed[role])})"
        for role in ROLES
        if actual[role] not in allowed[role]
    }
    assert not wrong, f"POST {url}: {wrong}"


# A package's files are the same for every learner: kept an hour by the browser, never shared.
PRIVATELY_CACHED = {"courses:h5p-package", "courses:h5p-content-file"}


# Open Badges documents: the same for everyone who asks, signed in or not, and public by
# design (a verifier anywhere follows their addresses), so caches may keep them.
PUBLIC_DOCUMENTS = frozenset(
    {
        "certificates-credentials:credential",
        "certificates-credentials:credential-signed",
        "certificates-credentials:issuer",
        "certificates-credentials:jwks",
        "certificates-credentials:key",
        "certificates-credentials:status-list",
        "certificates-credentials:achievement",
        "certificates-credentials:achievement-image",
        # An installed H5P library's files: public code shared by all content.
        "courses:h5p-library-file",
    }
)


def kept_private(route: Route, response: Any) -> bool:
    """A signed-in person's page or download is never stored (by a browser or a proxy)."""
    directives = {
        part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")
    }
    if route.name in PUBLIC_DOCUMENTS:
        return "public" in directives
    if route.name in PRIVATELY_CACHED:
        return "private" in directives
    return {"private", "no-store"} <= directives
