"""Exchanging projects between municipalities: the JSON export and the strict import."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lup.innovation import exchange
from lup.innovation.models import Benefit, BenefitMeasurement, InnovationProject
from lup.models import AuditEvent
from tests.factories import BenefitFactory, BenefitMeasurementFactory, CanvasVersionFactory
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]


@pytest.fixture
def world():
    world = build_world()
    project = world.project
    InnovationProject.objects.filter(pk=project.pk).update(
        story="Vi testet sensorer på fire rom.",
        licence="CC-BY-SA-4.0",
        consent_at="2026-01-05T12:00Z",
        published_at="2026-01-05T12:00Z",
    )
    project.refresh_from_db()
    CanvasVersionFactory(project=project, number=1, content={"purpose": "Bedre søvn"})
    benefit = BenefitFactory(project=project)
    BenefitMeasurementFactory(benefit=benefit, measured_on="2026-02-01", value="950.50")
    return world


def exported(world):
    return json.loads(exchange.export_project_json(world.project, url="https://lup.example/x/"))


def test_the_export_follows_the_schema_and_holds_no_personal_data(client, world):
    client.force_login(world.people["other_administrator"])
    url = reverse("lup:catalogue-export-json", kwargs={"public_id": world.project.public_id})

    response = client.get(url)

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    assert document["schema"] == "lup-innovation-project/1"
    assert document["url"].endswith(f"/catalogue/{world.project.public_id}/")
    assert exchange.validate_document(exported(world)) == []
    assert document["origin"] == {
        "organisation": "Bærum kommune",
        "unit": world.team_u1.unit.name,
        "sector": world.team_u1.unit.sector.name,
    }
    assert document["benefits"][0]["measurements"] == [
        {"measured_on": "2026-02-01", "value": "950.50", "note": ""}
    ]
    assert document["canvas"]["fields"][0]["text"] == "Bedre søvn"
    text = response.content.decode()
    for person in world.people.values():
        if person is not None:
            assert person.email not in text
    assert "Kari" not in text
    assert "Nordmann" not in text


def test_importing_creates_a_published_project_keeping_its_origin_and_reimport_updates(world):
    document = exported(world)
    asker = world.other_programme.organisation
    importer = world.people["other_administrator"]

    outcome = exchange.import_project_json(
        data=json.dumps(document).encode(), organisation=asker, user=importer
    )

    project = outcome.project
    assert outcome.created
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.PROJECT_IMPORTED, actor=importer, subject_label=project.title
    ).exists()
    assert project.organisation == asker
    assert project.enrolment is None
    assert project.published_at is not None
    assert project.licence == "CC-BY-SA-4.0"
    assert (project.origin_organisation, project.origin_id, project.origin_url) == (
        "Bærum kommune",
        str(world.project.public_id),
        "https://lup.example/x/",
    )
    assert project.origin_unit == world.team_u1.unit.name
    assert project.phase is not None
    assert project.phase.key == world.project.phase.key
    assert project.phase.programme == world.other_programme
    assert project.phase_changes.count() == 1
    assert project.canvas_versions.get().content == {"purpose": "Bedre søvn"}
    measurement = BenefitMeasurement.objects.get(benefit__project=project)
    assert str(measurement.value) == "950.50"

    document["title"] = "Digitalt nattilsyn, versjon 2"
    document["benefits"].append({**document["benefits"][0], "type": "costs", "measurements": []})
    again = exchange.import_project_json(
        data=json.dumps(document).encode(), organisation=asker, user=importer
    )

    assert not again.created
    assert again.project.pk == project.pk
    assert InnovationProject.objects.filter(organisation=asker).count() == 1
    assert again.project.title == "Digitalt nattilsyn, versjon 2"
    assert Benefit.objects.filter(project=project).count() == 2
    # An imported project exported again still names where it came from.
    assert exchange.export_project(again.project)["origin"]["organisation"] == "Bærum kommune"


def test_a_file_that_does_not_match_gets_every_problem_and_creates_nothing(world):
    document = exported(world)
    document["licence"] = "All rights reserved"
    del document["need"]
    document["owner_email"] = "kari@example.no"
    document["benefits"][0]["baseline_value"] = 12
    document["benefits"][0]["measurements"][0]["measured_on"] = "1. februar"
    before = InnovationProject.objects.count(), Benefit.objects.count()

    with pytest.raises(exchange.ExchangeRejected) as rejected:
        exchange.import_project_json(
            data=json.dumps(document).encode(),
            organisation=world.other_programme.organisation,
            user=world.people["other_administrator"],
        )

    errors = "\n".join(rejected.value.errors)
    assert "$.licence" in errors
    assert "$.need: " in errors
    assert "$.owner_email: " in errors
    assert "$.benefits[0].baseline_value" in errors
    assert "$.benefits[0].measurements[0].measured_on" in errors
    assert len(rejected.value.errors) == 5
    assert (InnovationProject.objects.count(), Benefit.objects.count()) == before


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"not json at all", "not valid JSON"),
        (b"\xff\xfe\x00", "not UTF-8"),
        (b"[]", "must be an object"),
        (json.dumps({"schema": "lup-innovation-project/2"}).encode(), "$.schema"),
    ],
)
def test_broken_files_are_refused(world, content, problem):
    with pytest.raises(exchange.ExchangeRejected) as rejected:
        exchange.import_project_json(
            data=content, organisation=world.other_programme.organisation, user=None
        )

    assert problem in "\n".join(rejected.value.errors)


def test_a_project_cannot_be_imported_into_its_own_organisation(world):
    with pytest.raises(exchange.ExchangeRejected):
        exchange.import_project_json(
            data=json.dumps(exported(world)).encode(),
            organisation=world.programme.organisation,
            user=world.people["administrator"],
        )


def test_the_import_page_is_for_programme_administrators(client, world):
    url = reverse("lup:catalogue-import")
    client.force_login(world.people["hr"])
    assert client.get(url).status_code == 403

    client.force_login(world.people["other_administrator"])
    bad = client.post(
        url,
        {
            "organisation": world.other_programme.organisation.pk,
            "file": SimpleUploadedFile("p.json", b'{"schema": "x"}'),
        },
    )
    assert bad.status_code == 200
    assert "$.schema" in bad.content.decode()
    assert not InnovationProject.objects.filter(enrolment__isnull=True).exists()

    good = client.post(
        url,
        {
            "organisation": world.other_programme.organisation.pk,
            "file": SimpleUploadedFile("p.json", json.dumps(exported(world)).encode()),
        },
    )
    imported = InnovationProject.objects.get(enrolment__isnull=True)
    assert good.status_code == 302
    assert good["Location"] == reverse(
        "lup:catalogue-project", kwargs={"public_id": imported.public_id}
    )
    # Asker's administrator cannot import into Bærum.
    other = client.post(
        url,
        {
            "organisation": world.programme.organisation.pk,
            "file": SimpleUploadedFile("p.json", json.dumps(exported(world)).encode()),
        },
    )
    assert other.status_code == 200
    assert other.context["form"].errors["organisation"]
