"""Hostile input to lup's imports never gives a 500 and never writes half of anything.

- The catalogue's JSON import (lup.innovation.exchange): nesting is limited before parsing,
  and text the database cannot store (NUL, half a surrogate pair), in keys as in values,
  is listed by its JSON path. On PostgreSQL (CI runs this file there too) such text would
  otherwise fail the insert itself.
- The CSV imports of units and participants (lup.imports.csv_table): NUL characters and
  bytes that are not UTF-8 are named line by line, and nothing is imported.
- Every CSV the site writes guards cells a spreadsheet would run as a formula.
- The REST API's JSON parser answers a body nested too deep with 400.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings

from lup.api.parsers import MAX_DEPTH as API_MAX_DEPTH
from lup.api.parsers import JSONParser
from lup.excel_csv import guard_formula, write_excel_csv
from lup.imports import ImportRejected, import_participants, import_units
from lup.imports.csv_table import MAX_LISTED_LINES
from lup.innovation import exchange
from lup.innovation.exchange.schema import MAX_DEPTH
from lup.innovation.exchange.validation import nested_deeper_than
from lup.innovation.models import (
    Benefit,
    BenefitMeasurement,
    CanvasVersion,
    InnovationProject,
    PhaseChange,
)
from lup.models import (
    AuditEvent,
    OrganisationMembership,
    Participant,
    Sector,
    ServiceUnit,
    UnitEnrolment,
)
from tests.factories import (
    BenefitFactory,
    BenefitMeasurementFactory,
    CanvasVersionFactory,
    CohortFactory,
    OrganisationFactory,
    ProgrammeFactory,
    SectorFactory,
    ServiceUnitFactory,
)
from tests.roles import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_site")]

ROOT = Path(__file__).resolve().parents[2]


# The catalogue's JSON import ----------------------------------------------------------------


@pytest.fixture
def world():
    world = build_world()
    project = world.project
    InnovationProject.objects.filter(pk=project.pk).update(
        licence="CC-BY-4.0", consent_at="2026-01-05T12:00Z", published_at="2026-01-05T12:00Z"
    )
    project.refresh_from_db()
    CanvasVersionFactory(project=project, number=1, content={"purpose": "Bedre søvn"})
    BenefitMeasurementFactory(benefit=BenefitFactory(project=project), measured_on="2026-02-01")
    return world


def exported(world) -> dict[str, Any]:
    return json.loads(exchange.export_project_json(world.project, url="https://lup.example/x/"))


def written() -> tuple[int, ...]:
    """Everything an import writes, counted."""
    return tuple(
        model.objects.count()
        for model in (
            InnovationProject,
            PhaseChange,
            CanvasVersion,
            Benefit,
            BenefitMeasurement,
            AuditEvent,
        )
    )


@pytest.fixture
def importer(client, world):
    """Asker's administrator, signed in (before anything is counted: signing in is audited)."""
    client.force_login(world.people["other_administrator"])
    return client


def import_page(client, world, content: bytes):
    return client.post(
        reverse("lup:catalogue-import"),
        {
            "organisation": world.other_programme.organisation.pk,
            "file": SimpleUploadedFile("prosjekt.json", content),
        },
    )


def nested(depth: int, inner: Any = "x") -> Any:
    """`inner` inside `depth` arrays."""
    for _level in range(depth):
        inner = [inner]
    return inner


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 200_000 + b"]" * 200_000,  # would exhaust Python's stack while parsing
        b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        b"[" * 500_000,  # not even closed
    ],
    ids=["arrays", "objects", "unclosed"],
)
def test_a_deeply_nested_file_is_refused_on_the_page_and_nothing_is_written(
    importer, world, content
):
    before = written()

    response = import_page(importer, world, content)

    assert response.status_code == 200
    assert response.context["errors"] == [
        f"The file nests arrays and objects more than {MAX_DEPTH} levels deep."
    ]
    assert "more than 32 levels deep" in response.content.decode()
    assert written() == before


def test_the_depth_limit_counts_levels_and_not_brackets_in_text(world):
    document = exported(world)
    document["need"] = nested(MAX_DEPTH - 1)  # 32 levels with the document itself
    document["story"] = "[[[[" * 100  # brackets in text are text

    with pytest.raises(exchange.ExchangeRejected) as at_limit:
        exchange.import_project_json(
            data=json.dumps(document).encode(),
            organisation=world.other_programme.organisation,
            user=world.people["other_administrator"],
        )
    assert at_limit.value.errors == ["$.need: must be text"]

    document["need"] = nested(MAX_DEPTH)
    with pytest.raises(exchange.ExchangeRejected) as too_deep:
        exchange.import_project_json(
            data=json.dumps(document).encode(),
            organisation=world.other_programme.organisation,
            user=world.people["other_administrator"],
        )
    assert "more than 32 levels deep" in too_deep.value.errors[0]


@pytest.mark.parametrize(
    ("text", "limit", "deeper"),
    [
        ("[[[]]]", 3, False),
        ("[[[]]]", 2, True),
        ('["[[[[", "{{{{"]', 1, False),
        ('["\\"[[[["]', 1, False),  # an escaped quote does not end the string
        ('["\\\\", [[]]]', 2, True),  # an escaped backslash does not escape the quote
        ('{"a": {"b": [1]}}', 3, False),
        ('{"a": {"b": [1]}}', 2, True),
        ("", 0, False),
    ],
)
def test_the_depth_scan_reads_json_strings_as_the_parser_does(text, limit, deeper):
    assert nested_deeper_than(text, limit) is deeper


def test_the_depth_scan_is_linear_on_text_meant_to_make_a_pattern_backtrack():
    # A string of escaped quotes that never ends: each quote starts a string again.
    text = '"' + '\\"' * 500_000
    assert nested_deeper_than(text, MAX_DEPTH) is False


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d.update(title="Nattilsyn\u0000"), "$.title"),
        (lambda d: d.update(id="abc\u0000def"), "$.id"),
        (lambda d: d.update(story="Halv \ud800 surrogat"), "$.story"),
        (lambda d: d["origin"].update(unit="Enhet\u0000"), "$.origin.unit"),
        (lambda d: d["canvas"]["fields"][0].update(text="\u0000"), "$.canvas.fields[0].text"),
        (
            lambda d: d["benefits"][0]["measurements"][0].update(note="\udfff"),
            "$.benefits[0].measurements[0].note",
        ),
        (
            lambda d: d["phases"].insert(
                0, {"key": "x", "name": "\u0000", "entered_on": "2026-01-01"}
            ),
            "$.phases[0].name",
        ),
        (lambda d: d.update({"ti\u0000tle": "x"}), "$.ti\\u0000tle"),
        (lambda d: d["origin"].update({"\ud800": "x"}), "$.origin.\\ud800"),
    ],
    ids=[
        "title",
        "id",
        "surrogate",
        "origin",
        "canvas",
        "measurement",
        "phase",
        "nul-key",
        "surrogate-key",
    ],
)
def test_text_the_database_cannot_store_is_listed_by_path_and_nothing_is_written(
    importer, world, change, path
):
    document = exported(world)
    change(document)
    # ensure_ascii keeps the surrogates as escapes, as a hostile file would hold them.
    content = json.dumps(document).encode()
    before = written()

    with pytest.raises(exchange.ExchangeRejected) as rejected:
        exchange.import_project_json(
            data=content,
            organisation=world.other_programme.organisation,
            user=world.people["other_administrator"],
        )
    response = import_page(importer, world, content)

    assert any(error.startswith(f"{path}: ") for error in rejected.value.errors), rejected.value
    assert "NUL character or invalid text" in "\n".join(rejected.value.errors)
    assert response.status_code == 200  # the page shows the errors, escaped
    assert response.context["errors"] == rejected.value.errors
    assert written() == before


@pytest.mark.parametrize(
    "content",
    [
        b'{"schema": NaN}',
        b'{"schema": -Infinity}',
        b'{"canvas": {"version": ' + b"9" * 5000 + b"}}",  # over Python's 4,300 digits
    ],
    ids=["nan", "infinity", "huge-number"],
)
def test_what_python_parses_but_is_not_json_is_refused(importer, world, content):
    before = written()

    response = import_page(importer, world, content)

    assert response.status_code == 200
    assert response.context["errors"] == ["The file is not valid JSON."]
    assert written() == before


def test_a_date_with_a_trailing_newline_is_not_a_date(world):
    document = exported(world)
    document["benefits"][0]["baseline_on"] = "2026-01-01\n"

    assert exchange.validate_document(document) == [
        "$.benefits[0].baseline_on: must be a date written YYYY-MM-DD"
    ]


# The CSV imports ------------------------------------------------------------------------------


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(name="Bærum kommune", slug="baerum")
    SectorFactory(organisation=organisation, name="Skole")
    return organisation


@pytest.fixture
def programme(organisation):
    programme = ProgrammeFactory(organisation=organisation, slug="lup")
    CohortFactory(programme=programme, name="LUP 5")
    ServiceUnitFactory(organisation=organisation, code="21001", name="Eikeli skole")
    return programme


def imported_rows() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (
            ServiceUnit,
            Sector,
            Participant,
            UnitEnrolment,
            get_user_model(),
            OrganisationMembership,
        )
    )


def rejected_lines(call) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as rejected:
        call()
    return [(error.line, error.message) for error in rejected.value.errors]


NUL_MESSAGE = "The line holds a NUL character, which is not text. Save the file as “CSV UTF-8”."
NOT_UTF8 = "The file is not UTF-8 text. Save it as “CSV UTF-8” and try again."


@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"kode;navn;sektor\n1;A\x00;Skole\n2;B;Skole\n3;\x00C;Skole\n", [2, 4]),
        (b"kode;navn\x00;sektor\n1;A;Skole\n", [1]),  # the header
        (b"kode;navn;sektor\r\n1;A;Skole\r\n2;\x00;Skole\r\n", [3]),  # Windows line ends
        (b"kode;navn;sektor\r1;A;Skole\r2;\x00;Skole\r", [3]),  # old Mac line ends
        (b'kode;navn;sektor\n1;"A\nB";Skole\n2;\x00;Skole\n', [4]),  # counted as the reader does
    ],
    ids=["rows", "header", "crlf", "cr", "quoted-newline"],
)
def test_nul_characters_in_a_unit_file_are_named_by_line_and_nothing_is_imported(
    organisation, data, lines
):
    before = imported_rows()

    errors = rejected_lines(lambda: import_units(data=data, organisation=organisation))

    assert errors == [(line, NUL_MESSAGE) for line in lines]
    assert imported_rows() == before


def test_nul_characters_in_a_participant_file_import_nothing(programme):
    data = (
        b"e-post;fornavn;etternavn;enhetskode;kull;rolle\n"
        b"kari@baerum.kommune.no;Kari;Leder;21001;LUP 5;leder\n"
        b"ola@baerum.kommune.no;Ola\x00;Ildsjel;21001;LUP 5;ildsjel\n"
    )
    before = imported_rows()

    errors = rejected_lines(lambda: import_participants(data=data, programme=programme))

    assert errors == [(3, NUL_MESSAGE)]
    assert imported_rows() == before


def test_every_line_that_is_not_utf8_is_named(organisation):
    data = b"\xef\xbb\xbfkode;navn;sektor\n1;B\xe6rum;Skole\n2;Asker;Skole\n3;\xff\xfe;Skole\n"
    before = imported_rows()

    errors = rejected_lines(lambda: import_units(data=data, organisation=organisation))

    assert errors == [(2, NOT_UTF8), (4, NOT_UTF8)]
    assert imported_rows() == before


def test_a_file_full_of_nul_lines_lists_the_first_and_counts_the_rest(organisation):
    data = b"kode;navn;sektor\n" + b"1;\x00;Skole\n" * (MAX_LISTED_LINES + 30)

    errors = rejected_lines(lambda: import_units(data=data, organisation=organisation))

    assert errors[:MAX_LISTED_LINES] == [
        (line, NUL_MESSAGE) for line in range(2, MAX_LISTED_LINES + 2)
    ]
    assert errors[MAX_LISTED_LINES:] == [
        (MAX_LISTED_LINES + 2, "30 more lines have the same problem.")
    ]
    assert ServiceUnit.objects.count() == 0


def test_the_admin_import_page_shows_the_nul_lines_and_imports_nothing(
    client, staff_admin, organisation
):
    OrganisationMembership.objects.create(organisation=organisation, user=staff_admin)
    client.force_login(staff_admin)
    upload = SimpleUploadedFile("enheter.csv", b"kode;navn;sektor\n1;A;Skole\n2;B\x00;Skole\n")

    response = client.post(
        reverse("admin:lup_serviceunit_import"),
        {"organisation": organisation.pk, "file": upload},
    )

    assert response.status_code == 200
    assert [error.line for error in response.context["row_errors"]] == [3]
    assert "NUL character" in response.content.decode()
    assert ServiceUnit.objects.count() == 0


def test_the_import_command_reports_nul_lines_and_imports_nothing(organisation, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "enheter.csv"
    path.write_bytes(b"kode;navn;sektor\n1;A\x00;Skole\n")
    errors = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_units", str(path), organisation="baerum", stderr=errors)

    assert "NUL character" in errors.getvalue()
    assert ServiceUnit.objects.count() == 0


# CSV the site writes ---------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_text_a_spreadsheet_would_run_is_guarded(start):
    cell = f'{start}HYPERLINK("https://evil.example","x")'
    stream = io.StringIO()

    write_excel_csv(stream, [["Navn", cell, 12, None]])

    rows = list(csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff")), delimiter=";"))
    assert rows == [["Navn", "'" + cell, "12", ""]]
    assert guard_formula(cell) == "'" + cell


@pytest.mark.parametrize("value", ["Bærum", "", " =1+1", "'=1", 5, -3, None])
def test_other_values_are_written_as_they_are(value):
    assert guard_formula(value) == value


def test_every_csv_the_site_writes_goes_through_the_guarded_writer():
    """A new CSV writer must use lup.excel_csv (`write_excel_csv` guards every cell), or be
    added here with a test of its own guard: reporting.exports guards text per column
    (tests/lup/reporting/test_exports.py) and the dashboard's figures use write_excel_csv
    (tests/lup/test_dashboard.py)."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(|\bexcel_writer\(|import csv\b")
    # The barometer's export for researchers writes through write_excel_csv (guarded), so it
    # needs no entry here.
    found = {
        str(path.relative_to(ROOT))
        for app in ("lup", "courses", "certificates", "config")
        for path in (ROOT / app).rglob("*.py")
        if writers.search(path.read_text(encoding="utf-8"))
    }
    # csv_table reads files (csv.reader); it writes none.
    assert found == {"lup/excel_csv.py", "lup/reporting/exports.py", "lup/imports/csv_table.py"}
    assert "csv.writer(" not in (ROOT / "lup/imports/csv_table.py").read_text(encoding="utf-8")


# The REST API's JSON bodies --------------------------------------------------------------------


def parse(body: bytes) -> Any:
    return JSONParser().parse(io.BytesIO(body), "application/json", {})


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, json.dumps(nested(API_MAX_DEPTH + 1)).encode()],
    ids=["past-the-parser", "past-the-limit"],
)
def test_the_api_parser_refuses_bodies_nested_too_deep(body):
    with pytest.raises(ParseError, match="more than 32 levels deep"):
        parse(body)


def test_the_api_parser_reads_bodies_up_to_the_limit():
    assert parse(json.dumps(nested(API_MAX_DEPTH)).encode()) == nested(API_MAX_DEPTH)
    assert parse(b'{"email": "ny@example.no"}') == {"email": "ny@example.no"}


@pytest.mark.skipif(
    JSONParser not in api_settings.DEFAULT_PARSER_CLASSES,
    reason="REST_FRAMEWORK's DEFAULT_PARSER_CLASSES do not list lup.api.parsers.JSONParser yet",
)
def test_a_deeply_nested_api_body_is_a_400_and_adds_no_one(client):
    world = build_world()
    client.force_login(world.people["administrator"])
    before = Participant.objects.count()

    response = client.post(
        "/api/v1/participants/",
        b'{"email":' * 50_000 + b'"x"' + b"}" * 50_000,
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "more than 32 levels deep" in response.json()["detail"]
    assert Participant.objects.count() == before
