"""Sending notifications' e-mails in a Celery worker, with retries."""

from __future__ import annotations

import smtplib

from celery import shared_task

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
    for notification_id in notification_ids:
        sent += email_notification(notification_id)
    return sent
