"""Settings of the `courses` app, prefixed COURSES_ and read when used."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _get(name: str, default: Any) -> Any:
    return getattr(settings, f"COURSES_{name}", default)


def PRIVATE_ROOT() -> str:
    """Directory for submitted files when no `courses_private` storage is configured."""
    default = str(getattr(settings, "BASE_DIR", ".")) + "/var/private"
    return str(_get("PRIVATE_ROOT", default))


def SUBMISSION_MAX_BYTES() -> int:
    """Largest file accepted in a submission."""
    return int(_get("SUBMISSION_MAX_BYTES", 20 * 1024 * 1024))


def SUBMISSION_FILE_TYPES() -> dict[str, list[bytes]]:
    """Accepted file name endings and the bytes such a file starts with (checked, not trusted)."""
    zip_magic = [b"PK\x03\x04"]
    return dict(
        _get(
            "SUBMISSION_FILE_TYPES",
            {
                ".pdf": [b"%PDF-"],
                ".docx": zip_magic,
                ".pptx": zip_magic,
                ".xlsx": zip_magic,
                ".odt": zip_magic,
                ".png": [b"\x89PNG\r\n\x1a\n"],
                ".jpg": [b"\xff\xd8\xff"],
                ".jpeg": [b"\xff\xd8\xff"],
                ".txt": [],
            },
        )
    )


def ADAPTER() -> str:
    """Dotted path of the adapter class (see courses.adapter)."""
    return str(_get("ADAPTER", "courses.adapter.DefaultCoursesAdapter"))


def H5P_PLAYER_ORIGIN() -> str:
    """Origin the H5P player frame is loaded from (e.g. "https://h5p.lup.example.no"), or ""
    for this site's own origin. It must reach this same site and share its session cookie."""
    return str(_get("H5P_PLAYER_ORIGIN", "") or "").rstrip("/")


def H5P_FRAME_ANCESTORS() -> list[str]:
    """Origins besides the player's own that may embed the player frame (the site's origin
    when H5P_PLAYER_ORIGIN is another)."""
    origins = [str(origin).strip().rstrip("/") for origin in _get("H5P_FRAME_ANCESTORS", [])]
    # Only plain origins: nothing that could end the directive or add another.
    return [origin for origin in origins if origin and not any(c in origin for c in " ;,'\"")]


def H5P_SAVE_FREQ() -> int:
    """Seconds between the player's saves of a learner's state (to resume later)."""
    return int(_get("H5P_SAVE_FREQ", 10))


def XAPI_MAX_BYTES() -> int:
    """Largest xAPI statement or saved state the player may post."""
    return int(_get("XAPI_MAX_BYTES", 64 * 1024))


def LRS_ENDPOINT() -> str:
    """An external Learning Record Store's xAPI endpoint (e.g. "https://lrs.example.no/xapi/")
    to forward statements to; "" to keep them here only."""
    return str(_get("LRS_ENDPOINT", "") or "")


# Used only while DEBUG is on (development and demos); published, so never for real data.
DEVELOPMENT_PSEUDONYM_KEY = "courses-development-pseudonym-key-not-secret"


def LEARNER_PSEUDONYM_KEY() -> str:
    """The secret that keys learners' pseudonyms in xAPI statements, its own setting so that
    no default key (nor SECRET_KEY) can map a pseudonym back to a person.

    Without it, only a DEBUG site falls back to a published development key; anywhere else
    the courses.E001 check refuses to start and this raises.
    """
    key = str(_get("LEARNER_PSEUDONYM_KEY", "") or "")
    if key:
        return key
    if settings.DEBUG:
        return DEVELOPMENT_PSEUDONYM_KEY
    raise ImproperlyConfigured(
        "COURSES_LEARNER_PSEUDONYM_KEY is not set: learners' xAPI pseudonyms need a secret "
        "key of their own."
    )


def LRS_USERNAME() -> str:
    return str(_get("LRS_USERNAME", "") or "")


def LRS_PASSWORD() -> str:
    return str(_get("LRS_PASSWORD", "") or "")
