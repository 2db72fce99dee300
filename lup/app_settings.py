"""Settings of the `lup` app, all prefixed LUP_ and read when used so tests can override them."""

from typing import Any

from django.conf import settings


def _get(name: str, default: Any) -> Any:
    return getattr(settings, f"LUP_{name}", default)


def SITE_URL() -> str:
    """The site's public address, for links in e-mails sent outside a request."""
    return str(_get("SITE_URL", "http://localhost:8000")).rstrip("/")


def IMPORT_MAX_BYTES() -> int:
    """Largest CSV file accepted by the imports, in bytes."""
    return int(_get("IMPORT_MAX_BYTES", 5_000_000))


def IMPORT_MAX_ROWS() -> int:
    """Most data rows accepted in one CSV import."""
    return int(_get("IMPORT_MAX_ROWS", 20_000))


def FORECAST_MIN_HISTORY() -> int:
    """Finished enrolments (units that took part in finished cohorts) a sector needs before
    the dashboard's forecast uses the sector's own completion rate; below it the programme's
    overall rate, and when the whole programme has fewer, FORECAST_DEFAULT_PERCENT."""
    return max(1, int(_get("FORECAST_MIN_HISTORY", 10)))


def FORECAST_DEFAULT_PERCENT() -> int:
    """The share (0–100) of enrolled units the forecast assumes will complete while the
    programme has too little history of its own (the dashboard says it is an assumption)."""
    return min(100, max(0, int(_get("FORECAST_DEFAULT_PERCENT", 75))))


def SSO_FORBIDDEN_CLAIMS() -> list[str]:
    """Claims stripped from everything kept of an SSO login: never store an identity number."""
    return list(_get("SSO_FORBIDDEN_CLAIMS", ["pid", "fnr", "national_identity_number"]))


def MFA_REQUIRED_GROUPS() -> list[str]:
    """Members of these groups (and superusers) must use two-factor authentication."""
    return list(_get("MFA_REQUIRED_GROUPS", ["Programme administrators", "HR"]))


def AUDIT_RETENTION_DAYS() -> int:
    """How long audit events are kept before `purge_audit_log` (and `purge_personal_data`)
    delete them: five years by default, the security record of the whole installation."""
    return int(_get("AUDIT_RETENTION_DAYS", 1826))


def BENEFIT_REMINDER_MONTHS() -> tuple[int, ...]:
    """Months after the pilot starts when each benefit's follow-up measurement is due."""
    return tuple(int(months) for months in _get("BENEFIT_REMINDER_MONTHS", (6, 12)))


def EXPORT_ROOT() -> str:
    """Where scheduled exports delivered "to a storage folder" are written (their folders are
    created under it). Defaults to BASE_DIR/var/exports."""
    from pathlib import Path

    default = Path(getattr(settings, "BASE_DIR", Path.cwd())) / "var" / "exports"
    return str(_get("EXPORT_ROOT", default))


def CHECK_IN_CODE_SECONDS() -> int:
    """How long each rotating check-in code on a gathering's QR screen lasts, in seconds
    (the previous one is still taken, so a scan at the turn works)."""
    return max(1, int(_get("CHECK_IN_CODE_SECONDS", 60)))


def RECONCILE_RECENT_DAYS() -> int:
    """How many days after a cohort ends (or is closed) its completions are still re-checked
    by the nightly reconcile and after a rule change (running cohorts always are)."""
    return max(0, int(_get("RECONCILE_RECENT_DAYS", 60)))


def RETENTION_MONTHS() -> dict[str, int]:
    """The default retention period of each retained category, in months (an organisation
    may set its own, `lup.privacy.models.RetentionPeriod`): learning records and attendance
    run from the end of the person's cohort, uploaded files from their submission, xAPI
    statements from when they were received."""
    return {
        "learning_records": max(1, int(_get("RETENTION_LEARNING_RECORDS_MONTHS", 60))),
        "uploaded_files": max(1, int(_get("RETENTION_UPLOADED_FILES_MONTHS", 24))),
        "xapi_statements": max(1, int(_get("RETENTION_XAPI_STATEMENTS_MONTHS", 24))),
    }


def PERSONAL_EXPORT_DAYS() -> int:
    """How many days a person's archive of their own data can be downloaded before it is
    deleted."""
    return max(1, int(_get("PERSONAL_EXPORT_DAYS", 7)))


def NOTIFICATION_RETENTION_DAYS() -> int:
    """How many days notifications are kept (read or not) before the nightly purge deletes
    them."""
    return max(1, int(_get("NOTIFICATION_RETENTION_DAYS", 180)))


def PRIVATE_ROOT() -> str:
    """Where lup keeps files only their owner may download (people's archives of their own
    data), outside MEDIA_ROOT. Defaults to BASE_DIR/var/lup-private."""
    from pathlib import Path

    default = Path(getattr(settings, "BASE_DIR", Path.cwd())) / "var" / "lup-private"
    return str(_get("PRIVATE_ROOT", default))
