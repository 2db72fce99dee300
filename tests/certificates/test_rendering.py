"""The PDF renderer on its own: no database, only a plain dataclass."""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import replace

from certificates import rendering
from tests.tools import requires_tools

DOCUMENT = rendering.CertificateDocument(
    title="Kursbevis",
    body="Åse Ødegård har gjennomført Lederutviklingsprogram for innovasjon og ledelse i LUP 4.",
    recipient_name="Åse Ødegård",
    issuer="Bærum kommune",
    issued_on=dt.date(2026, 1, 31),
    issued_on_text="31. januar 2026",
    code="AB3D-EF7H",
    verify_url="https://lup.example.no/verify/AB3DEF7H/",
    signatories=(rendering.Signatory("Ola Nordmann", "Kommunedirektør"),),
    subject="Lederutviklingsprogram for innovasjon og ledelse",
)

needs_poppler = requires_tools("pdftotext", "pdftoppm", install="poppler-utils")


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_a_certificate_is_a_small_one_page_pdf():
    pdf = rendering.render_pdf(DOCUMENT)

    assert pdf.startswith(b"%PDF-")
    assert len(pdf) < 40 * 1024
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 1


def test_the_pdf_names_its_title_author_subject_and_language():
    pdf = rendering.render_pdf(DOCUMENT)

    assert b"/Title (Kursbevis)" in pdf
    assert b"/Lang (nb)" in pdf
    assert b"/Author (B\\346rum kommune)" in pdf  # Bærum in PDFDocEncoding
    assert b"/Subject (Lederutviklingsprogram" in pdf
    assert b"/DisplayDocTitle true" in pdf


@needs_poppler
def test_norwegian_letters_the_name_and_the_code_are_real_text(tmp_path):
    text = pdf_text(rendering.render_pdf(DOCUMENT), tmp_path)

    assert "Åse Ødegård" in text
    assert "Kursbevis" in text
    assert "AB3D-EF7H" in text
    assert "31. januar 2026" in text


@needs_poppler
def test_letters_the_font_lacks_fall_back_instead_of_crashing(tmp_path):
    document = replace(DOCUMENT, recipient_name="Áŋŋá Đuolbbaš 王小明", title="Bevis ŧ")

    text = pdf_text(rendering.render_pdf(document), tmp_path)

    assert "Ánná Duolbbaš ???" in text
    assert "Bevis t" in text


def test_fallback_keeps_what_the_font_has_and_composes_accents():
    assert rendering.drawable("Zoë Ñúñez") == "Zoë Ñúñez"
    assert rendering.drawable("e\u0301") == "é"  # decomposed input is composed first
    assert rendering.drawable("Ŋ ő") == "N o"
    assert rendering.drawable("🙂") == "?"


def test_the_qr_code_matrix_encodes_the_verification_address():
    matrix = rendering.qr_matrix(DOCUMENT.verify_url)

    assert len(matrix) == len(matrix[0]) >= 21  # square, at least version 1
    # The three finder patterns: dark 7x7 corners.
    assert all(matrix[0][:7])
    assert all(matrix[0][-7:])
    assert all(matrix[-1][:7])


@requires_tools("zbarimg", install="zbar-tools")
@needs_poppler
def test_the_printed_qr_code_scans_to_the_verification_page(tmp_path):
    path = tmp_path / "certificate.pdf"
    path.write_bytes(rendering.render_pdf(DOCUMENT))
    subprocess.run(
        ["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")],
        check=True,
    )

    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()

    assert scanned == DOCUMENT.verify_url


def test_a_broken_logo_or_signature_image_is_left_out():
    document = replace(
        DOCUMENT,
        logo=b"not an image",
        signatories=(rendering.Signatory("Ola", "Rektor", signature=b"nope"),),
        orientation="portrait",
    )

    assert rendering.render_pdf(document).startswith(b"%PDF-")
