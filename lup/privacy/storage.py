"""Where lup keeps files only their owner may download: people's archives of their own data.

The `lup_private` storage from STORAGES when configured (object storage), else a local
folder outside MEDIA_ROOT (`LUP_PRIVATE_ROOT`, read each time it is used so tests and hosts
can move it); either way with no URL: files leave it only through a view that checks who
is asking. Retention deletes expired archives through the same storage.
"""

from __future__ import annotations

import os

from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages

from .. import app_settings


class PrivateArchiveStorage(FileSystemStorage):
    """`LUP_PRIVATE_ROOT` as a storage that refuses to give a URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        return app_settings.PRIVATE_ROOT()

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private archives have no URL; serve them through a view.")


STORAGE_ALIAS = "lup_private"


def archive_storage() -> Storage:
    """The storage of personal-data archives (never served by URL): STORAGES["lup_private"]
    (a private prefix of the S3 bucket, say) when configured, else LUP_PRIVATE_ROOT."""
    try:
        return storages[STORAGE_ALIAS]
    except InvalidStorageError:
        return PrivateArchiveStorage()
