"""Where H5P packages are kept.

Layout (the player and the file views rely on it):

- `packages/<sha256>.h5p`: the original upload;
- `content/<sha256>/...`: the package's `content/` folder;
- `libraries/<Machine.Name-major.minor>/...`: an installed library's files.
"""

from __future__ import annotations

import os

from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages

from . import app_settings

STORAGE_ALIAS = "courses_h5p"


class H5PFileSystemStorage(FileSystemStorage):
    """A local directory with no URL, read from COURSES_H5P_ROOT each time it is used.

    Files are overwritten in place (a newer patch of a library replaces the older one's
    files under the same names).
    """

    def __init__(self) -> None:
        super().__init__(base_url=None, allow_overwrite=True)

    @property
    def base_location(self) -> str:
        return app_settings.ROOT()

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("H5P files have no URL of their own here; serve them through a view.")


_local_storage = H5PFileSystemStorage()


def h5p_storage() -> Storage:
    """The `courses_h5p` storage from STORAGES (an S3 bucket through django-storages, say),
    else a local directory outside the web root (COURSES_H5P_ROOT, default var/h5p)."""
    try:
        return storages[STORAGE_ALIAS]
    except InvalidStorageError:
        return _local_storage


def package_path(sha256: str) -> str:
    return f"packages/{sha256}.h5p"


def content_path(sha256: str) -> str:
    return f"content/{sha256}"


def library_path(folder_name: str) -> str:
    return f"libraries/{folder_name}"


def walk_files(storage: Storage, folder: str) -> list[str]:
    """Every file under `folder` (names relative to the storage), or [] if there is none."""
    found: list[str] = []
    pending = [folder.rstrip("/")]
    while pending:
        current = pending.pop()
        try:
            directories, files = storage.listdir(current)
        except (FileNotFoundError, NotADirectoryError):
            continue
        found.extend(f"{current}/{name}" for name in files)
        pending.extend(f"{current}/{name}" for name in directories)
    return sorted(found)
