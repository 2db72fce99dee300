"""Where lup keeps files only their owner may download: people's archives of their own data.

A local folder outside MEDIA_ROOT (`LUP_PRIVATE_ROOT`, read each time it is used so tests
and hosts can move it), with no URL: files leave it only through a view that checks who
is asking. Retention deletes expired archives through the same storage.
"""

from __future__ import annotations

import os

from django.core.files.storage import FileSystemStorage

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


def archive_storage() -> PrivateArchiveStorage:
    """The storage of personal-data archives (never served by URL)."""
    return PrivateArchiveStorage()
