"""LUP's side of certificates: what a completed participant and a completed unit get.

`certificates` is generic and knows nothing of units; this feature says which achievement
a certificate is for (`keys`), what it prints and from which template (`contents`), issues
and audits them (`services`, with the bulk issue's Celery task in `tasks`), reads them
(`selectors`) and tells `certificates` who may see which (`adapter`, deciding with
`lup.permissions`); `reviews` asks an administrator whether a certificate stays when its
completion is withdrawn. Other modules import from here, `lup.certification`, whose names
below are the feature's public surface.
"""

from __future__ import annotations

from .adapter import LupCertificatesAdapter
from .contents import (
    DEFAULT_TEMPLATES,
    PARTICIPANT_TEMPLATE_KEY,
    UNIT_TEMPLATE_KEY,
    participant_context,
    template_for,
    unit_context,
)
from .keys import PARTICIPANT_SOURCE, UNIT_SOURCE, achievement_of, participant_key, unit_key
from .reviews import (
    REVIEW_NOTE_MAX_LENGTH,
    ReviewRow,
    close_review_when_earned_again,
    close_review_when_revoked,
    decide_review,
    open_review_if_certified,
    open_reviews,
    review_kind,
    review_rows,
    reviews_to_decide,
    revocation_reason,
    withdrawal_reason_text,
)
from .selectors import (
    CohortCertificates,
    ProgrammeCertificate,
    certificates_for,
    cohort_certificates,
    programme_certificate_by_code,
    unit_certificate,
)
from .services import (
    IssueSummary,
    issue_cohort_certificates,
    issue_earned_certificates,
    issue_participant_certificate,
    issue_unit_certificate,
    issue_when_committed,
    record_revocation,
)
from .tasks import issue_cohort_certificates_task

__all__ = [
    "DEFAULT_TEMPLATES",
    "PARTICIPANT_SOURCE",
    "PARTICIPANT_TEMPLATE_KEY",
    "REVIEW_NOTE_MAX_LENGTH",
    "UNIT_SOURCE",
    "UNIT_TEMPLATE_KEY",
    "CohortCertificates",
    "IssueSummary",
    "LupCertificatesAdapter",
    "ProgrammeCertificate",
    "ReviewRow",
    "achievement_of",
    "certificates_for",
    "close_review_when_earned_again",
    "close_review_when_revoked",
    "cohort_certificates",
    "decide_review",
    "issue_cohort_certificates",
    "issue_cohort_certificates_task",
    "issue_earned_certificates",
    "issue_participant_certificate",
    "issue_unit_certificate",
    "issue_when_committed",
    "open_review_if_certified",
    "open_reviews",
    "participant_context",
    "participant_key",
    "programme_certificate_by_code",
    "record_revocation",
    "review_kind",
    "review_rows",
    "reviews_to_decide",
    "revocation_reason",
    "template_for",
    "unit_certificate",
    "unit_context",
    "unit_key",
    "withdrawal_reason_text",
]
