"""Our own H5P content types, and packaging them as `.h5p` files.

`LUP.Reflection-1.0/` is a content type written against the H5P runtime API: a reflection
question answered in writing and a short self-check, reporting xAPI `answered` and
`completed` with a score, and saving its state so a learner resumes where they were.

`reflection_package()` zips it with an `h5p.json` and `content/content.json` into an `.h5p`
package. The zip is reproducible (fixed dates and order), so building it again gives the
same bytes, and installing it again finds the package already installed.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

LIBRARY_ROOT = Path(__file__).resolve().parent
REFLECTION_FOLDER = "LUP.Reflection-1.0"
REFLECTION_LIBRARY = {"machineName": "LUP.Reflection", "majorVersion": 1, "minorVersion": 0}
ZIP_DATE = (2026, 1, 1, 0, 0, 0)

# The demo's reflection, in Norwegian bokmål (the content a facilitator would write).
DEMO_REFLECTION: dict[str, Any] = {
    "title": "Refleksjon: innovasjon i din tjeneste",
    "question": (
        "Tenk på tjenesten deres. Hva er én ting dere kunne gjort annerledes for å skape "
        "mer verdi for brukerne?"
    ),
    "answerHelp": "Skriv noen setninger, minst 20 tegn. Svaret lagres, og du kan fortsette senere.",
    "minLength": 20,
    "selfCheck": {
        "question": "Hva kjennetegner en innovasjon i offentlig sektor?",
        "alternatives": [
            {"text": "Den er ny for oss, tatt i bruk og skaper verdi", "correct": True},
            {"text": "Den er en god idé som ennå ikke er prøvd ut", "correct": False},
            {"text": "Den krever alltid ny teknologi", "correct": False},
        ],
    },
    "l10n": {
        "check": "Sjekk og send inn",
        "tryAgain": "Prøv igjen",
        "needAnswer": "Skriv minst :num tegn i refleksjonen din.",
        "needChoice": "Velg et svar i egensjekken.",
        "correct": "Riktig! Refleksjonen din er lagret.",
        "wrong": "Ikke helt. Refleksjonen din er lagret; se på egensjekken en gang til.",
        "score": "Poeng: :score av :total",
        "selfCheckHeading": "Egensjekk",
    },
}


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o100644 << 16  # an ordinary file, rw-r--r--
    archive.writestr(info, data)


def reflection_package(content: dict[str, Any] | None = None, *, language: str = "nb") -> bytes:
    """An `.h5p` package of LUP.Reflection with `content` (default: the demo's)."""
    content = content or DEMO_REFLECTION
    h5p_json = {
        "title": content.get("title") or "LUP Reflection",
        "language": language,
        "mainLibrary": REFLECTION_LIBRARY["machineName"],
        "embedTypes": ["iframe"],
        "license": "U",
        "preloadedDependencies": [REFLECTION_LIBRARY],
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        _add(archive, "h5p.json", json.dumps(h5p_json, ensure_ascii=False, indent=2).encode())
        _add(
            archive,
            "content/content.json",
            json.dumps(content, ensure_ascii=False, indent=2).encode(),
        )
        folder = LIBRARY_ROOT / REFLECTION_FOLDER
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.name.startswith((".", "_")):
                relative = path.relative_to(folder).as_posix()
                _add(archive, f"{REFLECTION_FOLDER}/{relative}", path.read_bytes())
    return buffer.getvalue()


def write_reflection_package(path: Path, content: dict[str, Any] | None = None) -> Path:
    """Write the package to `path` (its folder is created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(reflection_package(content))
    return path
