"""The programme office imports service units and participants from CSV in the product's own
pages (lup.office.imports_views), not only in the admin.

The pages (the administrator imports, "Check only" writes nothing at all, a bad file lists
every problem by line and writes nothing), who gets them (only the administrators of the
organisation, and superusers), hostile files (never a server error), the example files and the
dashboard's links.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from courses.models import Enrolment
from lup.audit import describe
from lup.imports.participant_rows import PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED
from lup.imports.units import UNIT_COLUMNS, UNIT_REQUIRED
from lup.models import AuditEvent, Participant, Sector, ServiceUnit, UnitEnrolment
from lup.office.csv_imports import PARTICIPANT_IMPORT_COLUMNS, UNIT_IMPORT_COLUMNS
from tests.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(english):
    return build_world()


@pytest.fixture
def client(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def signed_in(client, world, role):
    if world.people[role] is not None:
        client.force_login(world.people[role])
    return client


def unit_url(world, name="lup:office-unit-import"):
    return reverse(name, kwargs={"slug": world.programme.organisation.slug})


def participant_url(world, name="lup:office-participant-import"):
    return reverse(name, kwargs={"slug": world.programme.slug})


def upload(content: str | bytes, name: str = "fil.csv") -> SimpleUploadedFile:
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(name, data, content_type="text/csv")


def state() -> dict:
    """Everything an import may write, to prove a check or a refusal wrote nothing."""
    return {
        "units": sorted(
            ServiceUnit.objects.values_list("pk", "organisation_id", "code", "name", "sector_id")
        ),
        "active": sorted(ServiceUnit.objects.values_list("pk", "active")),
        "sectors": sorted(Sector.objects.values_list("pk", "organisation_id", "name")),
        "users": sorted(get_user_model().objects.values_list("pk", "email", "first_name")),
        "enrolments": sorted(UnitEnrolment.objects.values_list("pk", "cohort_id", "unit_id")),
        "participants": sorted(
            Participant.objects.values_list("pk", "enrolment_id", "user_id", "role", "status")
        ),
        "course_enrolments": Enrolment.objects.count(),
        "events": AuditEvent.objects.count(),
    }


def sector_of(world) -> str:
    return world.team_u1.unit.sector.name


# Units -----------------------------------------------------------------------------------


def test_the_administrator_imports_units_on_the_page(client, world):
    signed_in(client, world, "administrator")
    sector = sector_of(world)
    text = f"\ufeffkode;navn;sektor;aktiv\nA-1;Ny barnehage;{sector};ja\nA-2;Ny skole;Skole;nei\n"

    response = client.post(
        unit_url(world),
        {"file": upload(text), "create_sectors": "on", "action": "import"},
        follow=True,
    )

    organisation = world.programme.organisation
    assert response.redirect_chain == [(unit_url(world), 302)]
    assert ServiceUnit.objects.get(organisation=organisation, code="A-1").name == "Ny barnehage"
    school = ServiceUnit.objects.get(organisation=organisation, code="A-2")
    assert (school.sector.name, school.active) == ("Skole", False)
    assert "Import finished: 2 created, 0 updated, 0 unchanged." in response.content.decode()
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.DATA_IMPORTED)
    assert event.actor == world.people["administrator"]
    assert (event.details["kind"], event.details["created"]) == ("units", 2)
    with translation.override("en"):
        assert describe(event)[-1] == "Units: 2 new, 0 changed, 0 unchanged"


def test_checking_units_writes_nothing_and_says_what_the_import_would_do(client, world):
    signed_in(client, world, "administrator")
    unit = world.team_u1.unit
    text = f"code,name,sector\n{unit.code},Nytt navn,{unit.sector.name}\nA-9,Ny,Ny sektor\n"
    before = state()

    response = client.post(
        unit_url(world), {"file": upload(text), "create_sectors": "on", "action": "check"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="import-checked"' in page
    assert "would create 1, update 1 and leave 0 unchanged" in page
    assert state() == before


def test_a_post_without_a_button_only_checks(client, world):
    signed_in(client, world, "administrator")
    before = state()

    response = client.post(
        unit_url(world), {"file": upload(f"kode;navn;sektor\nB-1;X;{sector_of(world)}\n")}
    )

    assert response.status_code == 200
    assert 'id="import-checked"' in response.content.decode()
    assert state() == before


def test_a_bad_units_file_lists_every_problem_by_line_and_writes_nothing(client, world):
    signed_in(client, world, "administrator")
    sector = sector_of(world)
    text = f"kode;navn;sektor\nC-1;Grei;{sector}\nC-2;Feil;Svømmehall\n;Uten kode;{sector}\n"
    before = state()

    response = client.post(unit_url(world), {"file": upload(text), "action": "import"})

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Fix these 2 problems" in page
    rows = table_rows(page, "import-errors")
    assert [line for line, _message in rows] == ["3", "4"]
    assert "Svømmehall" in rows[0][1]
    assert "The code is empty." in rows[1][1]
    assert state() == before


def table_rows(page: str, table_id: str) -> list[tuple[str, str]]:
    """The (header cell, first data cell) of each body row of a table on the page."""
    from html.parser import HTMLParser

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.inside = self.in_body = False
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "table" and dict(attrs).get("id") == table_id:
                self.inside = True
            elif self.inside and tag == "tbody":
                self.in_body = True
            elif self.in_body and tag == "tr":
                self.rows.append([])
            elif self.in_body and tag in ("th", "td"):
                self.cell = []

        def handle_endtag(self, tag):
            if self.in_body and tag in ("th", "td") and self.cell is not None:
                self.rows[-1].append("".join(self.cell).strip())
                self.cell = None
            elif tag == "table" and self.inside:
                self.inside = self.in_body = False

        def handle_data(self, data):
            if self.cell is not None:
                self.cell.append(data)

    reader = Rows()
    reader.feed(page)
    return [(row[0], row[1]) for row in reader.rows]


# Participants ----------------------------------------------------------------------------


def test_the_administrator_imports_participants_on_the_page(client, world):
    signed_in(client, world, "administrator")
    u1, u2 = world.team_u1.unit, world.team_u2.unit
    text = (
        "e-post;fornavn;etternavn;enhetskode;kull;rolle\n"
        f"ny.ildsjel@example.no;Nora;Ny;{u1.code};LUP 1;ildsjel\n"
        f"annen@example.no;Ola;Annen;{u2.code};lup 1;ildsjel\n"
    )

    response = client.post(
        participant_url(world), {"file": upload(text), "action": "import"}, follow=True
    )

    assert response.redirect_chain == [(participant_url(world), 302)]
    assert "Import finished: 2 created, 0 updated, 0 unchanged." in response.content.decode()
    person = get_user_model().objects.get(email="ny.ildsjel@example.no")
    assert (person.first_name, person.last_name) == ("Nora", "Ny")
    assert Participant.objects.get(user=person).enrolment == world.team_u1
    assert Participant.objects.get(user__email="annen@example.no").enrolment == world.team_u2


def test_checking_participants_writes_nothing_not_even_the_audit_log(
    client, world, django_capture_on_commit_callbacks
):
    signed_in(client, world, "administrator")
    # A new unit (enrolled by the import), a new person, and two roles changed: every kind of
    # write the import makes, and the audit events of the role changes.
    new_unit = ServiceUnit.objects.create(
        organisation=world.programme.organisation,
        sector=world.team_u1.unit.sector,
        code="NY-1",
        name="Ny enhet",
    )
    code = world.team_u1.unit.code
    text = (
        "email;unit_code;cohort;role\n"
        f"{world.people['manager'].email};{code};LUP 1;ildsjel\n"
        f"{world.people['enthusiast'].email};{code};LUP 1;leder\n"
        f"helt.ny@example.no;{new_unit.code};LUP 1;leder\n"
    )
    before = state()
    role_changes = AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED)
    role_changes_before = role_changes.count()

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(participant_url(world), {"file": upload(text), "action": "check"})

    assert response.status_code == 200, response.content.decode()
    assert "would create 1, update 2 and leave 0 unchanged" in response.content.decode()
    assert state() == before
    assert callbacks == []
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DATA_IMPORTED).exists()

    # The same file imported: the writes the check rolled back, the role changes audited.
    response = client.post(participant_url(world), {"file": upload(text), "action": "import"})

    assert response.status_code == 302
    after = state()
    assert after["users"] != before["users"]
    assert after["enrolments"] != before["enrolments"]
    assert role_changes.count() == role_changes_before + 2
    [event] = AuditEvent.objects.filter(action=AuditEvent.Action.DATA_IMPORTED)
    assert (event.details["kind"], event.details["programme"]) == (
        "participants",
        world.programme.name,
    )
    assert world.team_u1.participants.get(user=world.people["enthusiast"]).role == "manager"


def test_a_bad_participants_file_lists_every_problem_and_writes_nothing(client, world):
    signed_in(client, world, "administrator")
    code = world.team_u1.unit.code
    text = (
        "email;unit_code;cohort;role\n"
        f"ikke-en-adresse;{code};LUP 1;ildsjel\n"
        f"ok@example.no;{code};LUP 1;ildsjel\n"
        f"ok2@example.no;UKJENT;LUP 1;ildsjel\n"
        f"ok3@example.no;{code};LUP 77;sjef\n"
    )
    before = state()

    response = client.post(participant_url(world), {"file": upload(text), "action": "import"})

    assert response.status_code == 400
    rows = table_rows(response.content.decode(), "import-errors")
    assert [line for line, _message in rows] == ["2", "4", "5", "5"]
    assert "not an e-mail address" in rows[0][1]
    assert "UKJENT" in rows[1][1]
    assert state() == before


def test_another_tenants_person_is_refused_by_the_import(client, world):
    """Asker's administrator on Asker's own page cannot put Bærum's person on Asker's team."""
    signed_in(client, world, "other_administrator")
    text = (
        "email;unit_code;cohort;role\n"
        f"{world.people['enthusiast'].email};{world.team_other.unit.code};Asker 1;ildsjel\n"
    )
    before = state()

    response = client.post(
        reverse("lup:office-participant-import", kwargs={"slug": world.other_programme.slug}),
        {"file": upload(text), "action": "import"},
    )

    assert response.status_code == 400
    assert "another organisation" in response.content.decode()
    assert state() == before


# Who may ---------------------------------------------------------------------------------


PAGES = [
    ("lup:office-unit-import", unit_url),
    ("lup:office-unit-import-template", unit_url),
    ("lup:office-participant-import", participant_url),
    ("lup:office-participant-import-template", participant_url),
]


@pytest.mark.parametrize(("name", "url"), PAGES, ids=[name for name, _url in PAGES])
@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("administrator", 200),
        ("superuser", 200),
        ("other_administrator", 404),
        ("hr", None),  # refused: 403 (HR sees the programme, not the import)
        ("facilitator", None),
        ("manager", None),
        ("enthusiast", None),
    ],
)
def test_who_gets_the_pages(client, world, name, url, role, status):
    signed_in(client, world, role)

    response = client.get(url(world, name))

    if status is None:
        assert response.status_code in (403, 404)
    else:
        assert response.status_code == status


@pytest.mark.parametrize(
    "role", ["other_administrator", "hr", "facilitator", "manager", "enthusiast"]
)
def test_others_cannot_import(client, world, role):
    signed_in(client, world, role)
    sector = sector_of(world)
    before = state()

    units = client.post(
        unit_url(world),
        {
            "file": upload(f"kode;navn;sektor\nX-1;Innbrudd;{sector}\n"),
            "create_sectors": "on",
            "action": "import",
        },
    )
    people = client.post(
        participant_url(world),
        {
            "file": upload(
                "email;unit_code;cohort;role\n"
                f"x@example.no;{world.team_u1.unit.code};LUP 1;ildsjel\n"
            ),
            "action": "import",
        },
    )

    expected = 404 if role == "other_administrator" else 403
    assert units.status_code == expected
    assert people.status_code in (403, 404)
    if role == "other_administrator":
        assert people.status_code == 404
    assert state() == before


def test_the_units_page_answers_the_same_refusals_as_the_other_office_pages(client, world):
    """HR sees the dashboard but may not import (403); those outside find no programme (404)."""
    signed_in(client, world, "hr")
    assert client.get(participant_url(world)).status_code == 403
    signed_in(client, world, "facilitator")
    assert client.get(unit_url(world)).status_code == 403
    assert client.get(participant_url(world)).status_code == 404


def test_a_superuser_imports_any_organisations_units(client, world):
    signed_in(client, world, "superuser")
    asker = world.other_programme.organisation
    sector = world.team_other.unit.sector.name

    response = client.post(
        reverse("lup:office-unit-import", kwargs={"slug": asker.slug}),
        {"file": upload(f"kode;navn;sektor\nS-1;Superenhet;{sector}\n"), "action": "import"},
    )

    assert response.status_code == 302
    assert ServiceUnit.objects.filter(organisation=asker, code="S-1").exists()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(unit_url(world))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# Hostile files ---------------------------------------------------------------------------


HOSTILE = [
    pytest.param(
        "kode;navn;sektor\n1;Bærum\n".encode("latin-1"), "fil.csv", "not UTF-8", id="latin-1"
    ),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "fil.csv", "not UTF-8", id="binary"
    ),
    pytest.param(b"kode;navn;sektor\n1;A\x00B;X\n", "fil.csv", "NUL", id="nul"),
    pytest.param(b"", "fil.csv", "The file is empty.", id="empty"),
    pytest.param(b"\n\n  \n", "fil.csv", "The file is empty.", id="blank"),
    pytest.param(b"kode;navn;sektor\n", "fil.csv", "no rows", id="header-only"),
    pytest.param(b"1001;Barnehage;Skole\n", "fil.csv", "Missing column", id="no-header"),
    pytest.param(b'kode;navn;sektor\n1;"uavsluttet;X\n', "fil.csv", "", id="open-quote"),
    pytest.param(b"kode;navn;sektor\n1;A;B\n", "fil.exe", "Choose a .csv file.", id="extension"),
    pytest.param(b"kode;kode;navn;sektor\n1;1;A;B\n", "fil.csv", "appears twice", id="twice"),
    pytest.param(b"kode;navn;sektor\n1;A;B;C;D\n", "fil.csv", "fields", id="too-many-fields"),
]


@pytest.mark.parametrize(("data", "name", "message"), HOSTILE)
@pytest.mark.parametrize("action", ["check", "import"])
def test_hostile_unit_files_get_a_clear_error_and_write_nothing(
    client, world, data, name, message, action
):
    signed_in(client, world, "administrator")
    before = state()

    response = client.post(
        unit_url(world), {"file": upload(data, name), "create_sectors": "on", "action": action}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert message in page
    assert state() == before


@pytest.mark.parametrize(("data", "name", "message"), HOSTILE)
def test_hostile_participant_files_get_a_clear_error_and_write_nothing(
    client, world, data, name, message
):
    signed_in(client, world, "administrator")
    before = state()

    response = client.post(participant_url(world), {"file": upload(data, name), "action": "import"})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert state() == before


def test_an_oversized_file_is_refused_by_the_form(client, world, settings):
    settings.LUP_IMPORT_MAX_BYTES = 100
    signed_in(client, world, "administrator")
    before = state()
    text = "kode;navn;sektor\n" + "".join(f"{n};Enhet {n};{sector_of(world)}\n" for n in range(20))

    response = client.post(unit_url(world), {"file": upload(text), "action": "import"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The file is larger than 100" in page
    assert 'aria-invalid="true"' in page
    assert state() == before


def test_no_file_at_all_is_a_form_error(client, world):
    signed_in(client, world, "administrator")

    response = client.post(participant_url(world), {"action": "import"})

    assert response.status_code == 400
    assert "Choose a CSV file." in response.content.decode()


def test_formula_cells_are_stored_as_text_and_nothing_breaks(client, world):
    """The import stores what the file says; every CSV the site writes guards formulas."""
    signed_in(client, world, "administrator")
    formula = "=cmd|' /C calc'!A0"
    text = f'kode;navn;sektor\n"+F-1";"{formula}";{sector_of(world)}\n@F-2;"=1+1";"-Ny"\n'

    response = client.post(
        unit_url(world), {"file": upload(text), "create_sectors": "on", "action": "import"}
    )

    assert response.status_code == 302
    organisation = world.programme.organisation
    assert ServiceUnit.objects.get(organisation=organisation, code="+F-1").name == formula
    assert Sector.objects.filter(organisation=organisation, name="-Ny").exists()


# What the pages explain, and the example files ---------------------------------------------


@pytest.mark.parametrize(
    ("columns", "aliases", "required"),
    [
        (UNIT_IMPORT_COLUMNS, UNIT_COLUMNS, UNIT_REQUIRED),
        (PARTICIPANT_IMPORT_COLUMNS, PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED),
    ],
    ids=["units", "participants"],
)
def test_the_pages_explain_the_columns_the_import_reads(columns, aliases, required):
    assert [column.key for column in columns] == list(aliases)
    for column in columns:
        assert column.norwegian in aliases[column.key]
        assert column.key in aliases[column.key]
        assert column.required == (column.key in required)


def test_the_page_lists_the_columns_and_offers_the_example_file(client, world):
    signed_in(client, world, "administrator")

    page = client.get(participant_url(world)).content.decode()

    for column in PARTICIPANT_IMPORT_COLUMNS:
        assert f"<code>{column.norwegian}</code>" in page
        assert f"<code>{column.key}</code>" in page
    assert participant_url(world, "lup:office-participant-import-template") in page
    assert 'enctype="multipart/form-data"' in page
    assert 'value="check"' in page
    assert 'value="import"' in page


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_the_example_units_file_is_valid_for_the_organisation(client, world):
    signed_in(client, world, "administrator")

    response = client.get(unit_url(world, "lup:office-unit-import-template"))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["kode", "navn", "sektor", "aktiv"]
    assert len(rows) == 2
    before = state()
    checked = client.post(unit_url(world), {"file": upload(response.content), "action": "check"})
    assert checked.status_code == 200, checked.content.decode()
    assert "would create 1" in checked.content.decode()
    assert state() == before


def test_the_example_participants_file_names_an_open_cohort(client, world):
    signed_in(client, world, "administrator")

    response = client.get(participant_url(world, "lup:office-participant-import-template"))

    rows = read_csv(response)
    assert rows[0] == ["e-post", "fornavn", "etternavn", "enhetskode", "kull", "rolle", "kommune"]
    assert rows[1][4] in {"LUP 1", "LUP 2"}


# Where the office finds the pages ----------------------------------------------------------


def test_the_dashboard_links_the_imports_for_the_administrator(client, world):
    signed_in(client, world, "administrator")

    page = client.get(reverse("lup:dashboard", kwargs={"slug": world.programme.slug}))

    html = page.content.decode()
    assert f'href="{unit_url(world)}"' in html
    assert f'href="{participant_url(world)}"' in html
    listing = client.get(reverse("lup:cohort-list")).content.decode()
    assert f'href="{participant_url(world)}"' in listing


def test_the_dashboard_offers_hr_no_imports(client, world):
    signed_in(client, world, "hr")

    html = client.get(reverse("lup:dashboard", kwargs={"slug": world.programme.slug})).content
    listing = client.get(reverse("lup:cohort-list")).content.decode()

    assert b"unit-import-link" not in html
    assert b"participant-import-link" not in html
    assert participant_url(world) not in listing
