"""The categories of personal data the register sorts every field into, and those of them
an organisation sets a retention period for."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What kind of personal data a model holds (the privacy statement lists them)."""

    ACCOUNT = "account", _("Account")
    SIGN_IN = "sign_in", _("Sign-in methods and two-factor devices")
    ROLES = "roles", _("Roles and access")
    LANGUAGE = "language", _("Language")
    PARTICIPATION = "participation", _("Participation")
    LEARNING_RECORDS = "learning_records", _("Learning records")
    UPLOADED_FILES = "uploaded_files", _("Submissions and uploaded files")
    XAPI_STATEMENTS = "xapi_statements", _("Learning activity statements (xAPI)")
    ATTENDANCE = "attendance", _("Attendance at gatherings")
    CERTIFICATES = "certificates", _("Certificates")
    PROJECT_WORK = "project_work", _("Innovation project work")
    ADMINISTRATION = "administration", _("Administrative work done for the programme")
    NOTIFICATIONS = "notifications", _("Notifications and announcements")
    AUDIT = "audit", _("Security and audit log")
    DATA_EXPORTS = "data_exports", _("Your own data exports")


class RetainedCategory(models.TextChoices):
    """The categories `purge_personal_data` deletes after a period each organisation sets
    (defaults: `LUP_RETENTION_MONTHS`). The audit log is the installation's security record
    and has one period for all (`LUP_AUDIT_RETENTION_DAYS`)."""

    LEARNING_RECORDS = "learning_records", _("Learning records and attendance")
    UPLOADED_FILES = "uploaded_files", _("Uploaded files")
    XAPI_STATEMENTS = "xapi_statements", _("Learning activity statements (xAPI)")
