"""Admin for the programme backbone, with CSV imports of units and participants."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from . import audit, imports, permissions, scoping
from .forms import ParticipantImportForm, UnitImportForm
from .innovation.models import (
    Benefit,
    CanvasField,
    InnovationProject,
    PhaseChange,
    ProjectPhase,
    ProjectReview,
)
from .models import (
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


def _member_organisations(user: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=permissions.member_organisations(user))


# What a staff member may see of each model in the admin: the same scope as everywhere.
ADMIN_SCOPES: dict[type, Any] = {
    Organisation: _member_organisations,
    Sector: lambda user: Sector.objects.filter(organisation__in=_member_organisations(user)),
    ServiceUnit: scoping.units_for,
    Programme: lambda user: Programme.objects.filter(organisation__in=_member_organisations(user)),
    Cohort: scoping.cohorts_for,
    Gathering: lambda user: Gathering.objects.filter(cohort__in=scoping.cohorts_for(user)),
    UnitEnrolment: scoping.enrolments_for,
    Participant: scoping.participants_for,
    OrganisationMembership: lambda user: OrganisationMembership.objects.filter(
        organisation__in=_member_organisations(user)
    ),
    AuditEvent: scoping.audit_events_for,
    Attendance: lambda user: Attendance.objects.filter(
        participant__in=scoping.participants_for(user)
    ),
    InnovationProject: scoping.editable_projects_for,
}


def scoped(model: type, user: Any) -> QuerySet[Any]:
    """The model's objects within the user's scope (all of them for superusers)."""
    queryset = model._default_manager.all()  # type: ignore[attr-defined]
    if user.is_superuser or model not in ADMIN_SCOPES:
        return queryset
    return queryset.filter(pk__in=ADMIN_SCOPES[model](user).values("pk"))


class ScopedChoicesMixin:
    """Foreign-key and many-to-many choices (raw ids too: they are validated against the
    same queryset) limited to the staff member's scope; people limited to those they may
    attach (`lup.scoping.attachable_people`), so no other organisation's names show."""

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("queryset", _choices_for(db_field.related_model, request.user))
        if kwargs["queryset"] is None:
            del kwargs["queryset"]
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("queryset", _choices_for(db_field.related_model, request.user))
        if kwargs["queryset"] is None:
            del kwargs["queryset"]
        return super().formfield_for_manytomany(db_field, request, **kwargs)  # type: ignore[misc]


def _choices_for(model: type, user: Any) -> QuerySet[Any] | None:
    if model is get_user_model():
        return scoping.attachable_people(user)
    if model in ADMIN_SCOPES:
        return scoped(model, user)
    return None


class ScopedAdmin(ScopedChoicesMixin, admin.ModelAdmin):
    """Lists, object pages, filters and choices limited to the staff member's scope."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=scoped(self.model, request.user).values("pk"))

    def get_list_filter(self, request: HttpRequest) -> Any:
        """Relation filters list only what is in the (scoped) list itself: Django's default
        lists every organisation, programme and cohort in the installation."""
        return [_only_related(self.model, entry) for entry in super().get_list_filter(request)]


def _only_related(model: type, entry: Any) -> Any:
    if not isinstance(entry, str):
        return entry
    field = get_fields_from_path(model, entry)[-1]
    if field.is_relation:
        return (entry, admin.RelatedOnlyFieldListFilter)
    return entry


class ScopedInline(ScopedChoicesMixin, admin.TabularInline):
    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=scoped(self.model, request.user).values("pk"))


class CsvImportAdminMixin:
    """Adds an “Import CSV” page to a model's admin that runs one of `lup.imports`."""

    import_form_class: type
    import_title = _("Import from CSV")

    def run_import(self, form: Any) -> imports.ImportResult:
        raise NotImplementedError

    def get_urls(self) -> list[URLPattern]:
        info = self.model._meta.app_label, self.model._meta.model_name  # type: ignore[attr-defined]
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),  # type: ignore[attr-defined]
                name="{}_{}_import".format(*info),
            )
        ]
        return extra + super().get_urls()  # type: ignore[misc]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        errors: list[imports.RowError] = []
        form = self.import_form_class(request.POST or None, request.FILES or None)
        for field in form.fields.values():
            model = getattr(getattr(field, "queryset", None), "model", None)
            if model in ADMIN_SCOPES:
                field.queryset = scoped(model, request.user)
        if request.method == "POST" and form.is_valid():
            try:
                result = self.run_import(form)
            except imports.ImportRejected as rejected:
                errors = rejected.errors
            else:
                messages.success(request, _("Import finished: %(result)s") % {"result": result})
                opts = self.model._meta  # type: ignore[attr-defined]
                return redirect(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "title": self.import_title,
            "form": form,
            "row_errors": errors,
        }
        return TemplateResponse(request, "admin/lup/csv_import.html", context)


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "organisation_number"]
    search_fields = ["name", "organisation_number"]
    prepopulated_fields = {"slug": ["name"]}


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


class ParticipantInline(ScopedInline):
    model = Participant
    extra = 0
    raw_id_fields = ["user"]


@admin.register(UnitEnrolment)
class UnitEnrolmentAdmin(ScopedAdmin):
    list_display = ["unit", "cohort", "status", "completed_at"]
    list_filter = ["status", "cohort__programme", "cohort"]
    list_select_related = ["unit", "cohort"]
    search_fields = ["unit__name", "unit__code"]
    raw_id_fields = ["unit"]
    inlines = [ParticipantInline]


@admin.register(Participant)
class ParticipantAdmin(CsvImportAdminMixin, ScopedAdmin):
    list_display = ["user", "role", "status", "enrolment"]
    list_filter = ["role", "status", "enrolment__cohort"]
    list_select_related = ["user", "enrolment__unit", "enrolment__cohort"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "enrolment__unit__name"]
    raw_id_fields = ["user", "enrolment"]
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


class BenefitInline(admin.StackedInline):
    model = Benefit
    extra = 0


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
from .api import admin as _api_admin  # noqa: E402, F401


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
