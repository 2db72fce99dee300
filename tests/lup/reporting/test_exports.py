"""Exports of the completion reports: CSV and XLSX files, presets, the command, the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from lup.models import AuditEvent, Participant
from lup.reporting.columns import BUILT_IN_PRESET_KEYS, columns_for, default_preset, find_preset
from lup.reporting.exports import ReportExport, stream_csv
from lup.reporting.forms import ExportPresetForm
from lup.reporting.models import ExportPreset
from lup.reporting.selectors import completion_rows
from lup.reporting.services import REPORT_EXPORTED, save_preset
from tests.roles import build_world

EXPORT = reverse("lup:report-participants-export")
UNITS_EXPORT = reverse("lup:report-units-export")


@pytest.fixture
def world(db):
    world = build_world()
    world.programme.learning_hours = "7.5"
    world.programme.save()
    enthusiast = world.team_u1.participants.get(user=world.people["enthusiast"])
    enthusiast.user.first_name, enthusiast.user.last_name = "Åse", "Bjørnæs"
    enthusiast.user.save()
    enthusiast.status = Participant.Status.COMPLETED
    enthusiast.completed_at = dt.datetime(2025, 11, 3, 10, tzinfo=dt.UTC)
    enthusiast.save()
    unit = world.team_u1.unit
    unit.name = "Sørbråten skole"
    unit.save()
    world.enthusiast_row = enthusiast
    return world


def download(client, url, params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content), response


def read_csv(content: bytes, delimiter=";"):
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_has_bom_semicolons_norwegian_letters_and_only_rows_in_scope(client, world):
    client.force_login(world.people["hr"])

    content, response = download(client, EXPORT, {"preset": "default", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.match(
        r'attachment; filename="participants-default-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    rows = read_csv(content)
    assert len(rows) == 1 + 4  # header and Bærum's four participants, not Asker's
    enthusiast = next(row for row in rows if row[0] == "enthusiast@example.no")
    assert enthusiast[1] == "Åse Bjørnæs"
    assert enthusiast[3] == "Sørbråten skole"
    assert enthusiast[10] == "2025-11-03"  # ISO 8601
    assert enthusiast[11] == "7,5"  # decimal comma next to semicolons
    assert world.team_other.participants.get().user.email not in content.decode()


def test_csv_with_commas_uses_a_decimal_point(client, world):
    client.force_login(world.people["hr"])

    content, _ = download(
        client,
        EXPORT,
        {"preset": "default", "format": "csv", "delimiter": "comma", "status": "completed"},
    )

    rows = read_csv(content, delimiter=",")
    assert rows[1][11] == "7.5"


def test_a_stream_is_audited_when_it_ends_with_its_row_count_and_filters(client, world):
    client.force_login(world.people["hr"])
    response = client.get(EXPORT, {"preset": "default", "format": "csv", "status": "completed"})
    assert not AuditEvent.objects.filter(action=REPORT_EXPORTED).exists()  # not streamed yet

    b"".join(response.streaming_content)

    event = AuditEvent.objects.get(action=REPORT_EXPORTED)
    assert event.actor == world.people["hr"]
    assert event.details["rows"] == 1
    assert event.details["complete"] is True
    assert event.details["filters"] == {"status": "completed"}
    assert event.details["format"] == "csv"
    assert event.details["channel"] == "browser"


def test_an_interrupted_stream_is_audited_as_incomplete(world):
    finished = []
    export = ReportExport(completion_rows(world.people["hr"]), default_preset("participants"))
    stream = stream_csv(export, on_finish=lambda rows, complete: finished.append((rows, complete)))

    assert next(stream).startswith(b"\xef\xbb\xbf")  # the header goes out at once
    assert finished == []
    stream.close()  # the client went away

    assert finished == [(0, False)]


def xlsx_parts(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_xlsx_has_typed_columns_a_frozen_header_and_a_filter(client, world):
    client.force_login(world.people["hr"])

    response = client.get(EXPORT, {"preset": "default", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    parts = xlsx_parts(b"".join(response.streaming_content))
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' in sheet
    assert '<autoFilter ref="A1:M5"/>' in sheet
    # The completion date is a number with a date format (45964 = 2025-11-03), not text.
    assert re.search(r'<c r="K\d" s="(\d+)"><v>45964</v></c>', sheet)
    assert 'formatCode="yyyy-mm-dd"' in parts["xl/styles.xml"]
    assert re.search(r'<c r="L\d" s="\d+"><v>7.5</v></c>', sheet)  # hours: a number
    strings = parts.get("xl/sharedStrings.xml", "") + sheet
    assert "Åse Bjørnæs" in strings
    assert "Sørbråten skole" in strings
    event = AuditEvent.objects.get(action=REPORT_EXPORTED)
    assert (event.details["rows"], event.details["format"]) == (4, "xlsx")


def test_xlsx_opens_in_openpyxl(client, world):
    import openpyxl

    client.force_login(world.people["hr"])
    response = client.get(EXPORT, {"preset": "default", "format": "xlsx"})

    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))

    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")
    header = [cell.value for cell in sheet[1]]
    completed = header.index(next(name for name in header if name.startswith("Fullf")))
    dates = [row[completed] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert any(dates), "the world has completed participants"
    assert all(isinstance(value, dt.datetime) for value in dates if value is not None)


def test_successfactors_preset_has_the_import_columns(client, world):
    client.force_login(world.people["hr"])

    content, _ = download(
        client, EXPORT, {"preset": "successfactors", "format": "csv", "status": "completed"}
    )

    header, row = read_csv(content)
    assert header == [
        "STUD_ID",
        "CPNT_TYP_ID",
        "CPNT_ID",
        "REV_DTE",
        "CMPL_STAT_ID",
        "COMPL_DTE",
        "TOTAL_HRS",
        "CREDIT_HRS",
        "INST_NAME",
        "COMMENTS",
    ]
    assert row[0] == "enthusiast@example.no"
    assert row[2] == world.programme.slug.upper()
    assert row[4] == "COMPLETED"
    assert row[5] == "2025-11-03"
    assert row[6] == "7,5"


def test_certificate_codes_come_in_one_query_per_batch_and_revoked_ones_are_left_out(
    client, world, django_assert_max_num_queries
):
    from certificates.models import Certificate

    def issue(participant, code, revoked=False):
        return Certificate.objects.create(
            code=code,
            source_key=f"lup.participant:{participant.public_id}",
            template_version=1,
            recipient_name="x",
            title="t",
            body="b",
            achievement="a",
            issuer="i",
            issued_on=dt.date(2025, 11, 3),
            pdf="",
            sha256="0" * 64,
            revoked_at=dt.datetime(2025, 12, 1, tzinfo=dt.UTC) if revoked else None,
            revocation_reason="wrong" if revoked else "",
        )

    issue(world.enthusiast_row, "ABCD2345")
    issue(world.team_u1.participants.get(user=world.people["manager"]), "WXYZ6789", revoked=True)
    client.force_login(world.people["hr"])

    content, _ = download(client, EXPORT, {"preset": "default", "format": "csv"})

    codes = {row[0]: row[12] for row in read_csv(content)[1:]}
    assert codes["enthusiast@example.no"] == "ABCD-2345"
    assert codes["manager@example.no"] == ""


def test_csv_neutralises_spreadsheet_formulas(client, world):
    user = world.people["enthusiast"]
    user.first_name, user.last_name = '=HYPERLINK("http://x")', ""
    user.save()
    client.force_login(world.people["hr"])

    content, _ = download(client, EXPORT, {"preset": "default", "format": "csv"})

    assert "'=HYPERLINK" in content.decode("utf-8-sig")


def test_unit_export(client, world):
    client.force_login(world.people["hr"])

    content, _ = download(client, UNITS_EXPORT, {"preset": "units", "format": "csv"})

    rows = read_csv(content)
    assert len(rows) == 1 + 3  # U1, U2 and cohort B's unit
    assert any(row[1] == "Sørbråten skole" and row[9] == "2" for row in rows)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"preset": "nope", "format": "csv"}, "preset"),
        ({"preset": "units", "format": "csv"}, "preset"),  # the other report's preset
        ({"preset": "default", "format": "pdf"}, "format"),
        ({"preset": "default", "format": "csv", "completed_from": "yesterday"}, "completed_from"),
    ],
)
def test_invalid_export_requests_are_refused_with_the_reason(client, world, params, field):
    client.force_login(world.people["hr"])

    response = client.get(EXPORT, params)

    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field}: ")


def test_participants_may_not_export(client, world):
    client.force_login(world.people["manager"])

    assert client.get(EXPORT, {"preset": "default", "format": "csv"}).status_code == 403


# Saved presets


def test_hr_saves_a_preset_with_columns_in_their_order(client, world):
    client.force_login(world.people["hr"])

    response = client.post(
        reverse("lup:report-preset-create"),
        {
            "organisation": world.programme.organisation.pk,
            "name": "Lønn",
            "key": "lonn",
            "report": "participants",
            "columns_text": "completed_on\nemail\nlearning_hours",
        },
    )

    assert response.status_code == 302
    preset = ExportPreset.objects.get(key="lonn")
    assert preset.columns == ["completed_on", "email", "learning_hours"]
    assert preset.created_by == world.people["hr"]
    content, _ = download(
        client, EXPORT, {"preset": "lonn", "format": "csv", "status": "completed"}
    )
    assert read_csv(content)[1:] == [["2025-11-03", "enthusiast@example.no", "7,5"]]


def test_a_preset_with_unknown_columns_is_rejected_listing_the_known_ones(world):
    form = ExportPresetForm(
        {
            "organisation": world.programme.organisation.pk,
            "name": "X",
            "key": "x",
            "report": "participants",
            "columns_text": "email, national_id",
        },
        user=world.people["hr"],
    )

    assert not form.is_valid()
    message = " ".join(form.errors["columns_text"])
    assert "national_id" in message
    assert "email" in message  # the known columns are listed


def test_a_preset_may_not_take_a_built_in_key_or_another_organisation(world):
    form = ExportPresetForm(
        {
            "organisation": world.other_programme.organisation.pk,
            "name": "X",
            "key": "default",
            "report": "participants",
            "columns_text": "email",
        },
        user=world.people["hr"],
    )

    assert not form.is_valid()
    assert set(form.errors) == {"organisation", "key"}
    assert "default" in BUILT_IN_PRESET_KEYS


def test_presets_of_another_organisation_are_not_found(client, world):
    preset = save_preset(
        organisation=world.other_programme.organisation,
        key="asker",
        name="Asker",
        report="participants",
        columns=["email"],
    )
    client.force_login(world.people["hr"])

    assert client.get(reverse("lup:report-preset-edit", args=[preset.pk])).status_code == 404
    assert client.post(reverse("lup:report-preset-delete", args=[preset.pk])).status_code == 404
    assert find_preset("asker", user=world.people["hr"]) is None
    assert client.get(EXPORT, {"preset": "asker", "format": "csv"}).status_code == 400


def test_hr_edits_and_deletes_a_preset(client, world):
    preset = save_preset(
        organisation=world.programme.organisation,
        key="p",
        name="P",
        report="units",
        columns=["unit_code"],
    )
    client.force_login(world.people["hr"])

    client.post(
        reverse("lup:report-preset-edit", args=[preset.pk]),
        {
            "organisation": preset.organisation_id,
            "name": "P2",
            "key": "p",
            "report": "units",
            "columns_text": "unit_name,unit_code",
        },
    )
    preset.refresh_from_db()
    assert (preset.name, preset.columns) == ("P2", ["unit_name", "unit_code"])
    assert client.get(reverse("lup:report-presets")).status_code == 200
    client.post(reverse("lup:report-preset-delete", args=[preset.pk]))
    assert not ExportPreset.objects.filter(pk=preset.pk).exists()


def test_every_column_key_is_unique_and_has_a_label():
    for report in ("participants", "units"):
        columns = columns_for(report)
        assert all(str(column.label) for column in columns.values())


# The management command


def test_command_writes_csv_and_xlsx_and_audits(world, tmp_path):
    out = tmp_path / "lup.csv"

    call_command(
        "export_completions",
        "--organisation",
        "baerum",
        "--preset",
        "successfactors",
        "--status",
        "completed",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )

    header, row = read_csv(out.read_bytes())
    assert header[0] == "STUD_ID"
    assert row[0] == "enthusiast@example.no"
    xlsx = tmp_path / "units.xlsx"
    call_command(
        "export_completions",
        "--organisation",
        "baerum",
        "--report",
        "units",
        "--format",
        "xlsx",
        "--out",
        str(xlsx),
        stdout=io.StringIO(),
    )
    assert "xl/worksheets/sheet1.xml" in xlsx_parts(xlsx.read_bytes())
    events = AuditEvent.objects.filter(action=REPORT_EXPORTED).order_by("pk")
    assert [(e.details["channel"], e.details["rows"]) for e in events] == [
        ("command", 1),
        ("command", 3),
    ]


def test_command_scopes_to_the_organisation(world, tmp_path):
    out = tmp_path / "asker.csv"

    call_command(
        "export_completions", "--organisation", "asker", "--out", str(out), stdout=io.StringIO()
    )

    rows = read_csv(out.read_bytes())
    assert [row[0] for row in rows[1:]] == [world.team_other.participants.get().user.email]


def test_command_filters_by_programme_slug_and_dates(world, tmp_path):
    out = tmp_path / "f.csv"

    call_command(
        "export_completions",
        "--organisation",
        "baerum",
        "--programme",
        "lup",
        "--completed-from",
        "2025-11-01",
        "--completed-to",
        "2025-11-30",
        "--out",
        str(out),
        stdout=io.StringIO(),
    )

    assert len(read_csv(out.read_bytes())) == 2


def test_command_unknown_preset_lists_the_available_ones(world, tmp_path):
    with pytest.raises(CommandError, match=r"Unknown preset 'nope'\. Available: default"):
        call_command(
            "export_completions",
            "--organisation",
            "baerum",
            "--preset",
            "nope",
            "--out",
            str(tmp_path / "x.csv"),
        )


def test_command_needs_a_scope_and_valid_filters(world, tmp_path):
    with pytest.raises(CommandError, match="--organisation"):
        call_command("export_completions", "--out", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="--completed-from"):
        call_command(
            "export_completions",
            "--organisation",
            "baerum",
            "--completed-from",
            "01.01.2025",
            "--out",
            str(tmp_path / "x.csv"),
        )
    with pytest.raises(CommandError, match="--cohort"):  # Asker's cohort, not Bærum's
        call_command(
            "export_completions",
            "--organisation",
            "baerum",
            "--cohort",
            str(world.team_other.cohort_id),
            "--out",
            str(tmp_path / "x.csv"),
        )


def test_command_as_a_user_exports_their_scope(world, tmp_path):
    out = tmp_path / "hr.csv"

    call_command(
        "export_completions", "--as-user", "hr@example.no", "--out", str(out), stdout=io.StringIO()
    )

    assert len(read_csv(out.read_bytes())) == 1 + 4
    with pytest.raises(CommandError, match="may not export"):
        call_command("export_completions", "--as-user", "manager@example.no", "--out", str(out))
