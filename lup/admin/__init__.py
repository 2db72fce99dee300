"""Admin for the programme backbone, with CSV imports of units and participants."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .. import audit, imports
from ..forms import ParticipantImportForm, UnitImportForm
from ..innovation.models import (
    Benefit,
    BenefitUpdate,
    CanvasField,
    InnovationProject,
    PhaseChange,
    ProjectPhase,
    ProjectReview,
)
from ..models import (
    Attendance,
    AuditEvent,
    Cohort,
    CompletionRule,
    CourseOwnership,
    Gathering,
    Organisation,
    OrganisationMembership,
    Participant,
    Programme,
    Sector,
    ServiceUnit,
    UnitEnrolment,
)
from .csv_import import CsvImportAdminMixin
from .scoping import ScopedAdmin, ScopedChoicesMixin, ScopedInline


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "organisation_number"]
    search_fields = ["name", "organisation_number"]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (None, {"fields": ["name", "slug", "organisation_number", "export_email_domains"]}),
        (
            # What the privacy statement and the records of processing activities say about
            # the organisation as data controller (lup.privacy.statement).
            _("Privacy"),
            {
                "fields": [
                    "data_protection_officer",
                    "data_protection_email",
                    "legal_basis",
                    "anonymised_certificates",
                ]
            },
        ),
    ]


@admin.register(Sector)
class SectorAdmin(ScopedAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name"]


@admin.register(ServiceUnit)
class ServiceUnitAdmin(CsvImportAdminMixin, ScopedAdmin):
    list_display = ["name", "code", "sector", "organisation", "active"]
    list_filter = ["organisation", "sector", "active"]
    list_select_related = ["sector", "organisation"]
    search_fields = ["name", "code"]
    import_form_class = UnitImportForm
    import_title = _("Import service units from CSV")

    def run_import(self, form: Any) -> imports.ImportResult:
        return imports.import_units(
            data=form.cleaned_data["file"].read(),
            organisation=form.cleaned_data["organisation"],
            create_sectors=form.cleaned_data["create_sectors"],
        )


class GatheringInline(ScopedInline):
    model = Gathering
    extra = 0


class CompletionRuleInline(admin.StackedInline):
    model = CompletionRule
    can_delete = False
    filter_horizontal = ["required_modules"]


class ProjectPhaseInline(admin.TabularInline):
    """The programme's innovation roadmap; KS' phases are created when the first project
    starts if the programme has none (lup.innovation.services.ensure_project_phases)."""

    model = ProjectPhase
    extra = 0


class CanvasFieldInline(admin.TabularInline):
    """The programme's own team canvas; leave empty to use the default canvas."""

    model = CanvasField
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "organisation", "target_units", "deadline"]
    list_filter = ["organisation"]
    prepopulated_fields = {"slug": ["short_name"]}
    filter_horizontal = ["population_sectors"]
    inlines = [CompletionRuleInline, ProjectPhaseInline, CanvasFieldInline]


@admin.register(Cohort)
class CohortAdmin(ScopedAdmin):
    list_display = ["name", "programme", "starts_on", "ends_on", "unit_count"]
    list_filter = ["programme"]
    filter_horizontal = ["facilitators"]
    inlines = [GatheringInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cohort]:
        return super().get_queryset(request).annotate(unit_count=Count("enrolments"))

    @admin.display(description=_("units"), ordering="unit_count")
    def unit_count(self, cohort: Any) -> int:
        return int(cohort.unit_count)


@admin.register(Gathering)
class GatheringAdmin(ScopedAdmin):
    list_display = ["title", "cohort", "kind", "starts_at", "place"]
    list_filter = ["kind", "cohort__programme"]


class CompletionByRuleForm(forms.ModelForm):
    """A participant's or unit enrolment's admin form that never stamps or withdraws a
    completion: those are written by the services under a row lock, when the programme's
    rule says so (lup.services.completion_writes), so the admin shows them read-only."""

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        completed = type(self.instance).Status.COMPLETED
        before = self.instance.status if self.instance.pk else None
        if (status == completed) != (before == completed):
            raise forms.ValidationError(
                _(
                    "A completion is recorded by the programme's completion rule, and "
                    "withdrawn on the team's page: not here."
                )
            )
        settled = {"not_completed", "moved"}  # UnitEnrolment's statuses after closing
        if (status in settled or before in settled) and status != before:
            raise forms.ValidationError(
                _(
                    "A unit is settled as not completed, or moved to a later cohort, by "
                    "closing its cohort: not here."
                )
            )
        return str(status)


class ParticipantInline(ScopedInline):
    model = Participant
    form = CompletionByRuleForm
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["completed_at"]


@admin.register(UnitEnrolment)
class UnitEnrolmentAdmin(ScopedAdmin):
    list_display = ["unit", "cohort", "status", "completed_at"]
    list_filter = ["status", "cohort__programme", "cohort"]
    list_select_related = ["unit", "cohort"]
    search_fields = ["unit__name", "unit__code"]
    raw_id_fields = ["unit"]
    inlines = [ParticipantInline]
    form = CompletionByRuleForm
    readonly_fields = ["completed_at", "moved_to"]


@admin.register(Participant)
class ParticipantAdmin(CsvImportAdminMixin, ScopedAdmin):
    list_display = ["user", "role", "status", "enrolment"]
    list_filter = ["role", "status", "enrolment__cohort"]
    list_select_related = ["user", "enrolment__unit", "enrolment__cohort"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "enrolment__unit__name"]
    raw_id_fields = ["user", "enrolment"]
    form = CompletionByRuleForm
    readonly_fields = ["completed_at"]
    import_form_class = ParticipantImportForm
    import_title = _("Import participants from CSV")

    def run_import(self, form: Any) -> imports.ImportResult:
        return imports.import_participants(
            data=form.cleaned_data["file"].read(), programme=form.cleaned_data["programme"]
        )


class MembershipInline(ScopedInline):
    model = OrganisationMembership
    extra = 0
    raw_id_fields = ["user"]


OrganisationAdmin.inlines = [MembershipInline]


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedAdmin):
    """Read-only: the audit log is written by the application and never edited."""

    list_display = ["at", "action", "subject_label", "actor_label", "ip_address"]
    list_filter = ["action"]
    search_fields = ["subject_label", "actor_label"]
    date_hierarchy = "at"
    # The details as sentences in the reader's language (lup.audit.describe), not as data.
    exclude = ["details"]
    readonly_fields = ["what_happened"]

    @admin.display(description=_("details"))
    def what_happened(self, event: AuditEvent) -> str:
        return format_html_join(
            "", "<p>{}</p>", ((line,) for line in audit.describe(event, audit.names_for([event])))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Attendance)
class AttendanceAdmin(ScopedAdmin):
    list_display = ["participant", "gathering", "method", "recorded_at"]
    list_filter = ["method", "gathering__cohort"]
    list_select_related = ["participant__user", "gathering__cohort"]
    raw_id_fields = ["participant", "gathering"]


class PhaseChangeInline(admin.TabularInline):
    """The dated timeline, read-only: phases are changed on the project page."""

    model = PhaseChange
    extra = 0
    can_delete = False
    readonly_fields = ["phase", "entered_on", "note", "changed_by", "recorded_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BenefitInline(ScopedChoicesMixin, admin.StackedInline):
    """A project's benefits, with their updates at the end of each phase read-only: those
    are recorded on the update page (or the API), which settles the owner's reminder. The
    named owner is chosen by raw id among the people the staff member may attach (never
    another organisation's, never a list of everyone)."""

    model = Benefit
    extra = 0
    raw_id_fields = ["owner_person"]
    readonly_fields = ["phase_updates"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        updates = BenefitUpdate.objects.select_related("phase").order_by("measured_on", "pk")
        return super().get_queryset(request).prefetch_related(Prefetch("updates", updates))

    @admin.display(description=_("updates at the end of a phase"))
    def phase_updates(self, benefit: Benefit) -> str:
        rows = [
            (
                update.phase.name,
                update.value,
                update.measured_on.isoformat(),
                update.get_status_display(),
                f" – {update.note}" if update.note else "",
            )
            for update in (benefit.updates.all() if benefit.pk is not None else [])
        ]
        if not rows:
            return "–"
        return format_html_join(mark_safe("<br>"), "{}: {} ({}) – {}{}", rows)


class ProjectReviewInline(admin.TabularInline):
    """Reviews are given on the project page, where approval also re-evaluates the unit."""

    model = ProjectReview
    extra = 0
    can_delete = False
    readonly_fields = ["point", "decision", "comment", "reviewer", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(InnovationProject)
class InnovationProjectAdmin(ScopedAdmin):
    """Projects in the staff member's organisations. Approval is not edited here: it feeds
    the completion rule, so it is given on the project's review page."""

    list_display = ["title", "enrolment", "phase", "review_status", "published_at"]
    list_filter = ["review_status", "enrolment__cohort__programme", "phase"]
    list_select_related = ["enrolment__unit", "enrolment__cohort", "phase"]
    search_fields = ["title", "enrolment__unit__name", "origin_organisation"]
    # Raw ids: choice lists would name people and units outside the staff member's scope.
    raw_id_fields = ["enrolment", "consent_by", "members"]
    readonly_fields = ["phase", "review_status", "approved_at", "created_at", "updated_at"]
    inlines = [PhaseChangeInline, BenefitInline, ProjectReviewInline]


# API tokens: created (the secret shown once) and revoked by administrators.
from ..api import admin as _api_admin  # noqa: E402, F401


@admin.register(CourseOwnership)
class CourseOwnershipAdmin(admin.ModelAdmin):
    """Which organisation owns (may change) a shared course: the installation's superusers
    decide, since the choice crosses organisations."""

    list_display = ["course", "organisation", "created_at"]
    list_select_related = ["course", "organisation"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


# Each organisation's retention periods (lup.privacy), set through the audited service.
from . import retention as _retention  # noqa: E402, F401
