"""Who gets what, for every role and every URL in the project.

The URLs are discovered from the URL resolver, so a new URL without a rule here
fails `test_every_url_has_a_rule`. Outcomes are what a person notices: ok (200),
login (sent to sign in), redirect, forbidden (403), not_found (404), method (405).
Out-of-scope objects are not_found (or, in the admin, its "does not exist" redirect):
never a 403 that would confirm they exist.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from tests.roles import ROLES, World, build_world
from tests.urlmatrix import Route, discover_routes, outcome

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

# Rules for named URLs. row(...) takes the roles in the order of tests.roles.ROLES:
# anonymous, enthusiast, manager, facilitator, hr, administrator, other administrator, superuser.
RULES: dict[str, dict[str, str]] = {
    "accessibility-statement": PUBLIC,
    "privacy": PUBLIC,
    "healthz": PUBLIC,
    "set_language": every("redirect"),  # a GET just goes back
    # lup
    "lup:home": row("login", "ok", "ok", "ok", "redirect", "redirect", "redirect", "ok"),
    "lup:dashboard": row(
        "login", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    "lup:dashboard-csv": row(
        "login", "forbidden", "forbidden", "forbidden", "ok", "ok", "not_found", "ok"
    ),
    "lup:cohort-list": SIGNED_IN,
    "lup:cohort-detail": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:team-detail": row("login", "not_found", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup:my-data": SIGNED_IN,
    "lup:my-data-json": SIGNED_IN,
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
    # H5P: the player and its saved state for enrolled learners; results are POSTed only
    "courses:h5p-frame": row("login", "ok", "ok", *["not_found"] * 5),
    "courses:h5p-state": row("forbidden", "ok", "ok", *["not_found"] * 5),
    "courses:h5p-xapi": every("method"),
    # a package's files: its learners, and staff who may view packages (not HR)
    "courses:h5p-package": row("login", "ok", "ok", "ok", "not_found", "ok", "ok", "ok"),
    "courses:h5p-content-file": row("login", "ok", "ok", "ok", "not_found", "ok", "ok", "ok"),
    "courses:h5p-library-file": row("login", "ok", "ok", "ok", "not_found", "ok", "ok", "ok"),
    # uploading: facilitators and administrators (new libraries: administrators only)
    "courses:h5p-upload": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "ok", "ok"
    ),
    "courses:h5p-package-detail": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "ok", "ok"
    ),
    "lup:cohort-grid": row("login", "forbidden", "forbidden", "ok", "ok", "ok", "not_found", "ok"),
    "lup:gathering-attendance": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "not_found", "ok"
    ),
    "lup:gathering-qr": row(
        "login", "forbidden", "forbidden", "ok", "forbidden", "ok", "not_found", "ok"
    ),
    # with a made-up code; the real code is a key (tests/lup/test_attendance.py)
    "lup:check-in": row("login", *["not_found"] * 7),
    # certificates: a holder's list and downloads (the enthusiast's certificate: theirs, their
    # manager's, and those running or overseeing the cohort), public verification, bulk issue
    "certificates:my-certificates": SIGNED_IN,
    "certificates:certificate-pdf": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "certificates:certificate-badge": row("login", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "certificates-verify:form": PUBLIC,
    "certificates-verify:certificate": every("not_found"),  # a made-up code
    "certificates-verify:json": every("not_found"),
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
    # the enthusiast's certificate, as its PDF; verification is public (a made-up code here)
    "lup-api:certificate-list": API_SIGNED_IN,
    "lup-api:certificate-detail": row("forbidden", "ok", "ok", "ok", "ok", "ok", "not_found", "ok"),
    "lup-api:certificate-revoke": row("forbidden", *["method"] * 7),  # POST only
    "lup-api:certificate-verify": every("not_found"),
    # the API's description is public; it holds no data
    "lup-api:schema": PUBLIC,
    "lup-api:docs": PUBLIC,
    "lup-api:redoc": PUBLIC,
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

ADMIN_MODEL_URL = re.compile(r"^admin:(?P<app>[a-z]+)_(?P<model>[a-z0-9]+)_(?P<action>[a-z_]+)$")
ADMIN_SHORT_OBJECT_URL = re.compile(
    r"^admin/(?P<app>[a-z]+)/(?P<model>[a-z0-9]+)/<path:object_id>/$"
)
ADMIN_CATCH_ALL = "admin/(?P<url>.*)$"


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


# Objects (in Bærum) to open in the admin, by (app, model).
ADMIN_OBJECTS: dict[tuple[str, str], Any] = {}


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


def arguments_for(route: Route, world: World) -> dict[str, Any]:
    people = world.people
    values: dict[str, Any] = {
        "slug": world.programme.slug,
        "key": "made-up-key",
        "code": "made-up-code",
        "uidb36": "1",
        "provider_id": "idporten",
        "app_label": "lup",
        "content_type_id": 1,
        "url": "nowhere/",
        "id": people["enthusiast"].pk,
        "object_id": 999999,
        "pk": {
            "lup:cohort-detail": world.cohort_a.pk,
            "lup:team-detail": world.team_u1.pk,
            "lup:anonymise-person": people["enthusiast"].pk,
            "lup:cohort-grid": world.cohort_a.pk,
            "lup:gathering-attendance": world.opening.pk,
            "lup:gathering-qr": world.opening.pk,
            "lup:check-in": world.opening.pk,
            "lup:cohort-certificates": world.cohort_a.pk,
            "lup:cohort-certificates-progress": world.cohort_a.pk,
            "lup-api:gathering-detail": world.opening.pk,
            "lup-api:gathering-attendance": world.opening.pk,
            "lup-api:gathering-attendance-detail": world.opening.pk,
            "lup-api:sector-detail": world.team_u1.unit.sector.pk,
            "lup:report-preset-edit": world.export_preset.pk,
            "lup:report-preset-delete": world.export_preset.pk,
            "lup:report-schedule-edit": world.scheduled_export.pk,
            "lup:report-schedule-delete": world.scheduled_export.pk,
        }.get(route.name),
    }
    if route.name.startswith(("lup:project-", "lup:canvas-", "lup:benefit-")):
        values["pk"] = world.project.pk
        values["number"] = 1
    if route.name == "lup:project-start":
        values["pk"] = world.cohort_b.enrolments.get().pk
    if route.name in {"lup:benefit-detail", "lup:benefit-edit"}:
        values["pk"] = world.benefit.pk
    if route.name.startswith(("lup:catalogue-", "lup:prize-")):
        values["public_id"] = world.published_project.public_id
        values["pk"] = {
            "lup:catalogue-unreuse": world.reuse.pk,
            "lup:prize-score": world.nomination.pk,
            "lup:prize-winner": world.nomination.pk,
        }.get(route.name)
    api_objects = {
        "lup-api:programme-detail": world.programme,
        "lup-api:programme-progress": world.programme,
        "lup-api:cohort-detail": world.cohort_a,
        "lup-api:unit-detail": world.team_u1.unit,
        "lup-api:participant-detail": world.team_u1.participants.get(user=people["enthusiast"]),
        "lup-api:participant-progress": world.team_u1.participants.get(user=people["enthusiast"]),
        "lup-api:organisation-detail": world.programme.organisation,
        "lup-api:project-detail": world.project,
        "lup-api:benefit-detail": world.benefit,
        "lup-api:benefit-measurements": world.benefit,
    }
    if route.name in {"lup-api:certificate-detail", "lup-api:certificate-revoke"}:
        api_objects[route.name] = world_certificate(world)
    if route.name in api_objects:
        values["id"] = api_objects[route.name].public_id
    if route.name == "lup-api:gathering-attendance-detail":
        values["participant"] = world.team_u1.participants.get(user=people["enthusiast"]).public_id
    if route.name.startswith("courses:"):
        values["slug"] = world.course.slug
        values["activity_id"] = world.page.public_id
        values["submission_id"] = world.submission.public_id
    if route.name.startswith("courses:h5p"):
        values["activity_id"] = world.h5p_activity.public_id
        values["package_id"] = world.h5p_package.public_id
        library = world.h5p_package.main_library.folder_name
        values["path"] = {
            "courses:h5p-content-file": "content.json",
            "courses:h5p-library-file": f"{library}/library.json",
        }.get(route.name, "")
    if "certificate_id" in route.arguments:
        values["certificate_id"] = world_certificate(world).public_id
    match = ADMIN_MODEL_URL.match(route.name) or ADMIN_SHORT_OBJECT_URL.match(route.name)
    if match and (match["app"], match["model"]) in ADMIN_OBJECTS:
        values["object_id"] = ADMIN_OBJECTS[(match["app"], match["model"])](world).pk
    return values


def _api_token(world: World) -> Any:
    """A Bærum token (its secret is not needed: the admin never shows it again)."""
    import datetime as dt

    from django.utils import timezone

    from lup.api.tokens import create_api_token

    token, _secret = create_api_token(
        name="HR",
        organisation=world.programme.organisation,
        scope="reports",
        expires_at=timezone.now() + dt.timedelta(days=30),
        created_by=None,
    )
    return token


def _first(model_path: str) -> Any:
    from django.apps import apps

    return lambda world: apps.get_model(model_path).objects.order_by("pk").first()


ADMIN_OBJECTS.update(
    {
        ("courses", "course"): lambda world: world.course,
        ("courses", "h5ppackage"): lambda world: world.h5p_package,
        ("courses", "h5plibrary"): lambda world: world.h5p_package.main_library,
        ("courses", "module"): lambda world: world.page.module,
        ("courses", "activity"): lambda world: world.page,
        ("courses", "assignment"): lambda world: world.submission.assignment,
        ("courses", "submission"): lambda world: world.submission,
        ("courses", "enrolment"): _first("courses.Enrolment"),
        ("courses", "activitycompletion"): _first("courses.ActivityCompletion"),
        ("lup", "organisation"): lambda world: world.programme.organisation,
        ("lup", "programme"): lambda world: world.programme,
        ("lup", "cohort"): lambda world: world.cohort_a,
        ("lup", "gathering"): lambda world: world.cohort_a.gatherings.first(),
        ("lup", "sector"): lambda world: world.team_u1.unit.sector,
        ("lup", "serviceunit"): lambda world: world.team_u1.unit,
        ("lup", "unitenrolment"): lambda world: world.team_u1,
        ("lup", "participant"): lambda world: world.team_u1.participants.first(),
        ("lup", "auditevent"): lambda world: world.audit_event,
        ("lup", "attendance"): _first("lup.Attendance"),
        ("lup", "apitoken"): lambda world: _api_token(world),
        ("lup", "innovationproject"): lambda world: world.project,
        ("auth", "user"): lambda world: world.people["enthusiast"],
        ("auth", "group"): _first("auth.Group"),
        ("account", "emailaddress"): _first("account.EmailAddress"),
        ("mfa", "authenticator"): _first("mfa.Authenticator"),
        ("socialaccount", "socialapp"): _first("socialaccount.SocialApp"),
        ("socialaccount", "socialaccount"): _first("socialaccount.SocialAccount"),
        ("socialaccount", "socialtoken"): _first("socialaccount.SocialToken"),
        ("certificates", "certificate"): lambda world: world_certificate(world),
        ("certificates", "certificatetemplate"): lambda world: world_certificate(world).template,
    }
)


def add_curriculum(world: World) -> None:
    """A course for Bærum's programme, U1's team enrolled, and their team's file answer."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from courses import services as course_services
    from courses.models import Activity, Assignment, Course, Module

    course = Course.objects.create(title="LUP", slug="lup-kurs")
    module = Module.objects.create(course=course, position=1, title="Teori")
    page = Activity.objects.create(module=module, position=1, title="Innovasjon", kind="page")
    task = Activity.objects.create(
        module=module, position=2, title="Brukerreise", kind="assignment"
    )
    assignment = Assignment.objects.create(activity=task, instructions="Lag en.", team=True)
    world.programme.course = course
    world.programme.save()
    for role in ("manager", "enthusiast"):
        course_services.enrol(
            user=world.people[role], course=course, starts_on=world.cohort_a.starts_on
        )
    world.course, world.page = course, page
    from tests.courses.h5p_setup import install_reflection

    world.h5p_package = install_reflection()
    world.h5p_activity = Activity.objects.create(
        module=module, position=3, title="Refleksjon", kind="h5p", h5p_package=world.h5p_package
    )
    course_services.mark_done(user=world.people["manager"], activity=page)
    world.submission = course_services.submit_assignment(
        user=world.people["manager"],
        assignment=assignment,
        upload=SimpleUploadedFile("reise.pdf", b"%PDF-1.7 reise"),
    )


def add_project_work(world: World) -> None:
    """U1's project gets a canvas version and a benefit, for the workspace's pages."""
    import datetime as dt
    from decimal import Decimal

    from lup.innovation import services as project_services

    project_services.save_canvas(
        project=world.project,
        content={"purpose": "Bedre søvn"},
        base_number=0,
        saved_by=world.people["enthusiast"],
    )
    world.benefit = project_services.add_benefit(
        project=world.project,
        type="time",
        description="Færre runder",
        indicator="Timer per år",
        unit_of_measure="hours_year",
        baseline_value=Decimal("1200"),
        baseline_on=dt.date(2025, 9, 1),
        target_value=Decimal("600"),
        owner="Enhetsleder",
    )


def add_catalogue(world: World) -> None:
    """U2's project published in the catalogue, reused by U1 and nominated for the prize
    (cohort B's team stays without a project, for `lup:project-start`)."""
    from lup.innovation import prize, sharing
    from lup.innovation.services import start_project

    manager = world.people["other_manager"]
    project = start_project(
        enrolment=world.team_u2, title="Felles matglede", need="Å spise sammen.", audience="Alle"
    )
    world.published_project = sharing.publish_project(
        project=project, user=manager, licence="CC-BY-4.0", consent=True
    )
    world.reuse = sharing.mark_reuse(
        source=project, unit=world.team_u1.unit, user=world.people["manager"]
    )
    world.nomination = prize.nominate_project(
        project=project,
        category=prize.ensure_prize_categories(world.programme)[0],
        year=2026,
        reason="God idé.",
        user=world.people["facilitator"],
    )


@pytest.fixture
def world(db):
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    from lup.audit import record_event
    from lup.models import Attendance, AuditEvent, Gathering

    world = build_world()
    enthusiast = world.people["enthusiast"]
    EmailAddress.objects.create(user=enthusiast, email=enthusiast.email, verified=True)
    app = SocialApp.objects.create(provider="microsoft", name="Entra (unused)", client_id="x")
    account = SocialAccount.objects.create(user=enthusiast, provider="microsoft", uid="entra-1")
    SocialToken.objects.create(app=app, account=account, token="not-a-real-token")
    opening = Gathering.objects.create(
        cohort=world.cohort_a,
        kind=Gathering.Kind.OPENING,
        title="Åpning",
        starts_at="2025-08-01T09:00Z",
        ends_at="2025-08-01T15:00Z",
    )
    Attendance.objects.create(
        gathering=opening,
        participant=world.team_u1.participants.get(user=enthusiast),
        method=Attendance.Method.FACILITATOR,
    )
    world.opening = opening
    from lup.reporting.services import save_preset, schedule_export

    world.export_preset = save_preset(
        organisation=world.programme.organisation,
        key="lonn",
        name="Lønn",
        report="participants",
        columns=["email"],
    )
    world.scheduled_export = schedule_export(
        organisation=world.programme.organisation,
        name="Månedlig",
        preset_key="lonn",
        export_format="csv",
        frequency="monthly",
        delivery="email",
        recipients="hr@example.no",
    )
    add_curriculum(world)
    world.audit_event = record_event(action=AuditEvent.Action.LOGIN, subject=enthusiast)
    add_project_work(world)
    add_catalogue(world)
    # An unused sign-in app must not make the Microsoft URLs look configured.
    SocialApp.objects.filter(provider="microsoft").update(provider="unused")
    return world


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


# A package's files are the same for every learner: kept an hour by the browser, never shared.
PRIVATELY_CACHED = {"courses:h5p-package", "courses:h5p-content-file", "courses:h5p-library-file"}


def kept_private(route: Route, response: Any) -> bool:
    """A signed-in person's page or download is never stored (by a browser or a proxy)."""
    directives = {
        part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")
    }
    if route.name in PRIVATELY_CACHED:
        return "private" in directives
    return {"private", "no-store"} <= directives


def world_certificate(world: World) -> Any:
    """The enthusiast of U1 (Bærum, cohort A) completed, with their certificate."""
    from lup import certification
    from lup.models import Participant

    participant = world.team_u1.participants.get(user=world.people["enthusiast"])
    Participant.objects.filter(pk=participant.pk).update(
        status="completed", completed_at="2025-12-01T12:00Z"
    )
    return certification.issue_participant_certificate(participant=participant, notify=False)
