"""Settings of the `courses` app, prefixed COURSES_ and read when used."""

from __future__ import annotations

from typing import Any

from django.conf import settings


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
