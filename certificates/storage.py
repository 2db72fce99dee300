"""Where issued certificates' PDFs are kept.

The `certificates_pdf` storage from STORAGES when the host configures one (a private S3
bucket through django-storages, say), else a local folder outside the web root
(CERTIFICATES_PDF_ROOT). Either way the file has no public URL: it leaves only through
the download view, which checks who is asking. The SHA-256 kept on the certificate row is
what verification compares against, never the stored file.

`Certificate.pdf` names this module's `pdf_storage` as its storage. Django calls that once,
when the model is loaded; what it returns is lazy, and resolved again when STORAGES changes
(a test, say), as Django's own default storage is.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

from . import app_settings

STORAGE_ALIAS = "certificates_pdf"


class LocalPdfStorage(FileSystemStorage):
    """CERTIFICATES_PDF_ROOT (read each time it is used), with no URL."""

    def __init__(self) -> None:
        super().__init__(base_url=None)

    @property
    def base_location(self) -> str:
        return app_settings.PDF_ROOT()

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Certificate PDFs have no URL; serve them through the download view.")


_local = LocalPdfStorage()


def configured_pdf_storage() -> Storage:
    """The storage that holds the PDFs now: STORAGES["certificates_pdf"], else the folder."""
    try:
        return storages[STORAGE_ALIAS]
    except InvalidStorageError:
        return _local


class _PdfStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = configured_pdf_storage()


_pdf_storage = _PdfStorage()


@receiver(setting_changed)
def _forget_pdf_storage(*, setting: str, **kwargs: Any) -> None:
    """STORAGES changed (a test, a host reconfiguring): resolve the alias again, as Django
    does for its default storage."""
    if setting == "STORAGES":
        _pdf_storage._wrapped = empty  # type: ignore[assignment]


def pdf_storage() -> Storage:
    """The storage `Certificate.pdf` uses (see the module's docstring)."""
    return _pdf_storage  # type: ignore[return-value]


def pdf_name(instance: Any, filename: str) -> str:
    """`<public id>/<sha256>.pdf`: one folder per certificate, one name per drawn version."""
    return f"{instance.public_id}/{instance.sha256}.pdf"
