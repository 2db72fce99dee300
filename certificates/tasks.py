"""Celery tasks of `certificates`: they load objects and call a service, nothing more."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task

from . import services
from .models import Certificate

logger = logging.getLogger(__name__)

# A file younger than this may belong to a certificate being issued now (its file is
# written before its row commits), so the sweep leaves it.
ORPHAN_AGE = dt.timedelta(hours=24)


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5, ignore_result=True)
def send_certificate_email(certificate_id: int) -> bool:
    """E-mail a certificate's PDF to its recipient (retried while the mail server is down)."""
    certificate = Certificate.objects.select_related("recipient").filter(pk=certificate_id).first()
    if certificate is None:
        return False
    return services.send_certificate_email(certificate=certificate)


@shared_task(ignore_result=True)
def sweep_certificate_files() -> dict[str, int]:
    """Delete PDF files no certificate points to (left by an issue that rolled back) once
    they are a day old, and log an error for every certificate whose file is missing.

    Safe to run twice at once or again: deleting a file already gone changes nothing.
    """
    audit = services.audit_pdf_files(delete_orphans_older_than=ORPHAN_AGE)
    for name in audit.missing:
        logger.error("Certificate PDF missing from storage: %s", name)
    return {
        "orphaned": len(audit.orphaned),
        "deleted": audit.deleted,
        "missing": len(audit.missing),
    }
