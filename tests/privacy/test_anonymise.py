"""Anonymising a person, field by field for every entry of the register: what is deleted,
what stays pointing at the pseudonym, which quotes are replaced; their certificates under
both policies of the organisation; the HR export; the unit certificate of their team; the
confirmation page and the API; and the refusals, which change nothing."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from certificates.models import Certificate, Credential
from certificates.storage import pdf_storage
from lup.audit import record_event
from lup.models import AuditEvent, CompletionCheck, Organisation, OrganisationMembership
from lup.privacy import anonymise
from lup.privacy.anonymise import anonymise_person, plan_anonymisation, quoting_rows
from lup.privacy.anonymise.service import REVOCATION_REASON
from lup.privacy.models import PersonalDataExport
from lup.privacy.register import OnAnonymise, entries, entry_for
from lup.privacy.storage import archive_storage
from lup.reporting.models import ApiToken, ScheduledExport
from lup.reporting.services import save_preset
from lup.roles import ADMINISTRATORS_GROUP, HR_GROUP, ensure_role_groups
from tests.certificates.test_rendering import needs_poppler, pdf_text
from tests.factories import (
    OrganisationFactory,
    ParticipantFactory,
    UserFactory,
    XAPIStatementFactory,
)
from tests.privacy.history import History, build_history
from tests.roles import with_two_factor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

NAME = "Liv Leder"
ADDRESS = "leder@solbakken.example.no"
Policy = Organisation.AnonymisedCertificates


@pytest.fixture
def history(settings, tmp_path) -> History:
    settings.LUP_PRIVATE_ROOT = str(tmp_path / "lup-private")
    return build_history(submissions=1, completions=2, statements=2)


@pytest.fixture
def organisation(history: History) -> Organisation:
    return history.setup.cohort.programme.organisation


def member_of(organisation: Organisation, group: str, email: str) -> Any:
    person = with_two_factor(UserFactory.create(email=email, first_name="Ada", last_name="Admin"))
    person.groups.add(ensure_role_groups()[group])
    OrganisationMembership.objects.create(organisation=organisation, user=person)
    return person


@pytest.fixture
def administrator(organisation: Organisation) -> Any:
    return member_of(organisation, ADMINISTRATORS_GROUP, "admin@solbakken.example.no")


@pytest.fixture
def quotes(history: History, organisation: Organisation) -> dict[str, Any]:
    """Rows of other people that quote the person's name or address."""
    stranger, person = history.stranger, history.person
    return {
        "event": record_event(
            action=AuditEvent.Action.TENANT_REFUSED,
            subject=stranger,
            actor=stranger,
            attempted=f"{NAME} <{ADDRESS.upper()}>",
        ),
        "log": LogEntry.objects.create(
            user=stranger,
            content_type=ContentType.objects.get_for_model(get_user_model()),
            object_id=str(person.pk),
            object_repr=str(person),
            action_flag=CHANGE,
            change_message=json.dumps([{"changed": {"fields": ["Last name"], "was": NAME}}]),
        ),
        "check": CompletionCheck.objects.create(
            programme=history.setup.cohort.programme,
            reason="requested",
            requested_by=stranger,
            findings=[{"unit": f"{NAME}s team", "cohort": ADDRESS, "failed": True}],
        ),
        "shared_schedule": ScheduledExport.objects.create(
            organisation=organisation,
            name="Felles",
            preset_key="default",
            frequency="weekly",
            delivery="email",
            recipients=f"hr@example.no\n{ADDRESS.title()}",
            next_run_on="2026-12-07",
            created_by=stranger,
        ),
        "own_schedule": ScheduledExport.objects.create(
            organisation=organisation,
            name="Bare meg",
            preset_key="default",
            frequency="weekly",
            delivery="email",
            recipients=ADDRESS,
            next_run_on="2026-12-07",
            created_by=stranger,
        ),
        "xapi": XAPIStatementFactory.create(
            user=history.teammate,
            raw={
                "actor": {"objectType": "Agent", "account": {"homePage": "h", "name": "p1"}},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                "authority": {"objectType": "Agent", "account": {"homePage": "h", "name": ADDRESS}},
                "context": {
                    "instructor": {"name": NAME, "mbox": f"mailto:{ADDRESS}"},
                    "team": {
                        "objectType": "Group",
                        "name": f"Team {NAME}",
                        "member": [
                            {
                                "mbox_sha1sum": hashlib.sha1(
                                    f"mailto:{ADDRESS}".encode(), usedforsecurity=False
                                ).hexdigest()
                            },
                            {"name": "Kari Nordmann", "mbox": "mailto:kari@example.no"},
                        ],
                    },
                },
                "result": {"response": "Svaret mitt"},
            },
        ),
    }


def rows_of(entry_label: str, person: Any) -> list[int]:
    entry = entry_for(entry_label)
    assert entry is not None
    return sorted(entry.rows_of(person).values_list("pk", flat=True))


def everything() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model in the register, as values (files as bytes)."""
    snapshot = {}
    for entry in entries():
        rows = entry.model_class()._default_manager.order_by("pk").values()
        snapshot[entry.model] = [
            tuple(
                (key, bytes(value) if isinstance(value, memoryview) else value)
                for key, value in sorted(row.items())
            )
            for row in rows
        ]
    return snapshot


# The plan ------------------------------------------------------------------------------


def test_the_plan_lists_every_entry_and_changes_nothing(history, administrator, quotes):
    before = everything()

    plan = plan_anonymisation(history.person, administrator)

    assert everything() == before
    assert plan.refusal == ""
    assert plan.pseudonym == f"anonymised #{history.person.pk}"
    planned = {entry.model: entry for entry in plan.entries}
    assert set(planned) == {entry.model for entry in entries()}
    for entry in entries():
        assert planned[entry.model].rows == entry.rows_of(history.person).count(), entry.model
        assert planned[entry.model].rule == entry.on_anonymise
    assert planned["account.EmailAddress"].outcome == "Deleted"
    assert planned["lup.AuditEvent"].quoting >= 1
    assert planned["admin.LogEntry"].quoting >= 1
    assert planned["lup.ScheduledExport"].quoting == 2
    assert planned["courses.XAPIStatement"].quoting == 1
    outcomes = {item.certificate.pk: item.outcome for item in plan.certificates}
    own, unit = history.certificates
    assert outcomes == {own.pk: anonymise.REVOKE, unit.pk: anonymise.REDRAW}


def test_the_plan_follows_the_organisations_policy(history, administrator, organisation):
    organisation.anonymised_certificates = Policy.WITHHOLD_NAME
    organisation.save()

    plan = plan_anonymisation(history.person, administrator)

    own = history.certificates[0]
    assert {item.certificate.pk: item.outcome for item in plan.certificates}[own.pk] == (
        anonymise.WITHHOLD
    )


# Field by field ------------------------------------------------------------------------


def test_erased_rows_are_gone_and_nobody_elses(history, administrator):
    person = history.person
    erased = [entry for entry in entries() if entry.on_anonymise == OnAnonymise.ERASE]
    before = {entry.model: entry.rows_of(person).count() for entry in erased}
    assert all(before.values()), before  # the history has a row in each
    teammates_address = EmailAddress.objects.get(user=history.teammate)

    anonymise_person(person=person, actor=administrator)

    for entry in erased:
        assert not entry.rows_of(person).exists(), entry.model
    assert EmailAddress.objects.filter(pk=teammates_address.pk).exists()


def test_the_account_keeps_only_the_pseudonym(history, administrator):
    person = history.person

    anonymise_person(person=person, actor=administrator)

    person.refresh_from_db()
    assert (person.first_name, person.last_name) == ("Anonymisert", "")
    assert person.email == f"anonymised-{person.pk}@anonymised.invalid"
    assert person.username == f"anonymised-{person.pk}"
    assert not person.is_active
    assert not person.is_staff
    assert not person.has_usable_password()
    assert not person.groups.exists()
    assert not person.user_permissions.exists()


def test_kept_rows_stay_and_point_at_the_renamed_account(history, administrator):
    person = history.person
    kept = [entry for entry in entries() if entry.on_anonymise == OnAnonymise.KEEP]
    before = {entry.model: rows_of(entry.model, person) for entry in kept}
    facilitated = person.lup_facilitated_cohorts.get()
    tokens_created = list(ApiToken.objects.filter(created_by=person))

    anonymise_person(person=person, actor=administrator)

    after = {entry.model: rows_of(entry.model, person) for entry in kept}
    # The cohort they facilitated is no longer theirs; every other row is still there.
    assert after.pop("lup.Cohort") == [
        pk for pk in before.pop("lup.Cohort") if pk != facilitated.pk
    ]
    assert after == before
    assert not facilitated.facilitators.filter(pk=person.pk).exists()
    # Tokens they created for systems keep working; tokens acting as them do not.
    assert all(token.is_usable for token in tokens_created)
    assert all(not token.is_usable for token in ApiToken.objects.filter(user=person))


def test_an_api_token_acting_as_them_is_revoked(history, administrator, organisation):
    token = ApiToken.objects.create(
        name="Mitt skript",
        organisation=organisation,
        user=history.person,
        scope="read",
        prefix="abc",
        secret_hash="x" * 64,
        expires_at="2099-01-01T00:00Z",
    )

    anonymise_person(person=history.person, actor=administrator)

    token.refresh_from_db()
    assert token.revoked_at is not None


def test_their_audit_events_and_quotes_show_only_the_pseudonym(history, administrator, quotes):
    person = history.person
    pseudonym = f"anonymised #{person.pk}"

    anonymise_person(person=person, actor=administrator)

    for event in AuditEvent.objects.filter(actor=person):
        assert event.actor_label == pseudonym
    for event in AuditEvent.objects.filter(subject=person):
        assert event.subject_label == pseudonym
    about_teammate = AuditEvent.objects.get(
        action=AuditEvent.Action.ROLE_CHANGED, subject=history.teammate
    )
    assert about_teammate.subject_label == history.teammate.email  # others keep theirs
    quoted = AuditEvent.objects.get(pk=quotes["event"].pk)
    assert quoted.details["attempted"] == f"{pseudonym} <{pseudonym}>"
    assert quoted.subject_label == history.stranger.email
    for event in AuditEvent.objects.all():
        text = json.dumps([event.actor_label, event.subject_label, event.details])
        assert NAME not in text, event
        assert ADDRESS not in text.lower(), event


def test_admin_log_entries_quoting_them_are_redacted(history, administrator, quotes):
    anonymise_person(person=history.person, actor=administrator)

    log = LogEntry.objects.get(pk=quotes["log"].pk)
    assert ADDRESS not in log.object_repr
    assert json.loads(log.change_message)[0]["changed"]["was"] == pseudonym(history)
    for entry in LogEntry.objects.all():
        assert NAME not in entry.object_repr + entry.change_message
        assert ADDRESS not in (entry.object_repr + entry.change_message).lower()


def pseudonym(history: History) -> str:
    return f"anonymised #{history.person.pk}"


def test_completion_check_findings_quoting_them_are_redacted(history, administrator, quotes):
    anonymise_person(person=history.person, actor=administrator)

    check = CompletionCheck.objects.get(pk=quotes["check"].pk)
    assert check.findings == [
        {"unit": f"{pseudonym(history)} team", "cohort": pseudonym(history), "failed": True}
    ]


def test_their_address_leaves_every_schedule(history, administrator, quotes):
    anonymise_person(person=history.person, actor=administrator)

    shared = ScheduledExport.objects.get(pk=quotes["shared_schedule"].pk)
    alone = ScheduledExport.objects.get(pk=quotes["own_schedule"].pk)
    assert shared.recipients == "hr@example.no"
    assert shared.active
    assert ADDRESS not in alone.recipients.lower()
    assert not alone.active
    assert alone.stopped_reason == ScheduledExport.StopReason.DESTINATION_NOT_ALLOWED


def test_xapi_agents_that_identify_them_become_a_pseudonymous_account(
    history, administrator, quotes
):
    anonymise_person(person=history.person, actor=administrator)

    raw = type(quotes["xapi"]).objects.get(pk=quotes["xapi"].pk).raw
    account = {"homePage": "urn:lup:anonymised", "name": f"anonymised-{history.person.pk}"}
    assert raw["actor"] == {"objectType": "Agent", "account": {"homePage": "h", "name": "p1"}}
    assert raw["authority"] == {"objectType": "Agent", "account": account}
    assert raw["context"]["instructor"] == {"objectType": "Agent", "account": account}
    assert raw["context"]["team"]["member"] == [
        {"objectType": "Agent", "account": account},
        {"name": "Kari Nordmann", "mbox": "mailto:kari@example.no"},
    ]
    assert NAME not in raw["context"]["team"]["name"]
    assert raw["result"] == {"response": "Svaret mitt"}  # the learner's own words stay
    assert NAME not in json.dumps(raw)
    assert ADDRESS not in json.dumps(raw)


def test_the_anonymisation_is_audited_with_counts_only(history, administrator, quotes):
    done = anonymise_person(person=history.person, actor=administrator)

    event = AuditEvent.objects.get(action=AuditEvent.Action.PERSON_ANONYMISED)
    assert event.actor == administrator
    assert event.subject_label == pseudonym(history)
    assert event.details == done.counts
    assert set(done.counts) == set(anonymise.COUNTS)
    assert done.counts["deleted"] >= 9
    assert done.counts["certificates_revoked"] == 1
    assert done.counts["names_withheld"] == 1
    assert done.counts["certificates_redrawn"] == 1
    assert done.counts["redacted"] >= 5
    assert all(isinstance(value, int) for value in event.details.values())


def test_their_archives_files_are_deleted(
    history, administrator, django_capture_on_commit_callbacks
):
    name = archive_storage().save("archives/liv.zip", io.BytesIO(b"zip"))
    PersonalDataExport.objects.create(
        user=history.person, status="ready", archive_name=name, finished_at="2026-01-01T00:00Z"
    )

    with django_capture_on_commit_callbacks(execute=True):
        anonymise_person(person=history.person, actor=administrator)

    assert not archive_storage().exists(name)


# Certificates --------------------------------------------------------------------------


def upload(client, certificate, data):
    return client.post(
        f"/verify/{certificate.code}/",
        {"file": SimpleUploadedFile("c.pdf", data, content_type="application/pdf")},
    )


def stored(certificate: Certificate) -> Certificate:
    return Certificate.objects.get(pk=certificate.pk)


@pytest.mark.parametrize("policy", [Policy.REVOKE, Policy.WITHHOLD_NAME])
def test_their_certificate_under_the_policy(
    client, history, administrator, organisation, policy, django_capture_on_commit_callbacks
):
    organisation.anonymised_certificates = policy
    organisation.save()
    own = stored(history.certificates[0])
    issued_pdf = own.pdf_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        anonymise_person(person=history.person, actor=administrator)

    after = stored(own)
    page = client.get(f"/verify/{own.display_code}/").content.decode()
    data = client.get(f"/verify/{own.code}.json").json()
    check = upload(client, own, issued_pdf).content.decode()
    badge = client.get(f"/credentials/{own.public_id}").json()
    signed = client.get(f"/credentials/{own.public_id}.jwt")
    client.force_login(administrator)
    download = client.get(
        reverse("certificates:certificate-pdf", kwargs={"certificate_id": own.public_id})
    )
    for text in (page, json.dumps(data), json.dumps(badge), after.body, str(after.details)):
        assert NAME not in text
        assert ADDRESS not in text
    assert after.name_withheld_at is not None
    assert after.pdf_bytes() == b""
    assert not pdf_storage().exists(own.pdf.name)  # deleted from its storage, not just unlinked
    assert after.sha256 == own.sha256
    assert "The name is withheld" in page
    assert data["recipient_name"] is None
    assert data["name_withheld"] is True
    assert "name" not in badge["credentialSubject"]
    assert "identifier" not in badge["credentialSubject"]
    assert signed.status_code == 410  # the signed copy named them
    assert Credential.objects.get(certificate=own).signed == ""
    assert "The file matches" in check
    assert download.status_code == 404
    if policy == Policy.REVOKE:
        assert after.is_revoked
        # In the certificate's own language (bokmål here), as the verify page shows it.
        with translation.override(after.language):
            assert after.revocation_reason == str(REVOCATION_REASON)
        assert after.revocation_reason.startswith("Anonymisert")
        assert after.revoked_by == administrator
        assert "This certificate was revoked" in page
        assert data["status"] == "revoked"
        revoked = AuditEvent.objects.get(action=AuditEvent.Action.CERTIFICATE_REVOKED)
        assert revoked.subject_label == pseudonym(history)
    else:
        assert not after.is_revoked
        assert "This certificate is genuine and valid." in page
        assert data["status"] == "valid"


def test_the_unit_certificate_of_their_team_is_drawn_again(client, history, administrator):
    unit = stored(history.certificates[1])
    assert NAME in unit.body
    issued_pdf = unit.pdf_bytes()

    anonymise_person(person=history.person, actor=administrator)

    after = stored(unit)
    assert NAME not in after.body
    assert NAME not in json.dumps(after.details, ensure_ascii=False)
    assert "(navnet holdt tilbake)" in after.details["values"]["team"]  # the certificate's bokmål
    assert after.recipient_name == unit.recipient_name  # the unit's name
    assert not after.is_revoked
    assert after.name_withheld_at is None
    assert after.sha256 != unit.sha256
    assert after.details["earlier_sha256"] == [unit.sha256]
    assert "matches an earlier version" in upload(client, unit, issued_pdf).content.decode()
    assert "The file matches: it is" in upload(client, unit, after.pdf_bytes()).content.decode()


@needs_poppler
def test_the_unit_certificates_new_pdf_does_not_name_them(history, administrator, tmp_path):
    anonymise_person(person=history.person, actor=administrator)

    text = " ".join(pdf_text(stored(history.certificates[1]).pdf_bytes(), tmp_path).split())
    assert NAME not in text
    assert "Teamet: (navnet holdt tilbake), Kari Nordmann." in text


# The HR export -------------------------------------------------------------------------


COLUMNS = [
    "participant_id",
    "email",
    "name",
    "first_name",
    "last_name",
    "certificate_code",
    "sf_stud_id",
    "sf_comments",
]


def export(client, export_format: str) -> list[list[str]]:
    response = client.get(
        reverse("lup:report-participants-export"), {"preset": "anon", "format": export_format}
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    if export_format == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(
            archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.endswith(".xml")
        )
    return [[xml]]


@pytest.mark.parametrize("policy", [Policy.REVOKE, Policy.WITHHOLD_NAME])
def test_the_hr_export_row_shows_only_the_pseudonym(
    client, history, administrator, organisation, policy
):
    organisation.anonymised_certificates = policy
    organisation.save()
    hr = member_of(organisation, HR_GROUP, "hr@solbakken.example.no")
    save_preset(
        organisation=organisation, key="anon", name="Anon", report="participants", columns=COLUMNS
    )
    participant = history.setup.enrolment.participants.get(user=history.person)
    teammate = history.setup.enrolment.participants.get(user=history.teammate)
    own = history.certificates[0]
    client.force_login(hr)
    before = {row[0]: row for row in export(client, "csv")}
    assert before[str(participant.public_id)][5] == own.display_code

    anonymise_person(person=history.person, actor=administrator)

    rows = {row[0]: row for row in export(client, "csv")}
    assert rows[str(participant.public_id)][1:] == [
        "",
        "Anonymisert",
        "Anonymisert",
        "",
        "",
        "",
        "",
    ]
    assert rows[str(teammate.public_id)][5]  # the teammate's code stays
    [[xml]] = export(client, "xlsx")
    for text in (json.dumps(list(rows.values()), ensure_ascii=False), xml):
        assert NAME not in text
        assert ADDRESS not in text
        assert own.display_code not in text


# The page and the API ------------------------------------------------------------------


def test_the_confirmation_page_lists_what_will_change(
    client, history, administrator, quotes, django_assert_max_num_queries
):
    client.force_login(administrator)
    url = reverse("lup:anonymise-person", args=[history.person.pk])

    with django_assert_max_num_queries(80):
        page = client.get(url).content.decode()

    own, unit = history.certificates
    assert f"“anonymised #{history.person.pk}”" in page
    assert 'data-model="account.EmailAddress" data-rule="erase"' in page
    assert 'data-model="lup.Participant" data-rule="keep"' in page
    assert 'data-model="lup.AuditEvent" data-rule="redact"' in page
    assert 'data-model="lup.Nomination" data-rule="keep"' in page
    assert 'data-model="lup.ProjectReview"' in page
    assert own.display_code in page
    assert unit.display_code in page
    assert "Revoked as anonymised" in page
    assert "drawn again" in page
    assert 'data-model="lup.Gathering"' not in page  # not in the register


def test_the_confirmation_page_takes_as_many_queries_with_more_history(
    client, history, administrator, django_assert_max_num_queries
):
    client.force_login(administrator)
    url = reverse("lup:anonymise-person", args=[history.person.pk])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    XAPIStatementFactory.create_batch(20, user=history.person)
    for _ in range(20):
        record_event(action=AuditEvent.Action.LOGIN, subject=history.person)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def api_url(history: History) -> str:
    participant = history.setup.enrolment.participants.get(user=history.person)
    return reverse("lup-api:person-anonymisation", kwargs={"id": participant.public_id})


def test_the_api_previews_then_anonymises(client, history, administrator, quotes):
    client.force_login(administrator)
    before = everything()

    preview = client.get(api_url(history))

    assert preview.status_code == 200
    assert everything() == before
    plan = preview.json()
    assert plan["pseudonym"] == pseudonym(history)
    assert plan["refusal"] == ""
    assert {entry["model"] for entry in plan["entries"]} >= {
        "account.EmailAddress",
        "lup.AuditEvent",
    }
    assert {item["outcome"] for item in plan["certificates"]} == {"revoke", "redraw"}

    done = client.post(api_url(history))

    assert done.status_code == 200, done.content
    assert done.json()["pseudonym"] == pseudonym(history)
    assert done.json()["counts"]["certificates_revoked"] == 1
    again = client.post(api_url(history))
    assert again.status_code == 400
    assert "already anonymised" in again.json()["non_field_errors"][0]


def test_the_api_is_for_those_who_may_anonymise_in_scope(client, history, organisation):
    hr = member_of(organisation, HR_GROUP, "hr@solbakken.example.no")
    elsewhere = member_of(OrganisationFactory.create(), ADMINISTRATORS_GROUP, "a@asker.example.no")

    client.force_login(hr)
    assert client.post(api_url(history)).status_code == 403
    client.force_login(elsewhere)
    assert client.post(api_url(history)).status_code == 404
    assert client.get(api_url(history)).status_code == 404
    assert (
        client.get(reverse("lup-api:person-anonymisation", kwargs={"id": "not-a-uuid"})).status_code
        == 404
    )
    history.person.refresh_from_db()
    assert history.person.is_active


# Refusals ------------------------------------------------------------------------------


def test_another_organisations_person_is_refused_and_nothing_changes(
    client, history, administrator, quotes
):
    """An administrator of another organisation who was put on this team (the old hole):
    in scope, but theirs to anonymise, not ours."""
    asker = OrganisationFactory.create(name="Asker kommune", slug="asker")
    outsider = member_of(asker, ADMINISTRATORS_GROUP, "admin@asker.example.no")
    participant = ParticipantFactory.create(enrolment=history.setup.enrolment, user=outsider)
    client.force_login(administrator)
    before = everything()

    answer = client.post(
        reverse("lup-api:person-anonymisation", kwargs={"id": participant.public_id})
    )
    page = client.post(
        reverse("lup:anonymise-person", args=[outsider.pk]),
        {"confirm_email": outsider.email},
        follow=True,
    )

    assert answer.status_code == 400
    assert "another organisation" in answer.json()["non_field_errors"][0]
    assert "belongs to another organisation" in page.content.decode()
    after = everything()
    refusals = AuditEvent.objects.filter(action=AuditEvent.Action.TENANT_REFUSED, subject=outsider)
    assert refusals.count() == 2  # both attempts are in the audit log
    refused_ids = set(refusals.values_list("pk", flat=True))
    after["lup.AuditEvent"] = [
        row for row in after["lup.AuditEvent"] if dict(row)["id"] not in refused_ids
    ]
    assert after == before


def test_oneself_and_someone_anonymised_already_are_refused(history, administrator):
    with pytest.raises(ValidationError, match="yourself"):
        anonymise_person(person=administrator, actor=administrator)
    anonymise_person(person=history.person, actor=administrator)
    before = everything()

    with pytest.raises(ValidationError, match="already anonymised"):
        anonymise_person(person=history.person, actor=administrator)

    assert everything() == before


# Finding quotes ------------------------------------------------------------------------


def test_quotes_are_found_in_any_case_and_in_escaped_json(db):
    stranger = UserFactory.create()
    person = UserFactory.create(
        first_name="Ragnhild", last_name="Østerbø-Quist", email="ragnhild.osterbo@example.no"
    )
    upper = record_event(
        action=AuditEvent.Action.LOGIN_FAILED, subject=stranger, attempted="RAGNHILD ØSTERBØ-QUIST"
    )
    escaped = LogEntry.objects.create(
        user=stranger,
        content_type=ContentType.objects.get_for_model(get_user_model()),
        object_id="1",
        object_repr="x",
        action_flag=CHANGE,
        change_message=json.dumps({"added": {"object": "Østerbø-Quist, Ragnhild"}}),
    )
    unrelated = record_event(
        action=AuditEvent.Action.LOGIN_FAILED, subject=stranger, attempted="Ragnhild Østerbø"
    )
    identity = anonymise.identity_of(person)

    events = quoting_rows(AuditEvent, ("actor_label", "subject_label", "details"), identity.needles)
    logs = quoting_rows(LogEntry, ("object_repr", "change_message"), identity.needles)

    assert list(events) == [upper]
    assert list(logs) == [escaped]
    assert "\\u00d8" in escaped.change_message  # stored escaped, found all the same
    pattern = identity.pattern()
    assert pattern is not None
    assert anonymise.redacted(escaped.change_message, pattern, "X") == json.dumps(
        {"added": {"object": "X"}}
    )
    assert anonymise.redacted(unrelated.details, pattern, "X") == unrelated.details


def test_an_anonymised_person_is_never_issued_a_new_certificate(history, administrator):
    """A certificate missing when they left is not issued afterwards, one by one or in bulk:
    there is nobody to give it to, and it would carry the pseudonym."""
    from lup import certification
    from lup.certification.keys import participant_key
    from lup.models import Participant

    person = history.person
    anonymise_person(person=person, actor=administrator)
    participation = Participant.objects.get(user=person)
    Certificate.objects.filter(source_key=participant_key(participation.public_id)).delete()
    Participant.objects.filter(pk=participation.pk).update(status="completed")

    assert certification.issue_participant_certificate(participant=participation) is None
    certification.issue_cohort_certificates(cohort=participation.enrolment.cohort)

    assert not Certificate.objects.filter(
        source_key=participant_key(participation.public_id)
    ).exists()
