"""Where submitted files are kept: outside MEDIA_ROOT, served only by permission-checked views."""

from __future__ import annotations

from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages

from . import app_settings


def private_storage() -> Storage:
    """The `courses_private` storage from STORAGES (e.g. a private S3 bucket), or a local
    directory outside the web root (COURSES_PRIVATE_ROOT)."""
    try:
        return storages["courses_private"]
    except InvalidStorageError:
        return FileSystemStorage(location=app_settings.PRIVATE_ROOT(), base_url=None)
