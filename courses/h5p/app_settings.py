"""Settings of H5P packages, prefixed COURSES_H5P_ and read when used (tests override them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def _get(name: str, default: Any) -> Any:
    return getattr(settings, f"COURSES_H5P_{name}", default)


def ROOT() -> str:
    """Directory for packages and libraries when no `courses_h5p` storage is configured."""
    default = str(getattr(settings, "BASE_DIR", ".")) + "/var/h5p"
    return str(_get("ROOT", default))


def MAX_FILES() -> int:
    """Most entries (files and folders) a package may hold."""
    return int(_get("MAX_FILES", 10_000))


def MAX_FILE_BYTES() -> int:
    """Largest single file, unpacked."""
    return int(_get("MAX_FILE_BYTES", 50 * 1024 * 1024))


def MAX_TOTAL_BYTES() -> int:
    """Largest package, unpacked (and the largest `.h5p` file accepted)."""
    return int(_get("MAX_TOTAL_BYTES", 300 * 1024 * 1024))
