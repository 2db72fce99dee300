"""Celery tasks of the certification feature (registered when `lup.certification` is
imported, which `lup.receivers` does when Django loads)."""

from __future__ import annotations

from celery import shared_task

from ..models import Cohort
from .services import issue_cohort_certificates


# The name is the task's address in the broker's queue: it stays what it was when the task
# lived in lup/certification.py, so messages queued before a deploy still find it.
@shared_task(name="lup.certification.issue_cohort_certificates_task", ignore_result=True)
def issue_cohort_certificates_task(cohort_id: int, notify: bool = True) -> int:
    """Bulk issue for the cohort certificates page: load the cohort and call the service."""
    cohort = Cohort.objects.filter(pk=cohort_id).first()
    if cohort is None:
        return 0
    return issue_cohort_certificates(cohort=cohort, notify=notify).issued
