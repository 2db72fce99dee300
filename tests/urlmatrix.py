"""Every URL pattern of the project, found from the URL resolver, ready to request as each role:
the routes, the world behind them (`build_matrix_world`, built once per test module by
`module_world`) and the arguments that fill each route with Bærum's objects (`arguments_for`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from tests.roles import World, build_world

LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern itself when the pattern has no name
    pattern: str

    @property
    def arguments(self) -> list[str]:
        return re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.pattern) and [
            a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.pattern)
        ]

    def url(self, values: dict[str, Any]) -> str:
        """The pattern with its arguments filled in (works for unnamed patterns too)."""
        # Regex groups first: their names look like path converters.
        path = re.sub(
            r"\(\?P<(\w+)>[^)]*\)", lambda match: str(values[match.group(1)]), self.pattern
        )
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), path)
        path = path.replace("^", "").replace("$", "").replace("\\", "")
        return "/" + path


def discover_routes() -> list[Route]:
    """All URL patterns reachable from ROOT_URLCONF, once each."""
    routes: dict[str, Route] = {}

    def walk(patterns: list, prefix: str, namespace: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + str(entry.pattern)
                name = f"{namespace}{entry.name}" if entry.name else pattern
                routes.setdefault(name, Route(name=name, pattern=pattern))

    walk(get_resolver().url_patterns, "", "")
    return sorted(routes.values(), key=lambda route: route.name)


def outcome(response: Any) -> str:
    """What a person would notice: ok, login, redirect, forbidden, not_found, method."""
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        location = urlsplit(response["Location"]).path
        return "login" if location.startswith(LOGIN_PATHS) else "redirect"
    return {200: "ok", 403: "forbidden", 404: "not_found", 405: "method"}.get(code, str(code))


ADMIN_MODEL_URL = re.compile(r"^admin:(?P<app>[a-z]+)_(?P<model>[a-z0-9]+)_(?P<action>[a-z_]+)$")
ADMIN_SHORT_OBJECT_URL = re.compile(
    r"^admin/(?P<app>[a-z]+)/(?P<model>[a-z0-9]+)/<path:object_id>/$"
)
ADMIN_CATCH_ALL = "admin/(?P<url>.*)$"

# Objects (in Bærum) to open in the admin, by (app, model).
ADMIN_OBJECTS: dict[tuple[str, str], Any] = {}


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
        "moment": "start",  # a barometer round (lup.barometer)
        "version": 1,  # the programme's first barometer question set (lup.barometer)
        "object_id": 999999,
        "pk": {
            "lup:cohort-detail": world.cohort_a.pk,
            "lup:team-detail": world.team_u1.pk,
            "lup:team-barometer": world.team_u1.pk,
            "lup:team-barometer-answer": world.team_u1.pk,
            "lup:team-invite": world.team_u1.pk,
            "lup:team-handover": world.team_u1.pk,
            "lup:team-member-remove": world.team_u1.pk,
            "lup:team-member-replace": world.team_u1.pk,
            "lup:anonymise-person": people["enthusiast"].pk,
            "lup:cohort-grid": world.cohort_a.pk,
            "lup:gathering-attendance": world.opening.pk,
            "lup:gathering-qr": world.opening.pk,
            "lup:gathering-calendar": world.opening.pk,
            "lup:check-in": world.opening.pk,
            "lup:cohort-certificates": world.cohort_a.pk,
            "lup:cohort-close": world.cohort_a.pk,
            "lup:office-cohort-edit": world.cohort_a.pk,
            "lup:office-gathering-create": world.cohort_a.pk,
            "lup:office-gathering-edit": world.opening.pk,
            "lup:office-gathering-cancel": world.opening.pk,
            "lup:office-unit-move": world.team_u1.pk,
            "lup:call-detail": world.call.pk,
            "lup:call-edit": world.call.pk,
            "lup:call-apply": world.call.pk,
            "lup:application-decide": world.application.pk,
            "lup:application-withdraw": world.application.pk,
            "lup:certificate-review-decide": 999999,
            "lup-api:certificate-review-decide": 999999,
            "lup:my-notification-open": world.notification.pk,
            "lup:cohort-certificates-progress": world.cohort_a.pk,
            "lup-api:gathering-detail": world.opening.pk,
            "lup-api:gathering-attendance": world.opening.pk,
            "lup-api:gathering-attendance-detail": world.opening.pk,
            "lup-api:sector-detail": world.team_u1.unit.sector.pk,
            "lup:report-preset-edit": world.export_preset.pk,
            "lup:report-preset-delete": world.export_preset.pk,
            "lup:report-schedule-edit": world.scheduled_export.pk,
            "lup:report-schedule-delete": world.scheduled_export.pk,
            "lup:cohort-announcements": world.cohort_a.pk,
            "lup:cohort-announcement-write": world.cohort_a.pk,
            "lup:team-announcements": world.team_u1.pk,
            "lup:team-announcement-write": world.team_u1.pk,
            "lup:announcement-detail": world.announcement.pk,
            "lup-api:announcement-detail": world.announcement.pk,
        }.get(route.name),
    }
    if route.name in {"lup:team-member-remove", "lup:team-member-replace"}:
        values["participant_pk"] = world.team_u1.participants.get(user=people["enthusiast"]).pk
    if route.name.startswith(("lup:project-", "lup:canvas-", "lup:benefit-")):
        values["pk"] = world.project.pk
        values["number"] = 1
    if route.name == "lup:project-start":
        values["pk"] = world.cohort_b.enrolments.get().pk
    if route.name in {"lup:benefit-detail", "lup:benefit-edit", "lup:benefit-update"}:
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
        "lup-api:cohort-close": world.cohort_a,
        "lup-api:programme-completion-checks": world.programme,
        "lup-api:unit-detail": world.team_u1.unit,
        "lup-api:participant-detail": world.team_u1.participants.get(user=people["enthusiast"]),
        "lup-api:participant-progress": world.team_u1.participants.get(user=people["enthusiast"]),
        "lup-api:person-anonymisation": world.team_u1.participants.get(user=people["enthusiast"]),
        "lup-api:organisation-detail": world.programme.organisation,
        "lup-api:project-detail": world.project,
        "lup-api:benefit-detail": world.benefit,
        "lup-api:benefit-measurements": world.benefit,
        "lup-api:benefit-updates": world.benefit,
        "lup-api:team-barometer": world.team_u1,
        "lup-api:team-barometer-answer": world.team_u1,
        "lup-api:programme-barometer": world.programme,
    }
    if route.name in {"lup-api:certificate-detail", "lup-api:certificate-revoke"}:
        api_objects[route.name] = world_certificate(world)
    if route.name in {"lup:privacy-statement", "lup:processing-records"}:
        values["slug"] = world.programme.organisation.slug
    # The office's units import is Bærum's (the organisation's); participants: the programme.
    if route.name in {"lup:office-unit-import", "lup:office-unit-import-template"}:
        values["slug"] = world.programme.organisation.slug
    # People and roles: Bærum's office, and its HR person's roles.
    if route.name in {"lup:office-people", "lup:office-person-roles"}:
        values["slug"] = world.programme.organisation.slug
        values["user_id"] = people["hr"].pk
    # The settings pages (lup.setup): Bærum's tokens, and LUP's participant template.
    if route.name in {"lup:api-tokens", "lup:api-token-revoke"}:
        values["slug"] = world.programme.organisation.slug
        values["pk"] = _api_token(world).pk
    if route.name in {"lup:certificate-template-edit", "lup:certificate-template-preview"}:
        values["key"] = "lup-participant"
    if route.name.startswith("lup:certificate-signatory-"):
        values["key"] = "lup-participant"
        values["pk"] = _signatory(world).pk
    if route.name in {"lup-api:organisation-processing-records", "lup-api:organisation-retention"}:
        api_objects[route.name] = world.programme.organisation
    if route.name in {"lup:sector-leader-add", "lup:sector-leader-remove"}:
        values["sector_pk"] = world.team_u1.unit.sector_id
        values["user_pk"] = world.people["manager"].pk
    # The enthusiast's calendar feed, by its secret (no sign-in: calendar apps never do).
    if route.name == "lup:calendar-feed":
        values["secret"] = world.calendar_secret
    # One-click unsubscribe opens with a signed token alone: a made-up one finds nobody.
    if route.name == "lup:notifications-unsubscribe":
        values["token"] = "not-a-signed-token"
    if route.name == "lup:my-data-archive":
        values["public_id"] = "00000000-0000-4000-8000-000000000000"  # nobody's archive
    if route.name in api_objects:
        values["id"] = api_objects[route.name].public_id
    if route.name == "lup-api:gathering-attendance-detail":
        values["participant"] = world.team_u1.participants.get(user=people["enthusiast"]).public_id
    if route.name.startswith("courses:"):
        values["slug"] = world.course.slug
        values["activity_id"] = world.page.public_id
        values["submission_id"] = world.submission.public_id
        # The curriculum editor: Bærum's module, and a content page to add to it.
        values["module_id"] = world.page.module_id
        values["kind"] = "page"
        if route.name == "courses:course-image-delete":
            values["image_id"] = _course_image(world).pk
    if route.name.startswith("courses:h5p"):
        values["activity_id"] = world.h5p_activity.public_id
        values["package_id"] = world.h5p_package.public_id
        # The player's routes open with a play token, never with a session or a role: none
        # here, so every role must be refused (tokens: tests/courses/test_h5p_player.py).
        values["token"] = "not-a-play-token"
        library = world.h5p_package.main_library.folder_name
        values["path"] = {
            "courses:h5p-content-file": "content.json",
            "courses:h5p-library-file": f"{library}/library.json",
        }.get(route.name, "")
    if "certificate_id" in route.arguments:
        values["certificate_id"] = world_certificate(world).public_id
    if route.name.startswith("certificates-credentials:"):
        credential = world_certificate(world).credential
        values["slug"] = credential.issuer.slug
        values["key"] = credential.achievement.key
        values["kid"] = credential.signing_key.kid
        values["number"] = 0
    match = ADMIN_MODEL_URL.match(route.name) or ADMIN_SHORT_OBJECT_URL.match(route.name)
    if match and (match["app"], match["model"]) in ADMIN_OBJECTS:
        values["object_id"] = ADMIN_OBJECTS[(match["app"], match["model"])](world).pk
    return values


def _api_token(world: World) -> Any:
    """Bærum's token (its secret is not needed: the admin never shows it again)."""
    return world.tokens["administrator"][0]


def _course_image(world: World) -> Any:
    """An image of Bærum's course (made when first asked for; no file behind it)."""
    from courses.models import CourseImage

    return CourseImage.objects.get_or_create(
        course=world.course, alt_text="Et kart", defaults={"image": "courses/images/kart.png"}
    )[0]


def _signatory(world: World) -> Any:
    """A signatory of LUP's participant template (made when first asked for)."""
    from certificates.models import Signatory
    from lup.certification.contents import template_for

    template = template_for("lup-participant")
    return Signatory.objects.get_or_create(
        template=template, name="Signe Signatar", defaults={"position": 1, "title": "Rektor"}
    )[0]


def _first(model_path: str) -> Any:
    from django.apps import apps

    return lambda world: apps.get_model(model_path).objects.order_by("pk").first()


ADMIN_OBJECTS.update(
    {
        ("courses", "course"): lambda world: world.course,
        ("lup", "courseownership"): lambda world: world.course.lup_ownership,
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
        ("lup", "retentionperiod"): lambda world: _retention_period(world),
    }
)


def _retention_period(world: World) -> Any:
    """Bærum's own period for learning records."""
    from lup.privacy.models import RetentionPeriod

    return RetentionPeriod.objects.get_or_create(
        organisation=world.programme.organisation,
        category="learning_records",
        defaults={"months": 36},
    )[0]


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
    from lup.models import CourseOwnership

    CourseOwnership.objects.create(course=course, organisation=world.programme.organisation)
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
    # The project has left its first phase, so its benefits may be updated for it
    # (`lup:benefit-update`). Recorded directly: the service would also send reminders.
    from lup.innovation.models import PhaseChange, ProjectPhase

    second = ProjectPhase.objects.filter(programme=world.project.programme).order_by("position")[1]
    PhaseChange.objects.create(project=world.project, phase=second, entered_on=dt.date.today())
    world.project.phase = second
    world.project.save(update_fields=["phase"])


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


def build_matrix_world() -> World:
    """`tests.roles.build_world` with something behind every URL: an e-mail address and a
    sign-in account, a gathering with its attendance, report presets and schedules, the
    curriculum with a team's answer, an audit event, U1's project work and the catalogue."""
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
    from lup.calendar.services import make_calendar_feed

    world.calendar_secret = make_calendar_feed(user=enthusiast)
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
    add_intake(world)
    add_announcement(world)
    add_notification(world)
    # An unused sign-in app must not make the Microsoft URLs look configured.
    SocialApp.objects.filter(provider="microsoft").update(provider="unused")
    return world


def add_notification(world: World) -> None:
    """A notification of the enthusiast's, unread, leading to cohort A's page."""
    from lup import app_settings
    from lup.notifications.models import Delivery, Notification

    world.notification = Notification.objects.create(
        recipient=world.people["enthusiast"],
        kind=Notification.Kind.ANSWER_RETURNED,
        key="matrix:answer-returned",
        context={"activity": "Brukerreise", "organisation": "Bærum kommune"},
        url=f"{app_settings.SITE_URL()}/cohorts/{world.cohort_a.pk}/",
        delivery=Delivery.OFF,
    )


def add_announcement(world: World) -> None:
    """An announcement of Bærum's administrator to cohort A (stored as sent, nobody told)."""
    from lup.notifications.models import Announcement

    world.announcement = Announcement.objects.create(
        programme=world.programme,
        audience=Announcement.Audience.COHORT,
        cohort=world.cohort_a,
        subject="Velkommen til LUP 1",
        body="Vi sees på åpningen.",
        author=world.people["administrator"],
        recipient_count=4,
    )


def add_intake(world: World) -> None:
    """A coming cohort of Bærum's with an open call, and a unit's application to it (sent by
    the manager of U1, who also leads another unit)."""
    import datetime as dt

    from django.utils import timezone

    from lup.intake.models import Application, Call
    from lup.models import Cohort, ServiceUnit

    today = timezone.localdate()
    coming = Cohort.objects.create(
        programme=world.programme,
        name="LUP 3",
        starts_on=today + dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=240),
    )
    world.call = Call.objects.create(
        cohort=coming, capacity=2, deadline=today + dt.timedelta(days=30)
    )
    unit = ServiceUnit.objects.create(
        organisation=world.programme.organisation,
        sector=world.team_u1.unit.sector,
        code="8001",
        name="Søkerenheten",
    )
    manager = world.people["manager"]
    world.application = Application.objects.create(
        call=world.call,
        unit=unit,
        kind=Application.Kind.APPLIED,
        applied_by=manager,
        manager_email=manager.email,
        motivation="Kortere ventetid.",
    )


def world_certificate(world: World) -> Any:
    """The enthusiast of U1 (Bærum, cohort A) completed, with their certificate."""
    from lup import certification
    from lup.models import Participant

    participant = world.team_u1.participants.get(user=world.people["enthusiast"])
    Participant.objects.filter(pk=participant.pk).update(
        status="completed", completed_at="2025-12-01T12:00Z"
    )
    return certification.issue_participant_certificate(participant=participant, notify=False)


def world_settings(files: Path) -> dict[str, str]:
    """Where the world's files go (submissions, H5P packages): one directory per module."""
    return {
        "COURSES_PRIVATE_ROOT": str(files / "private"),
        "COURSES_H5P_ROOT": str(files / "h5p"),
    }


@contextmanager
def module_world(files: Path) -> Iterator[World]:
    """The matrix world, built once for a test module inside a transaction that is rolled
    back when the module is done. Each test's own writes are rolled back by pytest-django
    (its transaction is a savepoint inside this one), so every test sees the world as built.

    Use from a module-scoped fixture that has unblocked the database; the module must also
    point the per-test settings at `world_settings(files)` (the files outlive each test).
    """
    from django.db import transaction

    with override_settings(**world_settings(files)), transaction.atomic():
        world = build_matrix_world()
        yield world
        transaction.set_rollback(True)
