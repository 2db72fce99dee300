"""The audit log of security-relevant events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """A security-relevant event. Written by `lup.audit.record_event`, never edited.

    Labels keep who it was at the time, so the log reads after a person is gone;
    anonymising a person scrubs their labels here too.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        ROLE_CHANGED = "role_changed", _("Role changed")
        PERSONAL_DATA_EXPORTED = "data_exported", _("Personal data exported")
        PERSON_ANONYMISED = "anonymised", _("Person anonymised")
        CERTIFICATE_REVOKED = "certificate_revoked", _("Certificate revoked")
        COMPLETION_WITHDRAWN = "completion_withdrawn", _("Completion withdrawn")
        REPORT_EXPORTED = "report_exported", _("Completion report exported")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")
        PROJECT_PUBLISHED = "project_published", _("Project published with consent")
        PROJECT_WITHDRAWN = "project_withdrawn", _("Project withdrawn from the catalogue")
        PROJECT_IMPORTED = "project_imported", _("Project imported")
        SIGN_IN_LINKED = "sign_in_linked", _("Sign-in service linked")
        TENANT_REFUSED = "tenant_refused", _("Refused: belongs to another organisation")
        SCHEDULE_STOPPED = "schedule_stopped", _("Scheduled export stopped")
        PROGRAMME_CHANGED = "programme_changed", _("Target, rule or population changed")
        COMPLETION_REPAIRED = "completion_repaired", _("Missed completion repaired")
        COHORT_CLOSED = "cohort_closed", _("Cohort closed")
        UNIT_MOVED = "unit_moved", _("Unit moved to another cohort")
        CERTIFICATE_KEPT = "certificate_kept", _("Certificate kept after a withdrawal")
        PERSONAL_DATA_PURGED = "personal_data_purged", _("Personal data past its retention deleted")
        RETENTION_CHANGED = "retention_changed", _("Retention period changed")
        TEAM_MEMBER_ADDED = "team_member_added", _("Put on a team")
        TEAM_MEMBER_REMOVED = "team_member_removed", _("Taken off a team")
        COHORT_CHANGED = "cohort_changed", _("Cohort created or changed")
        GATHERING_CHANGED = "gathering_changed", _("Gathering planned, changed or cancelled")
        CALL_CHANGED = "call_changed", _("Call for applications opened or changed")
        APPLICATION_DECIDED = "application_decided", _("Application accepted or declined")
        TEMPLATE_CHANGED = "template_changed", _("Certificate template changed")
        CURRICULUM_CHANGED = "curriculum_changed", _("Curriculum changed")
        ORGANISATION_CHANGED = "organisation_changed", _("Organisation's privacy details changed")
        DATA_IMPORTED = "data_imported", _("Units or participants imported from CSV")
        ANNOUNCEMENT_SENT = "announcement_sent", _("Announcement sent")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("event"), max_length=24, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    actor_label = models.CharField(_("done by (as shown)"), max_length=254, blank=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("concerning"),
    )
    subject_label = models.CharField(_("concerning (as shown)"), max_length=254, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["action", "at"], name="lup_audit_action_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()} {self.subject_label}"
