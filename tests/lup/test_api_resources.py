"""Innovation projects, benefits, certificates and HR's reports in the API: the same
scope and rules as their HTML pages, a fixed number of queries per list page."""

import base64
import datetime as dt
import gzip
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lup import certification
from lup.api.tokens import create_api_token
from lup.innovation import services as project_services
from lup.innovation.models import BenefitMeasurement
from lup.models import AuditEvent, Participant
from lup.reporting.models import ApiToken
from tests.factories import ParticipantFactory, ServiceUnitFactory, UnitEnrolmentFactory
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
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
    return world


def certificate_of(participant):
    Participant.objects.filter(pk=participant.pk).update(
        status="completed", completed_at="2025-12-01T12:00Z"
    )
    return certification.issue_participant_certificate(participant=participant, notify=False)


def enthusiast_of(world):
    return world.team_u1.participants.get(user=world.people["enthusiast"])


# Innovation projects ---------------------------------------------------------------------


def test_a_team_member_edits_their_project(client, world):
    client.force_login(world.people["enthusiast"])

    response = client.patch(
        f"/api/v1/projects/{world.project.public_id}/",
        {"title": "Bedre nattero", "members": [str(enthusiast_of(world).public_id)]},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Bedre nattero"
    assert response.json()["members"] == [str(enthusiast_of(world).public_id)]


def test_hr_reads_but_does_not_edit_a_project(client, world):
    client.force_login(world.people["hr"])
    url = f"/api/v1/projects/{world.project.public_id}/"

    assert client.get(url).status_code == 200
    assert client.patch(url, {"title": "x"}, content_type="application/json").status_code == 403


def test_a_facilitator_starts_a_teams_project(client, world):
    client.force_login(world.people["facilitator"])

    response = client.post(
        "/api/v1/projects/",
        {
            "enrolment_unit": str(world.team_u2.unit.public_id),
            "enrolment_cohort": str(world.cohort_a.public_id),
            "title": "Digitalt tilsyn",
            "need": "Færre forstyrrelser om natten",
            "audience": "Beboere",
        },
        content_type="application/json",
    )
    again = client.post(
        "/api/v1/projects/",
        {
            "enrolment_unit": str(world.team_u2.unit.public_id),
            "enrolment_cohort": str(world.cohort_a.public_id),
            "title": "En til",
            "need": "x",
            "audience": "y",
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.content
    assert response.json()["unit"] == str(world.team_u2.unit.public_id)
    assert again.status_code == 400  # one project per team


def test_the_team_records_a_measurement(client, world):
    client.force_login(world.people["manager"])
    url = f"/api/v1/benefits/{world.benefit.public_id}/measurements/"

    recorded = client.post(
        url, {"measured_on": "2025-10-01", "value": "900"}, content_type="application/json"
    )
    same_day = client.post(
        url, {"measured_on": "2025-10-01", "value": "800"}, content_type="application/json"
    )
    future = client.post(
        url,
        {"measured_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(), "value": "1"},
        content_type="application/json",
    )

    assert recorded.status_code == 201, recorded.content
    assert same_day.status_code == 400
    assert "measured_on" in same_day.json()
    assert future.status_code == 400
    assert BenefitMeasurement.objects.get().value == Decimal("900")
    listed = client.get(f"/api/v1/benefits/{world.benefit.public_id}/").json()
    assert listed["measurements"][0]["value"] == "900.00"


def test_others_do_not_record_measurements(client, world):
    url = f"/api/v1/benefits/{world.benefit.public_id}/measurements/"
    body = {"measured_on": "2025-10-01", "value": "900"}
    client.force_login(world.people["hr"])
    hr = client.post(url, body, content_type="application/json")
    client.force_login(world.people["other_administrator"])
    other = client.post(url, body, content_type="application/json")

    assert (hr.status_code, other.status_code) == (403, 404)
    assert not BenefitMeasurement.objects.exists()


# Certificates ------------------------------------------------------------------------------


def test_anyone_verifies_a_certificate_by_its_code(client, world):
    certificate = certificate_of(enthusiast_of(world))

    response = client.get(f"/api/v1/certificates/verify/{certificate.display_code}/")

    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert response.json()["recipient_name"] == certificate.recipient_name
    assert client.get("/api/v1/certificates/verify/NOPE-NOPE/").status_code == 404


def test_an_administrator_revokes_a_certificate(client, world):
    certificate = certificate_of(enthusiast_of(world))
    url = f"/api/v1/certificates/{certificate.public_id}/revoke/"
    client.force_login(world.people["hr"])
    by_hr = client.post(url, {"reason": "Feil"}, content_type="application/json")
    client.force_login(world.people["administrator"])
    without_reason = client.post(url, {"reason": ""}, content_type="application/json")
    revoked = client.post(
        url, {"reason": "Registrert ved en feil"}, content_type="application/json"
    )

    assert by_hr.status_code == 403
    assert without_reason.status_code == 400
    assert revoked.status_code == 200, revoked.content
    assert revoked.json()["status"] == "revoked"
    verified = client.get(f"/api/v1/certificates/verify/{certificate.code}/").json()
    assert verified["status"] == "revoked"


def test_the_api_gives_the_signed_credential_and_verifies_it(client, world):
    certificate = certificate_of(enthusiast_of(world))
    client.force_login(world.people["administrator"])

    listed = client.get(f"/api/v1/certificates/{certificate.public_id}/").json()
    client.logout()
    public = client.get(f"/api/v1/certificates/verify/{certificate.code}/").json()
    signed = client.get(urlsplit(listed["credential"]["signed"]).path).content.decode()
    checked = client.post(
        "/api/v1/credentials/verify/", {"credential": signed}, content_type="application/json"
    )
    changed = client.post(
        "/api/v1/credentials/verify/",
        {"credential": signed[:-4] + ("AAAA" if not signed.endswith("AAAA") else "BBBB")},
        content_type="application/json",
    )

    organisation = world.programme.organisation
    assert listed["credential"] == public["credential"]
    assert listed["credential"]["issuer"].endswith(f"/credentials/issuers/{organisation.slug}")
    assert checked.status_code == 200
    assert checked.json()["verdict"] == "valid"
    assert {check["check"] for check in checked.json()["checks"] if check["passed"]} == {
        "format",
        "issuer",
        "key",
        "signature",
        "dates",
        "issued",
        "status",
    }
    assert changed.json()["verdict"] == "invalid"
    assert client.post("/api/v1/credentials/verify/", {}).status_code == 400


def test_an_administrator_revoking_in_the_api_flips_the_status_list_bit(client, world):
    certificate = certificate_of(enthusiast_of(world))
    index = certificate.credential.status_index
    status_url = f"/credentials/issuers/{world.programme.organisation.slug}/status/0"

    def bit() -> bool:
        encoded = client.get(status_url, {"format": "json"}).json()["credentialSubject"]
        text = encoded["encodedList"][1:]
        bits = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        return bool(bits[index // 8] & (0x80 >> (index % 8)))

    before = bit()
    client.force_login(world.people["administrator"])
    client.post(
        f"/api/v1/certificates/{certificate.public_id}/revoke/",
        {"reason": "Registrert ved en feil"},
        content_type="application/json",
    )
    client.logout()

    assert (before, bit()) == (False, True)


def test_the_certificate_list_takes_a_fixed_number_of_queries(client, world):
    certificate_of(enthusiast_of(world))
    client.force_login(world.people["administrator"])
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/certificates/").json()["count"] == 1
    for participant in world.team_u1.participants.exclude(user=world.people["enthusiast"]):
        certificate_of(participant)

    with CaptureQueriesContext(connection) as more:
        assert client.get("/api/v1/certificates/").json()["count"] > 1

    assert len(more) == len(one)


def test_certificates_outside_the_scope_are_not_listed(client, world):
    certificate = certificate_of(enthusiast_of(world))
    client.force_login(world.people["other_administrator"])

    listed = client.get("/api/v1/certificates/").json()

    assert listed["count"] == 0
    assert client.get(f"/api/v1/certificates/{certificate.public_id}/").status_code == 404


# Reports -----------------------------------------------------------------------------------


def test_a_reports_token_reads_hrs_reports(client, world):
    _token, secret = create_api_token(
        name="HR",
        organisation=world.programme.organisation,
        scope=ApiToken.Scope.REPORTS,
        expires_at=timezone.now() + dt.timedelta(days=1),
        created_by=None,
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    participants = client.get("/api/v1/reports/participants/", **auth)
    units = client.get(f"/api/v1/reports/units/?cohort={world.cohort_a.public_id}", **auth).json()
    projects = client.get("/api/v1/projects/", **auth)

    assert participants.status_code == 200
    assert {row["person"]["email"] for row in participants.json()["results"]} >= {
        "enthusiast@example.no"
    }
    assert {row["unit"]["id"] for row in units["results"]} == {
        str(world.team_u1.unit.public_id),
        str(world.team_u2.unit.public_id),
    }
    assert projects.status_code == 403
    # Personal data leaving through the API is audited like every other export.
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.REPORT_EXPORTED)
    assert {(event.details["report"], event.details["channel"]) for event in exports} == {
        ("participants", "api"),
        ("units", "api"),
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("completed_from=1.1.2025", "completed_from"),
        ("completed_from=2025-06-01&completed_to=2025-01-01", "completed_to"),
        ("cohort=not-a-uuid", "cohort"),
        ("status=lost", "status"),
    ],
)
def test_bad_report_filters_are_400_by_field(client, world, query, field):
    client.force_login(world.people["hr"])

    response = client.get(f"/api/v1/reports/participants/?{query}")

    assert response.status_code == 400
    assert response.json()[field]


def test_another_organisations_cohort_is_an_unknown_filter(client, world):
    client.force_login(world.people["other_administrator"])

    response = client.get(f"/api/v1/reports/participants/?cohort={world.cohort_a.public_id}")

    assert response.status_code == 400
    assert "cohort" in response.json()


def test_people_without_the_export_permission_get_no_report(client, world):
    client.force_login(world.people["facilitator"])

    assert client.get("/api/v1/reports/participants/").status_code == 403


# Query counts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/projects/",
        "/api/v1/benefits/",
        "/api/v1/certificates/",
        "/api/v1/reports/participants/",
        "/api/v1/reports/units/",
    ],
)
def test_these_lists_run_a_fixed_number_of_queries(client, world, url):
    client.force_login(world.people["administrator"])
    certificate_of(enthusiast_of(world))

    def count():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, response.content
        return len(queries), len(response.json()["results"])

    few, few_rows = count()
    project = project_services.start_project(
        enrolment=world.team_u2, title="Nytt", need="Behov", audience="Alle"
    )
    for number in range(3):
        project_services.add_benefit(
            project=project,
            type="time",
            description=f"Gevinst {number}",
            indicator="Timer",
            unit_of_measure="hours_year",
            baseline_value=Decimal("10"),
            baseline_on=dt.date(2025, 9, 1),
            target_value=Decimal("5"),
            owner="Leder",
        )
        team = UnitEnrolmentFactory(
            cohort=world.cohort_b,
            unit=ServiceUnitFactory(organisation=world.programme.organisation),
        )
        certificate_of(ParticipantFactory(enrolment=team))
    many, many_rows = count()

    assert many_rows > few_rows
    assert many == few
