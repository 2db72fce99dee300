"""After anonymisation the person's old name and addresses appear nowhere: on no page, in
no export, no API response, no verification page or badge, no admin page and not in the
own-data download of the administrator who did it.

A person with a distinctive name is given data everywhere (a team, learning records, a
submission, certificates of their own and of their unit, audit events naming them, a
scheduled export to their address, admin log entries about them, canvas versions, a
benefit measurement, xAPI statements naming them as instructor), then anonymised through
the confirmation page. Every URL of the project (`tests.urlmatrix`) is then read as a
superuser and as the organisation's administrator, with the person's own objects, the
exports in both formats (the XLSX unzipped), the verification pages and badges, and the
admin's list and change pages of every registered model, in raw, HTML, JSON and URL
spellings, in any case; and then every stored row of every model (files aside). Before
anonymisation the same search finds them on the pages: the search can fail.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import logging
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test.utils import override_settings
from django.urls import NoReverseMatch, reverse

from courses import services as course_services
from courses.models import Activity, Assignment
from lup import certification, services
from lup.audit import record_event
from lup.innovation import services as project_services
from lup.models import AuditEvent, CompletionCheck, Participant, PersonProfile, UnitEnrolment
from lup.privacy.register import entries
from lup.reporting.services import schedule_export
from tests.factories import UserFactory, XAPIStatementFactory
from tests.urlmatrix import arguments_for, build_matrix_world, discover_routes, world_settings

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FIRST, LAST = "Ragnhild", "Østerbø-Quist"
FULL = f"{FIRST} {LAST}"
EMAIL = "ragnhild.osterbo@example.no"
SECOND_EMAIL = "r.osterbo-quist@example.no"
USERNAME = "rquist.2019"
# Every spelling that must be gone (the last name alone too: it is distinctive).
NEEDLES = (FULL, f"{LAST}, {FIRST}", LAST, EMAIL, SECOND_EMAIL, USERNAME)

# Content that is not text: skipped (the certificates' PDFs are checked in
# tests/privacy/test_anonymise.py with pdftotext).
BINARY = ("application/pdf", "image/", "application/octet-stream", "application/zip", "font/")
XLSX = "application/vnd.openxmlformats"


def spellings(needle: str) -> set[str]:
    """How a page, a JSON body or a URL may write `needle`."""
    forms = {needle, needle.lower(), needle.upper(), needle.title()}
    written = set()
    for form in forms:
        written |= {form, html.escape(form), json.dumps(form)[1:-1], quote(form), quote(form, "")}
    return written


SPELLINGS = {needle: spellings(needle) for needle in NEEDLES}


def found_in(text: str) -> list[str]:
    """The needles `text` still holds, in any spelling and case."""
    lowered = text.lower()
    return [
        needle
        for needle, forms in SPELLINGS.items()
        if any(form in text or form.lower() in lowered for form in forms)
    ]


def body_of(response: Any) -> str | None:
    """The response as text (XLSX: its XML parts), or None for binary content."""
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    streamed = getattr(response, "file_to_stream", None)
    if streamed is not None:
        streamed.close()
    if content_type.startswith(XLSX):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(
                archive.read(name).decode("utf-8")
                for name in archive.namelist()
                if name.endswith((".xml", ".rels"))
            )
    if content_type.startswith(BINARY):
        return None
    return content.decode("utf-8", errors="replace")


@pytest.fixture
def world(tmp_path, settings):
    settings.LUP_PRIVATE_ROOT = str(tmp_path / "lup-private")
    with override_settings(**world_settings(tmp_path)):
        built = build_matrix_world()
        built.person = seed_person(built)
        yield built


def seed_person(world: Any) -> Any:
    """Ragnhild on U1's team, with data in every corner of the platform."""
    person = UserFactory.create(email=EMAIL, username=USERNAME, first_name=FIRST, last_name=LAST)
    EmailAddress.objects.create(user=person, email=EMAIL, verified=True, primary=True)
    EmailAddress.objects.create(user=person, email=SECOND_EMAIL, verified=True, primary=False)
    administrator = world.people["administrator"]
    participant, _created = services.add_participant(
        enrolment=world.team_u1, user=person, role=Participant.Role.ENTHUSIAST
    )
    PersonProfile.objects.create(user=person, language="nb", language_source="site")

    # Learning: enrolled, a page done, an answer handed in, H5P statements.
    course_services.enrol(user=person, course=world.course, starts_on=world.cohort_a.starts_on)
    course_services.mark_done(user=person, activity=world.page)
    own_task = Activity.objects.create(
        module=world.page.module, position=9, title="Refleksjon", kind="assignment"
    )
    course_services.submit_assignment(
        user=person,
        assignment=Assignment.objects.create(activity=own_task, instructions="Skriv."),
        upload=SimpleUploadedFile("refleksjon.pdf", b"%PDF-1.7 refleksjon"),
    )
    instructor = {"name": FULL, "mbox": f"mailto:{EMAIL}"}
    XAPIStatementFactory.create(
        user=person,
        activity=world.h5p_activity,
        raw={
            "actor": {"objectType": "Agent", "account": {"homePage": "h", "name": "x"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "context": {"instructor": instructor},
        },
    )
    XAPIStatementFactory.create(
        user=world.people["manager"],
        activity=world.h5p_activity,
        raw={
            "actor": {"objectType": "Agent", "account": {"homePage": "h", "name": "y"}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "authority": {"objectType": "Agent", "mbox": f"mailto:{SECOND_EMAIL}"},
            "context": {"instructor": instructor},
        },
    )

    # Project work.
    latest = world.project.canvas_versions.order_by("-number").first()
    project_services.save_canvas(
        project=world.project,
        content={"purpose": "Bedre søvn for beboerne"},
        base_number=latest.number if latest else 0,
        saved_by=person,
    )
    project_services.record_measurement(
        benefit=world.benefit,
        measured_on=dt.date(2025, 12, 1),
        value=Decimal("900"),
        recorded_by=person,
    )

    # Completed, with their own certificate and their unit's, which names the team.
    Participant.objects.filter(pk=participant.pk).update(
        status="completed", completed_at="2025-12-01T12:00Z"
    )
    Participant.objects.filter(enrolment=world.team_u1).update(
        status="completed", completed_at="2025-12-01T12:00Z"
    )
    UnitEnrolment.objects.filter(pk=world.team_u1.pk).update(
        status="completed", completed_at="2025-12-02T12:00Z"
    )
    person.own_certificate = certification.issue_participant_certificate(
        participant=participant, notify=False
    )
    person.unit_certificate = certification.issue_unit_certificate(
        enrolment=world.team_u1, notify=False
    )
    assert FULL in person.unit_certificate.body

    # Administration about them: audit events, a scheduled export, admin log entries, a
    # completion check's findings.
    record_event(action=AuditEvent.Action.LOGIN, subject=person, actor=person)
    record_event(action=AuditEvent.Action.LOGIN_FAILED, subject=person, attempted=EMAIL.upper())
    record_event(
        action=AuditEvent.Action.TENANT_REFUSED,
        subject=world.people["manager"],
        actor=administrator,
        attempted=f"{FULL} <{SECOND_EMAIL}>",
    )
    schedule_export(
        organisation=world.programme.organisation,
        name="Til Ragnhild",
        preset_key="default",
        export_format="csv",
        frequency="monthly",
        delivery="email",
        recipients=f"hr@example.no\n{EMAIL}",
        created_by=world.people["hr"],
    )
    user_type = ContentType.objects.get_for_model(type(person))
    LogEntry.objects.create(
        user=administrator,
        content_type=user_type,
        object_id=str(person.pk),
        object_repr=str(person),
        action_flag=CHANGE,
        change_message=json.dumps(
            [{"changed": {"name": "participant", "object": f"{FULL} (LUP 1)", "fields": ["Role"]}}]
        ),
    )
    LogEntry.objects.create(
        user=administrator,
        content_type=ContentType.objects.get_for_model(Participant),
        object_id=str(participant.pk),
        object_repr=str(participant),
        action_flag=ADDITION,
        change_message=json.dumps([{"added": {"name": "participant", "object": FULL}}]),
    )
    LogEntry.objects.create(
        user=person,
        content_type=user_type,
        object_id=str(world.people["manager"].pk),
        object_repr=str(world.people["manager"]),
        action_flag=CHANGE,
        change_message="[]",
    )
    CompletionCheck.objects.create(
        programme=world.programme,
        reason="requested",
        requested_by=administrator,
        findings=[{"unit": f"{FULL}s team ({EMAIL})", "cohort": "LUP 1", "failed": True}],
    )
    return person


def routes_to_read(world: Any) -> Iterator[str]:
    """Every URL of the project, the person's own objects, exports, and admin pages."""
    logout = ("accounts/logout", "admin/logout")
    for route in discover_routes():
        try:
            url = route.url(arguments_for(route, world))
        except KeyError:  # a route tests.urlmatrix has no arguments for yet
            continue
        if url.lstrip("/").startswith(logout):
            continue
        yield url
    person = world.person
    participant = Participant.objects.get(user=person)
    for certificate in (person.own_certificate, person.unit_certificate):
        yield reverse("certificates-verify:certificate", kwargs={"code": certificate.code})
        yield reverse("certificates-verify:json", kwargs={"code": certificate.code})
        yield reverse("lup-api:certificate-verify", kwargs={"code": certificate.code})
        yield reverse("lup-api:certificate-detail", kwargs={"id": certificate.public_id})
        for name in ("certificates:certificate-badge", "certificates:certificate-pdf"):
            yield reverse(name, kwargs={"certificate_id": certificate.public_id})
    for name in ("lup-api:participant-detail", "lup-api:participant-progress"):
        yield reverse(name, kwargs={"id": participant.public_id})
    yield reverse("lup-api:person-anonymisation", kwargs={"id": participant.public_id})
    yield reverse("lup:anonymise-person", args=[person.pk])
    for preset in ("default", "successfactors"):
        for export_format in ("csv", "xlsx"):
            yield (
                reverse("lup:report-participants-export")
                + f"?preset={preset}&format={export_format}"
            )
    for export_format in ("csv", "xlsx"):
        yield reverse("lup:report-units-export") + f"?preset=units&format={export_format}"
    yield reverse("lup:audit-log") + "?page=1"
    yield from admin_pages(person)


def admin_pages(person: Any) -> Iterator[str]:
    """The list of every registered model, and the change page of each of its rows that
    is about the person or quoted them (and their history)."""
    about = {}
    for entry in entries():
        model = entry.model_class()
        about[model] = set(entry.rows_of(person).values_list("pk", flat=True))
    about.setdefault(LogEntry, set())
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        try:
            yield reverse("admin:{}_{}_changelist".format(*info))
        except NoReverseMatch:
            continue
        rows = set(about.get(model, set()))
        rows |= set(model._default_manager.order_by("-pk").values_list("pk", flat=True)[:5])
        for pk in sorted(rows):
            yield reverse("admin:{}_{}_change".format(*info), args=[pk])
            yield reverse("admin:{}_{}_history".format(*info), args=[pk])
    yield reverse("admin:auth_user_history", args=[person.pk])
    yield reverse("admin:index")


def leaks(client: Any, viewers: list[Any], urls: list[str]) -> dict[str, list[str]]:
    """Each URL whose response still holds a needle, for any viewer, with the needles."""
    found: dict[str, list[str]] = {}
    logging.disable(logging.WARNING)
    try:
        for viewer in viewers:
            client.force_login(viewer)
            for url in urls:
                response = client.get(url)
                assert response.status_code < 500, f"GET {url}: {response.status_code}"
                text = body_of(response)
                if text is None:
                    continue
                needles = found_in(text)
                if needles:
                    found[f"{viewer.email} GET {url}"] = needles
            own_data = client.get(reverse("lup:my-data-json"))
            needles = found_in(body_of(own_data) or "")
            if needles:
                found[f"{viewer.email} own data"] = needles
    finally:
        logging.disable(logging.NOTSET)
    return found


def test_the_anonymised_persons_name_and_addresses_appear_nowhere(client, world):
    viewers = [world.people["superuser"], world.people["administrator"]]
    urls = list(dict.fromkeys(routes_to_read(world)))
    # Before: the same search finds them on their pages (and fills any cache).
    before = leaks(client, viewers, urls)
    assert any("certificates-verify" in url or "/verify/" in url for url in before), before
    assert any("/admin/" in url for url in before)
    assert any("export" in url for url in before)

    client.force_login(world.people["administrator"])
    done = client.post(
        reverse("lup:anonymise-person", args=[world.person.pk]), {"confirm_email": EMAIL}
    )
    assert done.status_code == 302
    urls = list(dict.fromkeys(routes_to_read(world)))

    assert leaks(client, viewers, urls) == {}
    assert stored_anywhere() == {}
    # Their own certificate is revoked (the organisation's default) and names no one.
    own = client.get(
        reverse("certificates-verify:json", kwargs={"code": world.person.own_certificate.code})
    ).json()
    assert (own["status"], own["recipient_name"], own["name_withheld"]) == ("revoked", None, True)


def stored_anywhere() -> dict[str, list[str]]:
    """Each model whose stored rows (text, JSON; not files) still hold a needle."""
    found = {}
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if not isinstance(field, models.BinaryField | models.FileField)
        ]
        for row in model._default_manager.values_list(*fields).iterator():
            needles = found_in(json.dumps(row, default=str, ensure_ascii=False))
            if needles:
                found[model._meta.label] = needles
                break
    return found
