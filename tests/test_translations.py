"""Translations: every catalogue is complete and its committed .mo matches its .po."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = (
    sorted(
        path
        for path in ROOT.glob("*/locale/*/LC_MESSAGES/django.po")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    )
    + sorted(ROOT.glob("locale/*/LC_MESSAGES/django.po"))
    # django-allauth ships no nynorsk: our catalogue for the pages we show.
    + sorted(ROOT.glob("i18n/*/locale/*/LC_MESSAGES/django.po"))
)
MSGFMT = shutil.which("msgfmt")


def test_catalogues_exist_for_bokmal_nynorsk_and_english():
    languages = {path.parent.parent.name for path in CATALOGUES}

    assert {"nb", "nn", "en"} <= languages


@pytest.mark.skipif(MSGFMT is None, reason="GNU gettext (msgfmt) is not installed")
@pytest.mark.parametrize(
    "po", [p for p in CATALOGUES if p.parent.parent.name in {"nb", "nn"}], ids=str
)
def test_norwegian_catalogues_are_complete_and_compiled(po, tmp_path):
    assert MSGFMT is not None
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        [MSGFMT, "--check-format", "--statistics", "-o", str(compiled), str(po)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes(), "run `make messages`"
