"""Scoping for lup's admin: lists, filters and choices limited to the staff member's
organisations, and people limited to those they may attach."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest

from .. import permissions, scoping
from ..innovation.models import (
    InnovationProject,
)
from ..models import (
    Attendance,
    AuditEvent,
    Cohort,
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
