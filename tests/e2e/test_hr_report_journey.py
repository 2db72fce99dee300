"""HR signs in with two-factor, filters the completion report, previews it and downloads it
as CSV and XLSX; the files are checked as a spreadsheet would read them."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from lup.demo.seed import seed_demo
from lup.models import Participant
from lup.reporting.selectors import CompletionFilters, completion_rows
from tests.e2e.journeys import sign_in_with_two_factor
from tests.tools import requires_tools

HR = "hr@baerum.kommune.no"


@pytest.fixture
def demo_data() -> None:
    seed_demo(scale=1)
    # Norwegian letters in what HR exports (the demo's names may not have all of them).
    row = Participant.objects.filter(status="completed").select_related("user").first()
    assert row is not None, "the demo has completed participants"
    row.user.first_name, row.user.last_name = "Åse Ærlig", "Bjørnstad"
    row.user.save()


def test_hr_filters_previews_and_downloads_the_completion_report(browser_page, demo_data, tmp_path):
    browser_page.goto("/")
    browser_page.check_accessibility()
    sign_in_with_two_factor(browser_page, HR)
    browser_page.check_accessibility()

    # The menu leads to the reports.
    browser_page.locator(".site-nav a[href='/reports/completions/']").click()
    expect(browser_page.page).to_have_url(re.compile(r"/reports/completions/$"))
    browser_page.check_accessibility()
    expect(browser_page.locator("#report-table tbody tr")).not_to_have_count(0)

    # A date that is not a date: a field error, no rows.
    filters = browser_page.locator("#filter-form")
    filters.locator("#id_completed_from").fill("2025-12-01")
    filters.locator("#id_completed_to").fill("2025-01-01")
    filters.locator("button[type=submit]").click()
    expect(browser_page.locator("#id_completed_to_error")).to_be_visible()
    browser_page.check_accessibility()

    # Completed participants only.
    filters = browser_page.locator("#filter-form")
    filters.locator("#id_completed_from").fill("")
    filters.locator("#id_completed_to").fill("")
    filters.locator("#id_status").select_option("completed")
    filters.locator("button[type=submit]").click()
    expect(browser_page.page).to_have_url(re.compile(r"status=completed"))
    browser_page.check_accessibility()
    hr = get_user_model().objects.get(email=HR)
    completed = completion_rows(hr, CompletionFilters(status="completed")).count()
    expect(browser_page.locator("#row-count")).to_contain_text(str(completed))
    expect(browser_page.locator("#report-table")).to_contain_text("Bjørnstad")

    # Sort by completion date, newest first (twice on the header).
    browser_page.locator("#report-table thead a", has_text=re.compile("Fullført|Completed")).click()
    browser_page.check_accessibility()
    browser_page.locator("#report-table thead a", has_text=re.compile("Fullført|Completed")).click()
    expect(browser_page.locator("th[aria-sort=descending]")).to_have_count(1)
    browser_page.check_accessibility()

    # Download CSV.
    export = browser_page.locator("#export-form")
    export.locator("#id_format").select_option("csv")
    with browser_page.expect_download() as download_info:
        export.locator("button[type=submit]").click()
    csv_path = tmp_path / "report.csv"
    download_info.value.save_as(csv_path)
    content = csv_path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + completed
    assert any("Åse Ærlig Bjørnstad" in row for row in rows)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[10]) for row in rows[1:])

    # Download XLSX.
    export.locator("#id_format").select_option("xlsx")
    with browser_page.expect_download() as download_info:
        export.locator("button[type=submit]").click()
    xlsx_path = tmp_path / "report.xlsx"
    download_info.value.save_as(xlsx_path)
    check_xlsx(xlsx_path, completed)


def check_xlsx(path: Path, rows: int) -> None:
    try:
        import openpyxl
    except ImportError:
        with zipfile.ZipFile(path) as archive:
            sheet = archive.read("xl/worksheets/sheet1.xml").decode()
            names = archive.namelist()
            # constant_memory writes strings inline in the sheet, not in a shared table
            strings = sheet + (
                archive.read("xl/sharedStrings.xml").decode()
                if "xl/sharedStrings.xml" in names
                else ""
            )
            styles = archive.read("xl/styles.xml").decode()
        assert 'state="frozen"' in sheet  # the header row is frozen
        assert 'ySplit="1"' in sheet
        assert f'<autoFilter ref="A1:M{rows + 1}"/>' in sheet
        assert 'formatCode="yyyy-mm-dd"' in styles
        # the completion date (column K) is a number (a date serial), not text
        assert re.search(r'<c r="K2" s="\d+"><v>\d{5}</v></c>', sheet)
        assert "Åse Ærlig Bjørnstad" in strings
    else:
        book = openpyxl.load_workbook(path)
        sheet = book.active
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:M{rows + 1}"
        assert sheet["K2"].is_date


@requires_tools("soffice", install="libreoffice-calc-nogui")
def test_libreoffice_reads_norwegian_letters_from_the_xlsx(db, tmp_path):
    """A spreadsheet other than Excel opens the file: LibreOffice converts it to CSV."""
    office = shutil.which("soffice") or "soffice"
    from lup.reporting.columns import default_preset
    from lup.reporting.exports import ReportExport, write_xlsx
    from lup.reporting.selectors import SystemScope
    from tests.factories import ParticipantFactory

    ParticipantFactory(user__first_name="Åse Ærlig", user__last_name="Bjørnstad")
    path = tmp_path / "report.xlsx"
    with path.open("wb") as target:
        write_xlsx(
            ReportExport(completion_rows(SystemScope()), default_preset("participants")), target
        )
    subprocess.run(
        [
            office,
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):59,34,76",
            "--outdir",
            str(path.parent),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    text = path.with_suffix(".csv").read_text("utf-8")
    assert "Åse Ærlig Bjørnstad" in text


@requires_tools("soffice", install="libreoffice-calc-nogui")
def test_libreoffice_opens_the_csv_as_norwegian_excel_would(db, tmp_path):
    """The semicolon CSV with a BOM opens in LibreOffice with one field per column and the
    Norwegian letters intact (read back through an XLSX that LibreOffice writes)."""
    import openpyxl

    from lup.reporting.columns import default_preset
    from lup.reporting.exports import ReportExport, write_csv_file
    from lup.reporting.selectors import SystemScope
    from tests.factories import ParticipantFactory

    ParticipantFactory(user__first_name="Åse Ærlig", user__last_name="Bjørnstad")
    path = tmp_path / "report.csv"
    with path.open("wb") as target:
        write_csv_file(
            ReportExport(completion_rows(SystemScope()), default_preset("participants")), target
        )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    subprocess.run(
        [
            shutil.which("soffice") or "soffice",
            "--headless",
            "--infilter=CSV:59,34,76",  # semicolon, double quote, UTF-8
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path / "out"),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    sheet = openpyxl.load_workbook(tmp_path / "out" / "report.xlsx").active
    values = [cell.value for cell in sheet[2]]
    assert "Åse Ærlig Bjørnstad" in values
    assert sheet.max_column == len(default_preset("participants").columns)
