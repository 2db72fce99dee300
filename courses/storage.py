"""Where submitted files are kept: outside MEDIA_ROOT, served only by permission-checked views."""

from __future__ import annotations

import os
from typing import Any

from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from . import app_settings


class PrivateFileSystemStorage(FileSystemStorage):
    """A local directory with no URL, read from COURSES_PRIVATE_ROOT each time it is used."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        return app_settings.PRIVATE_ROOT()

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; serve them through a view.")


class _PrivateStorage(LazyObject):
    def _setup(self) -> None:
        try:
            self._wrapped = storages["courses_private"]
        except InvalidStorageError:
            self._wrapped = PrivateFileSystemStorage()


_private_storage = _PrivateStorage()


@receiver(setting_changed)
def _forget_private_storage(*, setting: str, **kwargs: Any) -> None:
    """STORAGES changed (a test, a host reconfiguring): resolve the alias again, as Django
    does for its default storage."""
    if setting == "STORAGES":
        _private_storage._wrapped = empty  # type: ignore[assignment]


def private_storage() -> Storage:
    """The `courses_private` storage from STORAGES (e.g. a private S3 bucket), else a local
    directory outside the web root (COURSES_PRIVATE_ROOT)."""
    return _private_storage  # type: ignore[return-value]
