"""Sending notifications' e-mails in a Celery worker, with retries."""

from __future__ import annotations

import smtplib

from celery import shared_task
from django.core.mail import get_connection

from .services import email_notification


@shared_task(
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notification_emails(notification_ids: list[int]) -> int:
    """E-mail the notifications not yet sent (a retry skips those that went). A mail server
    that fails raises, and Celery tries again later; the notifications stay stored."""
    sent = 0
    # One SMTP connection for the whole batch: an announcement to a programme is hundreds
    # of e-mails, not hundreds of connections.
    with get_connection() as connection:
        for notification_id in notification_ids:
            sent += email_notification(notification_id, connection=connection)
    return sent


@shared_task(
    ignore_result=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=300,
    max_retries=5,
)
def send_daily_digests() -> int:
    """The daily digest e-mails (run each afternoon by beat); a retry sends only what did not
    go."""
    from .digest import send_daily_digests as send

    return send()
