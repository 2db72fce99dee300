"""Celery tasks of `certificates`: they load objects and call a service, nothing more."""

from __future__ import annotations

from celery import shared_task

from . import services
from .models import Certificate


@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=5, ignore_result=True)
def send_certificate_email(certificate_id: int) -> bool:
    """E-mail a certificate's PDF to its recipient (retried while the mail server is down)."""
    certificate = Certificate.objects.select_related("recipient").filter(pk=certificate_id).first()
    if certificate is None:
        return False
    return services.send_certificate_email(certificate=certificate)
