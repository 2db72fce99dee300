"""Folder names for scheduled exports written to disk, under LUP_EXPORT_ROOT."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_FOLDER_PART = re.compile(r"^[\w][\w .-]{0,79}$")


def clean_folder_name(folder: str) -> str:
    """A relative folder under the export root: parts of letters, digits, spaces, dots,
    hyphens and underscores, separated by '/'. Never absolute, never `..`."""
    parts = [part.strip() for part in folder.strip().strip("/").split("/")]
    if (
        not parts
        or folder.strip().startswith(("/", "\\"))
        or any(not _FOLDER_PART.match(part) or part.startswith(".") for part in parts)
    ):
        raise ValidationError(
            _(
                "Use a relative folder name of letters, digits, spaces, dots, hyphens and "
                "underscores, with “/” between folders (no “..”)."
            ),
            code="invalid_folder",
        )
    return "/".join(parts)
