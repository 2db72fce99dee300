"""The certificate PDF, drawn with reportlab from a plain dataclass.

Nothing here touches the database or Django settings, so the layout can be tested
and measured on its own (tests/certificates/test_rendering.py, benchmarks/certificates.py).

Speed: encoding the QR code dominates. We ask `qrcode` for the module matrix only,
with a fixed mask pattern (choosing the "best" of eight masks costs eight encodings,
and every decoder reads any mask), and draw each row's dark runs as rectangles in one
path: no image, no reportlab QR widget. Fonts are registered once per process.

Accessibility, honestly: reportlab writes the document title (shown by viewers in the
title bar), author, subject, keywords and the document language (/Lang), and all text is
real text in embedded Unicode fonts, so it can be selected, searched and read aloud in
order. reportlab cannot write a tagged PDF (no structure tree, no /MarkInfo, no alt text
for the QR code or the logo), so the result is not PDF/UA. The same facts are always
available on the HTML verification page, which is accessible.
"""

from __future__ import annotations

import datetime as dt
import io
import struct
import threading
import unicodedata
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import qrcode
import qrcode.constants
import qrcode.exceptions
import reportlab
from reportlab import rl_config
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    TTFontFace,
    makeToUnicodeCMap,
)
from reportlab.pdfgen import canvas

REGULAR = "CertificateVera"
BOLD = "CertificateVeraBold"
ITALIC = REGULAR  # every font embedded adds some 10 KB: two are enough
_FONT_FILES = {REGULAR: "Vera.ttf", BOLD: "VeraBd.ttf"}
_fonts_lock = threading.Lock()
_fonts_ready = False
# reportlab reads a font file through one shared file position while subsetting, so two
# threads must not save documents at once (processes are independent).
_save_lock = threading.Lock()
# Name records kept in the embedded subsets: copyright, family, style, identifiers, full
# and PostScript names, trademark. Vera's licence text (about 7 KB in every subset, every
# font, every certificate) stays in the font file shipped with reportlab.
_KEPT_NAME_IDS = frozenset(range(8))
# Characters every certificate claims up front, in this order, so that documents share
# their font subsets (and the cache below). Other characters still work: they only add
# to that document's subset, which then misses the cache once. The bold face (title,
# name, code) claims fewer: each glyph embedded costs some 100 bytes in every file.
_LETTERS = "".join(chr(code) for code in [*range(65, 91), *range(97, 123)])
_NORDIC = "ÆØÅæøåÉé"
_ALPHABETS = {
    REGULAR: " 0123456789" + _LETTERS + _NORDIC + ".,:;-–/()'’«»“”!?&%+@_=#",
    BOLD: " 0123456789-.,'" + _LETTERS + _NORDIC,
}
_subset_cache: dict[tuple[str, tuple[int, ...]], tuple[bytes, int]] = {}
_objects_cache: dict[tuple[str, str, tuple[int, ...]], tuple[bytes, bytes]] = {}
_SUBSET_CACHE_SIZE = 64

# Letters Bitstream Vera lacks, with what to draw instead. NFKD handles most accented
# letters (ž -> z + caron, and Vera has ž anyway); these do not decompose. Northern Sami
# letters first, since Norwegian certificates will meet them.
_TRANSLITERATIONS = {
    "ŋ": "n",
    "Ŋ": "N",
    "đ": "d",
    "Đ": "D",
    "ŧ": "t",
    "Ŧ": "T",
    "ł": "l",
    "Ł": "L",
    "ħ": "h",
    "Ħ": "H",
    "ı": "i",
    "ŀ": "l",
    "Ŀ": "L",
    "ſ": "s",
    "ǥ": "g",
    "Ǥ": "G",
    "ʒ": "z",
    "Ʒ": "Z",
    "ǯ": "z",
    "Ǯ": "Z",
}


@dataclass(frozen=True)
class Signatory:
    """A person signing the certificate; `signature` is an image file's bytes, or None."""

    name: str
    title: str = ""
    signature: bytes | None = None


@dataclass(frozen=True)
class CertificateDocument:
    """Everything a certificate shows, already resolved to text (no placeholders left)."""

    title: str
    body: str
    recipient_name: str
    issuer: str
    issued_on: dt.date
    issued_on_text: str
    code: str
    verify_url: str
    language: str = "nb"
    orientation: str = "landscape"
    primary_colour: str = "#1E2B3C"
    accent_colour: str = "#0062BA"
    logo: bytes | None = None
    signatories: tuple[Signatory, ...] = ()
    subject: str = ""
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, key: str, default: str) -> str:
        return self.labels.get(key, default)


def _lean_name_table(table: bytes) -> bytes:
    """A TrueType 'name' table with only the records in _KEPT_NAME_IDS."""
    _, count, string_offset = struct.unpack(">HHH", table[:6])
    records = []
    for index in range(count):
        record = struct.unpack(">6H", table[6 + 12 * index : 18 + 12 * index])
        if record[3] in _KEPT_NAME_IDS:
            start = string_offset + record[5]
            records.append((record[:4], table[start : start + record[4]]))
    header = struct.pack(">HHH", 0, len(records), 6 + 12 * len(records))
    directory, strings = b"", b""
    for (platform, encoding, language, name_id), text in records:
        directory += struct.pack(
            ">6H", platform, encoding, language, name_id, len(text), len(strings)
        )
        strings += text
    return header + directory + strings


class _LeanFontFace(TTFontFace):
    """Vera with a short 'name' table in the subsets it embeds (see _KEPT_NAME_IDS), and
    each subset's compressed font program made once per process.

    Subsetting and compressing a font is most of the cost of a certificate. Every
    document first claims the same alphabet (see `_ALPHABETS`), so almost every
    certificate embeds the very same subsets, and they come from `_subset_cache`.
    """

    _subsetting = False

    def get_table(self, tag: str) -> bytes:
        table = super().get_table(tag)
        return _lean_name_table(table) if self._subsetting and tag == "name" else table

    def makeSubset(self, subset: list[int]) -> bytes:
        self._subsetting = True
        try:
            return super().makeSubset(subset)
        finally:
            self._subsetting = False

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:
        key = (self.filename, tuple(subset))
        with _fonts_lock:
            cached = _subset_cache.get(key)
            if cached is None:
                program = self.makeSubset(subset)
                cached = _subset_cache[key] = (zlib.compress(program, 9), len(program))
                while len(_subset_cache) > _SUBSET_CACHE_SIZE:
                    _subset_cache.pop(next(iter(_subset_cache)))
        compressed, length = cached
        font_file = pdfdoc.PDFStream(content=compressed)
        # A "Filter" entry tells reportlab the content is already encoded.
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        font_file.dictionary["Length1"] = length
        font_file_ref = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": self.ascent,
                "CapHeight": self.capHeight,
                "Descent": self.descent,
                "Flags": (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(self.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": self.italicAngle,
                "StemV": self.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": self.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


class _Formatted(pdfdoc.PDFObject):
    """A PDF object written once (a width array, a compressed stream) and reused as is."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


class _LeanTTFont(TTFont):
    """reportlab's TrueType font, embedding lean subsets and reusing what it wrote for
    the same subset before (the width array and the ToUnicode map)."""

    def __init__(self, name: str, filename: str) -> None:
        # Not "ASCII readable": that would embed every ASCII glyph whether used or not.
        super().__init__(name, filename, asciiReadable=False)
        self.face.__class__ = _LeanFontFace

    def addObjects(self, doc: Any) -> None:
        # As TTFont.addObjects, with the formatted parts cached by subset.
        state = self._assignState(doc)
        state.frozen = 1
        for index, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(index, doc)[1:]
            base_name = b"".join(
                (SUBSETN(index), b"+", self.face.name, self.face.subfontNameX)
            ).decode("pdfdoc")
            key = (self.fontName, base_name, tuple(subset))
            with _fonts_lock:
                cached = _objects_cache.get(key)
                if cached is None:
                    widths = " ".join(
                        str(round(self.face.getCharWidth(code), 3)) for code in subset
                    )
                    cmap = zlib.compress(makeToUnicodeCMap(base_name, subset).encode("latin-1"))
                    cached = _objects_cache[key] = (f"[ {widths} ]".encode(), cmap)
                    while len(_objects_cache) > _SUBSET_CACHE_SIZE:
                        _objects_cache.pop(next(iter(_objects_cache)))
            widths_data, cmap_data = cached
            font = pdfdoc.PDFTrueTypeFont()
            font.Name = internal_name
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Formatted(widths_data)
            cmap_stream = pdfdoc.PDFStream(content=cmap_data)
            cmap_stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
            font.ToUnicode = doc.Reference(cmap_stream, "toUnicodeCMap:" + base_name)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base_name, subset)
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


def register_fonts() -> None:
    """Register the embedded TrueType fonts once per process (re-registering is slow)."""
    global _fonts_ready
    if _fonts_ready:
        return
    with _fonts_lock:
        if _fonts_ready:
            return
        folder = Path(reportlab.__file__).parent / "fonts"
        for name, filename in _FONT_FILES.items():
            pdfmetrics.registerFont(_LeanTTFont(name, str(folder / filename)))
        _fonts_ready = True


@cache
def _glyphs(font_name: str) -> frozenset[int]:
    font = pdfmetrics.getFont(font_name)
    # Vera's map lists a few characters (Đ, for one) that point at the "missing" glyph 0.
    return frozenset(code for code, glyph in font.face.charToGlyph.items() if glyph)


def drawable(text: str, font_name: str = REGULAR) -> str:
    """`text` with every character the font cannot draw replaced by a close one.

    Tries a known transliteration, then the letters NFKD decomposes into (keeping those
    the font has), and draws "?" as the last resort: a name never crashes the renderer
    and never turns into empty boxes. The certificate's stored data keeps the real name.
    """
    register_fonts()
    glyphs = _glyphs(font_name)
    text = unicodedata.normalize("NFC", text)  # "e" + combining acute is the font's "é"
    if all(ord(char) in glyphs for char in text):
        return text  # the usual case, checked cheaply
    result = []
    for char in text:
        if ord(char) in glyphs or char in "\n\t":
            result.append(char)
            continue
        replacement = _TRANSLITERATIONS.get(char)
        if replacement is None:
            decomposed = unicodedata.normalize("NFKD", char)
            replacement = "".join(part for part in decomposed if ord(part) in glyphs)
            if not replacement and unicodedata.category(char).startswith("M"):
                continue  # a lone combining mark: drop it
        result.append(replacement or "?")
    return "".join(result)


_qr_versions: dict[int, int] = {}


def qr_matrix(data: str) -> list[list[bool]]:
    """The QR code's modules (True is dark), without the quiet zone.

    Finding the smallest version that fits costs as much as encoding; verification URLs
    of one site all have the same length, so the version found for a length is tried
    first, and the search runs again only if the data does not fit.
    """
    known = _qr_versions.get(len(data))
    code = qrcode.QRCode(
        version=known,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=0,
        mask_pattern=0,
    )
    code.add_data(data)
    try:
        code.make(fit=known is None)
    except qrcode.exceptions.DataOverflowError:
        code.version = None
        code.make(fit=True)
    _qr_versions[len(data)] = code.version
    return code.get_matrix()


def draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR code for `data` with its lower left corner at (x, y), `size` wide.

    Each row's dark runs become one rectangle each, in module units (integers, so cheap
    to write) under a transformation that scales them to `size`, all in one filled path:
    a few hundred short operators instead of an image or one rectangle per module.
    """
    matrix = qr_matrix(data)
    count = len(matrix)
    operators = []
    for row_index, row in enumerate(matrix):
        bottom = count - 1 - row_index
        start = -1
        for column, dark in enumerate(row):
            if dark and start < 0:
                start = column
            elif not dark and start >= 0:
                operators.append(f"{start} {bottom} {column - start} 1 re")
                start = -1
        if start >= 0:
            operators.append(f"{start} {bottom} {count - start} 1 re")
    module = size / count
    pdf.saveState()
    pdf.transform(module, 0, 0, module, x, y)
    pdf.addLiteral("\n".join(operators) + "\nf")
    pdf.restoreState()


def _centred_lines(
    pdf: canvas.Canvas,
    text: str,
    *,
    font: str,
    size: float,
    centre: float,
    top: float,
    width: float,
    leading: float,
) -> float:
    """Draw wrapped, centred text from `top` downwards; returns the y below the last line."""
    y = top
    for paragraph in drawable(text, font).splitlines() or [""]:
        for line in simpleSplit(paragraph, font, size, width) or [""]:
            pdf.setFont(font, size)
            pdf.drawCentredString(centre, y, line)
            y -= leading
    return y


def _fit_size(text: str, font: str, size: float, width: float, minimum: float = 14) -> float:
    """The largest size up to `size` at which `text` fits on one line (long names shrink)."""
    measured = pdfmetrics.stringWidth(text, font, size)
    if measured <= width:
        return size
    return max(minimum, size * width / measured)


def _image(data: bytes) -> ImageReader | None:
    try:
        return ImageReader(io.BytesIO(data))
    except Exception:  # a broken upload must not stop a certificate from being issued
        return None


def render_pdf(document: CertificateDocument) -> bytes:
    """The certificate as PDF bytes (one A4 page, landscape or portrait)."""
    register_fonts()
    page = landscape(A4) if document.orientation == "landscape" else A4
    width, height = page
    buffer = io.BytesIO()
    pdf = canvas.Canvas(
        buffer,
        pagesize=page,
        pageCompression=1,
        lang=document.language,
        initialFontName=REGULAR,
    )
    for font_name, alphabet in _ALPHABETS.items():
        # Claim the shared alphabet first (reportlab's own subsetting call), see _ALPHABETS.
        pdfmetrics.getFont(font_name).splitString(alphabet, pdf._doc)
    pdf.setTitle(document.title)
    pdf.setAuthor(document.issuer)
    pdf.setSubject(document.subject or document.title)
    pdf.setKeywords([document.code, document.verify_url])
    pdf.setCreator("LUP certificates (reportlab)")
    pdf.setViewerPreference("DisplayDocTitle", "true")

    primary = HexColor(document.primary_colour)
    accent = HexColor(document.accent_colour)
    margin = 36.0
    centre = width / 2
    text_width = width - 4 * margin

    # Frame: a thick band on the left and a thin border around.
    pdf.setFillColor(primary)
    pdf.rect(0, 0, 14, height, stroke=0, fill=1)
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(1.5)
    pdf.rect(margin / 2, margin / 2, width - margin, height - margin, stroke=1, fill=0)

    top = height - 2 * margin
    if document.logo:
        logo = _image(document.logo)
        if logo is not None:
            logo_width, logo_height = logo.getSize()
            box = 56.0
            scale = min(box * 3 / logo_width, box / logo_height)
            pdf.drawImage(
                logo,
                centre - logo_width * scale / 2,
                top - box + 10,
                logo_width * scale,
                logo_height * scale,
                mask="auto",
            )
            top -= box + 4

    pdf.setFillColor(primary)
    title_size = _fit_size(drawable(document.title, BOLD), BOLD, 34, text_width)
    y = _centred_lines(
        pdf,
        document.title,
        font=BOLD,
        size=title_size,
        centre=centre,
        top=top - 20,
        width=text_width,
        leading=title_size * 1.2,
    )

    pdf.setFillColor(HexColor("#333333"))
    y = _centred_lines(
        pdf,
        document.label("awarded_to", "Tildelt"),
        font=ITALIC,
        size=13,
        centre=centre,
        top=y - 14,
        width=text_width,
        leading=16,
    )
    pdf.setFillColor(accent)
    name = drawable(document.recipient_name, BOLD)
    name_size = _fit_size(name, BOLD, 30, text_width)
    y = _centred_lines(
        pdf,
        name,
        font=BOLD,
        size=name_size,
        centre=centre,
        top=y - 18,
        width=text_width,
        leading=name_size * 1.2,
    )
    pdf.setStrokeColor(accent)
    pdf.setLineWidth(0.8)
    pdf.line(centre - 120, y + name_size * 0.6, centre + 120, y + name_size * 0.6)

    pdf.setFillColor(HexColor("#222222"))
    _centred_lines(
        pdf,
        document.body,
        font=REGULAR,
        size=13,
        centre=centre,
        top=y - 14,
        width=text_width - 80,
        leading=18,
    )

    # Signatures along the bottom, spread evenly left of the QR code.
    qr_size = 82.0
    bottom = margin + 14
    signatories = document.signatories[:3]
    if signatories:
        span = width - 3 * margin - qr_size - 20
        slot = span / len(signatories)
        for index, signatory in enumerate(signatories):
            middle = margin + slot * index + slot / 2
            line_y = bottom + 44
            if signatory.signature:
                signature = _image(signatory.signature)
                if signature is not None:
                    sig_width, sig_height = signature.getSize()
                    scale = min(150 / sig_width, 40 / sig_height)
                    pdf.drawImage(
                        signature,
                        middle - sig_width * scale / 2,
                        line_y + 2,
                        sig_width * scale,
                        sig_height * scale,
                        mask="auto",
                    )
            pdf.setStrokeColor(HexColor("#555555"))
            pdf.setLineWidth(0.6)
            pdf.line(middle - 80, line_y, middle + 80, line_y)
            pdf.setFillColor(HexColor("#222222"))
            pdf.setFont(REGULAR, 11)
            pdf.drawCentredString(middle, line_y - 14, drawable(signatory.name, REGULAR))
            if signatory.title:
                pdf.setFont(ITALIC, 9)
                pdf.drawCentredString(middle, line_y - 27, drawable(signatory.title, ITALIC))

    # Issuer and date, then the verification code and QR code at the lower right.
    pdf.setFillColor(HexColor("#222222"))
    pdf.setFont(REGULAR, 10)
    pdf.drawString(margin + 6, bottom - 10, drawable(document.issuer, REGULAR))
    pdf.drawString(
        margin + 6,
        bottom - 22,
        drawable(f"{document.label('issued_on', 'Utstedt')}: {document.issued_on_text}"),
    )
    qr_x = width - margin - qr_size
    pdf.setFillColor(HexColor("#000000"))
    draw_qr(pdf, document.verify_url, qr_x, bottom, qr_size)
    pdf.setFont(BOLD, 10)
    pdf.drawCentredString(qr_x + qr_size / 2, bottom - 12, document.code)
    pdf.setFont(REGULAR, 7)
    pdf.drawRightString(
        qr_x - 8, bottom - 22, drawable(document.label("verify_at", "Kontroller på"))
    )
    pdf.drawRightString(qr_x - 8, bottom - 31, drawable(document.verify_url))

    with _save_lock:
        # Plain Flate streams: the ASCII85 layer reportlab adds by default makes the file a
        # quarter larger and costs time, and every PDF reader since 1.2 reads binary.
        previous, rl_config.useA85 = rl_config.useA85, 0
        try:
            pdf.showPage()
            pdf.save()
        finally:
            rl_config.useA85 = previous
    return buffer.getvalue()
